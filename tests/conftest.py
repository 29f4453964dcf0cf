"""Fresh real projects per test, made through the real migration path, and builders."""

from __future__ import annotations

import asyncio
import fcntl
import gc
import hashlib
import importlib
import io
import json
import os
import random
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy.orm import Session
from textual import _wait
from textual import app as textual_app
from textual import screen as textual_screen

from qualcode.anonymise import key as key_file
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess, create_key, dismiss
from qualcode.codebook.service import apply_codebook
from qualcode.codebook.shipped import KVP_CODEBOOK
from qualcode.codebook.yaml_format import load_codebook
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.importers.metadata import import_identifiers, import_participants
from qualcode.importers.service import ImportedTranscript, ImportOptions, import_file
from qualcode.store import settings as project_settings
from qualcode.store.models import Coder
from qualcode.store.project import Project
from qualcode.store.settings import set_setting

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot
    from textual.widget import Widget

    from qualcode.tui.app import QualcodeApp

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "transcripts"
MATPLOTLIB_DIR = Path(tempfile.gettempdir()) / f"qualcode-tests-matplotlib-{os.getuid()}"
PRODUCTION_SCRYPT_N = key_file.SCRYPT_N
# Keys made by the tests cost the least a key file may declare (2**14, half the default): the
# suite unlocks hundreds of keys, and the derivation is the same code at any cost.
# test_anonymise.py checks that a key made outside the tests costs the default.
key_file.SCRYPT_N = 2**14
# And they share one salt: each file still carries its own salt and is decrypted with it, but a
# test process then derives "test passphrase" once, as a researcher's process derives its one key
# once (key._derived), where each key file the tests make cost a derivation of its own (143 in a
# run, about 5 s of CPU).
_TEST_SALT = bytes(range(16))
key_file.new_salt = lambda: _TEST_SALT

# Textual's Pilot waits for the app to fall idle after each key press (twice) and each pause by
# sleeping in steps of 20 ms and calling a step idle when the process used under 5 % of it, and
# the screen draws what changed every 1/60 s. The TUI tests spent about 70 % of their time
# asleep (test_tui.py alone: 52 s of wall, 15 s of CPU). Steps of 8 ms under the same 5 % rule,
# with the screen drawn every 8 ms so a step still outlasts a frame, take most of that back
# (33 s of wall, 18 s of CPU; steps of 4 ms drew more frames for no less wall, 12 ms waited
# longer). The app's own work and the tests' waits on it (settle, until_shown) are unchanged.
_wait.SLEEP_GRANULARITY = 0.008
_wait.SLEEP_IDLE = _wait.SLEEP_GRANULARITY / 20
textual_screen.UPDATE_PERIOD = _wait.SLEEP_GRANULARITY


async def _key_handled(min_sleep: float = 0, max_sleep: float = 1) -> None:
    """Textual's wait for idle (textual._wait) as a key press waits, in steps of 4 ms with the same
    0.4 ms of CPU for idle. A step after a key mostly finds the key handled, and the compulsory
    first step was half of every press's wait (907 keys in test_tui.py, 2 steps each): test_tui.py
    alone 60 -> 47 s of wall, the UI tests under three workers 41 -> 37 s, the CPU the same. A
    pause (settle, until_shown) still waits in steps of 8 ms that outlast a frame, and then draws
    the screen, so what a test reads after settling is drawn as before."""
    start = time.monotonic()
    while True:
        cpu = time.process_time()
        await asyncio.sleep(0.004)
        elapsed = time.monotonic() - start
        if elapsed >= max_sleep or (elapsed > min_sleep and time.process_time() - cpu < _wait.SLEEP_IDLE):
            return


textual_app.wait_for_idle = _key_handled  # what App._press_keys calls; Pilot.pause calls its own


