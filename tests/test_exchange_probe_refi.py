"""REFI-QDA exchange under a hostile researcher's probing: other programs' files read as they were written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.test_exchange_foreign_habits import WINDOWS, coded, coded_words
from tests.test_exchange_import import CODES, Qdpx, guid, run_import


@pytest.mark.parametrize("origin", ["Qualcoder-1.4", "QualCoder 3.8.2", "MAXQDA 2022"])
def test_a_qualcoder_file_is_not_taken_for_qualcodes_own_and_its_positions_are_read_as_counted(
    session: Session, tmp_path: Path, origin: str,
) -> None:
    # QualCoder's export for MAXQDA writes its text with CRLFs and counts positions without them;
    # only qualcode's own files are read without asking how their positions were counted.
    counted = WINDOWS.replace("\r\n", "\n")
    qdpx = Qdpx(codes=CODES)
    anne = qdpx.user("Anne Forsker")
    selections = "".join(
        coded(words, counted.index(words), counted.index(words) + len(words), guid(code), anne)
        for words, code in (("selvtillit på kurset", "code:selvtillit"), ("håper på jobb", "code:håp"))
    )
    qdpx.members["sources/win.txt"] = WINDOWS.encode("utf-8-sig")
    qdpx.sources.append(f'<TextSource guid="{guid("source:win")}" name="win" plainTextPath="internal://win.txt">{selections}</TextSource>')
    path = qdpx.write(tmp_path / "qualcoder.qdpx", origin=origin)
    result = run_import(session, path)
    assert coded_words(session) == {("selvtillit på kurset", "selvtillit"), ("håper på jobb", "håp og motivasjon")}, result.problems
    assert not result.problems
