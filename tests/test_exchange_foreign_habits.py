"""Projects written with other programs' habits: parts named alike but for case, and positions counted in UTF-16 units."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.exchange.project_export import derived_guid
from qualcode.store.models import Code, Memo, Transcript
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR
from qualcode.text.normalise import normalise
from tests.test_exchange_import import CODES, Qdpx, codings, guid, run_import


def coded(name: str, start: int, end: int, code: str, user: str) -> str:
    """A PlainTextSelection from `start` to `end`, as the other program counted them, with one coding."""
    return (
        f'<PlainTextSelection guid="{guid("sel:" + name)}" name={quoteattr(name)} startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{guid("coding:" + name)}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def _state(root: Path) -> str:
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as connection:
        return "\n".join(connection.iterdump())


FIRST = "I: Hvordan var kurset?\nD: Jeg fikk mer selvtillit på kurset.\n"
SECOND = "I: Og nå?\nD: Jeg håper på jobb i høst, sier jeg til veilederen.\n"


def test_parts_whose_names_differ_only_in_case_are_each_their_own_sources_text(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.members["sources/Intervju.txt"] = FIRST.encode()
    qdpx.members["sources/intervju.txt"] = SECOND.encode()
    start, other = FIRST.index("selvtillit"), SECOND.index("håper på jobb")
    qdpx.sources.append(f'<TextSource guid="{guid("source:en")}" name="en" plainTextPath="internal://Intervju.txt">'
                        f'{coded("en", start, start + 10, guid("code:selvtillit"), anne)}</TextSource>')
    qdpx.sources.append(f'<TextSource guid="{guid("source:to")}" name="to" plainTextPath="internal://intervju.txt">'
                        f'{coded("to", other, other + 13, guid("code:håp"), anne)}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "kasus.qdpx"))
    assert result.imported == ["en", "to"] and not result.problems
    assert {(transcript, excerpt) for transcript, _, _, excerpt in codings(session)} == {("en", "selvtillit"), ("to", "håper på jobb")}


def test_a_path_that_matches_two_parts_only_by_case_is_refused_in_one_line(demo: Path, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.members["sources/Intervju.txt"] = FIRST.encode()
    qdpx.members["sources/INTERVJU.txt"] = SECOND.encode()
    start = FIRST.index("selvtillit")
    qdpx.sources.append(f'<TextSource guid="{guid("source:en")}" name="en" plainTextPath="internal://intervju.txt">'
                        f'{coded("en", start, start + 10, guid("code:selvtillit"), anne)}</TextSource>')
    before = _state(demo)
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(qdpx.write(tmp_path / "kasus.qdpx"))])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) <= 2 and "sources/INTERVJU.txt and sources/Intervju.txt: they differ only in case; nothing imported" in lines[0]
    assert _state(demo) == before


# Emoji beyond the Basic Multilingual Plane (two UTF-16 units each, 👍🏽 is two of them) before and
# inside the coded words, an accent written as a combining mark, and Windows line ends.
EMOJI = (
    "I: Hvordan gikk det på kurset? 😊😊\r\nD: Jeg fikk mer selvtillit 👍🏽 og tør å si fra på møtene.\r\n"
    "I: Og fremover? 🙂\r\nD: Jeg ha\u0308per på jobb i høst, kanskje på et lager.\r\n"
)
EMOJI_CODED = {("selvtillit 👍🏽 og tør", "code:selvtillit"), ("kanskje på et lager", "code:håp")}


def utf16_units(text: str, offset: int) -> int:
    """`offset`, in code points, counted as a program built on UTF-16 strings counts it."""
    return len(text[:offset].encode("utf-16-le")) // 2


def emoji_project(tmp_path: Path, count: Callable[[str, int], int], inline: bool = False, origin: str = "") -> Path:
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    selections = ""
    for words, code in sorted(EMOJI_CODED):
        start = EMOJI.index(words)
        selections += coded(words[:8], count(EMOJI, start), count(EMOJI, start + len(words)), guid(code), anne)
    text = f"<PlainTextContent>{escape(EMOJI)}</PlainTextContent>" if inline else ""
    path = "" if inline else ' plainTextPath="internal://intervju.txt"'
    qdpx.members["sources/intervju.txt"] = EMOJI.encode()
    qdpx.sources.append(f'<TextSource guid="{guid("source:emoji")}" name="emoji"{path}>{text}{selections}</TextSource>')
    return qdpx.write(tmp_path / "emoji.qdpx", origin=origin)


def coded_words(session: Session) -> set[tuple[str, str]]:
    """(excerpt, code's last name) of every live coding, without line-end differences."""
    return {(excerpt, code.rpartition("/")[2]) for _, code, _, excerpt in codings(session)}


EXPECTED = {(normalise(words), {"code:selvtillit": "selvtillit", "code:håp": "håp og motivasjon"}[code]) for words, code in EMOJI_CODED}


@pytest.mark.parametrize("count", [lambda text, offset: offset, utf16_units], ids=["code points", "UTF-16 units"])
@pytest.mark.parametrize("inline", [False, True], ids=["sources/ part", "inline"])
def test_positions_counted_in_code_points_or_utf16_units_select_the_words_the_other_program_coded(
    session: Session, tmp_path: Path, count: Callable[[str, int], int], inline: bool,
) -> None:
    result = run_import(session, emoji_project(tmp_path, count, inline))
    assert coded_words(session) == EXPECTED, result.problems
    assert not result.problems
    assert any("UTF-16 units" in line for line in result.deviations) == (count is utf16_units)


WINDOWS = "I: Hvordan gikk det?\r\nD: Bra.\r\nI: Og jobben?\r\nD: Jeg fikk mer selvtillit på kurset.\r\nI: Og nå?\r\nD: Jeg håper på jobb.\r\n"


@pytest.mark.parametrize("counted", [WINDOWS, WINDOWS.replace("\r\n", "\n")], ids=["with CRs", "without CRs"])
def test_inline_text_with_windows_line_ends_selects_the_coded_words_however_the_program_counted_them(
    session: Session, tmp_path: Path, counted: str,
) -> None:
    # Written inline with literal CRLFs, which an XML parser reads as LF; the program counted in `counted`.
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    selections = "".join(
        coded(words, counted.index(words), counted.index(words) + len(words), guid(code), anne)
        for words, code in (("selvtillit på kurset", "code:selvtillit"), ("håper på jobb", "code:håp"))
    )
    qdpx.sources.append(f'<TextSource guid="{guid("source:win")}" name="win"><PlainTextContent>{escape(WINDOWS)}</PlainTextContent>'
                        f'{selections}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "windows.qdpx"))
    assert coded_words(session) == {("selvtillit på kurset", "selvtillit"), ("håper på jobb", "håp og motivasjon")}, result.problems
    assert not result.problems


@pytest.mark.parametrize("counted", [WINDOWS, WINDOWS.replace("\r\n", "\n")], ids=["with CRs", "without CRs"])
def test_a_text_file_with_windows_line_ends_selects_the_coded_words_however_the_program_counted_them(
    session: Session, tmp_path: Path, counted: str,
) -> None:
    # QualCoder's export "for MAXQDA" writes its text with CRLFs and a BOM, and its positions as
    # counted in the text without them; NVivo counts the CRs of the file it writes.
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    selections = "".join(
        coded(words, counted.index(words), counted.index(words) + len(words), guid(code), anne)
        for words, code in (("selvtillit på kurset", "code:selvtillit"), ("håper på jobb", "code:håp"))
    )
    qdpx.members["sources/win.txt"] = WINDOWS.encode("utf-8-sig")
    qdpx.sources.append(f'<TextSource guid="{guid("source:win")}" name="win" plainTextPath="internal://win.txt">{selections}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "windows.qdpx"))
    assert coded_words(session) == {("selvtillit på kurset", "selvtillit"), ("håper på jobb", "håp og motivasjon")}, result.problems
    assert not result.problems
    assert any("without the CRs of its Windows line ends" in line for line in result.deviations) == (counted != WINDOWS)


@pytest.mark.parametrize("origin", ["qualcode 0.1.0", "QUALCODE"])
def test_a_file_that_says_qualcode_wrote_it_has_its_positions_read_as_counted_as_any_other_file_s(
    session: Session, tmp_path: Path, origin: str,
) -> None:
    """Its origin skipped the reading of positions: counted in UTF-16 units, or in a CRLF text without
    its CRs, its codings selected words next to the coded ones (or were skipped as outside the text)."""
    result = run_import(session, emoji_project(tmp_path, utf16_units, origin=origin))
    assert coded_words(session) == EXPECTED, result.problems
    assert any("UTF-16 units" in line for line in result.deviations)
    counted = WINDOWS.replace("\r\n", "\n")
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    qdpx.members["sources/win.txt"] = WINDOWS.encode()
    qdpx.sources.append(f'<TextSource guid="{guid("source:win")}" name="win" plainTextPath="internal://win.txt">'
                        f'{coded("jobb", counted.index("håper på jobb"), counted.index("håper på jobb") + 13, guid("code:håp"), anne)}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "windows.qdpx", origin=origin))
    assert ("håper på jobb", "håp og motivasjon") in coded_words(session), result.problems
    assert any("without the CRs of its Windows line ends" in line for line in result.deviations)


def test_qualcode_s_own_export_is_read_as_it_counts_where_its_positions_would_read_better_otherwise(
    session: Session, tmp_path: Path,
) -> None:
    """qualcode counts characters of its text, and a coding may begin inside a word: its own export is not
    read as UTF-16 units because that reading would put the coding at word edges (a file of another
    program saying it is qualcode's is, above: its selections are not under the GUIDs qualcode derives)."""
    text = "D: mer 😊 fra å fikk.\n"
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    start, end = text.index("ra å fikk."), text.index("ra å fikk.") + len("ra å fikk.")
    coding = guid("coding:ra")
    qdpx.members["sources/ja.txt"] = text.encode()
    qdpx.sources.append(f'<TextSource guid="{guid("source:ra")}" name="ra" plainTextPath="internal://ja.txt">'
                        f'<PlainTextSelection guid="{derived_guid("selection", coding)}" startPosition="{start}" endPosition="{end}">'
                        f'<Coding guid="{coding}" creatingUser="{anne}"><CodeRef targetGUID="{guid("code:håp")}"/></Coding>'
                        "</PlainTextSelection></TextSource>")
    result = run_import(session, qdpx.write(tmp_path / "ra.qdpx", origin="qualcode 0.1.0"))
    assert coded_words(session) == {("ra å fikk.", "håp og motivasjon")}, result.problems
    assert not result.problems and not any("UTF-16" in line for line in result.deviations)


def test_selections_that_read_as_well_in_code_points_as_in_utf16_units_refuse_the_file_in_one_line(demo: Path, tmp_path: Path) -> None:
    # Three emoji move the UTF-16 reading three letters back: onto the "ja" before, as well placed.
    text = "I: 😊😊😊\nD: ja ja ja ja ja ja\n"
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    start = text.index("ja", 16)
    qdpx.sources.append(f'<TextSource guid="{guid("source:ja")}" name="ja"><PlainTextContent>{text}</PlainTextContent>'
                        f'{coded("ja", start, start + 2, guid("code:håp"), anne)}</TextSource>')
    before = _state(demo)
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(qdpx.write(tmp_path / "ja.qdpx"))])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) <= 2 and "read as well counted in" in lines[0] and "nothing imported" in lines[0], result.output
    assert _state(demo) == before


def test_a_pdf_with_its_plain_text_is_imported_as_that_text_with_its_codings_and_notes(session: Session, tmp_path: Path) -> None:
    text = "Referat fra samtale med deltaker.\r\nDeltakeren fikk mer selvtillit på kurset, og håper på jobb i høst.\r\n"
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    note = qdpx.note("om referatet", "Referatet er skrevet etter samtalen.", anne)
    qdpx.members["sources/referat.pdf"] = b"%PDF-1.4\n%%EOF\n"
    qdpx.members["sources/referat.txt"] = text.encode()
    start = text.index("selvtillit på kurset")
    qdpx.sources.append(
        f'<PDFSource guid="{guid("source:pdf")}" name="referat.pdf" path="internal://referat.pdf">'
        f'<PDFSelection guid="{guid("sel:graphic")}" name="figur" page="1" firstX="0" firstY="0" secondX="10" secondY="10">'
        f'<Coding guid="{guid("coding:graphic")}"><CodeRef targetGUID="{guid("code:press")}"/></Coding></PDFSelection>'
        f'<Representation guid="{guid("source:pdf-text")}" plainTextPath="internal://referat.txt">'
        f'{coded("selvtillit", start, start + 20, guid("code:selvtillit"), anne)}</Representation>'
        f'<NoteRef targetGUID="{note}"/></PDFSource>'
    )
    result = run_import(session, qdpx.write(tmp_path / "pdf.qdpx"))
    assert result.imported == ["referat"] and not result.problems
    assert coded_words(session) == {("selvtillit på kurset", "selvtillit")}
    assert any("PDFSelection 'figur'" in line for line in result.skipped)
    memo = session.scalar(select(Memo).where(Memo.text == "Referatet er skrevet etter samtalen."))
    assert memo is not None and memo.transcript_id == session.scalar(select(Transcript.id).where(Transcript.guid == guid("source:pdf")))


def test_the_summary_of_an_import_says_one_in_the_singular(demo: Path, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    start = FIRST.index("selvtillit")
    qdpx.sources.append(f'<TextSource guid="{guid("source:en")}" name="en"><PlainTextContent>{FIRST}</PlainTextContent>'
                        f'{coded("en", start, start + 10, guid("code:selvtillit"), anne)}</TextSource>')
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(qdpx.write(tmp_path / "en.qdpx"))])
    assert result.exit_code == 0, result.output
    assert "en.qdpx: 1 transcript imported, 0 already here, 1 coding and 0 memos added (0 codings and 0 memos already here)" in result.output


