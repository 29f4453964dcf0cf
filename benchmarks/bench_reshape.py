"""Reshaping the codebook of a real study's size: merging a big theme into another, undoing and redoing it,
moving a code, deleting one with its codings, and an unrelated undo once a big merge is in the log.

The project: ~100 transcripts and ~20,000 codings by three coders over the KVP codebook, the code merged
away holding ~5,000 of them (some on the same passages as the other code's, which the merge folds, memos on
some), the code deleted ~2,000. Each change is made in process through the Workspace, as a command does
once started, on a fresh copy of the project (the median of --runs copies). Each figure is printed next to
a baseline measured in the same run: the same change of code made bare, one SQL UPDATE (or DELETE) of those
codings in a copy of the project, so it reads as "N× the bare update". The merge's event is printed in bytes
next to the bytes of the rows it records as their tables hold them.

Run: .venv/bin/python benchmarks/bench_reshape.py [--transcripts 100] [--codings 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from bench_store import make_corpus
from common import SEED, Row, Target, print_comparison
from sqlalchemy import insert, select

from qualcode.anonymise.service import create_key
from qualcode.codebook.service import apply_codebook
from qualcode.codebook.shipped import KVP_CODEBOOK
from qualcode.codebook.yaml_format import load_codebook
from qualcode.coding.coders import get_or_create_coder
from qualcode.config import Config
from qualcode.importers.service import import_paths
from qualcode.store.events import EventKind
from qualcode.store.models import Code, Coding, Event, Memo, Transcript, new_guid, utcnow
from qualcode.store.project import DATABASE_FILE, PROJECT_DIR, Project
from qualcode.workspace import Workspace

SOURCE = "empowerment/håp og motivasjon"  # merged away: ~5,000 codings
TARGET = "empowerment/selvbilde og selvtillit"  # merged into
DELETED = "måltall-press/konsekvenser for kontoret"  # deleted with its ~2,000 codings
MOVED_UNDER = "brukermedvirkning"  # where the move puts SOURCE
SAME_PASSAGE = (" AND kept.transcript_id = codings.transcript_id AND kept.coder_id = codings.coder_id"
                " AND kept.start = codings.start AND kept.end = codings.end")
CODERS = ("Forsker 1", "Forsker 2", "Forsker 3")
PASSPHRASE = "benchmark passphrase"


def build(root: Path, transcripts: int, codings: int) -> dict[str, int]:
    """The project at `root`: the corpus imported as a researcher imports it, then `codings` codings of whole
    turns and of their first halves, written in bulk with the events `coding add` writes; how many each code holds."""
    corpus = root.parent / "corpus"
    corpus.mkdir()
    # ~150 turns a transcript, so three coders find passages enough for a theme of thousands.
    make_corpus(corpus, transcripts * 3_000, transcripts)
    rng = random.Random(SEED)
    with Project.create(root) as project:
        with project.begin() as session:
            apply_codebook(session, load_codebook(KVP_CODEBOOK))
        access = create_key(project, root.parent / "bench.qckey", PASSPHRASE)
        result = import_paths(project, [corpus], access)
        assert not result.failed, result.failed[:3]
        with project.begin() as session:
            coders = [get_or_create_coder(session, name) for name in CODERS]
            codes = {code.path: code for code in session.scalars(select(Code))}
            for path in (SOURCE, TARGET, DELETED, MOVED_UNDER):
                assert path in codes, f"the KVP codebook has no {path}"
            others = [code for path, code in codes.items() if path not in (SOURCE, TARGET, DELETED)]
            # (transcript, version, text, hash, span) for every passage a coder may code: a whole turn, or its first half.
            passages = []
            for transcript in session.scalars(select(Transcript).order_by(Transcript.id)):
                version = transcript.current_version
                assert version is not None
                for turn in version.turns:
                    text_start = turn.start + len(turn.speaker or "") + 2 if turn.speaker else turn.start
                    text_start = min(text_start, turn.end - 1)
                    middle = version.text.rfind(" ", text_start, (text_start + turn.end) // 2)
                    spans = [(turn.start, turn.end)] + ([(turn.start, middle)] if middle > turn.start else [])
                    passages += [(transcript.id, version.id, version.text, version.content_hash, span) for span in spans]
            wanted = {SOURCE: codings // 5, TARGET: codings * 3 // 20, DELETED: codings // 10}
            rows: list[dict[str, Any]] = []
            taken: set[tuple[int, int, int, int, int]] = set()

            def code(code: Code, passage: tuple[Any, ...], coder_number: int) -> bool:
                transcript_id, version_id, text, content_hash, (start, end) = passage
                key = (transcript_id, code.id, coder_number, start, end)
                if key in taken:
                    return False
                taken.add(key)
                rows.append({"guid": new_guid(), "transcript_id": transcript_id, "text_version_id": version_id, "code_id": code.id,
                             "coder_id": coders[coder_number].id, "start": start, "end": end, "excerpt": text[start:end],
                             "text_hash": content_hash, "memo": "Tydelig eksempel." if rng.random() < 0.05 else None,
                             "created_at": utcnow(), "_path": code.path})
                return True

            for path, count in wanted.items():
                made = 0
                while made < count:
                    made += code(codes[path], rng.choice(passages), rng.randrange(len(coders)))
            # A fifth of the source's codings on a passage the target has by the same coder: the merge folds those.
            target_rows = [row for row in rows if row["_path"] == TARGET]
            for row in rng.sample(target_rows, len(target_rows) // 3):
                passage = (row["transcript_id"], row["text_version_id"], "", row["text_hash"], (row["start"], row["end"]))
                if code(codes[SOURCE], passage, [coder.id for coder in coders].index(row["coder_id"])):
                    rows[-1]["excerpt"] = row["excerpt"]
            while len(rows) < codings:
                code(rng.choice(others), rng.choice(passages), rng.randrange(len(coders)))
            session.execute(insert(Coding), [{key: value for key, value in row.items() if key != "_path"} for row in rows])
            ids = {guid: coding_id for guid, coding_id in session.execute(select(Coding.guid, Coding.id))}
            session.execute(insert(Event), [{
                "guid": new_guid(), "at": row["created_at"], "coder_id": row["coder_id"], "action": EventKind.CODING_ADD.value,
                "entity": "coding", "entity_guid": row["guid"], "undoable": True,
                "summary": f"coded a passage as {row['_path']}: {row['excerpt'][:40]!r}",
                "payload": {"before": None, "after": {"guid": row["guid"], "code_guid": codes[row["_path"]].guid, "start": row["start"],
                                                      "end": row["end"], "excerpt": row["excerpt"], "memo": row["memo"], "removed": False}},
            } for row in rows])
            # Memos on a tenth of the source's codings and a few on the code itself, by the coder who made them.
            memos = [{"guid": new_guid(), "author_id": row["coder_id"], "coding_id": ids[row["guid"]], "text": "Håp, eller tro på seg selv?",
                      "created_at": utcnow()} for row in rows if row["_path"] in (SOURCE, DELETED) and rng.random() < 0.1]
            memos += [{"guid": new_guid(), "author_id": coders[0].id, "code_id": codes[SOURCE].id, "text": f"Notat {number} om temaet.",
                       "created_at": utcnow()} for number in range(5)]
            session.execute(insert(Memo), memos)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["_path"]] = counts.get(row["_path"], 0) + 1
    return counts


def copy_of(template: Path, scratch: Path, name: str) -> Path:
    target = scratch / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(template, target)
    return target


def workspace(root: Path, coder: str) -> Workspace:
    return Workspace.open(Config(project=root, coder=coder, passphrase=PASSPHRASE, config_home=root.parent / "config"))


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def bare(root: Path, *statements: str) -> float:
    """The time of `statements`, committed together, run bare on the project's database."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        started = time.perf_counter()
        for statement in statements:
            database.execute(statement)
        database.commit()
        return time.perf_counter() - started


