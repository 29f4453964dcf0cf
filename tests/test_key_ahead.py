"""The key's slow derivation begun ahead, on a thread of its own, for commands that will read the key."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import qualcode.anonymise.key as key_file
from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey, derive_ahead, load_key, read_envelope, save_key
from qualcode.cli import READS_THE_KEY, cli
from qualcode.errors import KeyFileError, KeyMissing

PASSPHRASE = "riktig passord"


@pytest.fixture
def key_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A key file, and a process that has derived no key yet (saving it derived one)."""
    path = tmp_path / "keys" / "k.qckey"
    key = PseudonymKey("prosjekt")
    add_identifier(key, "Kari Nordmann", "person", "f")
    save_key(path, key, PASSPHRASE)
    monkeypatch.setattr(key_file, "_derived", {})
    return path


def begun(path: Path, passphrase: str) -> object:
    envelope = read_envelope(path)
    return key_file._derived.get((passphrase, envelope.salt, envelope.n))


def test_a_key_derived_ahead_reads_as_it_would_have_without(key_path: Path) -> None:
    derive_ahead(key_path, PASSPHRASE)
    assert isinstance(begun(key_path, PASSPHRASE), key_file._Derivation)
    assert load_key(key_path, PASSPHRASE).entry_for("Kari Nordmann") is not None
    envelope = read_envelope(key_path)
    assert begun(key_path, PASSPHRASE) == key_file._scrypt(PASSPHRASE, envelope.salt, envelope.n)


def test_a_wrong_passphrase_derived_ahead_is_refused_when_the_key_is_read(key_path: Path) -> None:
    derive_ahead(key_path, "feil passord")
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_key(key_path, "feil passord")


def test_what_is_amiss_is_left_for_the_reading_to_say(key_path: Path, tmp_path: Path) -> None:
    """No passphrase, no file, a damaged file: nothing is begun, and reading the key says what is wrong."""
    derive_ahead(key_path, "")
    derive_ahead(key_path, None)
    missing = tmp_path / "ingen.qckey"
    derive_ahead(missing, PASSPHRASE)
    damaged = tmp_path / "skadet.qckey"
    damaged.write_text('{"format": "qualcode-key"', encoding="utf-8")
    derive_ahead(damaged, PASSPHRASE)
    assert key_file._derived == {}
    with pytest.raises(KeyMissing, match="no key file at"):
        load_key(missing, PASSPHRASE)
    with pytest.raises(KeyFileError, match="is not a qualcode key file, or it is damaged"):
        load_key(damaged, PASSPHRASE)


