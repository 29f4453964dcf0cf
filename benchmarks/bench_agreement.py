"""Intercoder agreement on a coded project of about one million words: 220 transcripts, 50,000
codings by 3 coders over 40 codes (the project bench_analysis.py builds, reused if built).

Each figure is printed next to merely reading the codings, measured in the same run on the same
database: the bare `SELECT ... FROM codings` and analysis.passages.coded() (the codings read and
merged into passages, with the texts), which agreement starts from.
- agreement by sentence (the sentences kept per text version, as the reader shows them; finding and
  keeping them on first need, which a project built before they were kept pays once, is timed apart);
- agreement by turn;
- agreement by segment (passages matched at --min-overlap 0.9).

Run: .venv/bin/python benchmarks/bench_agreement.py [--words 1000000] [--transcripts 220] [--codings 50000]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analysis import bench_project, figures, project_arguments, timed  # noqa: E402
from common import Row, Target, print_comparison  # noqa: E402

from qualcode.store.project import Project  # noqa: E402

TRIES = 3


def main() -> int:
    parser = project_arguments(__doc__)
    args = parser.parse_args()

    from qualcode.agreement.service import agreement
    from qualcode.analysis.passages import coded
    from qualcode.coding.passages import QuoteFilter

    root, bare, bare_row = bench_project(args.words, args.transcripts, args.codings, args.top_codes)
    everything = QuoteFilter()
    with Project.open(root) as project, project.begin() as session:
        from sqlalchemy import delete, select

        from qualcode.coding.sentences import version_sentences
        from qualcode.store.models import SentenceSpans, TextVersion

        session.execute(delete(SentenceSpans))  # as a project made before sentences were kept
        versions = list(session.scalars(select(TextVersion.id)))
        started, cpu_started = time.perf_counter(), time.process_time()
        found = version_sentences(session, versions)
        print(f"finding and keeping the sentences of {len(versions)} texts on first need (spaCy, once per text version): "
              f"{time.perf_counter() - started:.1f} s, cpu {time.process_time() - cpu_started:.1f} s, "
              f"{sum(map(len, found.values())):,} sentences")
    with Project.open(root, read_only=True) as project, project.begin() as session:
        reading = timed(lambda: coded(session, everything, texts=True), TRIES)
        read_row = Row("coded(texts=True) alone", figures(*reading), "the codings read and merged, with the texts")
        for unit in ("sentence", "turn", "segment"):
            started = time.perf_counter()
            result = agreement(session, everything, unit)  # with the disagreements listed, as --docx and --xlsx need
            listed = time.perf_counter() - started
            first, median, cpu = timed(lambda unit=unit: agreement(session, everything, unit, listed=False), TRIES)  # type: ignore[misc]
            overall = result.overall
            print_comparison(
                f"agreement by {unit}, 3 coders, whole project (service call)",
                Row(f"agreement --unit {unit}", figures(first, median, cpu)), read_row, median / reading[1],
                Target("at most 2 s", median <= 2.0), also=[bare_row],
            )
            print(f"  {len(result.codes)} codes; overall: {overall.percent.units:,} units, agree {overall.percent.text(True)}, "
                  f"{result.kappa_name} {overall.kappa.text()}, alpha {overall.alpha.text()}; "
                  f"{len(result.disagreements):,} disagreements (with them listed: {listed * 1000:.0f} ms, one run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