def _share_compiled_statements() -> None:
    """Let every project's engine in a test process use one dialect and one cache of compiled SQL.

    SQLAlchemy compiles a statement once per engine and keys what it compiled by the dialect
    object. A researcher's command opens one engine; the suite opens about 1,300, one or more per
    test, and each compiled the same statements again: about a fifth of the CPU of the tests that
    work on projects in process (tests/test_cli.py and four others: 19-22 s, 15.7 s shared), and
    105 s of wall for `make test` against 111 s, run after run. Every project engine is pysqlite
    with the same settings, so the SQL is the same text; it still runs on each test's own real
    SQLite file. The dialect is initialised once, on an in-memory database, as the first
    connection of any engine would.
    """
    from sqlalchemy import create_engine

    from qualcode.store import project as store_project

    shared = create_engine("sqlite://", query_cache_size=5000)
    with shared.connect():
        pass
    made = store_project.create_engine

    def sharing(*args: Any, **kwargs: Any) -> Any:
        engine = made(*args, **kwargs)
        engine.dialect, engine._compiled_cache = shared.dialect, shared._compiled_cache
        return engine

    store_project.create_engine = sharing  # type: ignore[assignment]


_share_compiled_statements()


def pytest_sessionstart(session: pytest.Session) -> None:
    """In a worker of a whole run, import the test files before collecting them, starting at this
    worker's share of the list. pytest rewrites each test file's asserts on its first import and
    caches the result, about 3 s of CPU for all of them; the workers start together and collect
    in one order, so on a fresh clone each rewrote every file (10 s of CPU, before any test ran).
    Started at different places, each rewrites its share and finds the others' cached."""
    worker, count = os.environ.get("PYTEST_XDIST_WORKER", ""), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if not worker.startswith("gw") or count < 2 or any(Path(arg).resolve() != REPO / "tests" for arg in session.config.args):
        return
    names = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts) for path in (REPO / "tests").rglob("test_*.py")
    )
    first = int(worker[2:]) * len(names) // count
    for name in names[first:] + names[:first]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - collection imports it again and reports the error
            continue


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Spread the tests that mostly wait through the run, between the others. A UI test spends
    about two thirds of its time waiting for the app to settle, and the reliability tests wait on
    the processes they start, on locks and on timeouts. Collected in file order, they came first
    and last, so the run began and ended with every worker waiting and a core idle; between the
    others, their waits leave the core to a worker with work to do. A file of independent UI
    tests is spread test by test; any other file moves whole and keeps its order, so its module
    fixtures are built once per worker as before."""
    tests: list[list[pytest.Item]] = []
    files: dict[Path, list[pytest.Item]] = {}
    others = []
    for item in items:
        if item.path.name in SPREAD_TESTS:
            tests.append([item])
        elif item.path.name in SPREAD_FILES or item.path.parent.name == "reliability":
            files.setdefault(item.path, []).append(item)
        else:
            others.append(item)
    boundaries = [index for index in range(1, len(others)) if others[index].path != others[index - 1].path]
    slots: dict[int, list[pytest.Item]] = {}
    for units in (list(files.values()), tests):  # each kind evenly over the whole run
        for number, unit in enumerate(units):
            target = (number + 0.5) * len(others) / len(units)
            slots.setdefault(min(boundaries, key=lambda boundary: abs(boundary - target), default=0), []).extend(unit)
    items[:] = [item for index, other in enumerate(others) for item in (*slots.get(index, ()), other)] or items


# Files of independent UI tests (no module fixtures), spread test by test; files that mostly wait,
# spread whole, as are the reliability tests (tests/reliability/).
SPREAD_TESTS = {"test_tui.py", "test_tui_loop.py", "test_tui_typed_ahead.py"}
SPREAD_FILES = {"test_tui_snapshots.py", "test_framework.py", "test_analysis_tui.py", "test_blind.py", "test_review_roundtrip.py"}


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what the imports and the collection made out of the collector, and collect the young
    generation less often, as `qualcode.cli.main` does for a command: each worker holds SQLAlchemy,
    spaCy, Textual and every test module, and a full collection walked all of it again and again
    (about a tenth of the suite's CPU, measured over the whole suite: 210 s against 236 s)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


# What a selection of no passages is refused with (coding.passages.nothing_selected, or a coder
# named who has coded nothing): a pattern for pytest.raises(match=...), as the words depend on the
# selection drawn.
EMPTY_SELECTION = r"^(the project has no codings yet|the selection matches no quotes|no quotes match |no codings by )"


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """A template directory built by whichever test process asks first and reused by the others
    (pytest-xdist's recipe for session data), so each worker does not build it again. `build`
    fills an empty directory; tests copy what it holds and never change it."""
    run_root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_root = run_root.parent  # the run's directory, which every worker's lies in
    target = run_root / f"shared-{name}"
    with open(run_root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".built").exists():
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            with pytest.MonkeyPatch.context() as monkeypatch:
                draw_from(monkeypatch, f"template {name}")  # the same draws in every run, whoever builds it
                build(target)
            (target / ".built").touch()
    return target


def idle(pid: int) -> bool:
    """Whether the process used no CPU for a while: started, and now waiting (for a lock)."""
    def used() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks

    before = used()
    time.sleep(0.3)
    return used() <= before + 1


def isolate_user(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Point any user-level configuration at `home`, and clear what a researcher's shell may set."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    # matplotlib keeps its font list under HOME: each fresh HOME would build it again (about 1 s a
    # test that draws a figure). One directory for the tests' runs, not the researcher's.
    monkeypatch.setenv("MPLCONFIGDIR", str(MATPLOTLIB_DIR))
    monkeypatch.delenv("QUALCODE_CODER", raising=False)
    monkeypatch.delenv("QUALCODE_PROJECT", raising=False)
    monkeypatch.delenv("QUALCODE_SPACY_MODEL", raising=False)
    monkeypatch.delenv("QUALCODE_KEY", raising=False)
    monkeypatch.setenv("QUALCODE_KEY_PASSPHRASE", "test passphrase")


@pytest.fixture(autouse=True)
def isolated_user(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point any user-level configuration at a temporary directory. (mkdtemp, not mktemp: mktemp
    lists the whole base directory to number its folders, and every test makes one.)"""
    isolate_user(monkeypatch, Path(tempfile.mkdtemp(prefix="home-", dir=tmp_path_factory.getbasetemp())))


@pytest.fixture(autouse=True)
def fixed_draws(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's new key secrets and project GUIDs follow from the test's name (`draw_from`)."""
    draw_from(monkeypatch, request.node.nodeid)


def random_draws() -> bool:
    """Whether this run draws at random (QUALCODE_TEST_RANDOM_DRAWS=1), the shared templates too."""
    return os.environ.get("QUALCODE_TEST_RANDOM_DRAWS") == "1"


def draw_from(monkeypatch: pytest.MonkeyPatch, seed: str) -> None:
    """Make the key secrets and project GUIDs (from which pseudonyms are drawn) made in this process follow
    from `seed`: the same draws in every run, a different one for each key or project made. A test's
    invented name that met a random draw failed one run in 25 to 80, a different test each time.
    Tests of the draws' variety loop over many keys; QUALCODE_TEST_RANDOM_DRAWS=1 draws at random, to
    look for a draw that breaks a test (README, Developing). Processes a test starts draw at random."""
    if random_draws():
        return
    draws = random.Random(seed)
    monkeypatch.setattr(key_file, "new_secret", lambda: draws.randbytes(16).hex())
    monkeypatch.setattr(project_settings, "new_project_guid", lambda: str(uuid.UUID(int=draws.getrandbits(128), version=4)))


@pytest.fixture(autouse=True)
def not_looking_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """The terminal UI looks for other sessions' changes only in the tests of that (test_tui_elsewhere.py
    sets its own interval): elsewhere a look landing between a command run beside the UI and the keys
    pressed next would make what a test sees a matter of timing."""
    from qualcode.tui import elsewhere

    monkeypatch.setattr(elsewhere, "CHECK_SECONDS", 3600.0)


@pytest.fixture
def seldom(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader does not look by its timer whether its text is still the one shown: a test of what a
    key finds when it acts on a rewritten text. With the 2 s timer, a look landing between the rewrite
    and the key showed the new text first, and the key then coded it (2 runs in 6 on a loaded machine)."""
    import qualcode.tui.screens.reader as reader_module

    monkeypatch.setattr(reader_module, "TEXT_CHECK_SECONDS", 3600.0)


@pytest.fixture
def often(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader looks whether its text is still the one shown every tenth of a second, not every
    2 s: the same look, by the same timer, sooner."""
    import qualcode.tui.screens.reader as reader_module

    monkeypatch.setattr(reader_module, "TEXT_CHECK_SECONDS", 0.1)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project migrated from empty with the KVP codebook, copied for each test."""
    def build(base: Path) -> None:
        with Project.create(base / "project") as project, project.begin() as session:
            apply_codebook(session, load_codebook(KVP_CODEBOOK))

    return built_once(tmp_path_factory, "migrated", build) / "project"


# Fixed project GUIDs for the templates, from which (with a key's secret made from them) the pseudonyms are drawn:
# the same draws in every run (see `fix_draws`).
DEMO_GUID = "7d3e1a52-9b0c-4c51-8f2e-2a6b4d9c0e17"
SAMPLES_GUID = "2c9f4b7e-61a3-4d08-b5e2-9e7a1c3f8d40"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, made by `make demo`'s steps through the CLI, and its key beside it: built once."""
    from click.testing import CliRunner

    from qualcode.cli import cli

    def build(base: Path) -> None:
        root = base / "demo"
        steps = [
            ["init", str(root)], ["identifiers", "import", str(SAMPLES / "identifiers.csv")],
            ["anonymise", "dismiss", "Norge", "Varighet"], ["participants", "import", str(SAMPLES / "participants.csv")],
            ["import", str(SAMPLES)],
        ]
        with pytest.MonkeyPatch.context() as monkeypatch:
            isolate_user(monkeypatch, base / "home")
            monkeypatch.setenv("QUALCODE_KEY", str(base / "demo-key" / "demo.qckey"))
            for args in steps:
                arguments = args if args[0] == "init" else ["--project", str(root), *args]
                result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
                assert result.exit_code == 0, (args, result.output)
                if args[0] == "init":
                    fix_draws(root, base / "demo-key" / "demo.qckey", DEMO_GUID)

    return built_once(tmp_path_factory, "demo", build)


def fix_draws(root: Path, key_path: Path, guid: str) -> None:
    """Give a new, empty project a fixed GUID, and its key a secret made from it: the pseudonyms the
    key draws (from both) are then the same in every run. A test's invented name that meets a random
    draw failed one run in three; the draws' variety is tried by tests that loop over many seeds."""
    if random_draws():
        return
    with Project.open(root) as project, project.begin() as session:
        set_setting(session, "project.guid", guid)
    key = key_file.load_key(key_path, "test passphrase")
    key.project_guid = guid
    key.deny_salt = hashlib.sha256(guid.encode()).hexdigest()[:32]
    key_file.save_key(key_path, key, "test passphrase")


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_template: Path) -> Path:
    """A copy of the demo project and of its key (tmp_path/demo-key/demo.qckey) for one test, which may change either."""
    shutil.copytree(demo_template / "demo", tmp_path / "demo")
    shutil.copytree(demo_template / "demo-key", tmp_path / "demo-key")
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "demo-key" / "demo.qckey"))
    return tmp_path / "demo"


