"""The terminal UI on a 30,000-word transcript with 1,000 codings, driven headless by Pilot.

Prints, from one run: opening the transcript to the first screen drawn, and the code key to
the coding shown, next to merely reading the transcript's rows (text, turns, codings) from the
database in the same run. Each is the median of several tries.

Run: .venv/bin/python benchmarks/bench_tui.py [--words 30000] [--codings 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import SEED, Row, Target, print_comparison, sentence
from sqlalchemy import select
from tui_frames import CURRENT, Frames, open_app, send_key

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import dismiss
from qualcode.codebook.service import apply_codebook
from qualcode.codebook.shipped import KVP_CODEBOOK
from qualcode.codebook.yaml_format import load_codebook
from qualcode.coding.coders import get_or_create_coder
from qualcode.errors import NeedsReview
from qualcode.importers.service import ImportOptions, import_file
from qualcode.store.models import Code, Coding, TextVersion, Turn
from qualcode.store.project import Project
from qualcode.tui.screens.reader import ReaderScreen
from qualcode.tui.widgets.transcript_view import TranscriptView

TRIES = 5


def record_rows() -> None:
    """Note when the transcript widget draws its bottom row, i.e. has filled the screen."""
    render_line = TranscriptView.render_line

    def recording(view: TranscriptView, y: int):  # type: ignore[no-untyped-def]
        strip = render_line(view, y)
        if y == view.size.height - 1 and CURRENT:
            CURRENT[-1].view_drawn.append(time.perf_counter())
        return strip

    TranscriptView.render_line = recording  # type: ignore[method-assign]


def build(root: Path, words: int, codings: int) -> Path:
    rng = random.Random(SEED)
    lines, count, turn = [], 0, 0
    while count < words:
        sentences = [sentence(rng, 6, 16) for _ in range(rng.randint(1, 6))]
        lines.append(f"{'I' if turn % 2 == 0 else 'D1'}: {' '.join(sentences)}\n")
        count += sum(len(said.split()) for said in sentences)
        turn += 1
    source = root / "lang.txt"
    source.write_text("\n".join(lines), encoding="utf-8")
    with Project.create(root / "project") as project, project.begin() as session:
        apply_codebook(session, load_codebook(KVP_CODEBOOK))
        key = PseudonymKey("bench")
        try:
            import_file(session, source, ImportOptions(participant="D1", role="deltaker"), key=key)
        except NeedsReview:  # synthetic words after "i." look like names to the candidate rules
            for candidate in list(key.pending):
                dismiss(key, candidate.text)
            import_file(session, source, ImportOptions(participant="D1", role="deltaker"), key=key)
        coder = get_or_create_coder(session, "Forsker 1")
        version = session.scalars(select(TextVersion)).one()
        turns = session.scalars(select(Turn).where(Turn.seq % 2 == 1)).all()
        codes = session.scalars(select(Code)).all()
        session.add_all(
            Coding(transcript_id=version.transcript_id, text_version_id=version.id, code_id=codes[n % len(codes)].id,
                   coder_id=coder.id, start=turn.start, end=turn.end, excerpt=version.text[turn.start:turn.end],
                   text_hash=version.content_hash)
            for n, turn in enumerate(rng.sample(list(turns), min(codings, len(turns))))
        )
    return root / "project"


def read_rows(root: Path) -> float:
    with Project.open(root) as project:
        started = time.perf_counter()
        with project.begin() as session:
            session.scalars(select(TextVersion.text)).one()
            session.execute(select(Turn.seq, Turn.speaker, Turn.start, Turn.end)).all()
            session.execute(select(Coding.id, Coding.start, Coding.end, Coding.code_id)).all()
        return time.perf_counter() - started


async def measure(root: Path, attempt: int) -> tuple[float, float]:
    app = open_app(root)
    async with app.run_test(size=(100, 30)) as pilot:
        frames = Frames(app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        sent = send_key(app, "enter", "\r")
        drawn = await frames.first_frame_after(sent, lambda: isinstance(app.screen, ReaderScreen))
        opened = drawn - sent
        await app.workers.wait_for_complete()  # sentences, in the background
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        # A different uncoded turn each attempt, so every attempt adds a coding.
        await pilot.press(*["u"] * (attempt + 1), "V", "c")
        before = len(reader.document.codings)
        sent = send_key(app, "m", "m")
        drawn = await frames.first_frame_after(sent, lambda: len(reader.document.codings) > before)
        coded = drawn - sent
        assert reader.query_one(TranscriptView).document.codings == reader.document.codings
    return opened, coded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=30_000)
    parser.add_argument("--codings", type=int, default=1_000)
    args = parser.parse_args()
    record_rows()
    with tempfile.TemporaryDirectory() as scratch:
        root = build(Path(scratch), args.words, args.codings)
        opens, codes, reads = [], [], []
        for _ in range(TRIES):
            reads.append(read_rows(root))
            opened, coded = asyncio.run(measure(root, len(opens)))
            opens.append(opened)
            codes.append(coded)
    print("  each try: open", [round(o * 1000) for o in opens], "code", [round(c * 1000) for c in codes])
    read, opened, coded = statistics.median(reads), statistics.median(opens), statistics.median(codes)
    baseline = Row("read the rows from SQLite", f"{read * 1000:7.1f} ms", "text, turns and codings")
    print(f"transcript of {args.words:,} words with {args.codings:,} codings, median of {TRIES}")
    print_comparison(
        "open: Enter in the overview to the reader's first screen drawn",
        Row("qualcode tui", f"{opened * 1000:7.1f} ms"), baseline, opened / read, Target("at most 300 ms", opened <= 0.300),
    )
    print_comparison(
        "code: the code key to the coding shown (saved, reloaded, drawn)",
        Row("qualcode tui", f"{coded * 1000:7.1f} ms"), baseline, coded / read, Target("at most 50 ms", coded <= 0.050),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
