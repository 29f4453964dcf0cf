"""Who said what survives an exchange: speaker turns stay linked to their participants through a .qdpx."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.withdraw import withdraw_participant
from qualcode.codebook.service import create_code
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.exchange.project_export import build_qdpx, export_qdpx
from qualcode.exchange.project_import import import_qdpx
from qualcode.exchange.qdpx_read import read_qdpx
from qualcode.importers.service import ImportOptions, import_file
from qualcode.store.models import Coding, Transcript, TranscriptParticipant, Turn
from qualcode.store.project import Project
from tests.test_exchange_import import Qdpx, guid, run_import

# Speaker labels that are not the participants' names: only the export can tell who A and B are.
GROUP = "I: hva tenker dere om kurset?\nA: jeg vil helst slutte med kurset snart.\nB: jeg liker kurset veldig godt.\n"


def speakers(session: Session) -> set[tuple[str | None, str | None]]:
    return {
        (turn.speaker, turn.participant.name if turn.participant else None)
        for turn in session.scalars(select(Turn))
    }


def links(session: Session) -> list[tuple[str, str | None]]:
    return sorted(
        (link.participant.name, link.speaker_label)
        for link in session.scalars(select(TranscriptParticipant))
    )


def test_a_group_interview_keeps_who_said_what_through_a_round_trip_and_a_withdrawal_takes_their_words(
    tmp_path: Path, migrated_template: Path,
) -> None:
    shutil.copytree(migrated_template, tmp_path / "first")
    shutil.copytree(migrated_template, tmp_path / "second")
    group = tmp_path / "gruppe.md"
    group.write_text(f"---\nparticipants: [D5, D6]\nspeakers: {{A: D5, B: D6, I: interviewer}}\n---\n{GROUP}", encoding="utf-8")
    key = PseudonymKey("test")
    with Project.open(tmp_path / "first") as first, first.begin() as session:
        import_file(session, group, ImportOptions(), key=key)
        assert speakers(session) == {("I", None), ("A", "D5"), ("B", "D6")}
        exported = build_qdpx(session, "prosjekt").data
    (tmp_path / "gruppe.qdpx").write_bytes(exported)
    with Project.open(tmp_path / "second") as second:
        with second.begin() as session:
            import_qdpx(session, read_qdpx(tmp_path / "gruppe.qdpx"), key, lambda: get_or_create_coder(session, "Forsker 1"))
            assert speakers(session) == {("I", None), ("A", "D5"), ("B", "D6")}
            assert links(session) == [("D5", "A"), ("D6", "B")]
            again = build_qdpx(session, "prosjekt").data
        with second.begin() as session:
            withdrawn = withdraw_participant(session, "D5", key)
            assert withdrawn.turns_redacted == 1
            text = session.scalars(select(Transcript)).one().current_version.text  # type: ignore[union-attr]
        assert "slutte med kurset" not in text and "jeg liker kurset veldig godt" in text
    (tmp_path / "again.qdpx").write_bytes(again)
    assert read_qdpx(tmp_path / "again.qdpx").sources[0].variables == read_qdpx(tmp_path / "gruppe.qdpx").sources[0].variables


def test_a_foreign_files_speakers_are_linked_to_the_cases_of_their_names(session: Session, tmp_path: Path) -> None:
    text = "I: hva tenker dere om kurset?\nD1: jeg vil helst slutte med kurset snart.\nD2: jeg liker kurset veldig godt.\n"
    source = guid("source:gruppe")
    qdpx = Qdpx()
    qdpx.user("Anne Forsker")
    qdpx.cases = "".join(f'<Case guid="{guid("case:" + name)}" name="{name}"><SourceRef targetGUID="{source}"/></Case>' for name in ("D1", "D2"))
    qdpx.sources.append(f'<TextSource guid="{source}" name="gruppe"><PlainTextContent>{text}</PlainTextContent></TextSource>')
    run_import(session, qdpx.write(tmp_path / "fremmed.qdpx"))
    assert speakers(session) == {("I", None), ("D1", "D1"), ("D2", "D2")}
    assert links(session) == [("D1", "D1"), ("D2", "D2")]


VTT = """WEBVTT