def coded_demo(demo_template: Path, base: Path, codings: dict[str, list[tuple[str, str, str]]]) -> tuple[Path, dict[str, str]]:
    """A copy of the demo project and its key in `base`, coded by each coder as `codings` says
    (transcript, code, quote), and the environment to run commands on it."""
    shutil.copytree(demo_template / "demo", base / "demo")
    shutil.copytree(demo_template / "demo-key", base / "demo-key")
    env = {"QUALCODE_KEY": str(base / "demo-key" / "demo.qckey"), "QUALCODE_KEY_PASSPHRASE": "test passphrase",
           "HOME": str(base / "home"), "XDG_CONFIG_HOME": str(base / "home" / ".config")}
    with Project.open(base / "demo") as project, project.begin() as session:
        for name, coded in codings.items():
            coder = get_or_create_coder(session, name)
            for transcript, code, quote in coded:
                add_coding(session, transcript, code, coder, match=quote)
    return base / "demo", env


@pytest.fixture
def project(tmp_path: Path, migrated_template: Path) -> Iterator[Project]:
    root = tmp_path / "project"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as opened:
        yield opened


@pytest.fixture
def session(project: Project) -> Iterator[Session]:
    with project.begin() as opened:
        yield opened


@pytest.fixture
def coder(session: Session) -> Coder:
    return get_or_create_coder(session, "Forsker 1")