def test_a_derivation_that_fails_on_its_thread_is_done_again_by_the_reader(key_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scrypt = key_file._scrypt

    def out_of_memory_on_the_thread(passphrase: str, salt: bytes, n: int) -> bytes:
        if threading.current_thread().name == "qualcode-key-derivation":
            raise MemoryError("scrypt's 16 MB were not to be had")
        return scrypt(passphrase, salt, n)

    monkeypatch.setattr(key_file, "_scrypt", out_of_memory_on_the_thread)
    derive_ahead(key_path, PASSPHRASE)
    assert load_key(key_path, PASSPHRASE).entry_for("Kari Nordmann") is not None


def test_the_reader_takes_what_the_thread_derived(key_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    derived_on: list[str] = []
    scrypt = key_file._scrypt

    def counted(passphrase: str, salt: bytes, n: int) -> bytes:
        derived_on.append(threading.current_thread().name)
        return scrypt(passphrase, salt, n)

    monkeypatch.setattr(key_file, "_scrypt", counted)
    derive_ahead(key_path, PASSPHRASE)
    load_key(key_path, PASSPHRASE)
    load_key(key_path, PASSPHRASE)
    assert derived_on == ["qualcode-key-derivation"]


def test_no_thread_to_be_had_leaves_the_derivation_to_the_reader(key_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refused)
    derive_ahead(key_path, PASSPHRASE)
    assert key_file._derived == {}
    assert load_key(key_path, PASSPHRASE).entry_for("Kari Nordmann") is not None


def forked(child: Callable[[], bool]) -> int:
    """Fork, run `child` there (exit 0 if it returns true), and its exit code; a child that hangs is killed."""
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            ok = child()
        finally:
            os._exit(0 if ok else 1)  # noqa: B012 - the child must never return into pytest
    deadline = time.monotonic() + 20
    while (ended := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if ended[0] == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked process hung")
    return os.waitstatus_to_exitcode(ended[1])


def test_a_process_forked_during_a_derivation_keeps_what_was_derived(key_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reliability tests, and any host that forks, may fork with a derivation in flight: the
    fork waits for it, and the child has its result without deriving again."""
    derive_ahead(key_path, PASSPHRASE)

    def child() -> bool:
        monkeypatch.setattr(key_file, "_scrypt", lambda *arguments: b"derived again")
        return load_key(key_path, PASSPHRASE).entry_for("Kari Nordmann") is not None

    assert forked(child) == 0


def test_a_process_forked_while_another_thread_holds_the_cache_reads_the_key(key_path: Path) -> None:
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with key_file._derived_lock:
            holding.set()
            done.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(30)
    try:
        assert forked(lambda: load_key(key_path, PASSPHRASE).entry_for("Kari Nordmann") is not None) == 0
    finally:
        done.set()
        holder.join()


def test_each_command_said_to_read_the_key_is_one() -> None:
    for name in READS_THE_KEY:
        command: click.Command | None = cli
        for word in name.split():
            assert isinstance(command, click.Group), name
            command = command.get_command(click.Context(command), word)
        assert command is not None, f"READS_THE_KEY names {name!r}, which is no command"


@pytest.fixture
def begun_ahead(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """A process that has derived no key yet, and a list that grows by one for each derivation begun ahead."""
    started: list[bool] = []

    class Recorded(key_file._Derivation):
        def __init__(self, passphrase: str, salt: bytes, n: int) -> None:
            started.append(True)
            super().__init__(passphrase, salt, n)

    monkeypatch.setattr(key_file, "_derived", {})
    monkeypatch.setattr(key_file, "_Derivation", Recorded)
    return started


@pytest.mark.parametrize(
    ("args", "ahead"),
    [
        (["export", "quotes", "--format", "csv"], True),
        (["export", "report"], True),
        (["leakcheck", "{root}/notat.txt"], True),
        (["key", "show"], True),
        (["identifiers", "add", "Ola Normann", "--kind", "person"], True),
        (["import", "{root}/notat.txt"], True),
        (["anonymise", "pending"], True),
        (["framework", "export", "{root}/rammematrise.xlsx"], True),
        (["anonymise", "attribution-check", "--by", "role,office"], False),
        (["status"], False),
        (["coding", "list"], False),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_commands_that_read_the_key_begin_its_derivation_as_they_start(
    args: list[str], ahead: bool, demo: Path, monkeypatch: pytest.MonkeyPatch, begun_ahead: list[bool],
) -> None:
    (demo / "notat.txt").write_text("Ingen navn her, bare måltall.\n", encoding="utf-8")
    coded = CliRunner().invoke(cli, ["--project", str(demo), "coding", "add", "leder_L1", "empowerment", "--match", "vi må nå måltallet før jul"])
    assert coded.exit_code == 0, coded.output
    monkeypatch.chdir(demo)
    result = CliRunner().invoke(cli, ["--project", str(demo), *(arg.replace("{root}", str(demo)) for arg in args)])
    assert result.exit_code == 0, result.output
    assert begun_ahead == ([True] if ahead else [])


@pytest.mark.parametrize("given", ["option", "nothing"])
def test_the_keys_path_given_as_an_option_is_derived_ahead_and_one_only_the_project_knows_is_not(
    given: str, demo: Path, monkeypatch: pytest.MonkeyPatch, begun_ahead: list[bool],
) -> None:
    """Where the project alone records the key's path, it is known only once the project is open."""
    key = os.environ["QUALCODE_KEY"]
    monkeypatch.delenv("QUALCODE_KEY")
    (demo / "notat.txt").write_text("Ingen navn her.\n", encoding="utf-8")
    option = ["--key", key] if given == "option" else []
    result = CliRunner().invoke(cli, ["--project", str(demo), *option, "leakcheck", str(demo / "notat.txt")])
    assert result.exit_code == 0, result.output
    assert begun_ahead == ([True] if given == "option" else [])
