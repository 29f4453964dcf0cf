"""One check for a one-line value wherever it is typed (check_one_line): a code's name, a memo's
title, a participant's or transcript's value; and a .qdpx's such values put on one line as it reads them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.models import Code, Memo, Participant, Transcript
from tests.test_cli import run
from tests.test_exchange_import import Qdpx, guid, run_import
from tests.test_exchange_import_fixes import TEXT

# Each refused by `participants edit` and `transcripts edit` (check_one_line).
HIDDEN = {
    "zero-width space": "Ka\u200bri",  # would hide a name from a reader
    "soft hyphen": "myk\u00adbindestrek",
    "private use": "privat\ue000",
    "byte order mark": "bom\ufeffx",
    "line separator": "linje\u2028to",
    "line break": "linje\nto",
    "unassigned": "ukjent\u0378tegn",  # no character yet, where no emoji is put
}
FAMILY = "familien \U0001f469\u200d\U0001f469\u200d\U0001f467"  # 👩‍👩‍👧: an emoji's joiner is what was written
# Emoji of Unicode 15 (🫨 shaking face, 🪿 goose), later than Python 3.11's Unicode 14, joined too.
LATER = "skjelven \U0001fae8 og \U0001fabf\u200d\U0001f525"

TYPED = {
    "office": ("participants", "edit", "D1", "--office"),
    "transcript title": ("transcripts", "edit", "deltaker_D1_T1", "--title"),
    "memo title": ("memo", "add", "et notat", "--title"),
    "code name": ("codebook", "add"),
    "code renamed": ("codebook", "rename", "empowerment"),
}


def _stored(demo: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(demo / ".qualcode" / "project.db") as database:
        return [
            *database.execute("SELECT name, path FROM codes ORDER BY id"),
            *database.execute("SELECT title, text FROM memos ORDER BY id"),
            *database.execute("SELECT title FROM transcripts ORDER BY id"),
            *database.execute("SELECT office FROM participants ORDER BY id"),
        ]


@pytest.mark.parametrize("where", TYPED)
@pytest.mark.parametrize("hidden", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_value_no_list_shows_on_one_line_is_refused_wherever_it_is_typed(demo: Path, where: str, hidden: str) -> None:
    """`participants edit` and `transcripts edit` refused "Ka\u200bri", a private-use character or a
    line break; `memo add --title` stored each as typed (a title on two lines), and `codebook add`
    and `codebook rename` took the name out of them unseen ("Kari") or kept a private-use character."""
    before = _stored(demo)
    refused = run("--project", str(demo), "--coder", "Forsker 1", *TYPED[where], hidden)
    assert refused.exit_code == 1, refused.output
    assert "holds a line break or control character (U+" in refused.output and refused.output.count("\n") == 1, refused.output
    assert _stored(demo) == before


@pytest.mark.parametrize("where", TYPED)
def test_an_emoji_joined_by_a_zero_width_joiner_is_taken_wherever_it_is_typed(demo: Path, where: str) -> None:
    taken = run("--project", str(demo), "--coder", "Forsker 1", *TYPED[where], FAMILY)
    assert taken.exit_code == 0, taken.output
    assert any(FAMILY in str(value) for row in _stored(demo) for value in row)


@pytest.mark.parametrize("where", TYPED)
def test_an_emoji_later_than_python_s_unicode_is_taken_wherever_it_is_typed(demo: Path, where: str) -> None:
    """A code named with an emoji a phone offers since 2022 ("🫨") was refused as holding "a line break or
    control character (U+1FAE8 unnamed)": Python 3.11 knows Unicode 14, where it is not yet assigned."""
    taken = run("--project", str(demo), "--coder", "Forsker 1", *TYPED[where], LATER)
    assert taken.exit_code == 0, taken.output
    assert any(LATER in str(value) for row in _stored(demo) for value in row)


