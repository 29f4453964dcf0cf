"""The terminal UI keeps coding while another process imports a large transcript."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from textual.widgets import DataTable, Static

from qualcode.tui.screens.reader import ReaderScreen
from tests.conftest import open_tui
from tests.reliability.conftest import connected, run_qualcode, start_qualcode

WORDS = (
    "jeg du vi det er var har kan skal ikke så og men at som på i med for til fra om "
    "veileder deltaker program kurs praksis tiltak plan møte samtale jobb tid hverdag "
    "medvirkning hørt valg selvtillit mestring ansvar måltall kvote press kontor"
).split()
TURNS = 80


def interview(turns: int, seed: int) -> str:
    """Interview-shaped text with no capitalised word inside a sentence, so nothing waits for review."""
    rng = random.Random(seed)
    lines = []
    for turn in range(turns):
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 40))]
        lines.append(f"{'I' if turn % 2 == 0 else 'D1'}: {' '.join(words).capitalize()}.\n")
    return "".join(lines)


def coded_passages(root: Path) -> int:
    with connected(root / ".qualcode" / "project.db") as connection:
        return int(connection.execute("SELECT count(*) FROM codings").fetchone()[0])


async def test_the_tui_codes_while_a_large_file_imports(cli_project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, env = cli_project
    (tmp_path / "samtale.txt").write_text(interview(TURNS, 1), encoding="utf-8")
    assert run_qualcode(["import", str(tmp_path / "samtale.txt")], env, cwd=root).returncode == 0
    big = tmp_path / "stor.txt"
    big.write_text(interview(9_000, 2), encoding="utf-8")  # about 1.5 MB: a few seconds of import to code during
    importer = None
    try:
        app = open_tui(root, key=Path(env["QUALCODE_KEY"]))
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            table.move_cursor(row=table.get_row_index("samtale"))
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            # Started once the reader is open: on a loaded machine the UI's own start could
            # otherwise take as long as the whole import, leaving nothing to code during it. A
            # fresh process, as the UI holds the database open and a fork would share that.
            importer = start_qualcode(["import", str(big)], env, cwd=root, fresh=True)
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            coded = 0
            # Code one turn after another for as long as the import runs, so some coding
            # falls into the import's write.
            while importer.poll() is None:
                assert coded < TURNS // 2, "the import took longer than the turns there are to code"
                await pilot.press("right_square_bracket", "right_square_bracket", "V", "c", "m")
                await app.workers.wait_for_complete()
                await pilot.pause()
                status = str(reader.query_one("#status", Static).render())
                coded += 1
                assert status.startswith("coded"), status
                assert coded_passages(root) == coded
                await asyncio.sleep(0.2)
    finally:
        if importer is not None:
            stdout, stderr = importer.communicate(timeout=300)
    assert importer is not None and importer.returncode == 0, stderr
    assert "imported stor" in stdout
    assert coded >= 3
