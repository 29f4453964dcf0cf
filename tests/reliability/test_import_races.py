"""Two imports at once end as they would one after the other: no tracebacks, no duplicates."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

from tests.reliability.conftest import connected, run_qualcode, start_qualcode

ROUNDS = 3
WORDS = "veileder handlingsplan kurs praksis selvtillit medvirkning måltall tiltak samtale jobb".split()


def write_round(folder: Path, round_number: int) -> tuple[Path, Path]:
    """A folder of interviews, and two files with one and the same text under different names."""
    folder.mkdir(parents=True)
    for number in range(5):
        words = " ".join(WORDS[(number + offset) % len(WORDS)] for offset in range(6))
        (folder / f"intervju_{round_number}_{number}.txt").write_text(
            f"---\nparticipant: R{round_number}D{number % 2}\nrole: deltaker\n---\n"
            f"I: Runde {round_number}, intervju {number}?\nD1: Det handlet om {words}.\n",
            encoding="utf-8",
        )
    same_text = f"I: Hva var viktigst i runde {round_number}?\nD1: At jeg ble hørt om kurset.\n"
    first, second = folder.parent / f"kopi_a_{round_number}.txt", folder.parent / f"kopi_b_{round_number}.txt"
    first.write_text(same_text, encoding="utf-8")
    second.write_text(same_text, encoding="utf-8")
    return first, second


def test_two_imports_of_one_folder_at_once(cli_project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, env = cli_project
    for round_number in range(ROUNDS):
        folder = tmp_path / f"runde{round_number}" / "intervjuer"
        first, second = write_round(folder, round_number)
        # Both import the same folder, then the same text under two names, started together.
        processes = [
            start_qualcode(["import", str(folder), str(copy), "--json"], env, cwd=root) for copy in (first, second)
        ]
        outcomes = [process.communicate(timeout=180) for process in processes]
        reports = []
        for process, (stdout, stderr) in zip(processes, outcomes, strict=True):
            assert "Traceback" not in stderr, stderr
            assert process.returncode == 0, stderr
            reports.append(json.loads(stdout))
        # Every file is imported by exactly one of the two; the other says it is already there.
        imported = sorted(item["name"] for report in reports for item in report["imported"])
        skipped = [item for report in reports for item in report["skipped"]]
        assert [name for name in imported if name.startswith("intervju_")] == [f"intervju_{round_number}_{n}" for n in range(5)]
        assert len([name for name in imported if name.startswith("kopi_")]) == 1, imported
        assert len(skipped) == 6, reports
        for item in skipped:
            assert "same text as transcript" in item["reason"] or "already present as transcript" in item["reason"], item
    with connected(root / ".qualcode" / "project.db") as connection:
        transcripts = connection.execute("SELECT count(*) FROM transcripts").fetchone()[0]
        texts = connection.execute("SELECT count(*), count(DISTINCT content_hash) FROM text_versions").fetchone()
        participants = connection.execute("SELECT name, count(*) FROM participants GROUP BY name HAVING count(*) > 1").fetchall()
        indexed = connection.execute("SELECT count(*) FROM search_index").fetchone()[0]
        turns = connection.execute("SELECT count(*) FROM turns").fetchone()[0]
    assert transcripts == ROUNDS * 6
    assert texts == (ROUNDS * 6, ROUNDS * 6)
    assert participants == []
    assert indexed == turns


def test_a_large_import_killed_midway_leaves_nothing_once_the_next_import_runs(
    cli_project: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A long transcript is written in steps; killed between them, it is never seen and is cleared next time."""
    root, env = cli_project
    rng = random.Random(5)
    lines = [f"{'I' if n % 2 == 0 else 'D1'}: {' '.join(rng.choice(WORDS) for _ in range(rng.randint(6, 30)))}.\n" for n in range(22_000)]
    large = tmp_path / "stort.txt"
    large.write_text("".join(lines), encoding="utf-8")
    assert large.stat().st_size > 2_100_000
    database = root / ".qualcode" / "project.db"
    importer = start_qualcode(["import", str(large)], env, cwd=root)
    staged = 0
    while importer.poll() is None and not staged:
        with connected(database) as connection:
            staged = connection.execute("SELECT count(*) FROM text_versions WHERE transcript_id < 0").fetchone()[0]
            seen = connection.execute("SELECT count(*) FROM transcripts").fetchone()[0]
        assert seen == 0  # nothing of it is a transcript before the last step
        time.sleep(0.01)
    importer.send_signal(signal.SIGKILL)
    importer.communicate(timeout=30)
    assert staged, "the import finished before it could be caught between its steps"
    small = tmp_path / "kort.txt"
    small.write_text("I: Hvordan gikk det?\nD1: Bra, jeg fikk praksis.\n", encoding="utf-8")
    result = run_qualcode(["import", str(small)], env, cwd=root)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    with connected(database) as connection:
        assert connection.execute("SELECT count(*) FROM text_versions WHERE transcript_id < 0").fetchone()[0] == 0
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("SELECT name FROM transcripts").fetchall() == [("kort",)]
        turns = connection.execute("SELECT count(*) FROM turns").fetchone()[0]
        assert connection.execute("SELECT count(*) FROM search_index").fetchone()[0] == turns == 2


