"""Every command end to end, as a researcher's shell runs it: start-up included.

Each figure is the median of several runs of a real `qualcode` process (after one untimed run),
printed next to a bare `python -c "import sqlite3"` start measured in the same run, and next to its
target. Beside it is a second baseline, a bare `python -c "import sqlalchemy.orm"`: the floor every
command that opens a project pays before any of qualcode runs, and what the command costs above it;
and SQLAlchemy imported as qualcode imports it, without the asyncio it never uses. Bytecode is cached as in an installed package (in a temporary PYTHONPYCACHEPREFIX, so
the source tree is left alone), even where PYTHONDONTWRITEBYTECODE is set: otherwise every start
would compile qualcode's modules again, which no researcher's installation does. The load average is
printed, since other work on the machine slows every figure.

Run: .venv/bin/python benchmarks/bench_cli.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Row, Target, print_comparison, sentence

TARGETS = {  # seconds, from the first field trial's issue
    "qualcode --version": 0.150,
    "status": 0.300,
    "export quotes --format csv (300 quotes)": 0.400,
    "export report (300 quotes)": 0.700,
    "import 19 files of ~500 words, pseudonymised": 1.500,
}


# SQLAlchemy imported as qualcode imports it, without asyncio and importlib.metadata.
SQLALCHEMY_AS_QUALCODE = "from qualcode.store.sqlalchemy_import import import_sqlalchemy; import_sqlalchemy()"


def timed(command: list[str], env: dict[str, str], runs: int, prepare: object = None) -> float:
    """Median wall time of `runs` runs of `command`, after one untimed run that fills the bytecode
    cache; `prepare` (a callable) runs untimed before each."""
    times = []
    for _ in range(runs + 1):
        if callable(prepare):
            prepare()
        started = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return statistics.median(times[1:])


def write_corpus(folder: Path, files: int, words: int, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        lines = [f"---\nparticipant: D{number:02d}\nrole: deltaker\nwave: T{1 + number % 2}\n---"]
        written = 0
        turn = 0
        while written < words:
            said = sentence(rng, 8, 25)
            written += len(said.split())
            speaker = "I" if turn % 2 == 0 else f"D{number:02d}"
            lines.append(f"{speaker}: {said} Jeg snakket med Kari Nordmann.\n")
            turn += 1
        (folder / f"intervju_{number:02d}.txt").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    qualcode = [sys.executable, "-m", "qualcode"]
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("QUALCODE_") and name != "PYTHONDONTWRITEBYTECODE"}
        env.update(HOME=str(root), XDG_CONFIG_HOME=str(root / ".config"), QUALCODE_KEY=str(root / "bench.qckey"),
                   QUALCODE_KEY_PASSPHRASE="benchmark passphrase", QUALCODE_CODER="Forsker 1",
                   PYTHONPYCACHEPREFIX=str(root / "pycache"))
        load_before = _load_average()
        project = root / "studie"

        def run(*args: str) -> None:
            result = subprocess.run([*qualcode, "--project", str(project), *args], env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"{' '.join(args)} failed: {result.stderr.strip()}")

        subprocess.run([*qualcode, "init", str(project)], env=env, check=True, capture_output=True)
        run("identifiers", "add", "Kari Nordmann", "--kind", "person", "--gender", "f")
        write_corpus(root / "corpus", 19, 500, rng)
        run("import", str(root / "corpus"))
        # 300 codings through the service, quicker to set up than 300 processes.
        from qualcode.coding.coders import get_or_create_coder
        from qualcode.coding.service import add_coding
        from qualcode.store.models import Code, Transcript
        from qualcode.store.project import Project

        with Project.open(project) as opened, opened.begin() as session:
            coder = get_or_create_coder(session, "Forsker 1")
            codes = [code.path for code in session.query(Code).all()]
            transcripts = session.query(Transcript).all()
            made = 0
            while made < 300:
                transcript = rng.choice(transcripts)
                assert transcript.current_version is not None
                turn = rng.choice(transcript.current_version.turns)
                try:
                    add_coding(session, transcript.name, rng.choice(codes), coder, start=turn.start, end=turn.end)
                    made += 1
                except Exception:  # the same turn and code twice: draw again
                    continue

        baseline = timed([sys.executable, "-c", "import sqlite3"], env, runs)
        # SQLAlchemy as it imports itself (the floor, as every session measured it), and as qualcode imports it, without
        # asyncio and importlib.metadata (store/sqlalchemy_import.py), to show what that saves of a bare start.
        orm_floor = timed([sys.executable, "-c", "import sqlalchemy.orm"], env, runs)
        orm_held = timed([sys.executable, "-c", SQLALCHEMY_AS_QUALCODE], env, runs)
        # What proposing identifiers loads besides: spaCy's rule-based Norwegian pipeline and wordfreq's list,
        # spaCy imported as qualcode imports it, without its command line (text/sentences.py).
        import_floor = timed([sys.executable, "-c", "import sqlalchemy.orm, wordfreq; from qualcode.text.sentences import "
                              "import_spacy; import_spacy(); import spacy; spacy.blank('nb'); wordfreq.zipf_frequency('kari', 'nb')"], env, runs)
        figures = {
            "qualcode --version": timed([*qualcode, "--version"], env, runs),
            "status": timed([*qualcode, "--project", str(project), "status"], env, runs),
            "export quotes --format csv (300 quotes)": timed(
                [*qualcode, "--project", str(project), "export", "quotes", "--format", "csv", "--output",
                 str(root / "sitater.csv"), "--force"], env, runs),
            "export report (300 quotes)": timed(
                [*qualcode, "--project", str(project), "export", "report", "--output", str(root / "rapport.docx"),
                 "--force"], env, runs),
        }
        fresh = root / "fersk"

        def new_project() -> None:
            subprocess.run(["rm", "-rf", str(fresh), str(root / "fersk.qckey")], check=True)
            fresh_env = dict(env, QUALCODE_KEY=str(root / "fersk.qckey"))
            subprocess.run([*qualcode, "init", str(fresh)], env=fresh_env, check=True, capture_output=True)
            subprocess.run([*qualcode, "--project", str(fresh), "identifiers", "add", "Kari Nordmann", "--kind",
                            "person"], env=fresh_env, check=True, capture_output=True)

        figures["import 19 files of ~500 words, pseudonymised"] = timed(
            [*qualcode, "--project", str(fresh), "import", str(root / "corpus")],
            dict(env, QUALCODE_KEY=str(root / "fersk.qckey")), runs, prepare=new_project,
        )
    print(f"load average (1, 5, 15 min) before: {load_before}, after: {_load_average()} on {os.cpu_count()} cores")
    bare_start = Row("python -c 'import sqlite3'", f"{baseline * 1000:7.0f} ms", "a bare start")
    for name, seconds in figures.items():
        opens_project = name != "qualcode --version"
        floor, what = (import_floor, "import sqlalchemy.orm, spacy (no CLI), wordfreq") if name.startswith("import") else (
            orm_floor, "import sqlalchemy.orm")
        print_comparison(
            f"qualcode {name}" if not name.startswith("qualcode") else name,
            Row("qualcode", f"{seconds * 1000:7.0f} ms", f"median of {runs}"), bare_start, seconds / baseline,
            Target(f"at most {TARGETS[name] * 1000:.0f} ms", seconds <= TARGETS[name]),
            also=[
                Row(what, f"{floor * 1000:7.0f} ms",
                    "second baseline, a bare start importing it: the floor of every command that opens a project"
                    + (" and pseudonymises" if floor is import_floor else "")),
                Row("above that floor", f"{(seconds - floor) * 1000:+7.0f} ms"),
                Row("import sqlalchemy.orm, held", f"{orm_held * 1000:7.0f} ms", "as qualcode imports it, without asyncio and importlib.metadata"),
            ] if opens_project else [
                Row("import sqlalchemy.orm", f"{orm_floor * 1000:7.0f} ms", "second baseline: not paid, --version opens no project"),
            ],
        )


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
