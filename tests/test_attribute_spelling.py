"""A text attribute's value in another case than the project's (kontor a beside Kontor A) is stored as the
project spells it, participants' and transcripts', on every path that sets one, as a gender or office is;
yes/no, number and date attributes keep their own handling."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.matrix import code_matrix
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import undo
from qualcode.coding.service import add_coding
from qualcode.importers.metadata import get_or_create_participant, import_participants
from qualcode.importers.metadata_edit import edit_participant
from qualcode.store.models import Coder, Participant, Transcript
from qualcode.store.project import Project
from tests.conftest import make_transcript
from tests.test_exchange_import import Qdpx, guid, run_import

TEXT = "I: Hvordan var det å søke?\nD1: Det var greit, vi lagde en plan sammen og jeg ble hørt 😊.\n"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _attributes(session: Session) -> dict[str, dict[str, str]]:
    people = {p.name: {a.definition.name: a.value for a in p.attributes} for p in session.scalars(select(Participant))}
    texts = {t.name: {a.definition.name: a.value for a in t.attributes} for t in session.scalars(select(Transcript))}
    return {**people, **texts}


def test_a_participants_csv_stores_a_text_value_in_another_case_as_the_project_spells_it(session: Session, tmp_path: Path) -> None:
    import_participants(session, _write(tmp_path, "a.csv", "participant;arbeidssted\nD1;Kontor A\n"))
    import_participants(session, _write(tmp_path, "b.csv",
                                        "participant;arbeidssted\nD2;kontor a\nD3;KONTOR A\nD4;Kafé Ø\nD5;kafé ø\n"))
    stored = _attributes(session)
    assert {name: values["arbeidssted"] for name, values in stored.items()} == {
        "D1": "Kontor A", "D2": "Kontor A", "D3": "Kontor A", "D4": "Kafé Ø", "D5": "Kafé Ø"}


def test_participants_edit_and_the_tui_form_store_it_so_and_undo_takes_it_back(session: Session, coder: Coder, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, TEXT, participant="D1")
    edit_participant(session, "D1", coder, attributes={"arbeidssted": "Kontor A"})
    get_or_create_participant(session, "D2", "deltaker")
    edit = edit_participant(session, "D2", coder, attributes={"arbeidssted": "kontor a"})
    assert [(c.field, c.after) for c in edit.changes] == [("arbeidssted", "Kontor A")]
    undo(session, coder)
    assert _attributes(session)["D2"] == {}
    # Another participant's own value is the project's too: the first spelling stays the one stored.
    edit_participant(session, "D1", coder, attributes={"arbeidssted": "KONTOR A"})
    assert _attributes(session)["D1"] == {"arbeidssted": "Kontor A"}


def test_the_tui_participant_form_saves_it_as_participants_edit(demo: Path) -> None:
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    with Workspace.open(Config.resolve(project=demo, coder="Forsker 1")) as workspace:
        workspace.edit_participant("D1", {"attributes": "arbeidstid=heltid"})
        assert workspace.edit_participant("D2", {"attributes": "arbeidstid=HELTID"}) == "arbeidstid"
        with workspace.begin() as session:
            assert _attributes(session)["D2"]["arbeidstid"] == "heltid"


def test_a_transcripts_front_matter_and_a_qdpx_store_it_so_and_a_table_has_one_column(project: Project, tmp_path: Path) -> None:
    with project.begin() as session:
        # A yes/no attribute is read as yes or no (Ja is true), not spelled as stored.
        for name, place, interpreter in (("a", "på kontoret", "true"), ("b", "På kontoret", "Ja"), ("c", "PÅ KONTORET", "nei")):
            front = f"---\nattributes:\n  sted: {place}\n  tolk: {interpreter}\n---\n"
            path = _write(tmp_path, f"{name}.md", front + TEXT.replace("søke", f"søke {name}"))
            make_transcript(session, tmp_path, path.read_text(encoding="utf-8"), name=name, suffix=".md")
            add_coding(session, name, "empowerment", get_or_create_coder(session, "Forsker 1"), match="jeg ble hørt")
        qdpx = Qdpx(variables=(f'<Variable guid="{guid("var:sted")}" name="sted" typeOfVariable="Text"/>'
                               f'<Variable guid="{guid("var:bydel")}" name="bydel" typeOfVariable="Text"/>'))
        qdpx.sources.append(
            f'<TextSource guid="{guid("source:d")}" name="d.txt"><PlainTextContent>{TEXT.replace("søke", "søke d")}</PlainTextContent>'
            f'<VariableValue><VariableRef targetGUID="{guid("var:sted")}"/><TextValue>på KONTORET</TextValue></VariableValue>'
            "</TextSource>"
        )
        qdpx.cases = (
            f'<Case guid="{guid("case:d9")}" name="D9">'
            f'<VariableValue><VariableRef targetGUID="{guid("var:bydel")}"/><TextValue>grünerløkka</TextValue></VariableValue>'
            f'<SourceRef targetGUID="{guid("source:d")}"/></Case>'
        )
        import_participants(session, _write(tmp_path, "p.csv", "participant,bydel\nD8,Grünerløkka\n"))
        run_import(session, qdpx.write(tmp_path / "fremmed.qdpx"))
        stored = _attributes(session)
        assert [stored[name]["sted"] for name in "abcd"] == ["på kontoret"] * 4
        assert [stored[name]["tolk"] for name in "abc"] == ["true", "true", "false"]
        assert (stored["D8"]["bydel"], stored["D9"]["bydel"]) == ("Grünerløkka", "Grünerløkka")
        matrix = code_matrix(session, None, ["sted"])
        assert [column.values for column in matrix.columns] == [("på kontoret",)]


def test_a_value_typed_decomposed_or_spaced_otherwise_is_stored_as_the_project_spells_it(session: Session, coder: Coder, tmp_path: Path) -> None:
    # "Å" as A and a combining ring, as a Mac or another program's CSV may give it, and two spaces:
    # each was a column of its own beside the stored spelling (the guard composes only what it stores).
    decomposed = unicodedata.normalize("NFD", "BODØ KONTOR Å")
    import_participants(session, _write(tmp_path, "a.csv", "participant;sted;office\nD1;Bodø kontor Å;Kontor Å\n"))
    import_participants(session, _write(tmp_path, "b.csv", f"participant;sted;office\nD2;{decomposed};{decomposed[5:]}\n"))
    get_or_create_participant(session, "D3", "deltaker")
    edit_participant(session, "D3", coder, attributes={"sted": "bodø  kontor å"})
    stored = _attributes(session)
    assert [stored[name]["sted"] for name in ("D1", "D2", "D3")] == ["Bodø kontor Å"] * 3
    offices = session.scalars(select(Participant.office).order_by(Participant.name)).all()
    assert offices[:2] == ["Kontor Å", "Kontor Å"]



def test_values_natural_order_cannot_tell_apart_are_columns_in_one_order_run_after_run() -> None:
    # Two spellings a project kept from before they were spelled as it spells them: in a set's order
    # they changed places between runs (string hashes differ per process), and so did a CSV's columns.
    # Sixteen pairs, so the old order is right for all of them about once in 65,536 runs.
    from qualcode.analysis.passages import sort_values

    for place in ("kontor a", "bodø", "tromsø", "nav sentrum", *(f"bydel {letter}" for letter in "abcdefghijkl")):
        assert sort_values([place, place.upper()]) == sort_values([place.upper(), place]) == [place.upper(), place]
    assert sort_values(["kontor a", "D10", "(not stated)", "Kontor A", "D2"]) == ["D2", "D10", "Kontor A", "kontor a", "(not stated)"]


def test_a_qdpx_says_which_values_it_stored_in_the_project_s_spelling_and_keeps_both_of_two_variables_of_one_name(
    project: Project, tmp_path: Path,
) -> None:
    """"kontor a" was stored as "Kontor A" unsaid, and of two Variables named alike (another program tells them
    by GUID) one value was left out unsaid."""
    def value(variable: str, text: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{guid(variable)}"/><TextValue>{text}</TextValue></VariableValue>'

    qdpx = Qdpx(variables=(f'<Variable guid="{guid("var:sted")}" name="arbeidssted" typeOfVariable="Text"/>'
                           f'<Variable guid="{guid("var:sted2")}" name="arbeidssted" typeOfVariable="Text"/>'))
    qdpx.sources.append(f'<TextSource guid="{guid("source:d")}" name="d.txt"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{value("var:sted", "Kontor A")}{value("var:sted2", "Kontor B")}'
                  f'<SourceRef targetGUID="{guid("source:d")}"/></Case>'
                  f'<Case guid="{guid("case:d2")}" name="D2">{value("var:sted", "kontor a")}<SourceRef targetGUID="{guid("source:d")}"/></Case>')
    with project.begin() as session:
        result = run_import(session, qdpx.write(tmp_path / "kontor.qdpx"))
        stored = _attributes(session)
    assert stored["D1"] == {"arbeidssted": "Kontor A", "arbeidssted (2)": "Kontor B"}
    assert stored["D2"] == {"arbeidssted": "Kontor A"}  # one office, one column in every table, as a CSV's
    said = result.problems + result.deviations
    assert "Variable 'arbeidssted': 'kontor a' stored as 'Kontor A', as it is spelled here already" in said, said
    assert f"Case 'D1' {guid('case:d1')}: two variables are named arbeidssted; 'Kontor B' kept as arbeidssted (2)" in said, said


def test_a_variable_the_file_names_as_the_second_of_two_of_one_name_would_be_keeps_its_own_name(
    project: Project, tmp_path: Path,
) -> None:
    """Two Variables "arbeidssted" and a third "arbeidssted (2)": the second value was kept as "arbeidssted (2)",
    and the file's own "arbeidssted (2)" was then taken for a second of that name ("arbeidssted (2) (2)")."""
    def value(variable: str, text: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{guid(variable)}"/><TextValue>{text}</TextValue></VariableValue>'

    qdpx = Qdpx(variables=(f'<Variable guid="{guid("var:a")}" name="arbeidssted" typeOfVariable="Text"/>'
                           f'<Variable guid="{guid("var:b")}" name="arbeidssted" typeOfVariable="Text"/>'
                           f'<Variable guid="{guid("var:c")}" name="arbeidssted (2)" typeOfVariable="Text"/>'))
    qdpx.sources.append(f'<TextSource guid="{guid("source:d")}" name="d.txt"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{value("var:a", "Kontor A")}{value("var:b", "Kontor B")}'
                  f'{value("var:c", "Kontor C")}<SourceRef targetGUID="{guid("source:d")}"/></Case>')
    with project.begin() as session:
        result = run_import(session, qdpx.write(tmp_path / "kontor.qdpx"))
        stored = _attributes(session)
    assert stored["D1"] == {"arbeidssted": "Kontor A", "arbeidssted (3)": "Kontor B", "arbeidssted (2)": "Kontor C"}
    said = result.problems + result.deviations
    assert f"Case 'D1' {guid('case:d1')}: two variables are named arbeidssted; 'Kontor B' kept as arbeidssted (3)" in said, said
    assert not any("named arbeidssted (2)" in line for line in said), said