def coding_ids(root: Path, code: int) -> list[int]:
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        return [coding for (coding,) in database.execute("SELECT id FROM codings WHERE code_id = ?", (code,))]


def code_id(root: Path, path: str) -> int:
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        found: int = database.execute("SELECT id FROM codes WHERE path = ?", (path,)).fetchone()[0]
        return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transcripts", type=int, default=100)
    parser.add_argument("--codings", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        template = scratch / "template"
        started = time.perf_counter()
        counts = build(template, args.transcripts, args.codings)
        print(f"project: {args.transcripts} transcripts, {sum(counts.values()):,} codings by {len(CODERS)} coders"
              f" (built in {time.perf_counter() - started:.0f} s); {SOURCE} {counts[SOURCE]:,}, {TARGET} {counts[TARGET]:,},"
              f" {DELETED} {counts[DELETED]:,}")
        source, target, deleted = (code_id(template, path) for path in (SOURCE, TARGET, DELETED))
        figures: dict[str, list[float]] = {}

        def add(name: str, seconds: float) -> None:
            figures.setdefault(name, []).append(seconds)

        payload_bytes = rows_bytes = 0
        merged_summary = ""
        for run in range(args.runs):
            root = copy_of(template, scratch, "merge")
            with workspace(root, CODERS[0]) as space:
                started = time.perf_counter()
                merged_summary = space.merge_codes(SOURCE, TARGET).summary
                add("merge", time.perf_counter() - started)
                add("undo merge", timed(space.undo))
                add("redo merge", timed(space.redo))
            if run == 0:
                payload_bytes, rows_bytes = event_size(root, template)
            root = copy_of(template, scratch, "bare")
            merged_ids = ", ".join(str(coding) for coding in coding_ids(root, source))
            # One statement, which marks removed the codings folded (else two live codings of one passage clash).
            add("bare merge", bare(root, f"UPDATE codings SET code_id = {target}, removed_at = CASE WHEN EXISTS (SELECT 1 FROM codings"
                                         f" kept WHERE kept.code_id = {target} AND kept.removed_at IS NULL{SAME_PASSAGE}) THEN"
                                         f" CURRENT_TIMESTAMP ELSE removed_at END WHERE code_id = {source}"))
            add("bare undo", bare(root, f"UPDATE codings SET code_id = {source}, removed_at = NULL WHERE id IN ({merged_ids})"))

            root = copy_of(template, scratch, "move")
            with workspace(root, CODERS[0]) as space:
                add("move", timed(lambda space=space: space.move_code(SOURCE, MOVED_UNDER)))  # type: ignore[misc]

            root = copy_of(template, scratch, "delete")
            with workspace(root, CODERS[0]) as space:
                add("delete", timed(lambda space=space: space.delete_code(DELETED, with_codings=True)))  # type: ignore[misc]
                add("undo delete", timed(space.undo))
            root = copy_of(template, scratch, "bare")
            add("bare delete", bare(root, f"DELETE FROM memos WHERE coding_id IN (SELECT id FROM codings WHERE code_id = {deleted})",
                                    f"DELETE FROM codings WHERE code_id = {deleted}"))

            # An unrelated undo: Forsker 2 codes a passage, then undoes it; with and without Forsker 1's merge in between.
            for merged in (False, True):
                root = copy_of(template, scratch, "unrelated")
                with workspace(root, CODERS[1]) as second:
                    second.add_coding(*a_passage(root))
                if merged:
                    with workspace(root, CODERS[0]) as first:
                        first.merge_codes(SOURCE, TARGET)
                with workspace(root, CODERS[1]) as second:
                    add(f"unrelated undo{' after merge' if merged else ''}", timed(second.undo))
            # And Forsker 1's own coding made after their merge, undone.
            for merged in (False, True):
                root = copy_of(template, scratch, "later")
                with workspace(root, CODERS[0]) as first:
                    if merged:
                        first.merge_codes(SOURCE, TARGET)
                    first.add_coding(*a_passage(root))
                    add(f"own undo{' after merge' if merged else ''}", timed(first.undo))

    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"merge: {merged_summary}")
    sized = f"({counts[SOURCE]:,} codings)"
    for name, bare_name, limit in (("merge", "bare merge", 2.0), ("undo merge", "bare undo", 2.0), ("redo merge", "bare merge", 2.0)):
        print_comparison(
            f"{name} of {SOURCE} into {TARGET} {sized}",
            Row(f"qualcode {name}", f"{median[name] * 1000:8.0f} ms", f"median of {args.runs}"),
            Row("one SQL UPDATE of code_id", f"{median[bare_name] * 1000:8.0f} ms"),
            median[name] / median[bare_name],
            Target(f"at most {limit:.0f} s", median[name] <= limit),
        )
    print_comparison(
        f"the merge's event {sized}",
        Row("its payload", f"{payload_bytes / 1e6:8.2f} MB", "the rows it touched, before and after"),
        Row("the rows as stored", f"{rows_bytes / 1e6:8.2f} MB", "their columns' bytes in their tables"),
        payload_bytes / rows_bytes,
        Target("at most 3x the rows it records (once before, once after)", payload_bytes <= 3 * rows_bytes),
        ratio_of="size",
    )
    print_comparison(
        f"move {SOURCE} under {MOVED_UNDER} {sized}",
        Row("qualcode move", f"{median['move'] * 1000:8.0f} ms", f"median of {args.runs}"),
        Row("one SQL UPDATE of code_id", f"{median['bare merge'] * 1000:8.0f} ms", "the merge's"),
        median["move"] / median["bare merge"],
        Target("at most 0.5 s", median["move"] <= 0.5),
    )
    for name, limit in (("delete", 1.0), ("undo delete", 1.0)):
        print_comparison(
            f"{name} of {DELETED} --with-codings ({counts[DELETED]:,} codings)",
            Row(f"qualcode {name}", f"{median[name] * 1000:8.0f} ms", f"median of {args.runs}"),
            Row("one SQL DELETE", f"{median['bare delete'] * 1000:8.0f} ms", "of the codings and the memos on them"),
            median[name] / median["bare delete"],
            Target(f"at most {limit:.0f} s", median[name] <= limit),
        )
    for name, whose in (("unrelated undo", "Forsker 2's coding made before Forsker 1's merge"),
                        ("own undo", "Forsker 1's coding made after their own merge")):
        extra = median[f"{name} after merge"] - median[name]
        print_comparison(
            f"undo of {whose}",
            Row("after the merge", f"{median[f'{name} after merge'] * 1000:8.0f} ms", f"median of {args.runs}"),
            Row("with no merge", f"{median[name] * 1000:8.0f} ms", "the same undo"),
            median[f"{name} after merge"] / median[name],
            Target("at most 50 ms slower for the merge", extra <= 0.050),
            also=[Row("the merge's cost", f"{extra * 1000:+8.0f} ms")],
        )
    return 0