def test_a_qdpx_s_note_title_and_code_name_are_put_on_one_line_and_said(session: Session, tmp_path: Path) -> None:
    """A note's title on two lines with a private-use character was stored so, and a code's name kept
    the private-use character; a code named with an emoji's joiner was said to hold an invisible
    character and to be read as the same name."""
    qdpx = Qdpx(codes=f'<Code guid="{guid("code:p")}" name="privat\ue000&#10;kode" isCodable="true"/>'
                      f'<Code guid="{guid("code:f")}" name="{FAMILY}" isCodable="true"/>')
    qdpx.user("Anne Forsker")
    qdpx.note("notat", "teksten")
    qdpx.notes[-1] = qdpx.notes[-1].replace('name="notat"', 'name="linje&#10;to\ue000"')
    qdpx.sources.append(f'<TextSource guid="{guid("source:s")}" name="s"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "linjer.qdpx"))
    assert sorted(session.scalars(select(Code.name).where(Code.guid.in_([guid("code:p"), guid("code:f")])))) == [FAMILY, "privat kode"]
    assert session.scalars(select(Memo.title)).all() == ["linje to"]
    assert not any(FAMILY in line for line in result.problems), result.problems
    assert any(line.startswith(f"Note {guid('note:notat')}: its title") and "on one line" in line for line in result.problems), result.problems


@pytest.mark.parametrize("hidden", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_new_coder_s_name_no_list_shows_on_one_line_is_refused_as_typed(demo: Path, hidden: str) -> None:
    """`coder add "Ka\u200bri"` made a coder "Kari", and a private-use character was kept in the name:
    a participant's value so typed is refused (check_one_line), and so is a coder's name."""
    with sqlite3.connect(demo / ".qualcode" / "project.db") as database:
        before = database.execute("SELECT name FROM coders ORDER BY id").fetchall()
    for command in (("coder", "add", hidden), ("--coder", hidden, "memo", "add", "et notat")):
        refused = run("--project", str(demo), *command)
        assert refused.exit_code == 1, refused.output
        assert "holds a line break or control character (U+" in refused.output and refused.output.count("\n") == 1, refused.output
    with sqlite3.connect(demo / ".qualcode" / "project.db") as database:
        assert database.execute("SELECT name FROM coders ORDER BY id").fetchall() == before
    assert run("--project", str(demo), "coder", "add", f"Forsker {FAMILY}").exit_code == 0  # an emoji's joiner is text


def test_a_qdpx_user_s_name_is_put_on_one_line_without_a_private_use_character(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx()
    qdpx.user("Anne\ue000 Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:s")}" name="s"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "bruker.qdpx"))
    assert result.coders_created == ["Anne Forsker"]


@pytest.mark.parametrize("option", ["--name", "--participant"])
@pytest.mark.parametrize("hidden", ["ny\u200bverdi", "privat\ue000", "linje\nto"], ids=["zero-width space", "private use", "line break"])
def test_a_transcript_s_name_or_participant_typed_at_import_is_checked_as_when_edited(
    demo: Path, tmp_path: Path, option: str, hidden: str,
) -> None:
    """`import --name "ny\u200bverdi"` made a transcript "nyverdi" unseen, and one of "privat\ue000"
    kept the private-use character, where `transcripts edit` and `participants edit` refuse them."""
    source = tmp_path / "ny.txt"
    source.write_text("I: Hvordan går det?\nD1: Det går bra.\n", encoding="utf-8")
    before = _stored(demo)
    refused = run("--project", str(demo), "--coder", "Forsker 1", "import", str(source), option, hidden)
    assert refused.exit_code == 1, refused.output
    assert "holds a line break or control character (U+" in refused.output, refused.output
    assert _stored(demo) == before
    with sqlite3.connect(demo / ".qualcode" / "project.db") as database:
        assert database.execute("SELECT count(*) FROM transcripts WHERE source_filename = 'ny.txt'").fetchone() == (0,)


def test_a_qdpx_variable_named_on_two_lines_keeps_its_values_under_the_name_on_one_line(session: Session, tmp_path: Path) -> None:
    """A variable named "not&#10;at" had every value skipped, as an attribute name on two lines is
    refused when typed, and the line saying so broke in two; now it is named on one line, and said."""
    value = f'<VariableValue><VariableRef targetGUID="{guid("var:n")}"/><TextValue>verdi</TextValue></VariableValue>'
    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:n")}" name="not&#10;at\ue000" typeOfVariable="Text"/>')
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:s")}" name="s">{value}<PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    qdpx.cases = f'<Case guid="{guid("case:d1")}" name="D1">{value}<SourceRef targetGUID="{guid("source:s")}"/></Case>'
    result = run_import(session, qdpx.write(tmp_path / "variabel.qdpx"))
    participant = session.scalars(select(Participant)).one()
    transcript = session.scalars(select(Transcript)).one()
    assert {attribute.definition.name: attribute.value for attribute in participant.attributes} == {"not at": "verdi"}
    assert {attribute.definition.name: attribute.value for attribute in transcript.attributes} == {"not at": "verdi"}
    assert not any("\n" in line or "skipped" in line for line in result.problems), result.problems
    assert any("put on one line as 'not at'" in line for line in result.problems), result.problems


OVERRIDDEN = "Kari Nordmann\u202etxt.exe .txt"  # a right-to-left override: shown as "Kari Nordmann txt.exe." turned


def _naming_a_missing_text(tmp_path: Path) -> Path:
    """A .qdpx whose recording's transcript is a member named with a right-to-left override that the zip does not
    hold (its member of that name misspelt)."""
    qdpx = Qdpx(members={f"sources/{OVERRIDDEN.replace('Kari', 'Karl')}": b"D: Hei.\n"})
    qdpx.sources.append(
        f'<AudioSource path="relative:///intervju.mp3" guid="{guid("audio")}" name="intervju.mp3">'
        f'<Transcript plainTextPath="internal://{OVERRIDDEN}" guid="{guid("transcript")}" name="intervju.mp3.transcribed"/>'
        "</AudioSource>"
    )
    return qdpx.write(tmp_path / "overstyrt.qdpx", origin="QualCoder 3.6")


def test_a_file_name_s_right_to_left_override_reaches_the_terminal_escaped_in_an_error_and_a_note(demo: Path, tmp_path: Path) -> None:
    """A probe: a right-to-left override in a file name inside a .qdpx reached the terminal as it was, in a one-line
    error ("…Kari Nordmann\\u202etxt.exe .txt is not in the package…"), turning what followed it around."""
    refused = run("--project", str(demo), "--coder", "Forsker 1", "import", str(_naming_a_missing_text(tmp_path)))
    assert refused.exit_code == 1, refused.output
    assert "Kari Nordmann\\u202etxt.exe .txt is not in the package" in refused.stderr, refused.stderr
    assert "\u202e" not in refused.output and refused.stderr.startswith("error: ") and refused.stderr.count("\n") == 1, refused.output
    # A note says it as an error does: the path given of a workbook written.
    coded = run("--project", str(demo), "--coder", "Forsker 1", "coding", "add", "deltaker_D1_T1", "empowerment", "--match", "Jeg fikk plass!")
    assert coded.exit_code == 0, coded.output
    workbook = tmp_path / f"{OVERRIDDEN}.xlsx"
    wrote = run("--project", str(demo), "analyse", "codes", "--xlsx", str(workbook))
    assert wrote.exit_code == 0 and workbook.exists(), wrote.output
    assert "Kari Nordmann\\u202etxt.exe .txt.xlsx" in wrote.stderr and "\u202e" not in wrote.output, wrote.output


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066", "\x1b", "\x7f", "\u2028", "\ue000"])
def test_each_character_a_terminal_would_not_show_is_escaped_and_an_emoji_s_joiner_is_not(hidden: str) -> None:
    from qualcode.text.normalise import escaped_unseen

    assert escaped_unseen(f"fil{hidden}navn\n{FAMILY}\t!") == f"fil{hidden.encode('unicode_escape').decode()}navn\n{FAMILY}\t!"
