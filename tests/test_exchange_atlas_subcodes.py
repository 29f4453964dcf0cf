"""ATLAS.ti writes a sub-code as the flat name "Parent::child": a file it wrote comes in as the tree those names
are there, every coding kept on its code; in another program's file "::" is part of a name."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.errors import CodebookInvalid, UnreadableFile
from qualcode.exchange.codebook_qdc import import_qdc, read_qdc
from qualcode.exchange.qdpx_read import read_qdpx
from qualcode.store.models import Code
from qualcode.store.project import Project
from tests.test_exchange_import import Qdpx, codings, guid, run_import, selection

TEXT = ("I: Får du være med og bestemme?\nD: Ja, jeg fikk være med og lage planen min selv.\n"
        "I: Hvordan gikk kurset?\nD: Jeg fikk mer selvtillit, og jeg tør å si fra nå.\n")
ATLAS = "ATLAS.ti 23.2.1.26990 (Windows)"


def _code(name: str) -> str:
    return f'<Code guid="{guid("code:" + name)}" name="{escape(name)}" isCodable="true"/>'


def atlas_project(tmp_path: Path, origin: str = ATLAS, name: str = "atlas.qdpx") -> Path:
    """ATLAS.ti's flat code list: "mestring" is a code of its own, with codings; "brukermedvirkning" is only a
    prefix; "mestring::selvtillit" and "brukermedvirkning::individuell medvirkning" are coded too."""
    qdpx = Qdpx(codes="".join(_code(name) for name in (
        "brukermedvirkning::individuell medvirkning", "Mestring::selvtillit", "mestring", "måltall-press")))
    anne = qdpx.user("Anne Forsker")
    selections = (
        selection("planen", TEXT, "lage planen min selv", guid("code:brukermedvirkning::individuell medvirkning"), anne)
        + selection("selvtillit", TEXT, "Jeg fikk mer selvtillit", guid("code:Mestring::selvtillit"), anne)
        + selection("si fra", TEXT, "jeg tør å si fra nå", guid("code:mestring"), anne)
    )
    qdpx.sources.append(f'<TextSource guid="{guid("source")}" name="Intervju D1"><PlainTextContent>{escape(TEXT)}'
                        f"</PlainTextContent>{selections}</TextSource>")
    return qdpx.write(tmp_path / name, origin=origin)


def _paths(session: Session) -> dict[str, str]:
    return {code.path: code.guid for code in session.scalars(select(Code))}


def test_an_atlas_files_parent_child_names_come_in_as_sub_codes_keeping_every_coding(session: Session, tmp_path: Path) -> None:
    result = run_import(session, atlas_project(tmp_path))
    paths = _paths(session)
    # The project's KVP codebook has brukermedvirkning/individuell medvirkning: the file's code is that one.
    assert sorted(result.codes_created) == ["mestring", "mestring/selvtillit"]
    assert not result.codes_moved
    # Each new code keeps the file's GUID, so a co-coder's next export finds it.
    assert paths["mestring/selvtillit"] == guid("code:Mestring::selvtillit")
    assert paths["mestring"] == guid("code:mestring")
    assert {(code, excerpt) for _, code, _, excerpt in codings(session)} == {
        ("brukermedvirkning/individuell medvirkning", "lage planen min selv"),
        ("mestring/selvtillit", "Jeg fikk mer selvtillit"),
        ("mestring", "jeg tør å si fra nå"),
    }
    assert ("2 code names written as ATLAS.ti writes a sub-code ('Parent::child') read as sub-codes"
            " ('brukermedvirkning::individuell medvirkning', 'Mestring::selvtillit'), each keeping its codings;"
            " 1 parent code the file has no code of made to hold them ('brukermedvirkning')") in result.deviations


def test_the_same_atlas_file_imported_again_adds_nothing(session: Session, tmp_path: Path) -> None:
    run_import(session, atlas_project(tmp_path))
    again = run_import(session, atlas_project(tmp_path, name="igjen.qdpx"))
    assert (again.codes_created, again.codes_moved, again.codings_added, again.codings_present) == ([], [], 0, 3)


def test_a_parent_made_for_an_atlas_name_is_a_new_grouping_code_with_a_guid_derived_from_no_name(
    session: Session, tmp_path: Path,
) -> None:
    qdpx = Qdpx(codes=_code("overgang::til arbeid") + _code("overgang::til skole"))
    qdpx.sources.append(f'<TextSource guid="{guid("source")}" name="Intervju"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "atlas.qdpx", origin=ATLAS))
    assert result.codes_created == ["overgang", "overgang/til arbeid", "overgang/til skole"]
    made = session.scalars(select(Code).where(Code.path == "overgang")).one()
    assert made.guid not in {guid("code:overgang"), guid("code:overgang::til arbeid")}
    assert "1 parent code the file has no code of made to hold them ('overgang')" in result.deviations[-1]


def test_a_parent_child_name_in_another_programs_file_is_a_name(session: Session, tmp_path: Path) -> None:
    result = run_import(session, atlas_project(tmp_path, origin="MAXQDA 24 (Release 24.7.0)"))
    assert "brukermedvirkning::individuell medvirkning" in _paths(session)
    assert not any("Parent::child" in line for line in result.deviations)


@pytest.mark.parametrize("codes", [
    _code("::".join(f"nivå {level}" for level in range(12))),  # one name of twelve
    _code("a::" * 5000 + "b"),  # thousands, as a hostile file may hold: refused, not a RecursionError
    # Ten names, within the limit, under a code the file nests it in: eleven levels.
    f'<Code guid="{guid("tema")}" name="tema" isCodable="true">{_code("::".join("abcdefghij"))}</Code>',
])
def test_an_atlas_name_nesting_deeper_than_a_codebook_may_is_refused_in_one_line(tmp_path: Path, codes: str) -> None:
    qdpx = Qdpx(codes=codes)
    qdpx.sources.append(f'<TextSource guid="{guid("source")}" name="Intervju"><PlainTextContent>{escape(TEXT)}</PlainTextContent></TextSource>')
    with pytest.raises(UnreadableFile, match=r"read as ATLAS.ti's sub-codes \('Parent::child'\), nest more than 10 levels deep"):
        read_qdpx(qdpx.write(tmp_path / "dyp.qdpx", origin=ATLAS))
    qdc = ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti Win 23.4.0"><Codes>'
           + codes + "</Codes></CodeBook>")
    with pytest.raises(CodebookInvalid, match=r"nest more than 10 levels deep"):
        read_qdc(qdc.encode(), "dyp.qdc")


def test_the_import_summary_says_how_atlas_names_were_read(demo: Path, tmp_path: Path) -> None:
    outcome = CliRunner().invoke(cli, ["--project", str(demo), "import", str(atlas_project(tmp_path))])
    assert outcome.exit_code == 0, outcome.output
    assert "deviation: 2 code names written as ATLAS.ti writes a sub-code ('Parent::child') read as sub-codes" in outcome.output


def test_an_atlas_codebooks_parent_child_names_come_in_as_sub_codes(project: Project) -> None:
    """ATLAS.ti's .qdc lists its codes as flat as its .qdpx does."""
    qdc = ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti Win 23.4.0"><Codes>'
           + _code("brukermedvirkning::individuell medvirkning") + _code("mestring") + _code("mestring::selvtillit")
           + "</Codes></CodeBook>")
    with project.begin() as session:
        imported = import_qdc(session, read_qdc(qdc.encode(), "atlas.qdc"))
        assert imported.changes.created == ["mestring", "mestring/selvtillit"]
        assert _paths(session)["mestring/selvtillit"] == guid("code:mestring::selvtillit")
    assert any("read as sub-codes" in line for line in imported.deviations)
    maxqda = ('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 24"><Codes>'
              + _code("mestring::trygghet") + "</Codes></CodeBook>")
    with project.begin() as session:
        import_qdc(session, read_qdc(maxqda.encode(), "maxqda.qdc"))
        assert "mestring::trygghet" in _paths(session)