@pytest.fixture
def key_access(tmp_path: Path, project: Project) -> KeyAccess:
    """A real encrypted key file for the project, outside it, made as `init` makes it."""
    return create_key(project, tmp_path / "keys" / "test.qckey", "test passphrase")


def holds_word(data: bytes, word: str) -> bool:
    """Whether `word` is in `data` (a database's bytes) as a word, not as a part of one: a pseudonym differs from the
    others only by more than a letter or two at its end, so a drawn "Eli" is in another's "Jonas Eliassen", a drawn
    "Jens" in "Roy Jenssen", and "Ann" in a coder's "Anne"."""
    letter = rb"[\w\x80-\xff]"  # a byte of a letter in UTF-8 too ("Åse")
    return re.search(b"(?<!" + letter + b")" + re.escape(word.encode()) + b"(?!" + letter + b")", data) is not None


def make_transcript(
    session: Session, directory: Path, text: str, name: str = "intervju", suffix: str = ".txt",
    key: PseudonymKey | None = None, **options: object,
) -> ImportedTranscript:
    """Write `text` to a file and import it, as a researcher would."""
    path = directory / f"{name}{suffix}"
    path.write_text(text, encoding="utf-8")
    return import_file(session, path, ImportOptions(**options), key=key or PseudonymKey("test"))  # type: ignore[arg-type]