00:00:01.500 --> 00:00:04.000
<v I>hva tenker du om kurset?

01:01:02.250 --> 01:01:05.000
<v D>jeg liker kurset veldig godt.
"""


def test_a_round_trip_keeps_a_transcripts_title_people_turn_times_and_moments_to_the_microsecond(
    tmp_path: Path, migrated_template: Path,
) -> None:
    shutil.copytree(migrated_template, tmp_path / "first")
    shutil.copytree(migrated_template, tmp_path / "second")
    subtitles = tmp_path / "intervju.vtt"
    subtitles.write_text(VTT, encoding="utf-8")
    key = PseudonymKey("test")
    options = ImportOptions(title="intervju om kurset", interviewer="Forsker 1", note_taker="Medforsker 1")

    def kept(session: Session) -> tuple[object, ...]:
        transcript = session.scalars(select(Transcript)).one()
        times = sorted((seq, timestamp) for seq, timestamp in session.execute(select(Turn.seq, Turn.timestamp_ms)))
        moments = sorted(session.scalars(select(Coding.created_at)))
        return transcript.title, transcript.interviewer, transcript.note_taker, times, moments

    with Project.open(tmp_path / "first") as first, first.begin() as session:
        name = import_file(session, subtitles, options, key=key).name
        create_code(session, "mestring")
        coding = add_coding(session, name, "mestring", get_or_create_coder(session, "Forsker 1"), match="liker kurset")
        session.get_one(Coding, coding.id).created_at = datetime(2024, 3, 1, 12, 30, 5, 123456, tzinfo=UTC)
        session.flush()
        before = kept(session)
        assert before[3] == [(0, 1500), (1, 3662250)]
        exported = export_qdpx(session, first.root, tmp_path / "intervju.qdpx", True, key).path
    with Project.open(tmp_path / "second") as second, second.begin() as session:
        done = import_qdpx(session, read_qdpx(exported), key, lambda: get_or_create_coder(session, "Forsker 1"))
        assert done.problems == []
        assert kept(session) == before


def test_a_qdpx_naming_someone_who_withdrew_is_refused_before_anything_is_queued(tmp_path: Path, migrated_template: Path) -> None:
    """A .qdpx naming a withdrawn participant queued candidates, with the words of its sources as
    their context, in the key before the import was refused."""
    import pytest

    from qualcode.errors import ImportFailed

    shutil.copytree(migrated_template, tmp_path / "project")
    group = tmp_path / "gruppe.md"
    group.write_text(f"---\nparticipants: [D5, D6]\nspeakers: {{A: D5, B: D6, I: interviewer}}\n---\n{GROUP}", encoding="utf-8")
    key = PseudonymKey("test")
    qdpx = Qdpx()
    qdpx.sources.append(f'<TextSource guid="{guid("s:d5")}" name="d5-samtale"><PlainTextContent>'
                        "D5: Jeg snakket med Gunnvor Eikeset om kurset.</PlainTextContent></TextSource>")
    qdpx.cases = f'<Case guid="{guid("case:d5")}" name="D5"><SourceRef targetGUID="{guid("s:d5")}"/></Case>'
    qdpx.write(tmp_path / "gammel.qdpx")
    with Project.open(tmp_path / "project") as project:
        with project.begin() as session:
            import_file(session, group, ImportOptions(), key=key)
        with project.begin() as session:
            withdraw_participant(session, "D5", key, None)
        with project.begin() as session, pytest.raises(ImportFailed, match="^participant D5 withdrew consent"):
            run_import(session, tmp_path / "gammel.qdpx", key)
    assert key.pending == []
