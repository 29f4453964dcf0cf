"""Real processes against real project files: helpers shared by the reliability tests.

Each `qualcode` command runs as a process of its own, forked from the test process, which has
imported qualcode and its heavy libraries once (`warm_qualcode`) and run the commands forked most
once (`WARM_COMMANDS`), so a command costs what the command does, not 1-2 s of interpreter start
and imports, nor its first run's compiling of statements and lazy imports (a defect only a
process's first run meets is for the fresh processes below). Forking is honest for what these
tests check: the child has its own pid, memory, file descriptors and signal dispositions; it is
signalled, killed and waited for like any process; it takes its own SQLite and key-file locks on
real files; and it runs the console script's entry point, `qualcode.cli.main`, with the
arguments, environment, working directory and piped standard streams a shell would give it.
What must happen in the process before the command (a smaller file-size limit, a read-only
mount namespace, waiting for a start signal) is a `preexec` run in the child, as subprocess's
preexec_fn is. Where a fork would change the answer, a test starts a fresh interpreter
(`fresh=True`, or its own command line from `qualcode_command`): which libraries a command
imports (tests/test_architecture.py forks each command from an interpreter that has loaded none
of the heavy ones) and a process's peak memory (a forked child's resident set
counts the pages it shares with the test process). SQLite keeps its locks per process, so a
child forked while the test process holds a lock would believe it holds that lock too: forking
refuses then (`_refuse_held_locks`). A key the test process holds (key_lock) the child asks for
afresh, and waits for.
"""

from __future__ import annotations

import atexit
import faulthandler
import gc
import importlib
import io
import locale
import logging
import os
import selectors
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.conftest import built_once

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "transcripts"
PASSPHRASE = "test passphrase"