def test_ctrl_c_during_a_batch_keeps_what_came_before_says_where_and_the_same_import_goes_on(
    cli_project: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A probe's Ctrl-C after 126 of 300 files printed only "Aborted!" (in a pipe, not one of the lines
    of the files imported): the batch now says what it kept and where it stopped, and exits 1."""
    root, env = cli_project
    rng = random.Random(7)
    folder = tmp_path / "mange"
    folder.mkdir()
    for number in range(150):  # enough that the batch is still going when it is interrupted, on a quick machine too
        said = " ".join(rng.choice(WORDS) for _ in range(150))
        (folder / f"f{number:03d}.txt").write_text(f"I: Fortell.\nD1: {said}.\n", encoding="utf-8")
    database = root / ".qualcode" / "project.db"
    importer = start_qualcode(["import", str(folder)], env, cwd=root)
    imported = 0
    while importer.poll() is None and imported < 2:
        with connected(database) as connection:
            imported = connection.execute("SELECT count(*) FROM transcripts").fetchone()[0]
        time.sleep(0.01)
    importer.send_signal(signal.SIGINT)
    out, err = importer.communicate(timeout=60)
    assert imported >= 2 and importer.returncode == 1, (importer.returncode, err)
    assert "Traceback" not in err and "interrupted at " in err and "the same import again goes on" in err, err
    with connected(database) as connection:
        kept = connection.execute("SELECT count(*) FROM transcripts").fetchone()[0]
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert f"{kept} imported, 0 already present, 0 failed" in err and out.count("imported f") == kept < 150
    for late in sorted(folder.iterdir())[kept + 2:]:  # the same import goes on: two more files are enough to see it
        late.unlink()
    again = run_qualcode(["import", str(folder)], env, cwd=root)
    assert again.returncode == 0 and f"2 imported, {kept} already present, 0 failed" in again.stderr, again.stderr


# Run in a process of its own: Ctrl-C reaches Python's main thread, which a test worker's may not be.
CTRL_C_AFTER_A_WRITE = """
import json, os, signal, sys
from pathlib import Path
import qualcode.importers.service as service
from qualcode.anonymise.service import create_key
from qualcode.store.models import Transcript
from qualcode.store.project import Project
from sqlalchemy import select

base = Path(sys.argv[1])
folder = base / "to"
folder.mkdir()
for name in ("a", "b"):
    (folder / f"{name}.txt").write_text(f"I: Fortell.\\nD1: Det var fint på kurset {name}.\\n", encoding="utf-8")
project = Project.create(base / "p")
access = create_key(project, base / "k.qckey", "test passphrase")
real_write, interrupted = service._write, []

def write_then_ctrl_c(*args, **kwargs):
    written = real_write(*args, **kwargs)
    if not interrupted:  # Ctrl-C pressed the moment the first file is written
        interrupted.append(written.name)
        os.kill(os.getpid(), signal.SIGINT)
    return written

service._write = write_then_ctrl_c
result = service.import_paths(project, [folder], access)
with project.begin() as session:
    stored = sorted(session.scalars(select(Transcript.name)))
print(json.dumps({"stored": stored, "imported": [i.name for i in result.imported],
                  "interrupted": result.interrupted and result.interrupted.name, "not_reached": result.not_reached}))
"""


def test_a_ctrl_c_just_after_a_file_is_written_counts_that_file_as_imported(tmp_path: Path) -> None:
    """A fresh clone's run said "3 imported" with four stored: a Ctrl-C between a file's commit and
    the batch's count of it. Pressed there, it is taken once the file is counted, and the batch
    stops at the next file."""
    import subprocess
    import sys

    ran = subprocess.run([sys.executable, "-c", CTRL_C_AFTER_A_WRITE, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"stored": ["a"], "imported": ["a"], "interrupted": "b.txt", "not_reached": 0}
