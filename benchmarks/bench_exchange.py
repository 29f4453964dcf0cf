"""REFI-QDA project exchange (.qdpx) of a coded project of about one million words: 220 transcripts,
50,000 codings by 3 coders over 40 codes (the project bench_analysis.py builds, reused if built).

Each figure is printed next to zipping the same texts as .txt files with zipfile (deflated, no XML)
measured in the same run: the least any .qdpx of these texts can cost.
- export: the service call `qualcode export qdpx` makes (build, validate against Project.xsd, leak
  check, write), and once the whole command in a process of its own;
- import into a new, empty project: the service call `qualcode import FILE.qdpx` makes, with the
  same pseudonymisation as any import (spaCy's proposals included). The key holds the decisions
  about the possible identifiers the texts bring (dismissed once, untimed, as a reviewer would), so
  nothing is held back. Beside it, as a second baseline, the same texts imported as .txt files into
  a new project: the pseudonymisation, turns and search index every import pays;
- merging the file into the project it came from: everything is there already, nothing is added.

The project is copied to a temporary directory and given a key there, so the cached one is left as
it was.

Run: .venv/bin/python benchmarks/bench_exchange.py [--words 1000000] [--transcripts 220] [--codings 50000]
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analysis import CODERS, bench_project, figures, project_arguments, timed  # noqa: E402
from common import Row, Target, print_comparison  # noqa: E402

from qualcode.anonymise.service import create_key  # noqa: E402
from qualcode.config import Config  # noqa: E402
from qualcode.errors import NeedsReview  # noqa: E402
from qualcode.store.project import Project  # noqa: E402
from qualcode.workspace import Workspace  # noqa: E402

TRIES = 3
PASSPHRASE = "benchmark passphrase"
TARGET_SECONDS = 10.0


def config(root: Path, home: Path) -> Config:
    return Config(project=root, coder=CODERS[0], key=root.parent / f"{root.name}.qckey", passphrase=PASSPHRASE,
                  config_home=home)


def new_project(root: Path, home: Path, dismissed: list[str]) -> Config:
    """An empty project with a key that already holds the reviewer's decisions."""
    shutil.rmtree(root, ignore_errors=True)
    setting = config(root, home)
    assert setting.key is not None
    setting.key.unlink(missing_ok=True)
    with Project.create(root) as project:
        access = create_key(project, setting.key, PASSPHRASE)
        with access.editing() as key:
            key.dismissed = list(dismissed)
    return setting


def zip_texts(texts: list[tuple[str, str]]) -> bytes:
    """The baseline: the stored texts as .txt members of a deflated zip, with no XML."""
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for guid, text in texts:
            archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    return package.getvalue()


