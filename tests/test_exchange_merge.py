"""Merging a co-coder's copy: only its codings and memos are added, nothing twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.memos import add_memo
from qualcode.coding.service import add_coding
from qualcode.exchange.project_export import build_qdpx
from qualcode.store.models import Coding, Memo, Transcript
from qualcode.store.project import Project
from tests.test_exchange_import import CODES, Qdpx, codings, guid, run_import, selection

TEXT = "I: Hvordan var det å begynne?\nD: Jeg fikk mer selvtillit etter hvert, og jeg håper på jobb i høst.\n"
OTHER = "I: Og kontoret?\nV: Vi må nå måltallet før jul, så det blir mye press på oss.\n"


def copy_of_the_project(tmp_path: Path, name: str, coders: dict[str, list[tuple[str, str, str]]], memo: str | None = None) -> Path:
    """The shared project's two sources, coded by each of `coders` with (selection name, words, code) on the first."""
    qdpx = Qdpx(codes=CODES)
    selections: list[str] = []
    for coder, made in coders.items():
        user = qdpx.user(coder)
        for selection_name, words, code in made:
            notes = (qdpx.note(f"memo {coder}", memo, user),) if memo and selection_name == "c" else ()
            selections.append(selection(f"{coder}:{selection_name}", TEXT, words, guid(f"code:{code}"), user, notes))
    qdpx.sources.append(f'<TextSource guid="{guid("source:felles")}" name="felles"><PlainTextContent>{TEXT}</PlainTextContent>{"".join(selections)}</TextSource>')
    qdpx.sources.append(f'<TextSource guid="{guid("source:annen")}" name="annen"><PlainTextContent>{OTHER}</PlainTextContent></TextSource>')
    return qdpx.write(tmp_path / f"{name}.qdpx")


ANNE = [("a", "Jeg fikk mer selvtillit", "selvtillit"), ("b", "jeg håper på jobb i høst", "håp")]
BO = [("a", "Jeg fikk mer selvtillit", "selvtillit"), ("c", "mer selvtillit etter hvert", "selvtillit"), ("d", "håper på jobb", "håp")]


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Transcript)) or 0,
        session.scalar(select(func.count()).select_from(Coding)) or 0,
        session.scalar(select(func.count()).select_from(Memo)) or 0,
    )


def test_a_co_coders_copy_adds_only_their_codings_and_memos(session: Session, tmp_path: Path) -> None:
    mine = copy_of_the_project(tmp_path, "anne", {"Anne Forsker": ANNE})
    theirs = copy_of_the_project(tmp_path, "bo", {"Anne Forsker": ANNE, "Bo Medforsker": BO}, memo="Usikker på denne.")
    first = run_import(session, mine)
    assert first.codings_added == 2 and len(first.imported) == 2
    before = codings(session)
    merged = run_import(session, theirs)
    assert merged.imported == [] and sorted(merged.merged) == ["annen", "felles"]
    assert merged.codings_added == 3 and merged.codings_present == 2 and merged.memos_added == 1
    union = codings(session)
    assert before < union
    assert {c for c in union if c[2] == "Bo Medforsker"} == {
        ("felles", "mestring/selvtillit", "Bo Medforsker", "Jeg fikk mer selvtillit"),
        ("felles", "mestring/selvtillit", "Bo Medforsker", "mer selvtillit etter hvert"),
        ("felles", "mestring/håp og motivasjon", "Bo Medforsker", "håper på jobb"),
    }
    memo = session.scalar(select(Memo).where(Memo.text == "Usikker på denne."))
    assert memo is not None and memo.author.name == "Bo Medforsker"
    assert session.scalar(select(Coding.excerpt).where(Coding.id == memo.coding_id)) == "mer selvtillit etter hvert"
    # Importing either copy again adds nothing.
    counts = _counts(session)
    for path in (theirs, mine):
        again = run_import(session, path)
        assert (again.codings_added, again.memos_added, again.imported) == (0, 0, [])
    assert _counts(session) == counts
    assert codings(session) == union


def test_the_same_text_under_another_guid_is_merged_after_pseudonymising(session: Session, tmp_path: Path) -> None:
    """A co-coder's program gave the source a new GUID and holds the text before pseudonymising: the text decides."""
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Sissel Bakken", "person", "f").pseudonym
    original = "D: Det var Sissel Bakken som hjalp meg med selvtillit.\n"
    ours = Qdpx(codes=CODES)
    ours.sources.append(f'<TextSource guid="{guid("vår")}" name="vår"><PlainTextContent>{original}</PlainTextContent></TextSource>')
    run_import(session, ours.write(tmp_path / "vår.qdpx"), key)
    stored = session.scalar(select(Transcript).where(Transcript.guid == guid("vår")))
    assert stored is not None and stored.current_version is not None and pseudonym in stored.current_version.text
    theirs = Qdpx(codes=CODES)
    user = theirs.user("Bo Medforsker")
    theirs.sources.append(
        f'<TextSource guid="{guid("deres")}" name="deres"><PlainTextContent>{original}</PlainTextContent>'
        f'{selection("s", original, "Sissel Bakken som hjalp meg", guid("code:selvtillit"), user)}</TextSource>'
    )
    result = run_import(session, theirs.write(tmp_path / "deres.qdpx"), key)
    assert result.imported == [] and result.merged == ["vår"]
    assert codings(session) == {("vår", "mestring/selvtillit", "Bo Medforsker", f"{pseudonym} som hjalp meg")}


