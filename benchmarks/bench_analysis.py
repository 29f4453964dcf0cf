"""Analysis tables on a coded project of about one million words: 220 transcripts, 50,000 codings
by 3 coders over 40 codes.

Each figure is printed next to a bare `SELECT code_id, COUNT(*) FROM codings GROUP BY code_id`
measured in the same run on the same database: the least any count of codings can cost.
- code frequencies (passages, participants, transcripts, words, by coder);
- the code x role matrix, and the code x role x wave matrix;
- co-occurrence of codes by overlap and by speaker turn;
- the terminal UI's analysis screen: `m` in the overview to the first frame of the matrix.

Whole-project tables read the merged passages kept between calls (qualcode/analysis/passage_cache.py)
once they are kept: each is timed warm (kept), and the matrix also cold (the kept file removed
before each try, so each try merges and writes it again).

The project is written straight into the store (bulk inserts, no importer: turns and codings are
placed by the generator) and kept under the temporary directory, so a second run starts measuring
at once; `--fresh` builds it again.

Run: .venv/bin/python benchmarks/bench_analysis.py [--words 1000000] [--transcripts 220] [--codings 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import INTERVIEW_VOCABULARY, SEED, Row, Target, print_comparison, sentence
from sqlalchemy import insert, select
from sqlalchemy import text as sql_text
from tui_frames import Frames, open_app, send_key

from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import apply_codebook
from qualcode.coding.coders import get_or_create_coder
from qualcode.store.models import (
    Code,
    Coding,
    Participant,
    TextVersion,
    Transcript,
    TranscriptParticipant,
    Turn,
)
from qualcode.store.project import Project
from qualcode.text.normalise import content_hash

TRIES = 5
CODERS = ("Forsker 1", "Forsker 2", "Medforsker 1")
ROLES = ("deltaker", "veileder", "leder")
OFFICES = ("A", "B", "C", "D")
WAVES = ("T1", "T2", "T3")


def build(root: Path, words: int, transcripts: int, codings: int, top_codes: int) -> Path:
    """A deterministic coded project at `root` (made once, then reused while the parameters match)."""
    if (root / "done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(SEED)
    with Project.create(root) as project, project.begin() as session:
        specs = [CodeSpec(name=f"tema {t}", definition=f"Tema {t}.") for t in range(top_codes)]
        for spec in specs:
            spec.children = [CodeSpec(name=f"undertema {c}", definition="Underkode.") for c in range(3)]
        apply_codebook(session, Codebook(name="bench", codes=specs))
        code_ids = list(session.scalars(select(Code.id).order_by(Code.id)))
        coder_ids = [get_or_create_coder(session, name).id for name in CODERS]
        # Half the people are interviewed in a second round, as in a panel study.
        people = max(1, transcripts * 2 // 3)
        session.execute(insert(Participant), [
            {"id": number + 1, "guid": f"00000000-0000-4000-8000-{number:012d}", "name": f"P{number:03d}",
             "role": ROLES[number % 3], "gender": ("kvinne", "mann")[number % 2],
             "age_band": ("18-29", "30-49", "50+")[number % 3], "office": OFFICES[number % 4]}
            for number in range(people)
        ])
        per_transcript = words // transcripts
        transcript_rows, version_rows, link_rows, turn_rows = [], [], [], []
        turns_of: dict[int, list[tuple[int, int, bool]]] = {}  # transcript id -> (start, end, participant speaks)
        written = 0
        for number in range(transcripts):
            transcript_id = number + 1
            person = number % people
            text, turns, count = _interview(rng, f"P{person:03d}", per_transcript)
            written += count
            transcript_rows.append({
                "id": transcript_id, "guid": f"10000000-0000-4000-8000-{number:012d}", "name": f"intervju_{number:03d}",
                "wave": WAVES[number // people % 3], "fidelity": ("verbatim", "referat")[number % 7 == 0],
                "current_version_id": transcript_id,
            })
            version_rows.append({"id": transcript_id, "transcript_id": transcript_id, "number": 1, "text": text,
                                 "content_hash": content_hash(text), "word_count": count, "reason": "import"})
            link_rows.append({"transcript_id": transcript_id, "participant_id": person + 1, "speaker_label": f"P{person:03d}"})
            for seq, (start, end, speaks) in enumerate(turns):
                turn_rows.append({"text_version_id": transcript_id, "seq": seq, "speaker": f"P{person:03d}" if speaks else "I",
                                  "participant_id": person + 1 if speaks else None, "start": start, "end": end})
            turns_of[transcript_id] = turns
        session.execute(insert(Transcript), [{**row, "current_version_id": None} for row in transcript_rows])
        session.execute(insert(TextVersion), version_rows)
        session.execute(sql_text("UPDATE transcripts SET current_version_id = id"))
        session.execute(insert(TranscriptParticipant), link_rows)
        session.execute(insert(Turn), turn_rows)
        texts = {row["id"]: row["text"] for row in version_rows}
        hashes = {row["id"]: row["content_hash"] for row in version_rows}
        session.execute(insert(Coding), _codings(rng, codings, turns_of, texts, hashes, code_ids, coder_ids))
    (root / "done").write_text(f"{written}\n", encoding="utf-8")
    return root


def _interview(rng: random.Random, speaker: str, words: int) -> tuple[str, list[tuple[int, int, bool]], int]:
    """Text of alternating question and answer turns, answers of one to six sentences; the turns' spans."""
    parts: list[str] = []
    turns: list[tuple[int, int, bool]] = []
    length = count = turn = 0
    while count < words:
        speaks = turn % 2 == 1
        said = " ".join(sentence(rng, 5, 18, INTERVIEW_VOCABULARY) for _ in range(rng.randint(1, 6) if speaks else 1))
        label = f"{speaker if speaks else 'I'}: "
        turns.append((length + len(label), length + len(label) + len(said), speaks))
        parts.append(label + said + "\n")
        length += len(label) + len(said) + 1
        count += len(said.split())
        turn += 1
    return "".join(parts), turns, count