def cli_env(home: Path, key: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment a researcher's shell would have: own HOME, the key's passphrase, no coder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("QUALCODE_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), QUALCODE_KEY_PASSPHRASE=PASSPHRASE)
    if key is not None:
        env["QUALCODE_KEY"] = str(key)
    env.update(extra)
    return env


def qualcode_command(*args: str) -> list[str]:
    """The command line of `qualcode ARGS` in a fresh interpreter."""
    return [sys.executable, "-m", "qualcode", *args]


def warm_qualcode() -> None:
    """Import once, in the test process, what commands would otherwise import in every child."""
    from sqlalchemy.orm import configure_mappers

    from qualcode.anonymise.candidates import _capitalised_runs, nynorsk_word, propose, zipf
    from qualcode.anonymise.pseudonyms import make_pseudonym
    from qualcode.cli import LAZY_COMMANDS
    from qualcode.text.sentences import pipeline

    for target in LAZY_COMMANDS.values():
        importlib.import_module(target.split(":")[0])
    for module in ("qualcode.store.models", "alembic.command", "docx", "openpyxl", "odf.opendocument", "faker"):
        importlib.import_module(module)
    configure_mappers()
    pipeline()
    _capitalised_runs()
    # What proposing and drawing load on first use: wordfreq (its import alone walks the call stack
    # and every module's file, about 0.2 s), its bokmål list, the nynorsk lexicon, the lists of
    # names and places, and Faker's Norwegian providers. Each forked command loaded them again:
    # `identifiers add` took 0.43 s of CPU in a child, 0.1 s in process.
    propose("Jeg snakket med Kari Nordmann i Bergen, og vi blei einige om det.", (), ())
    zipf("kari")
    nynorsk_word("blei")
    make_pseudonym("Kari Nordmann", "person", "f", "realistic", {"Kari Nordmann"}, set(), "warm")


# What a fresh interpreter starts with: Python's default warning filters, and these dispositions.
_FRESH_WARNINGS: list[tuple[str, str | None, type[Warning], str | None, int]] = [
    ("default", None, DeprecationWarning, "__main__", 0),
    ("ignore", None, DeprecationWarning, None, 0),
    ("ignore", None, PendingDeprecationWarning, None, 0),
    ("ignore", None, ImportWarning, None, 0),
    ("ignore", None, ResourceWarning, None, 0),
]
_FRESH_SIGNALS = {signal.SIGINT: signal.default_int_handler, signal.SIGPIPE: signal.SIG_IGN, signal.SIGXFSZ: signal.SIG_IGN}
_kept_alive: list[object] = []  # the test process's streams, never finalised in a child
_started: list[ForkedProcess] = []
# Exit handlers that libraries register when the warm-ups below first import them (filelock's
# release of its locks is one): a child clears the test process's handlers, but a real `qualcode`
# process importing such a library has its handler, so the child registers these again. Only the
# warm-ups' own: pytest's, or a test's, are the test process's alone.
_warm_exit_handlers: list[tuple[Callable[..., object], tuple[object, ...], dict[str, object]]] = []


@contextmanager
def _exit_handlers_kept_for_children() -> Iterator[None]:
    register = atexit.register

    def registering(function: Callable[..., object], *args: object, **kwargs: object) -> Callable[..., object]:
        _warm_exit_handlers.append((function, args, kwargs))
        return register(function, *args, **kwargs)

    atexit.register = registering
    try:
        yield
    finally:
        atexit.register = register


def _locked_files() -> list[Path]:
    """The files this process holds a POSIX lock on (SQLite's locks are these)."""
    me = str(os.getpid())
    locked = set()
    # "1: POSIX  ADVISORY  READ 4242 fe:00:2148337 128 128": device in hex, inode in decimal;
    # a request still waiting has "->" after the number.
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1:2] == ["POSIX"] and fields[4] == me:
            major, minor, inode = fields[5].split(":")
            locked.add((int(major, 16), int(minor, 16), int(inode)))
    found = []
    for descriptor in os.listdir("/proc/self/fd") if locked else ():
        try:
            status = os.stat(f"/proc/self/fd/{descriptor}")
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            continue
        if (os.major(status.st_dev), os.minor(status.st_dev), status.st_ino) in locked:
            found.append(Path(target))
    return found


def _refuse_held_locks(args: Sequence[str], env: dict[str, str], cwd: Path | None) -> None:
    """Refuse to fork while this process holds a lock on a file under the project or a path the
    command names: SQLite records its locks per process, so the child would believe it holds the
    lock without holding it. Connections other tests left to the garbage collector are closed first."""
    places = [cwd or Path.cwd(), *(Path(value) for value in (env.get("QUALCODE_PROJECT"),) if value)]
    places += [Path(argument) for argument in args if os.path.isabs(argument)]
    roots = [Path(os.path.realpath(place)) for place in places]
    if not _locked_files():
        return
    gc.collect()
    shared = [path for path in _locked_files() if any(path == root or root in path.parents for root in roots)]
    if shared:
        raise AssertionError(
            f"the test process holds locks on {[str(path) for path in shared]}; close its SQLite connections "
            "before starting qualcode, or start it with fresh=True"
        )


def _become(run: Callable[[], object], argv: list[str], env: dict[str, str], cwd: Path | None,
            preexec: Callable[[], object] | None, streams: tuple[int, int, int]) -> NoReturn:
    """In the forked child: look like `python ARGV` started by a shell, call `run`, and exit as
    Python would."""
    code = 1
    try:
        gc.freeze()  # the test process's objects (its SQLite connections among them) are never finalised here
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        for number in signal.valid_signals():
            if number not in (signal.SIGKILL, signal.SIGSTOP):
                try:
                    signal.signal(number, _FRESH_SIGNALS.get(number, signal.SIG_DFL))
                except (OSError, ValueError):
                    pass  # reserved by the C library
        for target, source in enumerate(streams):
            os.dup2(source, target)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        faulthandler.disable()
        _kept_alive.extend([sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__, sys.__stderr__])
        sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)))
        sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)))
        sys.stderr = sys.__stderr__ = io.TextIOWrapper(
            io.BufferedWriter(io.FileIO(2, "w", closefd=False)), errors="backslashreplace", line_buffering=True,
        )
        os.environ.clear()
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        logging.root.handlers.clear()
        warnings.filters[:] = _FRESH_WARNINGS
        warnings._filters_mutated()  # type: ignore[attr-defined]
        atexit._clear()  # the test process's exit handlers are not the child's
        for function, args, kwargs in _warm_exit_handlers:
            atexit.register(function, *args, **kwargs)
        sys.argv = argv
        # The test process's hold on a key (key_lock, re-entrant within a process) is not the
        # child's: it asks for the key's lock as a fresh process would, and waits while it is held.
        service = sys.modules.get("qualcode.anonymise.service")
        if service is not None:
            service._locks.clear()
        try:
            if preexec is not None:
                preexec()
            run()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else _say(exit_.code)
        except KeyboardInterrupt:
            traceback.print_exc()
            sys.stderr.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)  # as Python ends on an unhandled Ctrl-C
        except BaseException:
            traceback.print_exc()
            code = 1
        atexit._run_exitfuncs()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            code = 120  # as Python ends when it cannot flush its output
        os._exit(code)


def _say(message: object) -> int:
    print(message, file=sys.stderr)
    return 1


def _qualcode_main() -> None:
    from qualcode.cli import main

    main()


