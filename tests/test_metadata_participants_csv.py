"""The participants CSV: empty cells, unnamed columns, role and id spelling, Excel's sep= line, line breaks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import ImportFailed
from qualcode.importers.metadata import import_participants
from qualcode.store.models import Participant


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _people(session: Session) -> list[tuple[str, str | None, str | None, dict[str, str]]]:
    return [
        (person.name, person.role, person.office, {a.definition.name: a.value for a in person.attributes})
        for person in session.scalars(select(Participant).order_by(Participant.id))
    ]


def test_an_empty_cell_leaves_a_field_and_an_attribute_as_stored(session: Session, tmp_path: Path) -> None:
    import_participants(session, _write(tmp_path, "a.csv", "participant,role,office,bydel\nD1,deltaker,Kontor A,Nord\n"))
    result = import_participants(session, _write(tmp_path, "b.csv", "participant,role,office,bydel\nD1,,,\n"))
    assert result.updated == []
    assert _people(session) == [("D1", "deltaker", "Kontor A", {"bydel": "Nord"})]


def test_values_under_an_unnamed_column_are_refused_by_its_number(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"c\.csv: column 3 has no name in the header but holds values \(line 3\)"):
        import_participants(session, _write(tmp_path, "c.csv", "participant,role,\nD1,deltaker,\nD2,leder,viktig\n"))
    assert _people(session) == []


def test_a_role_and_an_id_in_another_case_are_the_ones_the_project_has(session: Session, tmp_path: Path) -> None:
    import_participants(session, _write(tmp_path, "a.csv", "participant,role\nD1,Deltaker\n"))
    import_participants(session, _write(tmp_path, "b.csv", "participant,role,office\nd1,DELTAKER,Kontor B\nD2,deltaker,\n"))
    assert _people(session) == [("D1", "deltaker", "Kontor B", {}), ("D2", "deltaker", None, {})]
    with pytest.raises(ImportFailed, match=r"d\.csv line 3: participant d2 appears twice \(also as D2\)"):
        import_participants(session, _write(tmp_path, "d.csv", "participant,role\nD2,leder\nd2,leder\n"))


def test_excels_separator_line_is_honoured_and_lines_keep_their_numbers(session: Session, tmp_path: Path) -> None:
    import_participants(session, _write(tmp_path, "a.csv", "sep=;\nparticipant;role;office\nD1;leder;Kontor A, Nord\n"))
    assert _people(session) == [("D1", "leder", "Kontor A, Nord", {})]
    with pytest.raises(ImportFailed, match=r"b\.csv line 4: the participant column is empty"):
        import_participants(session, _write(tmp_path, "b.csv", "sep=;\nparticipant;role\nD2;leder\n;leder\n"))


def test_a_line_break_inside_an_attribute_value_is_refused_in_one_line(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"e\.csv line 2: the value of attribute notat 'to\\nlinjer' holds a line break") as refused:
        import_participants(session, _write(tmp_path, "e.csv", 'participant,notat\nD1,"to\nlinjer"\n'))
    assert "\n" not in refused.value.message
    assert [attributes for *_, attributes in _people(session)] in ([], [{}])  # the command's transaction is not committed


def test_a_gender_or_office_in_another_case_is_stored_as_the_project_spells_it(session: Session, tmp_path: Path) -> None:
    """Excel's habits: MANN beside mann, Kontor b beside kontor B were columns of their own in every
    matrix (a filter took both), as Deltaker beside deltaker was before roles were spelled as stored."""
    import_participants(session, _write(tmp_path, "a.csv", "participant;kjønn;kontor\nD1;mann;kontor B\n"))
    import_participants(session, _write(tmp_path, "b.csv", "participant;kjønn;kontor\nD2;MANN;Kontor b\nD3;Kvinne;Kontor C\nD4;kvinne;KONTOR C\n"))
    stored = {p.name: (p.gender, p.office) for p in session.scalars(select(Participant))}
    assert stored == {"D1": ("mann", "kontor B"), "D2": ("mann", "kontor B"), "D3": ("Kvinne", "Kontor C"),
                      "D4": ("Kvinne", "Kontor C")}