def packed_bomb(package: bytes, target: Path, part: str, before: bytes, unit: bytes, repeats: int) -> Path:
    """A copy of the zip `package` whose `part` holds `unit` `repeats` times just before `before`:
    a small file that unpacks to far more, written as it packs, never held whole."""
    with zipfile.ZipFile(io.BytesIO(package)) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename != part:
                copy.writestr(item, data)
                continue
            head, tail = data.split(before, 1)
            with copy.open(part, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(repeats // 10_000):
                    member.write(unit * 10_000)
                member.write(unit * (repeats % 10_000) + before + tail)
    return target


INTERVIEW = """I: Hvordan kom du inn i programmet?
D1: Veilederen foreslo det. Jeg fikk være med og bestemme handlingsplanen.

I: Hva betydde det?
D1: Jeg fikk mer selvtillit. Det var typisk meg å tvile, men nå tror jeg på meg selv.
"""


def sample_key(key: PseudonymKey) -> PseudonymKey:
    """The decisions a researcher makes for the sample transcripts: their known names, and two dismissals."""
    import_identifiers(key, SAMPLES / "identifiers.csv")
    for word in ("Norge", "Varighet"):
        dismiss(key, word)
    return key


def import_samples(project: Project, key: PseudonymKey) -> None:
    """The sample participants and three sample transcripts, imported with `key`: what the TUI tests read."""
    with project.begin() as session:
        import_participants(session, SAMPLES / "participants.csv")
        for name in ("leder_L1.txt", "veileder_V1.txt", "deltaker_D1_T1.txt"):
            import_file(session, SAMPLES / name, key=key)


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Path:
    """The samples imported into a project with a real key file (keys/samples.qckey beside it): built once."""
    # Drawn at random with QUALCODE_TEST_RANDOM_DRAWS=1, as the demo is (fix_draws); a snapshot's template keeps its GUID.
    guid = None if random_draws() else SAMPLES_GUID
    return built_once(tmp_path_factory, "samples", partial(build_samples, migrated_template, "samples", guid=guid))


def build_samples(migrated_template: Path, key_name: str, base: Path, guid: str | None = None) -> None:
    """Fill `base` with a project of the imported samples and, beside it, keys/`key_name`.qckey; a
    fixed project `guid` makes the key's pseudonyms the same every run (the key's secret, which they are
    drawn from, is then made from it too)."""
    shutil.copytree(migrated_template, base / "project")
    with Project.open(base / "project") as project:
        if guid is not None:
            with project.begin() as session:
                set_setting(session, "project.guid", guid)
        access = create_key(project, base / "keys" / f"{key_name}.qckey", "test passphrase")
        key = access.load_existing()
        if guid is not None:
            key.deny_salt = hashlib.sha256(guid.encode()).hexdigest()[:32]
        key = sample_key(key)
        access.save(key)
        import_samples(project, key)
        access.save(key)


@pytest.fixture
def sample_project(project: Project, sample_template: Path) -> Path:
    """The samples imported into a project with a real key file (so memos can be written), closed again.

    It takes the place of `project`, whose copy of the empty project is closed and replaced, and
    its key lies at keys/samples.qckey beside it, where the project is told to find it."""
    return replace_project(project, sample_template)


def replace_project(project: Project, template: Path) -> Path:
    """Close `project` and put a copy of `template`/project in its place, with a copy of
    `template`/keys (if any) beside it, where the project is told to find its key."""
    root = project.root
    project.close()
    shutil.rmtree(root)
    shutil.copytree(template / "project", root)
    if (template / "keys").is_dir():
        shutil.copytree(template / "keys", root.parent / "keys")
        [key] = (root.parent / "keys").glob("*.qckey")
        with Project.open(root) as opened, opened.begin() as session:
            set_setting(session, "key.path", str(key.resolve()))
    return root


async def settle(pilot: Pilot[None], rounds: int = 1, pauses: int = 1) -> None:
    """Let the app's background work finish and the screen catch up, `rounds` times (a result may
    start more work, which starts only when the one before is handled), pausing `pauses` times
    after each. A DirectoryTree's loader waits for folders to open and never ends: not waited for.
    A read superseded by a newer one of its group is cancelled while waited for (Textual then
    raises WorkerCancelled): its result is dropped, so there is nothing of it to wait for."""
    from textual.worker import WorkerCancelled

    for _ in range(rounds):
        working = [worker for worker in pilot.app.workers if worker.group != "_loader"]
        if working:  # an empty list would mean every worker
            try:
                await pilot.app.workers.wait_for_complete(working)
            except WorkerCancelled:
                pass
        for _ in range(pauses):
            await pilot.pause()


def screen_text(app: App[Any]) -> str:
    """What the screen shows, as plain text: what a researcher reads, markup and all."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def widget_text(app: App[Any], widget: Widget) -> str:
    """What the screen shows inside `widget`'s region: a table's rows, not the detail below it or a
    notification over it."""
    region = widget.region
    lines = screen_text(app).split("\n")[region.y:region.bottom]
    return "\n".join(line[region.x:region.right] for line in lines)


async def until_shown(app: App[Any], pilot: Pilot[None], shows: Callable[[str], bool], rounds: int = 200) -> str:
    """The screen's text once `shows` holds for it, or after `rounds` pauses (the caller's assertion
    then says what is missing): a worker's result is drawn a moment after the worker ends, and a
    table's rows and column widths a moment after the rows are added, a moment that grows with
    the machine's load."""
    from textual.widgets import DataTable

    for round_ in range(rounds):
        text = screen_text(app)
        if shows(text):
            return text
        if round_ % 10 == 9:
            # Textual can go on showing a table's new rows cut to the columns' old widths after it
            # has measured them ("klamm" for "klammer[b]:2"), until something repaints it.
            for table in app.screen.query(DataTable):
                table.refresh()
        await pilot.pause(0.05)
    return screen_text(app)


def burst(app: App[Any], *keys: str) -> None:
    """Keys arriving together, as a hurried hand over SSH sends them: none waits for the app to settle."""
    from textual import events

    assert app._driver is not None
    for key in keys:
        app._driver.send_message(events.Key(key, None))


def open_tui(root: Path, coder: str | None = "Forsker 1", role: str | None = None, key: Path | None = None) -> QualcodeApp:
    """The terminal UI on `root`, configured from this environment as `qualcode --coder CODER tui` is."""
    from qualcode.config import Config
    from qualcode.tui.app import QualcodeApp
    from qualcode.workspace import Workspace

    return QualcodeApp(Workspace.open(Config.resolve(project=root, coder=coder, key=key)), role)


CODINGS = [
    ("leder_L1", "måltall-press/inntakspress", "Jeg har sagt til veilederne at vi må nå måltallet før jul."),
    ("veileder_V1", "måltall-press/inntakspress",
     "Vi hadde et måltall fra fylket på førti deltakere innen sommeren, og vi lå langt under. Så da ble det sånn at vi tok inn nesten alle som kom."),
    ("veileder_V1", "måltall-press/kvantitet mot kvalitet", "Det ble mer om antall enn om hva folk faktisk trengte."),
    ("veileder_V2", "måltall-press", "Måltallet blir et tak."),
    ("deltaker_D1_T1", "empowerment/selvbilde og selvtillit", "Jeg har begynt å tro at jeg faktisk kan noe."),
    ("deltaker_D1_T1", "empowerment/avmakt", "Jeg følte meg som en snylter, ærlig talt."),
    ("deltaker_D1_T2", "empowerment/håp og motivasjon", "Det er en ny start."),
    ("deltaker_D2_T1", "brukermedvirkning/tvang og krav", "Det var KVP eller redusert sosialhjelp. Det er ikke noe valg."),
    ("gruppeintervju_G1", "brukermedvirkning/tvang og krav", "Jeg ble ikke spurt om jeg ville."),
    ("gruppeintervju_G1", "brukermedvirkning/tvang og krav", "Så det er ikke frivillig, selv om de kaller det det."),
]


@pytest.fixture(scope="session")
def coded_template(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> tuple[Path, dict[str, Any]]:
    """The samples imported and coded once; each test gets its own copy of the project and the key."""
    def build(base: Path) -> None:
        shutil.copytree(migrated_template, base / "project")
        with Project.open(base / "project") as project:
            _, key = code_the_samples(project)
        (base / "key.json").write_text(json.dumps(key.to_json()), encoding="utf-8")

    base = built_once(tmp_path_factory, "coded", build)
    return base / "project", json.loads((base / "key.json").read_text(encoding="utf-8"))


@pytest.fixture
def coded(tmp_path: Path, coded_template: tuple[Path, dict[str, Any]]) -> Iterator[tuple[Project, PseudonymKey]]:
    root = tmp_path / "project"
    shutil.copytree(coded_template[0], root)
    with Project.open(root) as project:
        yield project, PseudonymKey.from_json(coded_template[1])


def code_the_samples(project: Project) -> tuple[Project, PseudonymKey]:
    """The sample transcripts and participants imported, and CODINGS made by Forsker 1."""
    key = sample_key(PseudonymKey("test"))
    with project.begin() as session:
        import_participants(session, SAMPLES / "participants.csv")
        for path in sorted(SAMPLES.iterdir()):
            if path.suffix in {".txt", ".md", ".docx", ".odt", ".vtt"}:
                import_file(session, path, key=key)
        coder = get_or_create_coder(session, "Forsker 1")
        for transcript, code, quote in CODINGS:
            add_coding(session, transcript, code, coder, match=quote, memo="Kjernesitat" if "tak" in quote else None)
    return project, key


@pytest.fixture
def oslo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time is Norway's, as a researcher's machine is set."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