def test_inline_text_in_cdata_with_windows_line_ends_selects_the_coded_words(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    start = WINDOWS.index("håper på jobb")
    qdpx.sources.append(f'<TextSource guid="{guid("source:cdata")}" name="cdata"><PlainTextContent><![CDATA[{WINDOWS}]]></PlainTextContent>'
                        f'{coded("cdata", start, start + 13, guid("code:håp"), anne)}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "cdata.qdpx"))
    assert coded_words(session) == {("håper på jobb", "håp og motivasjon")}, result.problems


def _renamed_project(package: Path, *names: str) -> Path:
    """`package` with its project.qde stored under each of `names` instead, as ATLAS.ti names it after the project."""
    with zipfile.ZipFile(package) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    project = members.pop("project.qde")
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, project)
        for name, data in members.items():
            archive.writestr(name, data)
    return package


def test_a_project_named_after_itself_rather_than_project_qde_is_read_and_said_so(demo: Path, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    start = FIRST.index("selvtillit")
    qdpx.sources.append(f'<TextSource guid="{guid("source:atlas")}" name="atlas"><PlainTextContent>{FIRST}</PlainTextContent>'
                        f'{coded("atlas", start, start + 10, guid("code:selvtillit"), anne)}</TextSource>')
    package = _renamed_project(qdpx.write(tmp_path / "atlas.qdpx"), "Miljøholdninger intervjuer.qde")
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(package)])
    assert result.exit_code == 0, result.output
    assert "1 transcript imported" in result.output and "1 coding" in result.output
    assert "deviation: the project is in Miljøholdninger intervjuer.qde, not project.qde; read anyway" in result.output
    validated = CliRunner().invoke(cli, ["exchange", "validate", str(package)])
    assert validated.exit_code == 1 and "no project.qde in the package (found Miljøholdninger intervjuer.qde)" in validated.output


