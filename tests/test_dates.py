"""Dates and moments as a Norwegian researcher meets them: interview dates as written, and the
moments of the event log, memos and exports across time zones."""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.store.models import (
    Coding,
    Event,
    Memo,
    ParticipantAttribute,
    Transcript,
    TranscriptAttribute,
    Turn,
)
from qualcode.store.project import Project
from qualcode.workspace import import_options
from tests.test_cli import run
from tests.test_exchange_import import CODES, Qdpx, guid, run_import


def _dates(demo: Path) -> dict[str, str | None]:
    listed = run("--project", str(demo), "transcripts", "list", "--json")
    return {row["name"]: row["interview_date"] for row in json.loads(listed.output)}


@pytest.mark.parametrize("written", ["2009-W41", "2009-W41-1", "2009W411", "2009-285"])
def test_a_week_or_a_day_number_is_refused_as_an_interview_date_not_stored_as_a_day_nobody_wrote(demo: Path, written: str) -> None:
    """A probe: `transcripts edit --date 2009-W41` (and `date: 2009-W41` in front matter) stored
    2009-10-05, the Monday of that week, as Python's date.fromisoformat reads an ISO week date."""
    before = _dates(demo)["deltaker_D1_T1"]
    edited = run("--project", str(demo), "transcripts", "edit", "deltaker_D1_T1", "--date", written)
    assert edited.exit_code == 1 and edited.output.count("\n") == 1, edited.output
    assert f"date '{written}' is not a date (hint: write it as YYYY-MM-DD)" in edited.output
    assert _dates(demo)["deltaker_D1_T1"] == before

    path = demo.parent / "uke.txt"
    path.write_text(f"---\nparticipant: D3\nwave: T2\ndate: {written}\n---\nI: Hvordan går det?\nD3: Bra, takk.\n", encoding="utf-8")
    imported = run("--project", str(demo), "import", str(path))
    assert imported.exit_code == 1 and f"date '{written}' is not a date" in imported.output, imported.output
    assert "uke" not in _dates(demo)
    with pytest.raises(InvalidInput, match="is not YYYY-MM-DD"):
        import_options({"date": written})


def test_dates_as_researchers_write_them_are_refused_and_a_norwegian_one_is_shown_as_iso(demo: Path) -> None:
    """Nothing is guessed (12/10/2009 is 12 October in Norway, 10 December in the US): each is
    refused in one line; a day.month.year that is a real day is shown as YYYY-MM-DD in the hint."""
    project = ["--project", str(demo)]
    for written, hint in [
        ("12.10.2009", "write it as YYYY-MM-DD: 2009-10-12"), ("1.2.2024", "write it as YYYY-MM-DD: 2024-02-01"),
        ("31.02.2024", "write it as YYYY-MM-DD)"), ("12/10/2009", "write it as YYYY-MM-DD)"),
        ("12.10.09", "write it as YYYY-MM-DD)"), ("12. oktober 2009", "write it as YYYY-MM-DD)"),
        ("okt 2009", "write it as YYYY-MM-DD)"), ("2009", "write it as YYYY-MM-DD)"), ("2024-13-01", "write it as YYYY-MM-DD)"),
    ]:
        edited = run(*project, "transcripts", "edit", "deltaker_D1_T1", "--date", written)
        assert edited.exit_code == 1 and edited.output.count("\n") == 1, edited.output
        assert f"date '{written}' is not a date (hint: {hint}" in edited.output
    assert _dates(demo)["deltaker_D1_T1"] == "2024-02-13"
    assert run(*project, "transcripts", "edit", "deltaker_D1_T1", "--date", " 2009-10-12 ").exit_code == 0
    assert _dates(demo)["deltaker_D1_T1"] == "2009-10-12"


def test_a_date_given_as_a_yaml_list_is_named_so_not_shown_as_python_writes_it(demo: Path) -> None:
    """A probe: `date: [2024-01-01]` was refused as "date [datetime.date(2024, 1, 1)] is not a date"."""
    path = demo.parent / "liste.txt"
    path.write_text("---\nparticipant: D3\ndate: [2024-01-01]\n---\nI: Hvordan går det?\nD3: Bra, takk.\n", encoding="utf-8")
    imported = run("--project", str(demo), "import", str(path))
    assert imported.exit_code == 1, imported.output
    assert "date is a list, not one date" in imported.output and "datetime" not in imported.output


