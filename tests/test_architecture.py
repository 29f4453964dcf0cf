"""The shape of the code: commands are registered lazily and the CLI starts light.

The layers (import-linter contracts), ruff and mypy are checked by `make lint`, which CI runs
beside `make test`.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import REPO, coded_demo

# Libraries that cost a noticeable part of a second to import, or that only some commands need, and
# SQLAlchemy's PostgreSQL dialect, which a SQLite project never needs (a postgresql_ argument in the
# models would load it).
HEAVY = ("spacy", "docx", "openpyxl", "lxml", "faker", "textual", "alembic", "matplotlib", "sqlalchemy.dialects.postgresql")
# What the probe server imports once (see below): a second of spaCy, half of matplotlib's figures.
PRELOADED = ("spacy", "openpyxl", "matplotlib.figure", "matplotlib.backends.backend_agg", "docx")
PRELOADED_ROOTS = ("spacy", "openpyxl", "matplotlib", "docx", "lxml")  # lxml: python-docx's and openpyxl's own import
# A fresh interpreter that has loaded what every command opening a project loads (click,
# SQLAlchemy, the models, the workspace), and what is light but many commands load (the command
# modules, the pseudonymiser, the key's cryptography), none of it heavy. For each line it reads
# (JSON: argv, env, cwd) it forks a child that runs `qualcode ARGS...` and answers with the exit
# code and the heavy libraries the command loaded. Each probe pays for none of that again: about a
# second less per command.
#
# What a command finds the second time in a process is made once as well: the probed project's
# key derived (its copies share its salt), and the word lists and lexicons that reading prose for
# names loads (half a second of `framework set`, `memo add` and `import`); none of it heavy, as
# the probe's start asserts.
#
# The slowest heavy libraries (PRELOADED) are imported too, once qualcode's modules are known to
# load none of them: a command "loads" one of those when it runs an import statement naming it (it
# would load it in a fresh process), recorded by a hook on `__import__` in the child. The others
# load when the command loads them, as before.
PROBE_SERVER = """
import builtins, importlib, json, os, sys
import click, sqlalchemy, sqlalchemy.orm
import qualcode.cli, qualcode.workspace, qualcode.store.models
import cryptography.fernet, cryptography.hazmat.primitives.kdf.scrypt
import qualcode.anonymise.apply, qualcode.anonymise.service, qualcode.anonymise.typed_text
for target in qualcode.cli.LAZY_COMMANDS.values():
    importlib.import_module(target.split(":")[0])
from pathlib import Path
from qualcode.anonymise import candidates, key
candidates._places(), candidates._names(), candidates.bokmal_word("husleia"), candidates.nynorsk_word("blei")
key.load_key(Path(sys.argv[1]), sys.argv[2])
preloaded = sorted(m for m in HEAVY if m in sys.modules)
for name in PRELOADED:
    importlib.import_module(name)
print(json.dumps(preloaded), flush=True)
answers = sys.stdout
requested = set()
real_import = builtins.__import__

def recording_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0:
        requested.add(name)
    return real_import(name, globals, locals, fromlist, level)

def heavy_loaded():
    named = {m for m in HEAVY for r in requested if r == m or r.startswith(m + ".")}
    return sorted(m for m in HEAVY if m in named or (m in sys.modules and not m.startswith(PRELOADED_ROOTS)))
