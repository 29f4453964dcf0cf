"""Two imports at once end as they would one after the other: no tracebacks, no duplicates."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.reliability.conftest import start_qualcode

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
            assert "same text as transcript" in item["reason"], item
    with sqlite3.connect(root / ".qualcode" / "project.db") as connection:
        transcripts = connection.execute("SELECT count(*) FROM transcripts").fetchone()[0]
        texts = connection.execute("SELECT count(*), count(DISTINCT content_hash) FROM text_versions").fetchone()
        participants = connection.execute("SELECT name, count(*) FROM participants GROUP BY name HAVING count(*) > 1").fetchall()
        indexed = connection.execute("SELECT count(*) FROM search_index").fetchone()[0]
        turns = connection.execute("SELECT count(*) FROM turns").fetchone()[0]
    assert transcripts == ROUNDS * 6
    assert texts == (ROUNDS * 6, ROUNDS * 6)
    assert participants == []
    assert indexed == turns