def a_passage(root: Path) -> tuple[str, str, tuple[int, int]]:
    """A turn of the first transcript no coding has under a code no one merges: (transcript, code, span)."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        name, start, end = database.execute(
            "SELECT t.name, u.start, u.end FROM transcripts t JOIN turns u ON u.text_version_id = t.current_version_id"
            " WHERE NOT EXISTS (SELECT 1 FROM codings c WHERE c.transcript_id = t.id AND c.start = u.start AND c.end = u.end)"
            " ORDER BY t.id, u.seq LIMIT 1 OFFSET 1").fetchone()
    return name, "brukermedvirkning/tilbakemelding", (start, end)


def event_size(root: Path, template: Path) -> tuple[int, int]:
    """The bytes of the merge's payload in `root`, and of the rows it records as `template`'s tables hold them
    (each column's length)."""
    with closing(sqlite3.connect(root / PROJECT_DIR / DATABASE_FILE)) as database:
        payload: str = database.execute("SELECT payload FROM events WHERE action = ? ORDER BY id LIMIT 1",
                                        (EventKind.CODE_MERGE.value,)).fetchone()[0]
    recorded = json.loads(payload)["before"]
    with closing(sqlite3.connect(template / PROJECT_DIR / DATABASE_FILE)) as database:
        size = 0
        for table, key in (("codes", "codes"), ("codings", "codings"), ("memos", "memos"), ("framework_summaries", "summaries")):
            guids = list(recorded.get(key) or {})
            columns = [row[1] for row in database.execute(f"PRAGMA table_info({table})")]
            length = " + ".join(f'coalesce(length(CAST("{column}" AS BLOB)), 0)' for column in columns)
            for start in range(0, len(guids), 500):
                chunk = guids[start:start + 500]
                size += database.execute(f"SELECT coalesce(sum({length}), 0) FROM {table} WHERE guid IN"
                                         f" ({', '.join('?' * len(chunk))})", chunk).fetchone()[0]
        return len(payload.encode("utf-8")), size


if __name__ == "__main__":
    sys.exit(main())