for line in sys.stdin:
    request = json.loads(line)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        with open(request["output"], "w", encoding="utf-8") as output:
            sys.stdout = sys.stderr = output
            sys.argv = ["qualcode", *request["args"]]
            builtins.__import__ = recording_import
            code = 0
            try:
                qualcode.cli.main()
            except SystemExit as end:
                code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
            except BaseException as error:
                print(repr(error), file=output)
                code = 1
            output.flush()
        builtins.__import__ = real_import
        os.write(write, json.dumps([code, heavy_loaded()]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    answers.write(answer.decode() + chr(10))
    answers.flush()
"""


class ProbeServer:
    """Runs commands as forks of one warmed interpreter (PROBE_SERVER) and says what each loaded."""

    def __init__(self, key: Path, passphrase: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"HEAVY = {HEAVY!r}\nPRELOADED = {PRELOADED!r}\nPRELOADED_ROOTS = {PRELOADED_ROOTS!r}\n{PROBE_SERVER}",
             str(key), passphrase],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        preloaded = json.loads(self.process.stdout.readline())
        assert preloaded == [], f"the probe's own start loads {preloaded}"

    def run(self, args: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[int, set[str], str]:
        assert self.process.stdin is not None and self.process.stdout is not None
        output = cwd / "output.txt"
        request = {"args": list(args), "env": env, "cwd": str(cwd), "output": str(output)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        code, loaded = json.loads(self.process.stdout.readline())
        return code, set(loaded), output.read_text(encoding="utf-8")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def test_cli_import_loads_no_command_and_no_heavy_library() -> None:
    from qualcode.cli import LAZY_COMMANDS

    command_modules = sorted({target.split(":")[0] for target in LAZY_COMMANDS.values()})
    probe = (
        f"import sys, qualcode.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY + ('sqlalchemy',)!r}"
        f" or m in {command_modules!r}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["tui", "--help"]], ids=" ".join)
def test_version_and_help_start_without_sqlalchemy(args: list[str]) -> None:
    """A fresh `qualcode` process, as a researcher's shell starts it: no command module it does not run,
    no SQLAlchemy, nothing heavy, nor the text module (14 ms) that only a message with a character a
    terminal would not show needs."""
    from qualcode.cli import LAZY_COMMANDS

    command_modules = {target.split(":")[0] for target in LAZY_COMMANDS.values()} - {"qualcode.cli.tui"} | {"qualcode.text.normalise"}
    probe = (
        f"import sys; sys.argv = ['qualcode', *{args!r}]\n"
        "import qualcode.cli\n"
        "try:\n    qualcode.cli.main()\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY + ('sqlalchemy',)!r} or m in {sorted(command_modules)!r}),"
        " file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "Usage: qualcode" in result.stdout or "version" in result.stdout
    assert result.stderr.strip() == "[]"


def test_garbage_collection_resumes_once_the_command_is_loaded() -> None:
    """main() pauses the collector while a command loads; the command itself (an import of 200 files,
    the terminal UI) runs with it on again, start-up's objects frozen out of it."""
    probe = (
        "import gc, sys\nsys.argv = ['qualcode', 'tui', '--help']\nimport qualcode.cli\n"
        "try:\n    qualcode.cli.main()\nexcept SystemExit:\n    pass\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stderr.split() == ["True", "True"]


def test_the_language_pipeline_is_left_out_of_later_collections() -> None:
    """spaCy's pipeline lives as long as the process: once loaded (inside an import's paused
    collector) it is frozen, so neither the next collection nor the one at the end walks it; what
    was garbage at that moment (a cycle holding a connection, say) is collected first, not kept."""
    probe = (
        "import gc\nfrom qualcode.garbage import without_collections\nfrom qualcode.text.sentences import pipeline\n"
        "class Left:\n    closed = []\n    def __del__(self):\n        Left.closed.append(True)\n"
        "with without_collections():\n    left = Left()\n    left.itself = left\n    del left\n"
        "    before = gc.get_freeze_count()\n    nlp = pipeline()\n"
        "tracked = {id(o) for o in gc.get_objects()}\n"
        "print(id(nlp) in tracked, id(nlp.vocab) in tracked, gc.get_freeze_count() - before > 50_000, Left.closed == [True])"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "True", "True"]


def test_the_help_listing_says_what_each_command_says_of_itself() -> None:
    """`qualcode --help` lists the commands without importing them, from COMMAND_HELP: the same lines."""
    from qualcode.cli import COMMAND_HELP, LAZY_COMMANDS, cli

    context = click.Context(cli, info_name="qualcode")
    assert set(COMMAND_HELP) == set(LAZY_COMMANDS)
    for name in LAZY_COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None and command.help is not None and not command.short_help, name
        assert COMMAND_HELP[name] == command.help.split("\n\n")[0].strip(), name
    for width in (60, 80, 200):
        listed, loaded = click.HelpFormatter(width=width), click.HelpFormatter(width=width)
        cli.format_commands(context, listed)
        click.Group.format_commands(cli, context, loaded)  # click's own, which imports every command
        assert listed.getvalue() == loaded.getvalue()


def test_every_command_is_registered_lazily_under_its_name() -> None:
    from qualcode.cli import cli

    commands: dict[str, click.Command] = {}
    for path in sorted((REPO / "qualcode" / "cli").glob("*.py")):
        module = importlib.import_module(f"qualcode.cli.{path.stem}")
        for command in getattr(module, "COMMANDS", ()):
            assert command.name is not None and command.name not in commands, command.name
            commands[command.name] = command
    context = click.Context(cli)
    assert cli.list_commands(context) == sorted(commands)  # one spelling per group
    for name, command in commands.items():
        assert cli.get_command(context, name) is command, name


def test_version_given_to_click_is_the_installed_one() -> None:
    import qualcode

    assert qualcode.__version__ == importlib.metadata.version("qualcode")


def test_an_unknown_command_is_still_told_the_closest_name() -> None:
    from qualcode.cli import cli

    result = CliRunner().invoke(cli, ["statsu"])
    assert result.exit_code == 2 and "Did you mean 'status'?" in result.output


@pytest.fixture(scope="module")
def probe(probed_project: tuple[Path, dict[str, str]]) -> Iterator[ProbeServer]:
    server = ProbeServer(Path(probed_project[1]["QUALCODE_KEY"]), probed_project[1]["QUALCODE_KEY_PASSPHRASE"])
    yield server
    server.close()


@pytest.fixture(scope="module")
def probed_project(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> tuple[Path, dict[str, str]]:
    """The demo project (built once per run, conftest.py) with two coders' codings and a memo, and the
    environment to run commands on it."""
    from qualcode.cli import cli

    root = tmp_path_factory.mktemp("probe")
    project, demo_env = coded_demo(demo_template, root, {
        "Forsker 1": [("leder_L1", "måltall-press", "vi må nå måltallet før jul"),
                      ("leder_L1", "brukermedvirkning", "måltallet før jul")],  # so something co-occurs
        "Forsker 2": [("leder_L1", "måltall-press", "måltallet før jul")],  # so agreement has two coders
    })
    env = {name: value for name, value in os.environ.items() if not name.startswith("QUALCODE_")}
    env.update(demo_env, QUALCODE_CODER="Forsker 1")
    unset: dict[str, str | None] = {name: None for name in os.environ if name.startswith("QUALCODE_")}
    for args in (
        ["memo", "add", "Måltall nevnes bare av ledere", "--code", "måltall-press"],
        ["codebook", "export", str(root / "kodebok.qdc")],
    ):
        result = CliRunner().invoke(cli, ["--project", str(project), *args], env={**unset, **env}, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
    (root / "notat.txt").write_text("Ingen navn her, bare måltall.\n", encoding="utf-8")
    return project, env


def _case(args: Sequence[str], may_load: Sequence[str] = ()) -> tuple[tuple[str, ...], frozenset[str]]:
    return tuple(args), frozenset(may_load)


# Each command, and the heavy libraries it may load.
COMMANDS_AND_LIBRARIES = [
    _case(["status"]),
    _case(["status", "--json"]),
    _case(["search", "måltall"]),
    _case(["coding", "list"]),
    _case(["coding", "add", "leder_L1", "empowerment", "--match", "vi må nå måltallet før jul"]),
    _case(["undo"]),
    _case(["memo", "list"]),
    # What a person writes as prose is read for names nobody has decided about, as an import reads a transcript.
    _case(["memo", "add", "Et notat om prosjektet"], ("spacy",)),
    _case(["history"]),
    _case(["codebook", "show"]),
    _case(["codebook", "export"]),
    _case(["codebook", "export", "{root}/ny-kodebok.qdc"], ("lxml",)),
    _case(["exchange", "validate", "{root}/kodebok.qdc"], ("lxml",)),
    _case(["export", "qdpx", "{root}/prosjekt.qdpx"], ("lxml",)),
    _case(["transcripts", "list"]),
    _case(["participants", "list"]),
    _case(["coder", "list"]),
    _case(["backup", "list"]),
    _case(["key", "show"]),
    _case(["anonymise", "pending"]),
    _case(["leakcheck", "{root}/notat.txt"]),
    _case(["export", "quotes", "--format", "csv", "--output", "{root}/sitater.csv"]),
    _case(["export", "quotes", "--format", "xlsx", "--output", "{root}/sitater.xlsx"], ("openpyxl", "lxml")),
    _case(["export", "report", "--output", "{root}/rapport.docx"], ("docx", "lxml")),
    _case(["export", "report", "--matrix", "role", "--output", "{root}/matrise.docx"], ("docx", "lxml")),
    _case(["export", "report", "--matrix", "role", "--figures", "--output", "{root}/figurer.docx"], ("docx", "lxml", "matplotlib")),
    _case(["review", "list"]),
    _case(["analyse", "codes"]),
    _case(["analyse", "matrix", "--by", "role", "--by", "wave", "--json"]),
    _case(["analyse", "matrix", "--by", "office", "--xlsx", "{root}/matrise.xlsx"], ("openpyxl", "lxml")),
    _case(["analyse", "cell", "måltall-press", "role=leder", "--csv"]),
    _case(["analyse", "compare", "--by", "wave", "--code", "måltall-press"]),
    _case(["analyse", "cooccur", "--within", "turn", "--json"]),
    _case(["analyse", "cooccur", "--within", "sentences:1", "--code", "måltall-press"], ("spacy",)),
    _case(["agreement", "--unit", "turn"]),
    _case(["agreement", "disagreements", "--unit", "segment", "--json"]),
    _case(["agreement", "--unit", "sentence", "--docx", "{root}/enighet.docx"], ("spacy", "docx", "lxml")),
    _case(["consensus", "list", "--transcript", "leder_L1", "--json"]),
    _case(["consensus", "decide", "1", "--transcript", "leder_L1", "--keep", "neither"]),
    _case(["framework", "show"]),
    _case(["framework", "set", "L1", "måltall-press", "Måltallet styrer inntaket"], ("spacy",)),
    _case(["framework", "export", "{root}/rammematrise.xlsx"], ("openpyxl", "lxml")),
    _case(["import", "{root}/notat.txt"], ("spacy", "faker")),
    # The migrations name PostgreSQL's partial index, so running them loads its dialect.
    _case(["--key", "{root}/ny.qckey", "init", "{root}/ny"], ("alembic", "sqlalchemy.dialects.postgresql")),
]


def test_each_command_loads_only_the_libraries_it_needs(
    probed_project: tuple[Path, dict[str, str]], probe: ProbeServer, tmp_path: Path,
) -> None:
    """Alembic only when a migration is due; spaCy, python-docx, openpyxl, lxml, Faker and Textual only where used.

    Every command is run, and a failure names each command that failed or loaded more than it may.
    One test, not one per command: each test process that ran some of them started a probe server
    of its own (a few seconds of CPU each)."""
    demo, env = probed_project
    wrong: list[tuple[str, object]] = []
    for number, (args, may_load) in enumerate(COMMANDS_AND_LIBRARIES):
        root = tmp_path / str(number)
        project = root / "studie"
        shutil.copytree(demo, project)  # a copy per command, so commands that change it do not meet
        shutil.copy(demo.parent / "notat.txt", root / "notat.txt")
        shutil.copy(demo.parent / "kodebok.qdc", root / "kodebok.qdc")
        arguments = [argument.replace("{root}", str(root)) for argument in args]
        code, loaded, output = probe.run(["--project", str(project), *arguments], env, root)
        if code != 0:
            wrong.append((" ".join(args), f"exit {code}: {output}"))
        elif loaded - may_load:
            wrong.append((" ".join(args), sorted(loaded - may_load)))
    assert not wrong, "\n".join(f"{command}: {what}" for command, what in wrong)


def _fresh_command(args: list[str], probed_project: tuple[Path, dict[str, str]], tmp_path: Path, after: str) -> str:
    """Run `qualcode ARGS` in a fresh interpreter on a copy of the probed project, then `after` (Python, printing to
    stderr what it found); the last line it printed."""
    demo, env = probed_project
    project = tmp_path / "studie"
    shutil.copytree(demo, project)
    probe = (
        "import sys, qualcode.cli\nsys.argv = ['qualcode', *sys.argv[1:]]\ntry:\n    qualcode.cli.main()\n"
        "except SystemExit as end:\n    assert not end.code, end.code\n" + after
    )
    arguments = [argument.replace("{root}", str(tmp_path)) for argument in args]
    result = subprocess.run([sys.executable, "-c", probe, "--project", str(project), *arguments],
                            capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args", [["status"], ["search", "måltall"], ["coding", "list"], ["transcripts", "list"]], ids=" ".join)
def test_commands_that_need_no_key_load_no_pseudonymiser(
    args: list[str], probed_project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """Opening a project guards its typed text and asks whether a rewrite was interrupted, but the
    pseudonymiser (its patterns, name lists and the key) loads only when text is written or the
    key is read: about 40 ms of every reading command's start."""
    loaded = ("print(sorted(m for m in sys.modules if m.startswith('qualcode.anonymise.') and m != 'qualcode.anonymise.pending'),"
              " file=sys.stderr)")
    assert _fresh_command(args, probed_project, tmp_path, loaded) == "[]"


def test_command_modules_said_to_import_sqlalchemy_later_import_none_of_it() -> None:
    """The CLI imports SQLAlchemy (without asyncio) before every other command module, and these
    import it when their command opens the project; a module here that imported it itself would
    load asyncio with it."""
    from qualcode.cli import IMPORT_SQLALCHEMY_LATER

    probe = f"import importlib, sys\nfor name in {sorted(IMPORT_SQLALCHEMY_LATER)!r}:\n    importlib.import_module(name)\nprint('sqlalchemy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("args", [
    ["status"], ["search", "måltall"], ["coding", "add", "leder_L1", "empowerment", "--match", "vi må nå måltallet før jul"],
    ["export", "quotes", "--format", "csv", "--output", "{root}/sitater.csv"], ["key", "show"],
    ["consensus", "list", "--transcript", "leder_L1", "--json"],
], ids=" ".join)
def test_commands_load_no_asyncio_nor_package_metadata(
    args: list[str], probed_project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """SQLAlchemy imports asyncio (with ssl) and importlib.metadata, some 60 modules (12 ms of `status`), for
    features qualcode never uses; commands import SQLAlchemy with them held aside
    (store/sqlalchemy_import.py), and nothing the command does loads them after."""
    loaded = "print(sorted(m for m in ('asyncio', 'ssl', 'importlib.metadata') if m in sys.modules), file=sys.stderr)"
    assert _fresh_command(args, probed_project, tmp_path, loaded) == "[]"


@pytest.mark.parametrize("args", [
    ["status"], ["coding", "list"], ["coding", "add", "leder_L1", "empowerment", "--match", "vi må nå måltallet før jul"],
    ["codebook", "export", "{root}/kodebok.yaml"], ["codebook", "history", "måltall-press"], ["undo"],
    # A name the key learns rewrites the texts, and renames no code here: no names are compared.
    ["identifiers", "add", "Per Olsen", "--kind", "person"],
], ids=" ".join)
def test_commands_that_compare_no_code_names_read_no_confusables_table(
    args: list[str], probed_project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """Unicode's confusables.txt, which tells code names that look alike (about 20-40 ms to read), is
    read by the commands that make, rename or list codes, not by every command that opens a project."""
    read = "table = sys.modules.get('qualcode.text.confusables')\nprint(table._prototypes.cache_info().currsize if table else 0, file=sys.stderr)"
    assert _fresh_command(args, probed_project, tmp_path, read) == "0"


def test_python_dash_m_qualcode_works() -> None:
    result = subprocess.run([sys.executable, "-m", "qualcode", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "Usage: qualcode" in result.stdout



def test_a_process_ends_without_taking_its_heap_apart_yet_as_python_would(tmp_path: Path) -> None:
    """`qualcode` as a process skips Python's teardown of its modules (13 ms of `status`, 37 ms of
    an import), but not what that teardown would still do: exit handlers run, output is flushed,
    the exit code is the command's, a message given to exit is said, and a thread that is no
    daemon is waited for."""
    end = "import atexit, sys, threading, time, qualcode.cli\n"
    cases = {
        "handlers and output": end + "atexit.register(lambda: print('handler ran'))\nprint('x' * 100_000)\n"
                                     "qualcode.cli._end_process(SystemExit(3))",
        "message": end + "qualcode.cli._end_process(SystemExit('error: what went wrong'))",
        "thread": end + f"def late():\n    time.sleep(0.3)\n    open({str(tmp_path / 'late.txt')!r}, 'w').write('done')\n"
                        "threading.Thread(target=late).start()\nqualcode.cli._end_process(SystemExit(0))",
    }
    ran = {name: subprocess.run([sys.executable, "-c", code], capture_output=True, text=True) for name, code in cases.items()}
    assert ran["handlers and output"].returncode == 3
    assert ran["handlers and output"].stdout == "x" * 100_000 + "\nhandler ran\n"
    assert (ran["message"].returncode, ran["message"].stderr) == (1, "error: what went wrong\n")
    assert ran["thread"].returncode == 0 and (tmp_path / "late.txt").read_text() == "done"


def test_a_command_run_as_a_process_leaves_its_project_closed(probed_project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """What a command wrote is in the database, and the database is closed (no write-ahead log left
    beside it, which a read-only copy could not open), though the process ends without Python's teardown."""
    demo, env = probed_project
    project = tmp_path / "studie"
    shutil.copytree(demo, project)

    def qualcode(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "qualcode", "--project", str(project), *args], capture_output=True,
                              text=True, env=env, cwd=tmp_path)

    added = qualcode("coding", "add", "leder_L1", "empowerment", "--match", "vi må nå måltallet før jul")
    assert added.returncode == 0, added.stderr
    assert sorted(path.name for path in (project / ".qualcode").glob("project.db*")) == ["project.db"]
    listed = qualcode("coding", "list", "--code", "empowerment")
    assert listed.returncode == 0 and "vi må nå måltallet før jul" in listed.stdout
    refused = qualcode("coding", "add", "leder_L1", "ingen-slik-kode", "--match", "måltallet")
    assert refused.returncode == 1 and refused.stderr.startswith("error: ") and len(refused.stderr.strip().splitlines()) == 1