class ForkedProcess:
    """`run()` in a process forked from the warmed test process, as `python ARGV` would run it,
    with the part of subprocess.Popen's interface the tests use (text mode, stdout and stderr piped)."""

    def __init__(self, run: Callable[[], object], argv: Sequence[str], env: dict[str, str] | None = None,
                 cwd: Path | None = None, preexec: Callable[[], object] | None = None, input: str = "") -> None:
        env = dict(os.environ) if env is None else env
        _refuse_held_locks(argv, env, cwd)
        self.args = list(argv)
        self.returncode: int | None = None
        self._encoding = locale.getpreferredencoding(False)
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            _become(run, self.args, env, cwd, preexec, (stdin_read, stdout_write, stderr_write))
        self.pid = pid
        # `input` (a passphrase typed on a pipe: a few bytes, well within the pipe's buffer), then
        # the child's input is at its end, as from a file or /dev/null.
        os.write(stdin_write, input.encode(self._encoding))
        for descriptor in (stdin_read, stdin_write, stdout_write, stderr_write):
            os.close(descriptor)
        self.stdin = None
        self.stdout = open(stdout_read, encoding=self._encoding)  # noqa: SIM115 - closed at the end of communicate
        self.stderr = open(stderr_read, encoding=self._encoding)  # noqa: SIM115
        self._output: dict[io.TextIOWrapper, list[bytes]] = {self.stdout: [], self.stderr: []}
        _started.append(self)

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None:
            if self.returncode is None:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            return self.returncode
        deadline = time.monotonic() + timeout
        delay = 0.0005
        while (code := self.poll()) is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        return code

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, input: None = None, timeout: float | None = None) -> tuple[str, str]:
        """Read stdout and stderr to their end, then wait for the child; what was read before a
        timeout is kept for the next call, as subprocess does."""
        assert input is None, "the child's input is closed at the start"
        deadline = None if timeout is None else time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            for stream in (self.stdout, self.stderr):
                if not stream.closed:
                    selector.register(stream.fileno(), selectors.EVENT_READ, stream)
            while selector.get_map():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout or 0)
                for ready, _events in selector.select(remaining):
                    chunk = os.read(ready.fd, 65536)
                    if chunk:
                        self._output[ready.data].append(chunk)
                    else:
                        selector.unregister(ready.fd)
                        ready.data.close()
        self.wait(None if deadline is None else max(deadline - time.monotonic(), 0))
        return self._text(self.stdout), self._text(self.stderr)

    def _text(self, stream: io.TextIOWrapper) -> str:
        data = b"".join(self._output[stream])
        return data.decode(self._encoding).replace("\r\n", "\n").replace("\r", "\n")


