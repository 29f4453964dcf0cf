"""What a second hostile tester found in the .qdpx exchange: user and code names, unknown users, small reports."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.errors import ImportFailed, UnreadableFile
from qualcode.exchange.codebook_qdc import MAX_CODE_DEPTH
from qualcode.exchange.qdpx_read import read_qdpx
from qualcode.store.models import Code, Coder, Coding
from tests.test_exchange_import import CODES, Qdpx, guid, run_import, selection

TEXT = "I: Hvordan var det å begynne?\nD: Jeg fikk mer selvtillit etter hvert, og jeg håper på jobb i høst.\n"
WORDS = ["Jeg fikk", "mer selvtillit", "etter hvert", "jeg håper", "på jobb", "i høst"]


def coded_by(qdpx: Qdpx, users: list[str]) -> None:
    """One source with a coding of its own by each of `users` (GUIDs)."""
    selections = "".join(
        selection(f"s{number}", TEXT, WORDS[number], guid("code:selvtillit"), user) for number, user in enumerate(users)
    )
    qdpx.sources.append(f'<TextSource guid="{guid("source:brukere")}" name="brukere"><PlainTextContent>{TEXT}</PlainTextContent>{selections}</TextSource>')


def coder_of(session: Session, name: str) -> str:
    coding = session.scalar(select(Coding).where(Coding.guid == guid("coding:" + name)))
    assert coding is not None
    return coding.coder.name


def test_user_names_follow_the_rules_of_typed_coder_names(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    users = [qdpx.user("ola"), qdpx.user("OLA"), qdpx.user("Berit, Ola"), qdpx.user("linje1\nlinje2")]
    coded_by(qdpx, users)
    result = run_import(session, qdpx.write(tmp_path / "brukere.qdpx"))
    names = set(session.scalars(select(Coder.name)))
    assert names == {"ola", "Berit Ola", "linje1 linje2", "Importør"}
    assert coder_of(session, "s0") == coder_of(session, "s1") == "ola"
    assert coder_of(session, "s2") == "Berit Ola" and coder_of(session, "s3") == "linje1 linje2"
    assert any("differs only in case" in problem and "'OLA'" in problem for problem in result.problems)
    assert any("comma" in problem for problem in result.problems)
    assert any("line break" in problem for problem in result.problems)


def test_a_user_differing_only_in_case_from_a_coder_of_the_project_is_that_coder(session: Session, tmp_path: Path) -> None:
    first = Qdpx(codes=CODES)
    coded_by(first, [first.user("Forsker 1")])
    run_import(session, first.write(tmp_path / "en.qdpx"))
    second = Qdpx(codes=CODES)
    second.users.append(f'<User guid="{guid("user:annen")}" name="forsker 1"/>')
    coded_by(second, [guid("user:annen"), guid("user:annen")])
    run_import(session, second.write(tmp_path / "to.qdpx"))
    assert sorted(session.scalars(select(Coder.name))) == ["Forsker 1", "Importør"]


def test_two_users_of_one_name_are_one_coder_and_the_import_says_so(session: Session, tmp_path: Path) -> None:
    # Two NVivo profiles both named "Anne": one coder here, as a name is a coder, but not without a word.
    qdpx = Qdpx(codes=CODES)
    first = qdpx.user("Anne")
    qdpx.users.append(f'<User guid="{guid("user:anne 2")}" name="Anne"/>')
    coded_by(qdpx, [first, guid("user:anne 2")])
    result = run_import(session, qdpx.write(tmp_path / "to-anner.qdpx"))
    assert coder_of(session, "s0") == coder_of(session, "s1") == "Anne"
    assert f"User 'Anne' {guid('user:anne 2')}: the same name as user {first} of the file; merged into one coder" in result.problems


def test_a_coding_by_a_user_the_file_does_not_list_gets_a_placeholder_coder(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    stranger = guid("user:ukjent")
    coded_by(qdpx, [qdpx.user("Anne Forsker"), stranger])
    result = run_import(session, qdpx.write(tmp_path / "ukjent.qdpx"))
    assert coder_of(session, "s1") == f"ukjent bruker {stranger[:8]}"
    placeholder = session.scalar(select(Coder).where(Coder.guid == stranger))
    assert placeholder is not None and placeholder.name == f"ukjent bruker {stranger[:8]}"
    assert any(stranger in problem and "not among" in problem for problem in result.problems)
    assert "Importør" not in {coder_of(session, "s0"), coder_of(session, "s1")}


def test_codes_differing_only_in_case_are_one_code_with_a_note(session: Session, tmp_path: Path) -> None:
    twins = "".join(f'<Code guid="{guid("code:" + name)}" name="{name}" isCodable="true"/>' for name in ("håp", "Håp", "HÅP"))
    qdpx = Qdpx(codes=f'<Code guid="{guid("code:tema")}" name="tema" isCodable="true">{twins}</Code>')
    user = qdpx.user("Anne Forsker")
    selections = "".join(
        selection(name + str(number), TEXT, WORDS[number], guid("code:" + name), user) for number, name in enumerate(("håp", "Håp", "HÅP"))
    )
    qdpx.sources.append(f'<TextSource guid="{guid("source:kode")}" name="kode"><PlainTextContent>{TEXT}</PlainTextContent>{selections}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "tvillinger.qdpx"))
    assert sorted(session.scalars(select(Code.path).where(Code.path.like("tema%")))) == ["tema", "tema/håp"]
    assert {coding.code.path for coding in session.scalars(select(Coding))} == {"tema/håp"}
    assert sum("but for case" in problem for problem in result.problems) == 2
    # A later file's code that differs from the project's only in case is the project's code.
    again = Qdpx(codes=f'<Code guid="{guid("code:tema")}" name="tema" isCodable="true"><Code guid="{guid("code:ny")}" name="HåP"/></Code>')
    later = run_import(session, again.write(tmp_path / "igjen.qdpx"))
    assert sorted(session.scalars(select(Code.path).where(Code.path.like("tema%")))) == ["tema", "tema/håp"]
    assert any("differs only in case" in problem for problem in later.problems)


def test_a_code_tree_deeper_than_a_codebook_may_be_is_refused(session: Session, tmp_path: Path) -> None:
    depth = MAX_CODE_DEPTH + 1
    nested = "".join(f'<Code guid="{guid(f"code:nivå{level}")}" name="nivå{level}" isCodable="true">' for level in range(depth))
    qdpx = Qdpx(codes=nested + "</Code>" * depth)
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:dyp")}" name="dyp"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    with pytest.raises(UnreadableFile, match=f"more than {MAX_CODE_DEPTH} levels deep"):
        read_qdpx(qdpx.write(tmp_path / "dyp.qdpx"))


def test_a_code_name_with_a_slash_or_a_line_break_is_renamed_with_a_note(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=f'<Code guid="{guid("code:a")}" name="arbeid/skole"/><Code guid="{guid("code:b")}" name="to&#10;linjer"/>')
    result = run_import(session, qdpx.write(tmp_path / "navn.qdpx"))
    paths = set(session.scalars(select(Code.path)))
    assert {"arbeid-skole", "to linjer"} <= paths and not any("\n" in path for path in paths)
    assert any("'/'" in problem and "'arbeid-skole'" in problem for problem in result.problems)
    assert any("line break" in problem and "'to linjer'" in problem for problem in result.problems)


def test_a_code_name_written_decomposed_is_its_composed_name_without_a_word_of_line_breaks(session: Session, tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "håp  og motivasjon")
    qdpx = Qdpx(codes=f'<Code guid="{guid("code:mac")}" name="{decomposed}" isCodable="true"/>')
    result = run_import(session, qdpx.write(tmp_path / "mac.qdpx"))
    assert session.scalar(select(Code.path).where(Code.guid == guid("code:mac"))) == "håp og motivasjon"
    assert not any("line break" in line for line in result.problems), result.problems


def test_a_copy_that_renames_a_code_is_a_conflict_and_the_projects_name_is_kept(session: Session, tmp_path: Path) -> None:
    run_import(session, Qdpx(codes=CODES).write(tmp_path / "en.qdpx"))
    renamed = CODES.replace('name="selvtillit"', 'name="selvtillit (omdøpt)"')
    result = run_import(session, Qdpx(codes=renamed).write(tmp_path / "to.qdpx"))
    assert "mestring/selvtillit" in set(session.scalars(select(Code.path)))
    assert not any("omdøpt" in path for path in session.scalars(select(Code.path)))
    assert any(guid("code:selvtillit") in conflict and "omdøpt" in conflict for conflict in result.conflicts)


def test_a_reversed_selection_is_said_to_end_before_it_starts(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    user = qdpx.user("Anne Forsker")
    reversed_selection = (
        f'<PlainTextSelection guid="{guid("sel:baklengs")}" startPosition="50" endPosition="40" creatingUser="{user}">'
        f'<Coding guid="{guid("coding:baklengs")}"><CodeRef targetGUID="{guid("code:håp")}"/></Coding></PlainTextSelection>'
    )
    qdpx.sources.append(f'<TextSource guid="{guid("source:b")}" name="b"><PlainTextContent>{TEXT}</PlainTextContent>{reversed_selection}</TextSource>')
    result = run_import(session, qdpx.write(tmp_path / "baklengs.qdpx"))
    assert any("ends before it starts (startPosition 50, endPosition 40)" in problem for problem in result.problems)
    assert not any("outside the text" in problem for problem in result.problems)


def test_a_file_none_of_whose_sources_can_be_read_is_refused_whole(session: Session, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:borte")}" name="borte" plainTextPath="internal://borte.txt"/>')
    codes_before = set(session.scalars(select(Code.guid)))
    with pytest.raises(ImportFailed, match=r"none of its 1 source could be read \(first: .*borte.txt is not in the package.*nothing imported"):
        run_import(session, qdpx.write(tmp_path / "borte.qdpx"))
    assert set(session.scalars(select(Code.guid))) == codes_before
    assert "Anne Forsker" not in set(session.scalars(select(Coder.name)))
    # A file with no sources at all brings its codebook, as before.
    only_codes = Qdpx(codes=CODES)
    assert run_import(session, only_codes.write(tmp_path / "koder.qdpx")).codes_created


def test_the_cli_exits_non_zero_for_a_file_none_of_whose_sources_can_be_read(demo: Path, tmp_path: Path) -> None:
    qdpx = Qdpx(codes=CODES)
    qdpx.sources.append(f'<PDFSource guid="{guid("source:pdf")}" name="pdf" path="internal://x.pdf"/>')
    result = CliRunner().invoke(cli, ["--project", str(demo), "import", str(qdpx.write(tmp_path / "pdf.qdpx"))])
    assert result.exit_code == 1
    assert "none of its 1 source could be read" in result.output and len(result.output.strip().splitlines()) == 1
