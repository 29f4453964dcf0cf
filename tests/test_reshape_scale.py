"""A merge or deletion of a big theme records, undoes and redoes its thousands of rows in as many statements as it
does a few (a query a row made a merge of 5,000 codings take 9 s), and an unrelated undo after it reads no record
that cannot name what it undoes. benchmarks/bench_reshape.py times them at a study's size."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from qualcode.codebook.service import RESHAPING
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.history import redo, undo
from qualcode.coding.memos import add_memo
from qualcode.coding.reshape import delete_code, may_have_touched, merge_codes
from qualcode.coding.service import add_coding
from qualcode.store.models import Event, Memo
from qualcode.store.project import Project
from tests.conftest import make_transcript

SOURCE = "empowerment/håp og motivasjon"
TARGET = "empowerment/selvbilde og selvtillit"
DELETED = "helse"


def sentences(count: int) -> list[str]:
    return [f"Setning {number} handler om håp og å tro på seg selv." for number in range(count)]


@contextmanager
def statements(project: Project) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs (an executemany counted once)."""
    sent: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(project.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(project.engine, "before_cursor_execute", record)


def reshaped(template: Path, root: Path, codings: int) -> dict[str, int]:
    """How many statements each step sends in a project where SOURCE holds `codings` codings (the last folded into
    TARGET's coding of its passage, a memo on it) and DELETED as many: merge, its undo and redo, delete, its undo."""
    shutil.copytree(template, root)
    counts: dict[str, int] = {}
    with Project.open(root) as project:
        said = sentences(codings)
        with project.begin() as session:
            make_transcript(session, root.parent, "\n".join(f"D1: {sentence}" for sentence in said), name=f"intervju{codings}")
            first = get_or_create_coder(session, "Forsker 1")
            for sentence in said:
                add_coding(session, f"intervju{codings}", SOURCE, first, match=sentence, memo="Håp?")
                add_coding(session, f"intervju{codings}", DELETED, first, match=sentence)
            folded = add_coding(session, f"intervju{codings}", TARGET, first, match=said[-1])
            add_memo(session, "Samme sted", first, coding_ref=str(folded.id - 2))
        steps: list[tuple[str, Callable[[Session], object]]] = [
            ("merge", lambda session: merge_codes(session, SOURCE, TARGET, get_or_create_coder(session, "Forsker 1"))),
            ("undo merge", lambda session: undo(session, get_or_create_coder(session, "Forsker 1"))),
            ("redo merge", lambda session: redo(session, get_or_create_coder(session, "Forsker 1"))),
            ("delete", lambda session: delete_code(session, DELETED, get_or_create_coder(session, "Forsker 1"), with_codings=True)),
            ("undo delete", lambda session: undo(session, get_or_create_coder(session, "Forsker 1"))),
        ]
        for name, step in steps:
            with statements(project) as sent, project.begin() as session:
                step(session)
            counts[name] = len(sent)
    return counts


def test_a_merge_and_a_deletion_and_their_undo_and_redo_send_as_many_statements_for_many_codings_as_for_few(
    tmp_path: Path, migrated_template: Path,
) -> None:
    few = reshaped(migrated_template, tmp_path / "few", 3)
    many = reshaped(migrated_template, tmp_path / "many", 30)
    assert many == few


def test_the_records_an_unrelated_undo_reads_are_those_that_may_name_its_row(session: Session, tmp_path: Path) -> None:
    """`may_have_touched` keeps every merge that recorded a row (the code, a coding, a memo on the code) and leaves out one
    that recorded none of those asked about; for many GUIDs it keeps all."""
    make_transcript(session, tmp_path, "D1: Jeg har fått mer håp.\nD1: Jeg sliter med helsa.")
    first = get_or_create_coder(session, "Forsker 1")
    merged = add_coding(session, "intervju", SOURCE, first, match="Jeg har fått mer håp.")
    memo = add_memo(session, "Håp", first, code_ref=SOURCE)
    unrelated = add_coding(session, "intervju", DELETED, first, match="Jeg sliter med helsa.")
    merge_codes(session, SOURCE, TARGET, first)

    def found(*guids: str) -> list[str]:
        return list(session.scalars(select(Event.action).where(Event.action.in_(RESHAPING), may_have_touched(set(guids)))))

    code_guid = session.scalars(select(Event.entity_guid).where(Event.action.in_(RESHAPING))).one()
    assert code_guid is not None
    for touched in (merged.guid, memo.guid, code_guid):
        assert found(touched) == ["code.merge"]
    assert found(unrelated.guid) == []
    assert found(unrelated.guid, merged.guid) == ["code.merge"]
    assert found(unrelated.guid, *(f"00000000-0000-0000-0000-{number:012d}" for number in range(30))) == ["code.merge"]


def test_a_code_deleted_with_a_coding_that_has_memos_says_nothing_of_the_database(session: Session, tmp_path: Path) -> None:
    """The memos on its codings are deleted before them: the database's cascade took them first, and SQLAlchemy's warning
    that its DELETE of them matched nothing was printed above the command's own line."""
    make_transcript(session, tmp_path, "D1: Jeg sliter med helsa.")
    first = get_or_create_coder(session, "Forsker 1")
    coding = add_coding(session, "intervju", DELETED, first, match="Jeg sliter med helsa.")
    memo = add_memo(session, "Helse som hinder", first, coding_ref=str(coding.id))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        delete_code(session, DELETED, first, with_codings=True)
        recorded = session.scalars(select(Event).where(Event.action == "code.delete")).one().payload
        assert set(recorded["before"]["memos"]) == {memo.guid} and recorded["after"]["memos"] == {memo.guid: None}
        undo(session, first)
        assert session.scalar(select(Memo.text).where(Memo.guid == memo.guid)) == "Helse som hinder"
        redo(session, first)
    assert session.scalar(select(Memo.text).where(Memo.guid == memo.guid)) is None


def _table_rows(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a reshaping changes, as the database holds them."""
    return {table: [tuple(row) for row in session.execute(text(f"SELECT * FROM {table} ORDER BY guid"))]
            for table in ("codes", "codings", "memos", "framework_summaries")}


def _rows_bytes(session: Session, recorded: dict[str, Any]) -> int:
    """The bytes of the rows `recorded` names as their tables hold them (each column's length), as the benchmark counts them."""
    size = 0
    for table, key in (("codes", "codes"), ("codings", "codings"), ("memos", "memos"), ("framework_summaries", "summaries")):
        columns = [row[1] for row in session.execute(text(f"PRAGMA table_info({table})"))]
        length = " + ".join(f'coalesce(length(CAST("{column}" AS BLOB)), 0)' for column in columns)
        for guid in recorded.get(key) or {}:
            size += session.scalar(text(f"SELECT coalesce(sum({length}), 0) FROM {table} WHERE guid = :guid"), {"guid": guid}) or 0
    return size


def test_a_merge_s_record_is_at_most_three_times_the_rows_it_records_and_undo_and_redo_stay_exact(
    tmp_path: Path, migrated_template: Path,
) -> None:
    """A merge recorded every row it touched whole twice, before and after, each a JSON object with its column
    names: 4.3x the rows' own bytes (benchmarks/bench_reshape.py), against at most 3x (once before, once after)."""
    root = tmp_path / "project"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as project:
        # Turns as long as an interview's (the benchmark codes whole turns): a row's columns other than its excerpt are
        # the same few bytes whatever it quotes, and its record's column names too.
        said = [f"{sentence} Det var veilederen som spurte hva jeg ville, og da begynte jeg å tro at det kunne gå." for sentence in sentences(40)]
        with project.begin() as session:
            make_transcript(session, tmp_path, "\n".join(f"D1: {sentence}" for sentence in said), name="intervju")
            first, second = get_or_create_coder(session, "Forsker 1"), get_or_create_coder(session, "Forsker 2")
            for number, sentence in enumerate(said):
                add_coding(session, "intervju", SOURCE, first if number % 2 else second, match=sentence, memo=f"Håp {number}?")
            add_coding(session, "intervju", TARGET, first, match=said[1])  # folds Forsker 1's coding of it
            add_memo(session, "Om håp", first, code_ref=SOURCE)
            before = _table_rows(session)
        with project.begin() as session:
            merge_codes(session, SOURCE, TARGET, get_or_create_coder(session, "Forsker 1"))
        with project.begin() as session:
            merged = _table_rows(session)
            payload = session.scalars(select(Event.payload).where(Event.action == "code.merge")).one()
            stored = session.scalar(text("SELECT payload FROM events WHERE action = 'code.merge'"))  # as the log holds it
        with project.begin() as session:
            undo(session, get_or_create_coder(session, "Forsker 1"))
        with project.begin() as session:
            assert _table_rows(session) == before  # every row as it was, ids, moments and GUIDs too
            payload_bytes, rows_bytes = len(stored.encode()), _rows_bytes(session, payload["before"])
        assert payload_bytes <= 3 * rows_bytes, (payload_bytes, rows_bytes, payload_bytes / rows_bytes)
        with project.begin() as session:
            redo(session, get_or_create_coder(session, "Forsker 1"))
        with project.begin() as session:
            assert _table_rows(session) == merged
