"""Writing a Word report of 5,000 quotes across 40 codes.

Printed next to a floor measured in the same run: python-docx merely writing the same 5,000
quote texts as paragraphs, with no selection, headings, tables, attribution or bookmarks.

Run: .venv/bin/python benchmarks/bench_export.py [--quotes 5000] [--codes 40]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import docx
from common import SEED, Row, Target, print_comparison, sentence

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import create_key
from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import apply_codebook
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter
from qualcode.exporters.report import ReportOptions
from qualcode.exporters.service import export_report
from qualcode.importers.service import import_paths
from qualcode.store.models import Code, Coding, Transcript
from qualcode.store.project import Project


def build(root: Path, quotes: int, codes: int, rng: random.Random) -> Project:
    corpus = root / "corpus"
    corpus.mkdir()
    for number in range(50):
        lines = [f"---\nparticipant: P{number:02d}\nrole: {('deltaker', 'veileder', 'leder')[number % 3]}\nwave: T{1 + number % 2}\n---"]
        for turn in range(220):
            lines.append(f"{'I' if turn % 2 == 0 else f'P{number:02d}'}: {sentence(rng, 8, 40)}\n")
        (corpus / f"t{number:02d}.txt").write_text("\n".join(lines), encoding="utf-8")
    project = Project.create(root / "project")
    with project.begin() as session:
        top = [CodeSpec(name=f"tema {t}", definition=f"Definisjon av tema {t}.") for t in range(codes // 4)]
        for spec in top:
            spec.children = [CodeSpec(name=f"undertema {c}", definition="Underkode.") for c in range(3)]
        apply_codebook(session, Codebook(name="bench", codes=top))
    access = create_key(project, root / "bench.qckey", "benchmark passphrase")
    import_paths(project, [corpus], access)
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        all_codes = session.query(Code).all()
        transcripts = session.query(Transcript).all()
        rows = []
        taken: set[tuple[int, int, int]] = set()
        for number in range(quotes):
            transcript = transcripts[number % len(transcripts)]
            code_id = all_codes[number % len(all_codes)].id
            version = transcript.current_version
            assert version is not None
            # The same code twice on one passage is one coding (the schema refuses a second): draw another answer.
            turn = version.turns[1 + 2 * rng.randrange(len(version.turns) // 2 - 1)]
            while (transcript.id, code_id, turn.start) in taken:
                turn = version.turns[1 + 2 * rng.randrange(len(version.turns) // 2 - 1)]
            taken.add((transcript.id, code_id, turn.start))
            rows.append(Coding(
                transcript_id=transcript.id, text_version_id=version.id, code_id=code_id,
                coder_id=coder.id, start=turn.start, end=turn.end, excerpt=version.text[turn.start:turn.end],
                text_hash=version.content_hash,
            ))
        session.add_all(rows)
    return project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quotes", type=int, default=5000)
    parser.add_argument("--codes", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        project = build(root, args.quotes, args.codes, random.Random(SEED))
        with project.begin() as session:
            excerpts = [c.excerpt for c in session.query(Coding).order_by(Coding.id)]
            codes = session.query(Code).count()
        print(f"{len(excerpts):,} quotes across {codes} codes")

        # Best of three for each, alternating, so a busy moment on the machine hits both alike.
        floor_times, report_times = [], []
        for _ in range(3):
            started = time.perf_counter()
            floor = docx.Document()
            for excerpt in excerpts:
                floor.add_paragraph(excerpt)
            floor.save(str(root / "floor.docx"))
            floor_times.append(time.perf_counter() - started)

            started = time.perf_counter()
            with project.begin() as session:
                export_report(session, project.root, QuoteFilter(), ReportOptions(memos=True), root / "r.docx", True, PseudonymKey("bench"))
            report_times.append(time.perf_counter() - started)
        project.close()
        floor_seconds, report_seconds = min(floor_times), min(report_times)

    print_comparison(
        "Word report",
        Row("qualcode export report", f"{report_seconds:7.2f} s", "select, lay out, attribute, bookmark, leak check; best of 3"),
        Row("python-docx paragraphs", f"{floor_seconds:7.2f} s", "the floor; best of 3"),
        report_seconds / floor_seconds,
        Target("at most 10 s and at most 2.5x the baseline's time", report_seconds <= 10 and report_seconds / floor_seconds <= 2.5),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
