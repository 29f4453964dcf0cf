"""The key's slow derivation begun ahead, on a thread of its own, for commands that will read the key."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import qualcode.anonymise.key as key_file
from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey, derive_ahead, load_key, read_envelope, save_key
from qualcode.cli import cli
from qualcode.config import Config
from qualcode.errors import KeyFileError, KeyMissing
from qualcode.workspace import Workspace

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


def test_a_process_forked_during_a_derivation_reads_the_key_itself(key_path: Path) -> None:
    """The reliability tests and any forking host fork with a derivation in flight: the child has
    not its thread, and must neither wait for it for ever nor find its lock held."""
    derive_ahead(key_path, PASSPHRASE)
    pid = os.fork()
    if pid == 0:
        try:
            read = load_key(key_path, PASSPHRASE).entry_for("Kari Nordmann") is not None
        finally:
            os._exit(0 if read else 1)  # noqa: B012 - the child must never return into pytest
    deadline = time.monotonic() + 60
    while (ended := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if ended[0] == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked process waited for a derivation it does not have")
    assert os.waitstatus_to_exitcode(ended[1]) == 0


def test_a_workspace_opened_for_reading_the_key_begins_it_when_its_path_is_given(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = Path(os.environ["QUALCODE_KEY"])
    given = Config(project=demo, key=key, passphrase="test passphrase")
    monkeypatch.setattr(key_file, "_derived", {})
    with Workspace.open(given):
        assert key_file._derived == {}  # not asked for: a command that needs no key pays nothing for it
    with Workspace.open(Config(project=demo, passphrase="test passphrase"), reads_key=True):
        assert key_file._derived == {}  # the path is in the project: known only once it is open, too late to gain
    with Workspace.open(given, reads_key=True):
        assert begun(key, "test passphrase") is not None


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
        (["status"], False),
        (["coding", "list"], False),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_commands_that_read_the_key_begin_its_derivation_as_they_start(
    args: list[str], ahead: bool, demo: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (demo / "notat.txt").write_text("Ingen navn her, bare måltall.\n", encoding="utf-8")
    coded = CliRunner().invoke(cli, ["--project", str(demo), "coding", "add", "leder_L1", "empowerment", "--match", "vi må nå måltallet før jul"])
    assert coded.exit_code == 0, coded.output
    started: list[bool] = []

    class Recorded(key_file._Derivation):
        def __init__(self, passphrase: str, salt: bytes, n: int) -> None:
            started.append(True)
            super().__init__(passphrase, salt, n)

    monkeypatch.setattr(key_file, "_derived", {})
    monkeypatch.setattr(key_file, "_Derivation", Recorded)
    monkeypatch.chdir(demo)
    result = CliRunner().invoke(cli, ["--project", str(demo), *(arg.replace("{root}", str(demo)) for arg in args)])
    assert result.exit_code == 0, result.output
    assert started == ([True] if ahead else [])