def _codings(
    rng: random.Random, total: int, turns_of: dict[int, list[tuple[int, int, bool]]], texts: dict[int, str],
    hashes: dict[int, str], code_ids: list[int], coder_ids: list[int],
) -> list[dict[str, Any]]:
    """Codings mostly of answers: a sentence or two, a whole answer, now and then a question and its answer.

    Coders code the same answers often, each with codes of their own, so codes overlap, share turns
    and are coded twice by one coder (touching or overlapping spans that count as one passage)."""
    rows: list[dict[str, Any]] = []
    taken: set[tuple[int, int, int, int, int]] = set()
    transcript_ids = sorted(turns_of)
    while len(rows) < total:
        transcript_id = rng.choice(transcript_ids)
        turns = turns_of[transcript_id]
        index = rng.randrange(1, len(turns), 2) if len(turns) > 1 else 0
        start, end, _ = turns[index]
        shape = rng.random()
        if shape < 0.15 and index > 0:  # the question with its answer
            start = turns[index - 1][0]
        elif shape < 0.7:  # a stretch of the answer from one sentence start to a later sentence end
            text = texts[transcript_id]
            stops = [position + 2 for position in range(start, end) if text.startswith(". ", position)]
            beginnings = [start, *stops]
            first = rng.randrange(len(beginnings))
            last = min(len(beginnings) - 1, first + rng.randint(0, 2))
            start = beginnings[first]
            end = beginnings[last + 1] - 1 if last + 1 < len(beginnings) else end
        code_id, coder_id = rng.choice(code_ids), rng.choice(coder_ids)
        key = (transcript_id, code_id, coder_id, start, end)
        if key in taken:
            continue
        taken.add(key)
        excerpt = texts[transcript_id][start:end]
        rows.append({
            "guid": f"20000000-0000-4000-8000-{len(rows):012d}", "transcript_id": transcript_id,
            "text_version_id": transcript_id, "code_id": code_id, "coder_id": coder_id, "start": start, "end": end,
            "excerpt": excerpt, "text_hash": hashes[transcript_id],
        })
    return rows


def timed(work: Callable[[], object], tries: int | None = None) -> tuple[float, float, float]:
    """The first run's wall time, the median wall time of `tries` (TRIES) runs, and the median CPU time, in seconds.

    The machine is shared: CPU time says what the work costs when other processes take the cores."""
    walls, cpus = [], []
    for _ in range(tries or TRIES):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return walls[0], statistics.median(walls), statistics.median(cpus)


def baseline(database: Path) -> tuple[float, float, float]:
    connection = sqlite3.connect(database)
    try:
        return timed(lambda: connection.execute("SELECT code_id, COUNT(*) FROM codings GROUP BY code_id").fetchall())
    finally:
        connection.close()


def figures(first: float, median: float, cpu: float) -> str:
    return f"median {median * 1000:7.1f} ms   cpu {cpu * 1000:7.1f} ms   first {first * 1000:7.1f} ms"


