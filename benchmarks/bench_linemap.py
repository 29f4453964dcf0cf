"""Mapping a transcript's old lines to its new ones (coding.anchoring.LineMap), as `import --replace`
re-anchors codings and the terminal UI carries its cursor over a text another command rewrote.

The text: a long group interview whose answers repeat lines ("Ja.", a phrase said again), and a
word the key learned or let go in every few lines, so hundreds of lines change among many alike.
The baseline, measured in the same run, is difflib's SequenceMatcher over the same lines, which
LineMap used before: cubic in lines said many times over (155 s at 530 KB in a replace).

Run: .venv/bin/python benchmarks/bench_linemap.py [--rounds 40 75 150] [--baseline-rounds 75]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from difflib import SequenceMatcher

from common import INTERVIEW_VOCABULARY, SEED, Row, Target, print_comparison, sentence

from qualcode.coding.anchoring import LineMap

# Lines a real transcript says again and again, between the answers.
BACKCHANNELS = ("Ja.", "Mm.", "Nei.", "Ja, ja.", "Akkurat.", "Hm.")


def interview(rounds: int, named: str) -> str:
    """`rounds` rounds of a question, a backchannel and an answer; every third answer names `named`."""
    rng = random.Random(SEED)
    answers = [sentence(rng, 8, 30, INTERVIEW_VOCABULARY) for _ in range(12)]  # said again, as people do
    lines = []
    for turn in range(rounds * 12):
        lines.append(f"Intervjuer: {sentence(rng, 4, 12, INTERVIEW_VOCABULARY)}")
        lines.append(f"D{turn % 5 + 1}: {rng.choice(BACKCHANNELS)}")
        answer = rng.choice(answers)
        lines.append(f"D{turn % 5 + 1}: {answer} Det sa {named} også." if turn % 3 == 0 else f"D{turn % 5 + 1}: {answer}")
    return "\n".join(lines) + "\n"


def timed(run: Callable[..., object], *given: object) -> float:
    start = time.perf_counter()
    run(*given)
    return time.perf_counter() - start


def difflib_opcodes(old_lines: list[str], new_lines: list[str]) -> object:
    return SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, nargs="+", default=[40, 75, 150])
    parser.add_argument("--baseline-rounds", type=int, default=75, help="the largest size difflib is timed at")
    args = parser.parse_args()
    for rounds in args.rounds:
        old, new = interview(rounds, "(arbeidsgiver)"), interview(rounds, "KVP")
        old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
        mapped = min(timed(LineMap, old, new) for _ in range(3))
        changed = LineMap(old, new).changed_lines
        size = f"{len(old.encode()) // 1024} KB, {len(old_lines):,} lines, {changed:,} changed"
        if rounds > args.baseline_rounds:
            print(f"\nLineMap of {size}\n  {'LineMap (rapidfuzz Indel)':<28} {mapped * 1000:,.1f} ms"
                  "  (difflib not timed at this size: see --baseline-rounds)")
            continue
        baseline = timed(difflib_opcodes, old_lines, new_lines)
        print_comparison(
            f"LineMap of {size}",
            Row("LineMap (rapidfuzz Indel)", f"{mapped * 1000:,.1f} ms"),
            Row("difflib SequenceMatcher", f"{baseline * 1000:,.1f} ms", "LineMap's old matcher"),
            mapped / baseline,
            Target("under 100 ms, a keystroke's wait, at every size", mapped < 0.1),
            also=[Row("difflib / LineMap", f"{baseline / mapped:,.0f}x as long")],
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