def test_every_moment_in_a_qdpx_says_its_zone_and_is_the_stored_utc_moment(demo: Path) -> None:
    """A probe: codings' and memos' creationDateTime were written without a zone
    ("2026-12-06T03:16:44.618558", the UTC moment SQLite gave back), which NVivo or ATLAS.ti take as
    their local time: an hour off in a Norwegian winter, two in summer. The project's own moments
    had "+00:00"."""
    project = ["--project", str(demo)]
    assert run(*project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Vi satt sammen og lagde handlingsplanen").exit_code == 0
    assert run(*project, "coding", "memo", "1", "Skrevet etter møtet.").exit_code == 0
    assert run(*project, "memo", "add", "Notat om runde T1.").exit_code == 0
    exported = run(*project, "export", "qdpx", str(demo.parent / "prosjekt.qdpx"))
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(demo.parent / "prosjekt.qdpx") as archive:
        qde = archive.read("project.qde").decode()
    moments = re.findall(r'(\w+)DateTime="([^"]*)"', qde)
    assert len(moments) >= 5, moments  # the project's two, the coding's selection and coding, two notes
    for _, written in moments:
        assert datetime.fromisoformat(written).utcoffset() == timedelta(0), written
    with Project.open(demo) as opened, opened.begin() as session:
        coded_at = session.scalars(select(Coding)).one().created_at
    assert f'creationDateTime="{coded_at.replace(tzinfo=UTC).isoformat()}"' in qde
    assert run("exchange", "validate", str(demo.parent / "prosjekt.qdpx")).exit_code == 0


def test_history_shows_local_times_with_their_offset_across_the_autumn_change(demo: Path, oslo: None) -> None:
    """A probe: `history` showed the UTC moment SQLite gave back, with no zone, under TZ=Europe/Oslo
    as under TZ=America/New_York: a change made at 10:15 on the wall read 09:15, and the two
    changes made at 02:30 in the hour that comes twice when the clocks go back could not be told apart."""
    project = ["--project", str(demo)]
    for text in ("Første notat.", "Andre notat.", "Tredje notat."):
        assert run(*project, "memo", "add", text).exit_code == 0
    with Project.open(demo) as opened, opened.begin() as session:
        events = session.scalars(select(Event).order_by(Event.id.desc()).limit(3)).all()[::-1]
        for event, at in zip(events, [datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30), datetime(2026, 1, 5, 9, 15)],
                             strict=True):
            event.at = at  # UTC, as stored
        ids = [event.id for event in events]
    shown = {row["id"]: row["at"] for row in json.loads(run(*project, "history", "--json", "--limit", "3").output)}
    assert [shown[number] for number in ids] == ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-01-05T10:15:00+01:00"]
    printed = run(*project, "history", "--limit", "3").output
    assert "2026-01-05T10:15:00+01:00" in printed and "2026-10-25T02:30:00+02:00" in printed
    with Project.open(demo) as opened, opened.begin() as session:
        memo = session.scalars(select(Memo).order_by(Memo.id.desc())).first()
        assert memo is not None
        memo.created_at = datetime(2026, 7, 1, 8, 0)
    memos = json.loads(run(*project, "memo", "list", "--json").output)
    assert any(row["created_at"] == "2026-07-01T10:00:00+02:00" for row in memos), memos


def _zone(name: str) -> None:
    os.environ["TZ"] = name
    time.tzset()


def test_backups_taken_under_two_time_zones_are_listed_newest_first(demo: Path, oslo: None) -> None:
    """A probe: a backup named by the local clock in Oslo (04:21) and one taken three seconds later
    with TZ=America/New_York (22:21 the day before) were listed the wrong way round, and "restore the
    newest backup" named the older; a daily backup was taken again because the other's day was not
    "today" in New York. So did two taken in the hour the clocks go back. Names are the UTC moment."""
    project = ["--project", str(demo)]
    assert run(*project, "backup").exit_code == 0
    first = {row["name"] for row in json.loads(run(*project, "backup", "list", "--json").output)}
    time.sleep(0.01)
    _zone("America/New_York")
    assert run(*project, "backup").exit_code == 0
    listed = json.loads(run(*project, "backup", "list", "--json").output)
    assert listed[0]["name"] not in first and listed[1]["name"] in first
    assert listed[0]["taken"].endswith(("-05:00", "-04:00")) and re.fullmatch(r"\d{8}-\d{6}-\d{6}Z-manual\.bak", listed[0]["name"])
    taken = [datetime.fromisoformat(row["taken"]) for row in listed]
    assert taken[0] >= taken[1]
    _zone("Europe/Oslo")
    assert [row["name"] for row in json.loads(run(*project, "backup", "list", "--json").output)] == [row["name"] for row in listed]