def test_a_package_with_two_qde_files_and_no_project_qde_is_refused_in_one_line(demo: Path, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    qdpx.sources.append(f'<TextSource guid="{guid("source:to")}" name="to"><PlainTextContent>{FIRST}</PlainTextContent></TextSource>')
    package = _renamed_project(qdpx.write(tmp_path / "to.qdpx"), "en.qde", "to.qde")
    before = _state(demo)
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(package)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "to.qdpx has no project.qde but 2 other .qde files (en.qde, to.qde)" in lines[0], result.output
    assert _state(demo) == before


def test_colours_in_every_form_the_schema_allows_keep_their_colour(session: Session, tmp_path: Path) -> None:
    # RGBType is a token of six hex digits or three: "#36C" and " #3366cc " are the same colour as "#3366CC".
    codes = "".join(
        f'<Code guid="{guid("code:" + name)}" name="{name}" isCodable="true" color="{colour}"/>'
        for name, colour in (("kort", "#36C"), ("mellomrom", " #3366cc "), ("navn", "blå"))
    )
    result = run_import(session, Qdpx(codes=codes).write(tmp_path / "farger.qdpx"))
    colours = {code.path: code.colour for code in session.scalars(select(Code).where(Code.path.in_(["kort", "mellomrom", "navn"])))}
    assert colours == {"kort": "#3366CC", "mellomrom": "#3366CC", "navn": None}
    assert [line for line in result.problems if "colour" in line] == [
        f"Code 'navn' {guid('code:navn')} (line 3): colour 'blå' is not #RRGGBB; left without a colour"
    ]
