"""YAML front matter at a text file's top: found after blank lines, refused when never closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.importers.service import import_file
from qualcode.store.project import Project


def test_front_matter_after_a_blank_line_is_metadata_and_one_never_closed_is_refused(session: Session, tmp_path: Path) -> None:
    """Both were stored as speech: "participant: D1" and "date: 2024-06-01" as the transcript's first lines."""
    from sqlalchemy import select

    from qualcode.errors import ImportFailed
    from qualcode.store.models import Transcript

    path = tmp_path / "samtale.txt"
    path.write_text("\n---\nparticipant: D1\nwave: T3\ndate: 2024-06-01\n---\nI: Hei?\nD1: Hei.\nI: Ok.\nD1: Ja.\n", encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))
    transcript = session.scalar(select(Transcript).where(Transcript.name == "samtale"))
    assert transcript is not None and transcript.current_version is not None
    assert (transcript.wave, str(transcript.interview_date)) == ("T3", "2024-06-01")
    assert transcript.current_version.text == "I: Hei?\nD1: Hei.\nI: Ok.\nD1: Ja.\n"
    unclosed = tmp_path / "uavsluttet.txt"
    unclosed.write_text("---\nparticipant: D1\nwave: T3\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="the front matter opened by --- on line 1 is never closed"):
        import_file(session, unclosed, key=PseudonymKey("test"))
    ruled = tmp_path / "strek.txt"  # a rule above the first turn is no front matter
    ruled.write_text("---\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    import_file(session, ruled, key=PseudonymKey("test"))


def test_rules_drawn_in_a_text_after_blank_lines_are_speech(session: Session, tmp_path: Path) -> None:
    """Front matter may come after blank lines, but two rules of --- around turns there are the text's
    own: such a file was refused ("unknown metadata key 'D1'")."""
    from sqlalchemy import select

    from qualcode.store.models import Transcript

    path = tmp_path / "streker.txt"
    path.write_text("\n---\nI: Hei, velkommen.\nD1: Takk.\n---\nI: Hvordan går det?\nD1: Bra.\n", encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))
    transcript = session.scalar(select(Transcript).where(Transcript.name == "streker"))
    assert transcript is not None and transcript.current_version is not None
    assert "I: Hei, velkommen." in transcript.current_version.text and "I: Hvordan går det?" in transcript.current_version.text


def test_a_transcript_attribute_its_participant_has_too_is_refused_as_a_built_in_field_is(project: Project, tmp_path: Path) -> None:
    """A probe: `barn: nei` in P1's interview was stored beside P1's own barn=ja without a word, and
    then counted for the interviewer's words while P1's counted for P1's; `office` there was refused."""
    from sqlalchemy import select

    from qualcode.errors import InvalidInput
    from qualcode.importers.metadata import import_participants
    from qualcode.importers.service import ImportOptions, preview_file
    from qualcode.store.models import Transcript, TranscriptAttribute

    people = tmp_path / "participants.csv"
    people.write_text("participant,role,barn\nP1,deltaker,ja\nP2,deltaker,nei\nP4,deltaker,\n", encoding="utf-8")
    with project.begin() as session:
        import_participants(session, people)
    files = {
        "a": "---\nparticipant: P1\nwave: T1\nattributes:\n  barn: nei\n---\nI: Hva tenker du?\nP1: Lite håp.\n",
        "g": "---\nparticipants: [P1, P2]\nwave: T2\nattributes:\n  barn: ja\n---\nI: Hva har skjedd?\nP1: Jobb.\nP2: Venter.\n",
        "p4": "---\nparticipant: P4\nwave: T1\nattributes:\n  barn: nei\n---\nI: Fortell.\nP4: Jeg vil ha en jobb.\n",
    }
    for name, text in files.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    refused = {
        "a": "barn is a participant attribute too: P1's (ja) counts over the transcript's (nei),"
             " which would count only for the interviewer's words",
        "g": "barn is a participant attribute too: P1's (ja) and P2's (nei) count over the transcript's (ja),",
    }
    for name, message in refused.items():
        with project.begin() as session:
            preview = preview_file(session, tmp_path / f"{name}.txt", ImportOptions(), PseudonymKey("test"))
        assert preview.refused and preview.outcome.startswith(f"would fail: {message}"), preview.outcome
        with pytest.raises(InvalidInput) as error, project.begin() as session:
            import_file(session, tmp_path / f"{name}.txt", key=PseudonymKey("test"))
        assert error.value.message.startswith(message)
        assert error.value.hint is not None and "`qualcode participants edit P1 --attribute barn=" in error.value.hint
        assert "as barn_in_round" in error.value.hint
    # P4 has no barn of their own: the transcript's is theirs to count.
    with project.begin() as session:
        import_file(session, tmp_path / "p4.txt", key=PseudonymKey("test"))
    with project.begin() as session:
        assert session.scalars(select(Transcript.name)).all() == ["p4"]
        assert [row.value for row in session.scalars(select(TranscriptAttribute))] == ["nei"]


@pytest.mark.parametrize(("front", "message"), [
    ("wave: [T1, T2]", "wave is one value, not a list"),
    ("participant: [D1, D2]", "participant is one id, not a list"),
    ("mode: {telefon: ja}", "mode is one value, not key: value pairs"),
    ("title: no", "title reads as false"),
])
def test_a_field_of_one_value_given_a_list_or_a_yaml_boolean_is_refused(session: Session, tmp_path: Path, front: str, message: str) -> None:
    """A probe: `wave: [T1, T2]` was stored as the wave "['T1', 'T2']", `title: no` as "False"."""
    from sqlalchemy import select

    from qualcode.errors import ImportFailed
    from qualcode.store.models import Transcript

    path = tmp_path / "typer.txt"
    path.write_text(f"---\n{front}\n---\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        import_file(session, path, key=PseudonymKey("test"))
    assert session.scalar(select(Transcript).where(Transcript.name == "typer")) is None


def test_a_date_with_a_time_of_day_is_the_interview_s_date(session: Session, tmp_path: Path) -> None:
    """A probe: `date: 2024-05-02 10:00:00`, which YAML reads as a moment, failed as a bug
    ("TypeError: can't compare datetime.datetime to datetime.date")."""
    from sqlalchemy import select

    from qualcode.store.models import Transcript

    path = tmp_path / "klokka.txt"
    path.write_text("---\ndate: 2024-05-02 10:00:00\nwave: 2\n---\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))
    transcript = session.scalar(select(Transcript).where(Transcript.name == "klokka"))
    assert transcript is not None
    assert (str(transcript.interview_date), transcript.wave) == ("2024-05-02", "2")


def test_a_files_wave_is_checked_and_spelled_as_transcripts_edit_stores_it(session: Session, tmp_path: Path) -> None:
    """`wave: t2` was stored as t2, a round of its own beside T2 in every matrix (transcripts edit upper-cases
    it), and `wave: runde 2` was stored as typed, where transcripts edit refuses it."""
    from sqlalchemy import select

    from qualcode.errors import ImportFailed
    from qualcode.store.models import Transcript

    lower = tmp_path / "liten.txt"
    lower.write_text("---\nparticipant: D1\nwave: t2\n---\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    import_file(session, lower, key=PseudonymKey("test"))
    assert session.scalars(select(Transcript.wave).where(Transcript.name == "liten")).one() == "T2"
    wide = tmp_path / "bred.txt"  # a full-width digit, as an East Asian keyboard types it, is the digit it shows
    wide.write_text("---\nparticipant: D1\nwave: T１\n---\nI: Ja?\nD1: Nei.\n", encoding="utf-8")
    import_file(session, wide, key=PseudonymKey("test"))
    assert session.scalars(select(Transcript.wave).where(Transcript.name == "bred")).one() == "T1"
    for name, wave in (("runde", "runde 2"), ("arabisk", "T١")):
        path = tmp_path / f"{name}.txt"
        path.write_text(f"---\nparticipant: D1\nwave: {wave}\n---\nI: Hvordan?\nD1: Bra.\n", encoding="utf-8")
        with pytest.raises(ImportFailed, match=f"{name}.txt: wave '{wave}' is not a round such as T1"):
            import_file(session, path, key=PseudonymKey("test"))


def test_group_labels_in_lower_case_and_labels_a_speaker_map_names_are_the_participants_turns(
    session: Session, tmp_path: Path,
) -> None:
    """A probe: "d1:" and "gul:" (mapped by `speakers: {gul: D3, blå: D4}`) were no turns, so each
    group interview was one interviewer's turn, linked to its participants by nothing they said.
    (Labels that are names, "gul", are proposed as names now; colours stand in for them here.)"""
    from sqlalchemy import select

    from qualcode.store.models import Transcript

    def spoken_by(name: str) -> list[tuple[str | None, str | None]]:
        transcript = session.scalar(select(Transcript).where(Transcript.name == name))
        assert transcript is not None and transcript.current_version is not None
        return [(turn.speaker, turn.participant.name if turn.participant else None) for turn in transcript.current_version.turns]

    key = PseudonymKey("test")
    g1 = tmp_path / "gruppe_G1.txt"
    g1.write_text("---\nmode: group\nparticipants: [D1, D2]\n---\nI: Hva tenker dere om planen?\n"
                  "d1: Den ble laget over hodet på meg.\nd2: Jeg fikk velge kurset selv.\nd1: Ja.\n", encoding="utf-8")
    assert import_file(session, g1, key=key).notes == []
    assert spoken_by("gruppe_G1") == [("I", None), ("d1", "D1"), ("d2", "D2"), ("d1", "D1")]
    g2 = tmp_path / "gruppe_G2.md"
    g2.write_text("---\nparticipants: [D3, D4]\nspeakers: {Gul: d3, blå: D4}\n---\nI: Velkommen.\n"
                  "gul: Jeg ble aldri spurt om noe i planen min.\nblå: Jeg fikk velge selv.\n", encoding="utf-8")
    import_file(session, g2, key=key)
    assert spoken_by("gruppe_G2") == [("I", None), ("gul", "D3"), ("blå", "D4")]
    # A map beside a file without front matter names its labels as well.
    g3 = tmp_path / "gruppe_G3.txt"
    g3.write_text("I: Velkommen.\ngul: Jeg ble spurt.\nblå: Ikke jeg.\n", encoding="utf-8")
    (tmp_path / "gruppe_G3.txt.meta.yaml").write_text("participants: [D5, D6]\nspeakers: {gul: D5, blå: D6}\n", encoding="utf-8")
    import_file(session, g3, key=key)
    assert spoken_by("gruppe_G3") == [("I", None), ("gul", "D5"), ("blå", "D6")]


def test_an_import_naming_participants_none_of_whom_has_a_turn_says_so(session: Session, tmp_path: Path) -> None:
    """Two participants named and none of them given a turn passed without a word, and a withdrawal
    then found nothing they said."""
    from qualcode.importers.service import ImportOptions, preview_file

    path = tmp_path / "gruppe.txt"
    path.write_text("---\nparticipants: [D1, D2]\n---\nI: Hva tenker dere?\n(D1) Jeg vil slutte.\n(D2) Jeg liker kurset.\n",
                    encoding="utf-8")
    said = ("participants D1, D2 are named, but no turn is theirs (speakers: I): their words cannot be told from others',"
            " and withdrawing one of them is refused; label their turns (D1: …) or map the labels in the front matter"
            " (speakers: {LABEL: D1}), then import again with --replace")
    assert preview_file(session, path, ImportOptions(), PseudonymKey("test")).notes == [said]
    assert import_file(session, path, key=PseudonymKey("test")).notes == [said]


def test_a_front_matter_attribute_named_with_a_comma_or_equals_is_stored_with_a_semicolon_and_said(
        session: Session, tmp_path: Path) -> None:
    """`Alder, gruppe: 30-39` made an attribute the form could not save again and `--by` split in two;
    its value is kept under "Alder; gruppe", and the import says so. Two that would be one name are refused."""
    from sqlalchemy import select

    from qualcode.errors import ImportFailed
    from qualcode.store.models import AttributeDefinition, TranscriptAttribute

    path = tmp_path / "samtale.txt"
    path.write_text('---\nparticipant: D1\nattributes:\n  "Alder, gruppe": 30-39\n  "a=b": x\n---\nI: Hei?\nD1: Hei.\n', encoding="utf-8")
    imported = import_file(session, path, key=PseudonymKey("test"))
    assert ("samtale.txt: attribute 'Alder, gruppe' is stored as 'Alder; gruppe': a comma or \"=\" in an attribute's name is"
            " written as \";\", as lists of attributes and `analyse matrix --by` part names at them") in imported.notes
    assert "samtale.txt: attribute 'a=b' is stored as 'a;b'" in " ".join(imported.notes)
    stored = session.execute(select(AttributeDefinition.name, TranscriptAttribute.value)
                             .join(TranscriptAttribute, TranscriptAttribute.definition_id == AttributeDefinition.id)).all()
    assert sorted(stored) == [("Alder; gruppe", "30-39"), ("a;b", "x")]
    twice = tmp_path / "to.txt"
    twice.write_text('---\nparticipant: D2\nattributes:\n  "a,b": x\n  "a;b": y\n---\nI: Hei?\nD2: Hei.\n', encoding="utf-8")
    with pytest.raises(ImportFailed, match="to.txt: attributes 'a,b' and 'a;b' would both be stored as 'a;b'"):
        import_file(session, twice, key=PseudonymKey("test"))


def test_front_matter_in_norwegian_is_read_as_its_english_keys(session: Session, tmp_path: Path) -> None:
    """A field trial: a team's "dato:" was refused as an unknown key, and "runde:" with it; a participants CSV's
    "kjønn" and "kontor" were read. A key given under both names is refused, as neither would be chosen knowingly."""
    from sqlalchemy import select

    from qualcode.errors import ImportFailed
    from qualcode.store.models import Transcript

    path = tmp_path / "samtale.txt"
    path.write_text("---\nDeltaker: D1\nRolle: deltaker\nRunde: T2\nDato: 2024-06-01\nIntervjuar: Forsker 1\nTittel: Første samtale\n"
                    "---\nI: Hei?\nD1: Hei.\n", encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))
    transcript = session.scalars(select(Transcript).where(Transcript.name == "samtale")).one()
    assert (transcript.wave, str(transcript.interview_date), transcript.interviewer, transcript.title) == (
        "T2", "2024-06-01", "Forsker 1", "Første samtale")
    assert [link.participant.name for link in transcript.participant_links] == ["D1"]
    # A key of Norwegian letters or with a space is front matter too, after blank lines, and refused unclosed.
    from qualcode.importers.frontmatter import split_front_matter

    assert split_front_matter("\n---\nbølge: T1\n---\nI: Hei\n", "h.txt") == ({"bølge": "T1"}, "I: Hei\n")
    with pytest.raises(ImportFailed, match="never closed"):
        split_front_matter("---\nbølge: T1\nI: Hei\n", "u.txt")
    later = tmp_path / "senere.txt"
    later.write_text("\n---\nbølge: T3\nintervju dato: 2024-06-02\n---\nI: Hei igjen?\nD1: Hei.\n", encoding="utf-8")
    import_file(session, later, key=PseudonymKey("test"))
    transcript = session.scalars(select(Transcript).where(Transcript.name == "senere")).one()
    assert (transcript.wave, str(transcript.interview_date)) == ("T3", "2024-06-02")
    unclosed = tmp_path / "apen.txt"
    unclosed.write_text("---\nbølge: T1\nI: Hei?\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="never closed"):
        import_file(session, unclosed, key=PseudonymKey("test"))
    twice = tmp_path / "to.txt"
    twice.write_text("---\nrunde: T1\nwave: T2\n---\nI: Hei?\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="'runde' and 'wave' both give the wave"):
        import_file(session, twice, key=PseudonymKey("test"))