def run_qualcode(
    args: Sequence[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 120,
    preexec: Callable[[], object] | None = None, fresh: bool = False, input: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run `qualcode ARGS` as its own process, `input` on its standard input, and wait for it;
    killed if it outlasts `timeout`."""
    if fresh:
        return subprocess.run(
            qualcode_command(*args), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
            preexec_fn=preexec, input=input or None,
        )
    process = ForkedProcess(_qualcode_main, ["qualcode", *args], env, cwd, preexec, input)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    assert process.returncode is not None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def start_qualcode(
    args: Sequence[str], env: dict[str, str], cwd: Path | None = None, fresh: bool = False,
    preexec: Callable[[], object] | None = None, input: str = "",
) -> ForkedProcess | subprocess.Popen[str]:
    """Start `qualcode ARGS` as its own process, `input` on its standard input, without waiting
    (for kills and races)."""
    if fresh:
        process = subprocess.Popen(
            qualcode_command(*args), env=env, cwd=cwd, stdin=subprocess.PIPE if input else None, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, preexec_fn=preexec,
        )
        if process.stdin is not None:
            process.stdin.write(input)
            process.stdin.close()
            process.stdin = None  # communicate() would flush it again
        return process
    return ForkedProcess(_qualcode_main, ["qualcode", *args], env, cwd, preexec, input)


@pytest.fixture(scope="session", autouse=True)
def warmed_qualcode() -> None:
    with _exit_handlers_kept_for_children():
        warm_qualcode()


# What the forked commands run most, run once in the test process on a copy of the `init`
# template: each child then finds the modules its command imports on first use, SQLAlchemy's
# compiled statements (every engine of a test process shares one cache, tests/conftest.py) and the
# template key's derivation (its copies share its salt) already made: a forked `status` took 100 ms
# of CPU and 11,000 page faults cold, 32 ms and 4,200 warm.
WARM_COMMANDS = (
    ["identifiers", "add", "Hilde Bratt", "--kind", "person"],
    ["import", "{base}/intervju.txt"],
    ["coding", "add", "intervju", "empowerment", "--match", "kurset"],
    ["memo", "add", "Et notat", "--code", "empowerment"],
    ["status"], ["key", "show"], ["history"], ["search", "kurs*"], ["transcripts", "show", "intervju"],
    ["leakcheck", "{base}/intervju.txt"], ["codebook", "validate", "{codebooks}/kvp.yaml"],
    ["export", "report", "--output", "{base}/rapport.docx"],
    ["export", "quotes", "--format", "csv", "--output", "{base}/sitater.csv"],
    ["--coder", "Anne", "coding", "add", "intervju", "brukermedvirkning", "--match", "fint", "--json"],
    ["import", "--json", "{base}/intervju.txt"],
    ["backup"], ["backup", "list"], ["backup", "restore", "{backup}"], ["undo"],
)


@pytest.fixture(scope="session", autouse=True)
def warmed_commands(warmed_qualcode: None, cli_template: tuple[Path, dict[str, str]],
                    tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.mktemp("warm")
    root, key = copied_with_key(cli_template, base)
    (base / "home").mkdir()
    (base / "intervju.txt").write_text("I: Hvordan var kurset?\nD1: Det var fint, jeg lærte mye.\n", encoding="utf-8")
    with _exit_handlers_kept_for_children():
        _run_in_process(WARM_COMMANDS, root, base, cli_env(base / "home", key))


def _run_in_process(commands: Sequence[Sequence[str]], root: Path, base: Path, env: dict[str, str]) -> None:
    from click.testing import CliRunner

    from qualcode.cli import cli

    unset = {name: None for name in os.environ if name.startswith("QUALCODE_") and name not in env}
    for args in commands:
        backups = sorted((root / ".qualcode" / "backups").glob("*.bak"))
        arguments = [argument.format(base=base, codebooks=REPO / "codebooks", backup=backups[-1].name if backups else "")
                     for argument in args]
        result = CliRunner().invoke(cli, ["--project", str(root), *arguments], env={**unset, **env})
        assert result.exit_code == 0, (args, result.output, result.exception)


@pytest.fixture(autouse=True)
def no_child_outlives_its_test() -> Iterator[None]:
    """A child a test left running is killed and reaped when the test ends."""
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
            process.wait()


@contextmanager
def connected(database: Path | str, **options: Any) -> Iterator[sqlite3.Connection]:
    """An SQLite connection that commits at the end of the block and is closed: sqlite3's own
    `with` only commits, and a connection left open keeps locks a forked child must not inherit."""
    connection = sqlite3.connect(database, **options)
    try:
        with connection:
            yield connection
    finally:
        connection.close()


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    """A refusal a researcher can read: exit 1, one line on stderr starting with `error:`, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def cli_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project made with `qualcode init` in a real process, and its key beside it: made once."""
    def build(base: Path) -> None:
        (base / "home").mkdir()
        result = run_qualcode(["init", str(base / "studie")], cli_env(base / "home", base / "keys" / "studie.qckey"))
        assert result.returncode == 0, result.stderr

    base = built_once(tmp_path_factory, "cli", build)
    return base / "studie", cli_env(base / "home", base / "keys" / "studie.qckey")


@pytest.fixture
def cli_project(tmp_path: Path, home: Path, cli_template: tuple[Path, dict[str, str]]) -> tuple[Path, dict[str, str]]:
    """A project made with `qualcode init`, its key beside it (not inside): a copy of both."""
    root, key = copied_with_key(cli_template, tmp_path)
    return root, cli_env(home, key)


def copied_with_key(template: tuple[Path, dict[str, str]], target: Path) -> tuple[Path, Path]:
    """A copy of a template project as `target`/studie and of its key as `target`/keys/studie.qckey,
    with the key's place recorded in the copy as `init` records it, so the copy finds its own key."""
    root = target / "studie"
    key = target / "keys" / "studie.qckey"
    shutil.copytree(template[0], root)
    key.parent.mkdir(parents=True)
    shutil.copy2(template[1]["QUALCODE_KEY"], key)
    with connected(root / ".qualcode" / "project.db") as connection:
        recorded = connection.execute("UPDATE settings SET value = ? WHERE key = 'key.path'", (str(key.resolve()),))
        assert recorded.rowcount == 1
    return root, key


def made_project(base: Path, text: str, *steps: list[str]) -> tuple[Path, dict[str, str]]:
    """A project made by real `qualcode` processes in `base`: `init`, `text` imported as
    "intervju", then each of `steps` run on it. For module-scoped templates copied per test."""
    (base / "home").mkdir()
    env = cli_env(base / "home", base / "keys" / "studie.qckey")
    root = base / "studie"
    assert run_qualcode(["init", str(root)], env).returncode == 0
    source = base / "intervju.txt"
    source.write_text(text, encoding="utf-8")
    for args in (["import", str(source)], *steps):
        result = run_qualcode(["--project", str(root), *args], env)
        assert result.returncode == 0, result.stderr
    return root, env


def copied_project(template: tuple[Path, dict[str, str]], target: Path) -> tuple[Path, dict[str, str]]:
    """A copy of a template project for one test, with the template's environment (its key is shared)."""
    root = target / "studie"
    shutil.copytree(template[0], root)
    return root, template[1]