def test_a_backup_named_by_the_local_clock_before_keeps_its_local_time(tmp_path: Path, oslo: None) -> None:
    """A name without the Z, as backups were named before, is the local time of the machine that took it."""
    from qualcode.store.backups import list_backups

    (tmp_path / "20261025-023000-000000-daily.bak").write_bytes(b"")  # 02:30 local, the first time
    (tmp_path / "20261025-013500-000000Z-daily.bak").write_bytes(b"")  # 02:35 local, the second time (01:35 UTC)
    first, second = sorted(list_backups(tmp_path), key=lambda backup: backup.taken)
    assert first.taken.isoformat() == "2026-10-25T02:30:00+02:00" and second.taken.isoformat() == "2026-10-25T02:35:00+01:00"


@pytest.mark.parametrize(("written", "hint"), [
    ("12.10.2009", "write it as YYYY-MM-DD: 2009-10-12"), ("2024-5-2", "write it as YYYY-MM-DD)"), ("2009-W41", "write it as YYYY-MM-DD)"),
])
def test_import_reads_its_date_option_as_transcripts_edit_reads_one(demo: Path, written: str, hint: str) -> None:
    """`import --date` was click's own: "2024-5-2" was taken where front matter and `transcripts edit`
    refuse it, and "12.10.2009" was a usage error with no word of how to write it."""
    path = demo.parent / "ny_samtale.txt"
    path.write_text("I: Hvordan gikk det?\nD1: Det gikk fint i dag.\n", encoding="utf-8")
    imported = run("--project", str(demo), "import", str(path), "--date", written)
    assert imported.exit_code == 1 and imported.output.count("\n") == 1, imported.output
    assert f"--date: date '{written}' is not a date (hint: {hint}" in imported.output
    assert "ny_samtale" not in _dates(demo)
    assert run("--project", str(demo), "import", str(path), "--date", "2024-05-02").exit_code == 0
    assert _dates(demo)["ny_samtale"] == "2024-05-02"


