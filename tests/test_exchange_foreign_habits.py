"""Projects written with other programs' habits: parts named alike but for case, and positions counted in UTF-16 units."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from xml.sax.saxutils import quoteattr

from click.testing import CliRunner
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR
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