def bench_project(
    words: int, transcripts: int, codings: int, top_codes: int, *, fresh: bool = False,
) -> tuple[Path, tuple[float, float, float], Row]:
    """The coded project for these parameters, built once under the temporary directory (or again
    with `fresh`) and shared by the analysis and agreement benchmarks, with the bare GROUP BY
    baseline measured on it and its printed row."""
    name = hashlib.sha256(f"{words} {transcripts} {codings} {top_codes} {SEED}".encode()).hexdigest()[:10]
    root = Path(tempfile.gettempdir()) / f"qualcode-bench-analysis-{name}" / "project"
    if fresh:
        shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    cached = (root / "done").exists()
    build(root, words, transcripts, codings, top_codes)
    written = int((root / "done").read_text(encoding="utf-8"))
    print(f"project: {transcripts} transcripts, {written:,} words, {codings:,} codings by {len(CODERS)} coders "
          f"over {top_codes * 4} codes ({'reused' if cached else f'built in {time.perf_counter() - started:.1f} s'}: {root})")
    with Project.open(root, read_only=True) as project:
        database = project.database
    bare = baseline(database)
    return root, bare, Row("SELECT code_id, COUNT(*)", figures(*bare), "GROUP BY code_id, sqlite3")


def project_arguments(description: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line with the size of the benchmark project (bench_agreement and
    bench_exchange measure the same project)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--transcripts", type=int, default=220)
    parser.add_argument("--codings", type=int, default=50_000)
    parser.add_argument("--top-codes", type=int, default=10, help="top-level codes, each with three sub-codes")
    return parser


def main() -> int:
    parser = project_arguments(__doc__)
    parser.add_argument("--fresh", action="store_true", help="build the project again")
    args = parser.parse_args()

    from qualcode.analysis.cooccurrence import cooccurrence, parse_within
    from qualcode.analysis.frequencies import code_frequencies
    from qualcode.analysis.matrix import code_matrix
    from qualcode.analysis.passage_cache import CACHE_FILE
    from qualcode.analysis.passages import passages
    from qualcode.coding.passages import QuoteFilter

    root, bare, bare_row = bench_project(args.words, args.transcripts, args.codings, args.top_codes, fresh=args.fresh)
    everything = QuoteFilter()
    with Project.open(root, read_only=True) as project, project.begin() as session:
        kept = project.database.parent / CACHE_FILE

        def cold(work: Callable[[], object]) -> Callable[[], object]:
            return lambda: (kept.unlink(missing_ok=True), work())

        measured = timed(lambda: passages(session, everything))
        count = len(passages(session, everything))
        underneath = Row("passages() alone", figures(*measured), f"{count:,} passages, sub-codes rolled up; kept after the first")
        jobs: list[tuple[str, str, Callable[[], object]]] = [
            ("code x role matrix, cold: merged again", "analyse matrix --by role",
             cold(lambda: code_matrix(session, everything, ("role",)))),
            ("code frequencies", "analyse codes", lambda: code_frequencies(session, everything)),
            ("code x role matrix", "analyse matrix --by role",
             lambda: code_matrix(session, everything, ("role",))),
            ("code x role x wave matrix", "analyse matrix --by role --by wave",
             lambda: code_matrix(session, everything, ("role", "wave"))),
            ("co-occurrence by overlap", "cooccur --within overlap",
             lambda: cooccurrence(session, everything, parse_within("overlap"))),
            ("co-occurrence by turn", "cooccur --within turn",
             lambda: cooccurrence(session, everything, parse_within("turn"))),
        ]
        for title, label, work in jobs:
            first, median, cpu = timed(work)
            target = (Target("at most 200 ms", median <= 0.200) if "matrix" in title and "cold" not in title
                      else Target("at most 1 s", median <= 1.0) if "co-occurrence" in title else None)
            print_comparison(f"{title} (service call, whole project)", Row(label, figures(first, median, cpu)),
                             bare_row, median / bare[1], target, also=[underneath])
        for label in ("overlap", "turn"):
            table = cooccurrence(session, everything, parse_within(label))
            pairs = sum(cell.pairs for cell in table.cells.values()) // 2
            print(f"\nco-occurrence by {label}: {len(table.codes)} codes, {pairs:,} pairs of passages")
    draws = [asyncio.run(first_draw(root)) for _ in range(TRIES)]
    print("  each try:", [round(draw * 1000) for draw in draws], "ms")
    drawn = statistics.median(draws)
    print_comparison(
        "analysis screen: m in the overview to the first frame showing the code x role matrix (100x30)",
        Row("qualcode tui", f"{drawn * 1000:7.1f} ms"), bare_row, drawn / bare[1], Target("at most 300 ms", drawn <= 0.300),
    )
    return 0



async def first_draw(root: Path) -> float:
    """From `m` on the overview to the first frame once the matrix's table has its rows."""
    from textual.widgets import DataTable

    from qualcode.tui.screens.analysis import AnalysisScreen

    app = open_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        frames = Frames(app)
        await app.workers.wait_for_complete()
        await pilot.pause()

        def filled() -> bool:
            screen = app.screen
            return isinstance(screen, AnalysisScreen) and any(table.row_count for table in screen.query(DataTable))

        sent = send_key(app, "m", "m")
        drawn = await frames.first_frame_after(sent, filled, drawn_rows=False)
    return drawn - sent


if __name__ == "__main__":
    sys.exit(main())