def test_a_copy_exported_by_qualcode_merges_back(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """Two copies of one project coded by two coders: the co-coder's exported and imported into the other."""
    project, key = coded
    shutil.copytree(project.root, tmp_path / "kopi")
    with Project.open(tmp_path / "kopi") as copy, copy.begin() as session:
        medforsker = get_or_create_coder(session, "Medforsker 1", "medforsker")
        add_coding(session, "leder_L1", "måltall-press/inntakspress", medforsker, match="Jeg har sagt til veilederne at vi må nå måltallet før jul.")
        add_coding(session, "deltaker_D1_T1", "empowerment/avmakt", medforsker, match="Jeg følte meg som en snylter")
        add_memo(session, "Usikker på avgrensningen.", medforsker, code_ref="empowerment/avmakt")
        theirs = codings(session)
        exported = build_qdpx(session, "kopi").data
    (tmp_path / "kopi.qdpx").write_bytes(exported)
    with project.begin() as session:
        ours = codings(session)
        merged = run_import(session, tmp_path / "kopi.qdpx", key, "Forsker 1")
        assert merged.imported == [] and merged.codings_added == 2 and merged.memos_added == 1
        assert merged.codings_present == len(ours)
        assert codings(session) == ours | theirs
        counts = _counts(session)
        again = run_import(session, tmp_path / "kopi.qdpx", key, "Forsker 1")
        assert (again.codings_added, again.memos_added, again.imported) == (0, 0, [])
        assert _counts(session) == counts


def _merges_back_unchanged(project: Project, key: PseudonymKey, exported: bytes, path: Path) -> None:
    """The project's own .qdpx, merged back, adds nothing and changes no count."""
    path.write_bytes(exported)
    with project.begin() as session:
        counts = _counts(session)
        merged = run_import(session, path, key, "Forsker 1")
        assert (merged.codings_added, merged.memos_added, merged.imported) == (0, 0, [])
        assert _counts(session) == counts


def test_the_projects_own_export_merges_back_with_a_memo_the_key_wrote_a_name_into(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """A memo naming "Hilde Bakken" is stored with the key's pseudonyms for "Hilde" and for the
    surname of "Sissel Bakken": a name no entry has whole. Merging the project's own .qdpx back
    adds nothing and proposes nothing; the same words in a note the project does not hold are proposed."""
    from qualcode.anonymise.typed_text import clean_text
    from qualcode.errors import NeedsReview

    project, key = coded
    with project.begin() as session:
        author = get_or_create_coder(session, "Forsker 1")
        stored = add_memo(session, clean_text("Hilde Bakken sa noe viktig.", key), author).text
        assert "Hilde" not in stored and "Bakken" not in stored
        exported = build_qdpx(session, "prosjekt").data
    _merges_back_unchanged(project, key, exported, tmp_path / "prosjekt.qdpx")
    pieced = stored.removesuffix(" sa noe viktig.")
    other = Qdpx()
    other.note("notat", f"{pieced} ringte i går.")
    other.write(tmp_path / "annet.qdpx")
    with project.begin() as session, pytest.raises(NeedsReview, match=pieced):
        run_import(session, tmp_path / "annet.qdpx", key, "Forsker 1")


def test_the_projects_own_export_merges_back_with_a_transcript_named_by_a_pseudonym(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    """A file named after its informant ("Sissel_Bakken_T1.txt") is stored under the pseudonym's
    name: the project's own name, which merging its own .qdpx back proposes nowhere (it held the
    whole file back for the pseudonym's words)."""
    from qualcode.importers.service import import_file

    project, key = coded
    transcript = tmp_path / "Sissel_Bakken_T1.txt"
    transcript.write_text("I: Hvordan gikk det?\nD1: Jeg fikk mer selvtillit etter hvert.\n", encoding="utf-8")
    with project.begin() as session:
        stored = import_file(session, transcript, key=key).name
        entry = key.entry_for("Sissel Bakken")
        assert entry is not None and stored == f"{entry.pseudonym.replace(' ', '_')}_T1"
        add_coding(session, stored, "empowerment", get_or_create_coder(session, "Forsker 1"), match="Jeg fikk mer selvtillit")
        exported = build_qdpx(session, "prosjekt").data
    _merges_back_unchanged(project, key, exported, tmp_path / "prosjekt.qdpx")
    assert key.pending == []