def main() -> int:
    parser = project_arguments(__doc__)
    parser.add_argument("--no-txt-import", action="store_true", help="skip the second baseline (the .txt import, ~30 s)")
    args = parser.parse_args()

    from qualcode.exchange.project_export import export_qdpx

    cached, _, _ = bench_project(args.words, args.transcripts, args.codings, args.top_codes)
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-exchange-") as temporary:
        work = Path(temporary)
        home = work / "config"
        source = work / "studie"
        shutil.copytree(cached, source)
        setting = config(source, home)
        with Project.open(source) as project:
            assert setting.key is not None
            create_key(project, setting.key, PASSPHRASE)
            database = project.database
        connection = sqlite3.connect(database)
        texts = connection.execute(
            "SELECT t.guid, v.text FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id ORDER BY t.id"
        ).fetchall()
        connection.close()

        zipped = timed(lambda: zip_texts(texts), TRIES)
        size = len(zip_texts(texts))
        zip_row = Row("zipfile, texts only", figures(*zipped), f"{len(texts)} .txt files, {size / 1e6:.1f} MB, no XML")

        exported = work / "studie.qdpx"

        def export() -> None:
            with Workspace.open(setting) as workspace:
                key = workspace.leak_check_key()
                with workspace.begin() as session:
                    export_qdpx(session, workspace.root, exported, True, key)

        first, median, cpu = timed(export, TRIES)
        print_comparison(
            f"export qdpx (service call: build, validate, leak check, write; {exported.stat().st_size / 1e6:.1f} MB)",
            Row("export qdpx", figures(first, median, cpu)), zip_row, median / zipped[1],
            Target(f"at most {TARGET_SECONDS:.0f} s", median <= TARGET_SECONDS),
        )

        env = {name: value for name, value in os.environ.items() if not name.startswith("QUALCODE_")}
        env.update(HOME=str(work), XDG_CONFIG_HOME=str(home), QUALCODE_PROJECT=str(source), QUALCODE_KEY=str(setting.key),
                   QUALCODE_KEY_PASSPHRASE=PASSPHRASE, QUALCODE_CODER=CODERS[0])
        command = [sys.executable, "-m", "qualcode", "export", "qdpx", str(work / "cli.qdpx"), "--force"]
        started, cpu_started = time.perf_counter(), _children_cpu()
        ran = subprocess.run(command, env=env, capture_output=True, text=True)
        whole, whole_cpu = time.perf_counter() - started, _children_cpu() - cpu_started
        if ran.returncode != 0:
            raise SystemExit(f"qualcode export qdpx failed: {ran.stderr.strip()}")
        print_comparison(
            "qualcode export qdpx (the whole command, in a process of its own, once)",
            Row("qualcode export qdpx", f"wall {whole * 1000:9.1f} ms   cpu {whole_cpu * 1000:9.1f} ms"), zip_row,
            whole / zipped[1], Target(f"at most {TARGET_SECONDS:.0f} s", whole <= TARGET_SECONDS),
        )

        # The reviewer's decisions: whatever the texts bring for review is dismissed, once, untimed.
        dismissed = review(new_project(work / "review", home, []), exported)
        print(f"\nreview before import: {len(dismissed)} possible identifiers dismissed in the new projects' keys")

        walls, cpus = [], []
        for number in range(TRIES):  # each into a project of its own, made untimed
            target = new_project(work / f"ny-{number}", home, dismissed)
            started, cpu_started = time.perf_counter(), time.process_time()
            with Workspace.open(target) as workspace:
                done = workspace.import_qdpx(exported)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu_started)
            assert done.codings_added == args.codings and len(done.imported) == len(texts), done
        imported = (walls[0], statistics.median(walls), statistics.median(cpus))
        also = []
        if not args.no_txt_import:
            floor = txt_import(work, home, texts, dismissed)
            also.append(Row("the same texts as .txt", f"wall {floor[0] * 1000:9.1f} ms   cpu {floor[1] * 1000:9.1f} ms",
                            "second baseline: import_paths into a new project, pseudonymise, turns, index; once"))
        print_comparison(
            "import FILE.qdpx into a new, empty project (service call: read, pseudonymise, write; the same key decisions)",
            Row("import qdpx", figures(*imported)), zip_row, imported[1] / zipped[1],
            Target(f"at most {TARGET_SECONDS:.0f} s", imported[1] <= TARGET_SECONDS),
            also=also,
        )

        def merge() -> None:
            with Workspace.open(setting) as workspace:
                done = workspace.import_qdpx(exported)
            assert done.codings_added == 0 and not done.imported and done.codings_present == args.codings, done

        first, median, cpu = timed(merge, TRIES)
        print_comparison(
            "merge FILE.qdpx into the project it came from (everything already there: nothing added)",
            Row("import qdpx (merge)", figures(first, median, cpu)), zip_row, median / zipped[1],
            Target(f"at most {TARGET_SECONDS:.0f} s", median <= TARGET_SECONDS),
        )
    return 0


def review(setting: Config, exported: Path) -> list[str]:
    """Import once into a scratch project; the possible identifiers it holds back are dismissed."""
    with Workspace.open(setting) as workspace:
        try:
            workspace.import_qdpx(exported)
        except NeedsReview:
            pass
        return [candidate.text for candidate in workspace.key_access().load_existing().pending]


def txt_import(work: Path, home: Path, texts: list[tuple[str, str]], dismissed: list[str]) -> tuple[float, float]:
    """The second baseline: the same texts imported as .txt files, as any import pays for them."""
    from qualcode.importers.service import import_paths

    folder = work / "txt"
    folder.mkdir()
    for number, (_, text) in enumerate(texts):
        (folder / f"intervju_{number:03d}.txt").write_text(text, encoding="utf-8")
    setting = new_project(work / "txt-import", home, dismissed)
    assert setting.key is not None and setting.project is not None
    with Project.open(setting.project) as project:
        with Workspace.open(setting) as workspace:
            access = workspace.key_access()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = import_paths(project, [folder], access, coder_name=CODERS[0])
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    assert len(result.imported) == len(texts), result.failed
    return seconds, cpu


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


if __name__ == "__main__":
    raise SystemExit(main())