@pytest.mark.parametrize(("kind", "written"), [
    ("Date", "2009-10-12"), ("Date", "2009-10-12Z"), ("Date", "2009-10-12+02:00"), ("Date", "2009-10-12-05:00"),
    ("DateTime", "2009-10-12T00:00:00+02:00"), ("DateTime", "2009-10-12T10:00:00Z"), ("DateTime", "2009-10-12T23:30:00.25-05:00"),
    ("DateTime", "2009-10-12T24:00:00"), ("DateTime", "2009-10-12T10:00:00"),
])
def test_a_qdpx_date_with_a_zone_is_the_calendar_day_written(session: Session, tmp_path: Path, kind: str, written: str) -> None:
    """A probe: a DateValue with a zone (2009-10-12Z, 2009-10-12+02:00), which the schema allows,
    was skipped as not fitting its type, and a DateTimeValue as a source's interview date was
    skipped as "not a date". The day is the one written: midnight in Oslo is not the 11th in UTC."""
    qdpx = Qdpx(codes=CODES)
    qdpx.variables = (f'<Variable guid="{guid("var:dato")}" name="interview date" typeOfVariable="{kind}"/>'
                      f'<Variable guid="{guid("var:oppstart")}" name="Oppstart" typeOfVariable="{kind}"/>')

    def value(variable: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{guid(variable)}"/><{kind}Value>{written}</{kind}Value></VariableValue>'
    qdpx.cases = f'<Case guid="{guid("case:d7")}" name="D7">{value("var:oppstart")}<SourceRef targetGUID="{guid("source:d7")}"/></Case>'
    qdpx.sources.append(f'<TextSource guid="{guid("source:d7")}" name="d7"><PlainTextContent>I: Hei.\nD7: Hei.</PlainTextContent>'
                        f'{value("var:dato")}{value("var:oppstart")}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "datoer.qdpx"))
    assert result.problems == [] and not [line for line in result.deviations if "Value" in line], (result.problems, result.deviations)
    transcript = session.scalar(select(Transcript).where(Transcript.name == "d7"))
    assert transcript is not None and transcript.interview_date == date(2009, 10, 12)
    stored = {(attribute.definition.name, attribute.value) for attribute in session.scalars(select(TranscriptAttribute))}
    stored |= {(attribute.definition.name, attribute.value) for attribute in session.scalars(select(ParticipantAttribute))}
    # A Date is the day; a date-time is kept as written, as qualcode keeps date-times.
    assert stored == {("Oppstart", "2009-10-12" if kind == "Date" else written)}, stored


@pytest.mark.parametrize(("kind", "written"), [("Date", "2009-02-30+01:00"), ("DateTime", "2009-10-12T25:00:00Z"), ("Date", "12.10.2009")])
def test_a_qdpx_date_that_cannot_be_read_is_named_in_one_line_not_dropped_unsaid(session: Session, tmp_path: Path, kind: str, written: str) -> None:
    qdpx = Qdpx(codes=CODES)
    qdpx.variables = f'<Variable guid="{guid("var:dato")}" name="interview date" typeOfVariable="{kind}"/>'
    qdpx.sources.append(f'<TextSource guid="{guid("source:d8")}" name="d8"><PlainTextContent>I: Hei.\nD8: Hei.</PlainTextContent>'
                        f'<VariableValue><VariableRef targetGUID="{guid("var:dato")}"/><{kind}Value>{written}</{kind}Value></VariableValue>'
                        "</TextSource>")
    result = run_import(session, qdpx.write(tmp_path / "uleselig.qdpx"))
    said = [line for line in result.problems if "interview date" in line]
    assert len(said) == 1 and repr(written) in said[0] and said[0].endswith("skipped"), result.problems
    transcript = session.scalar(select(Transcript).where(Transcript.name == "d8"))
    assert transcript is not None and transcript.interview_date is None


@pytest.mark.parametrize("written", ["0001-01-01", "9999-12-31"])
def test_a_qdpx_interview_date_no_interview_was_held_on_is_skipped_as_front_matter_refuses_it(
    session: Session, tmp_path: Path, written: str,
) -> None:
    """A slip in another program's file (0001-01-01) was stored as the interview's date, where front
    matter and `transcripts edit` refuse it: it sorted and filtered as one."""
    qdpx = Qdpx(codes=CODES)
    qdpx.variables = f'<Variable guid="{guid("var:dato")}" name="interview date" typeOfVariable="Date"/>'
    qdpx.sources.append(f'<TextSource guid="{guid("source:d9")}" name="d9"><PlainTextContent>I: Hei.\nD9: Hei.</PlainTextContent>'
                        f'<VariableValue><VariableRef targetGUID="{guid("var:dato")}"/><DateValue>{written}</DateValue></VariableValue>'
                        "</TextSource>")
    result = run_import(session, qdpx.write(tmp_path / "slipp.qdpx"))
    said = [line for line in result.problems if "interview date" in line]
    assert len(said) == 1 and "no date an interview was held on" in said[0] and said[0].endswith("skipped"), result.problems
    transcript = session.scalar(select(Transcript).where(Transcript.name == "d9"))
    assert transcript is not None and transcript.interview_date is None


def test_a_qdpx_turn_time_that_is_no_time_leaves_its_turn_untimed_and_is_said(session: Session, tmp_path: Path) -> None:
    """qualcode's own turn-times variable, edited by hand to 0:75:10, was stored as 1:15:10, where an
    import of the same time written in a transcript leaves its turn without one."""
    qdpx = Qdpx(codes=CODES)
    qdpx.variables = f'<Variable guid="{guid("var:tider")}" name="turn times" typeOfVariable="Text"/>'
    times = "turn 1 of 2 at 0:00:05.000\nturn 2 of 2 at 0:75:10.000"
    qdpx.sources.append(f'<TextSource guid="{guid("source:d9")}" name="d9"><PlainTextContent>I: Hei.\nD9: Hei.</PlainTextContent>'
                        f'<VariableValue><VariableRef targetGUID="{guid("var:tider")}"/><TextValue>{times}</TextValue></VariableValue>'
                        "</TextSource>")
    result = run_import(session, qdpx.write(tmp_path / "tider.qdpx"))
    said = [line for line in result.problems if "turn times" in line]
    assert len(said) == 1 and "0:75:10" in said[0] and "without a time" in said[0], result.problems
    assert [(turn.seq, turn.timestamp_ms) for turn in session.scalars(select(Turn).order_by(Turn.seq))] == [(0, 5000), (1, None)]
