"""The project file under faults (issue 15, items 15 and 10): read-only disks, files and folders,
damaged databases, backups, a busy database and a full disk, all with real `qualcode` processes.

Read-only is made so that it holds for root too: a read-only bind mount in a private mount
namespace (unshare(2) in the command's process), or the immutable attribute (`chattr +i`); as an
ordinary user, file modes do. A case that cannot be made here is skipped, never faked.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from qualcode.store import faults
from tests.conftest import idle
from tests.reliability.conftest import (
    ForkedProcess,
    assert_one_line_error,
    connected,
    copied_project,
    made_project,
    qualcode_command,
    run_qualcode,
    start_qualcode,
)

INTERVIEW = """I: Har du gått på kurs?
D1: Ja, jeg gikk på kurs i vår. Kurset var bra, og kursene etterpå også.

I: Og ellers?
D1: Kursing hele dagen er slitsomt. Det var en bratt kurve, men jeg ble hørt.
"""

# What researchers read most; every command that only reads opens the project the same way.
READS = [["status"], ["search", "kurs*", "--json"], ["history"], ["transcripts", "show", "intervju"], ["coding", "list"]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project with one transcript, a coding and a memo, made by real processes; copied per test."""
    return made_project(
        tmp_path_factory.mktemp("project-file"), INTERVIEW,
        ["coding", "add", "intervju", "empowerment", "--match", "jeg ble hørt"], ["memo", "add", "Første notat"],
    )


@pytest.fixture
def project(template: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root, env = copied_project(template, tmp_path)
    return root, {**env, "QUALCODE_PROJECT": str(root)}


def database(root: Path) -> Path:
    return root / ".qualcode" / "project.db"


def backups(root: Path, kind: str = "") -> list[Path]:
    return sorted((root / ".qualcode" / "backups").glob(f"*{kind}.bak"))


def memo_texts(root: Path) -> list[str]:
    with connected(f"file:{database(root)}?mode=ro", uri=True) as connection:
        return [row[0] for row in connection.execute("SELECT text FROM memos ORDER BY id")]


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file under `directory` with its size and modification time."""
    return {
        str(path.relative_to(directory)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(directory.rglob("*")) if path.is_file()
    }


def run_all(
    commands: list[list[str]], env: dict[str, str], preexec: Callable[[], None] | None = None,
) -> list[subprocess.CompletedProcess[str]]:
    """Run commands at once, each as its own process."""
    processes = [start_qualcode(args, env, preexec=preexec) for args in commands]
    results = []
    for args, process in zip(commands, processes, strict=True):
        stdout, stderr = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(args, process.returncode, stdout, stderr))
    return results


def assert_read_only_refusal(result: subprocess.CompletedProcess[str]) -> None:
    assert_one_line_error(result)
    assert "read-only" in result.stderr, result.stderr


@contextmanager
def frozen(path: Path) -> Iterator[None]:
    """Make `path` unwritable even for root (immutable attribute), or by its mode for anyone else."""
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    elif os.getuid() != 0:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)
    else:
        pytest.skip("cannot make a file read-only for root here (no chattr +i)")


CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
# Flags a user namespace may not drop when it remounts; statvfs reports them with the same bits.
LOCKED_FLAGS = os.ST_NOSUID | os.ST_NODEV | os.ST_NOEXEC | os.ST_NOATIME | os.ST_NODIRATIME | os.ST_RELATIME


def _checked(result: int) -> None:
    if result != 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number))


def read_only_mount(root: Path) -> Callable[[], None]:
    """For a child to run before its command: `root` bind-mounted read-only in a mount namespace of
    its own, as `unshare --map-root-user --mount` and `mount -o remount,bind,ro` make it (so it holds
    for root too). Skips the test where this cannot be made."""

    def enter() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
        uid, gid = os.getuid(), os.getgid()
        _checked(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS))
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
        place = os.fsencode(root)
        _checked(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None))
        _checked(libc.mount(place, place, None, MS_BIND, None))
        locked = os.statvfs(root).f_flag & LOCKED_FLAGS
        _checked(libc.mount(None, place, None, MS_REMOUNT | MS_BIND | MS_RDONLY | locked, None))

    def write_probe() -> None:
        try:
            (root / "probe").touch()
        except OSError:
            return
        sys.exit("the mount is writable")

    probe = ForkedProcess(write_probe, ["probe"], preexec=enter)
    _stdout, stderr = probe.communicate(timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount read-only here: {stderr.strip().splitlines()[-1:]}")
    return enter


def test_read_commands_work_on_a_read_only_file_system(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    mount = read_only_mount(root)
    before = snapshot(root)
    *reads, write = run_all([*READS, ["memo", "add", "Et notat til"]], env, mount)
    for result in reads:
        assert result.returncode == 0, (result.args, result.stderr)
    assert [hit["keyword"] for hit in json.loads(reads[1].stdout)["hits"]] == ["kurs", "kurs", "Kurset", "kursene", "Kursing"]
    assert_read_only_refusal(write)
    assert snapshot(root) == before


def test_a_key_in_a_folder_that_cannot_be_written_is_one_line(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """A change to the key writes a lock file beside it: in a read-only folder that was a raw
    "OSError: [Errno 30] … .qckey.lock"; now one line saying where, and the project unchanged."""
    root, env = project[0], own_key(project[1], tmp_path)
    before = snapshot(root)
    [added] = run_all([["memo", "add", "Et notat til"]], env, read_only_mount(Path(env["QUALCODE_KEY"]).parent))
    assert_one_line_error(added)
    assert "cannot lock the key" in added.stderr and "keep the key in a folder you can write to" in added.stderr
    assert snapshot(root) == before


def test_read_commands_work_on_a_read_only_database_file(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    content = database(root).read_bytes()
    stamp = database(root).stat().st_mtime_ns
    (root.parent / "notat.txt").write_text("Ingen navn her.\n", encoding="utf-8")
    with frozen(database(root)):
        # `key show` and `leakcheck` only read too (they were refused as writing commands are).
        for result in run_all([["status"], ["search", "kurs*"], ["history"], ["key", "show"],
                               ["leakcheck", str(root.parent / "notat.txt")]], env):
            assert result.returncode == 0, (result.args, result.stderr)
        assert_read_only_refusal(run_qualcode(["memo", "add", "Et notat til"], env))
    assert database(root).read_bytes() == content and database(root).stat().st_mtime_ns == stamp
    assert memo_texts(root) == ["Første notat"]


def test_exports_work_on_a_read_only_database_file(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """An export reads the project and writes a file elsewhere: a project on read-only media (an
    archive copy) can still be exported from."""
    root, env = project
    content = database(root).read_bytes()
    out = tmp_path / "ut"
    out.mkdir()
    with frozen(database(root)):
        for args in (["export", "quotes", "--format", "csv", "--output", str(out / "sitater.csv")],
                     ["export", "report", "--output", str(out / "rapport.docx")], ["export", "qdpx", str(out / "prosjekt.qdpx")]):
            result = run_qualcode(args, env)
            assert result.returncode == 0, (args, result.stderr)
    assert sorted(path.name for path in out.iterdir()) == ["prosjekt.qdpx", "rapport.docx", "sitater.csv"]
    assert database(root).read_bytes() == content


def test_read_commands_work_in_a_read_only_folder(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    folder = root / ".qualcode"
    before = snapshot(folder)
    with frozen(folder):
        for result in run_all([["status"], ["search", "kurs*"], ["history"]], env):
            assert result.returncode == 0, (result.args, result.stderr)
        assert_read_only_refusal(run_qualcode(["coding", "add", "intervju", "empowerment", "--match", "bratt kurve"], env))
    assert snapshot(folder) == before  # not even SQLite's log or shared-memory file


def test_read_commands_work_in_a_folder_read_only_by_its_mode(project: tuple[Path, dict[str, str]]) -> None:
    """A probe: an archived copy on a share, its folders mode 555, read by someone who is not root.
    SQLite said "attempt to write a readonly database" (READONLY_DIRECTORY, where root's immutable
    folder gave CANTOPEN), so every reading command was refused, its hint saying they still work."""
    root, env = project
    as_user: list[str] = []
    if os.getuid() == 0:  # root reads and writes whatever the mode says, unless it gives that up
        if shutil.which("setpriv") is None:
            pytest.skip("as root, and no setpriv to give up its override of file modes")
        as_user = ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "--"]
    folders = [root, root / ".qualcode"]
    modes = [folder.stat().st_mode for folder in folders]
    for folder in folders:
        folder.chmod(0o555)
    try:
        for args in READS:
            result = subprocess.run([*as_user, *qualcode_command(*args)], env=env, capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, (args, result.stderr)
        changed = subprocess.run([*as_user, *qualcode_command("memo", "add", "Et notat")], env=env, capture_output=True,
                                 text=True, timeout=120)
        assert_read_only_refusal(changed)
    finally:
        for folder, mode in zip(folders, modes, strict=True):
            folder.chmod(mode)


def test_a_damaged_database_is_refused_and_a_verified_backup_restores_it(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    taken = run_qualcode(["backup"], env)
    assert taken.returncode == 0, taken.stderr
    [manual] = backups(root, "manual")
    with connected(manual) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT text FROM memos").fetchall() == [("Første notat",)]
    assert run_qualcode(["memo", "add", "Skrevet etter backupen"], env).returncode == 0

    size = database(root).stat().st_size
    with database(root).open("r+b") as handle:
        handle.truncate(size // 2)
    junk = manual.with_name("29991231-235959-000000-manual.bak")  # newer, but no backup: never the one named
    junk.write_bytes(b"ikke en sikkerhetskopi")
    manual.with_name("29991231-235959-000001-daily.bak").mkdir()
    refused, listed = run_all([["memo", "add", "Et notat til"], ["backup", "list"]], env)
    assert_one_line_error(refused)
    assert "cut short" in refused.stderr and f"qualcode backup restore {manual.name}" in refused.stderr
    assert listed.returncode == 0 and manual.name in listed.stdout
    # (the column as wide as the names qualcode gives now, one character longer: their moment's Z)
    # (the moment in local time with its offset: a name's moment is UTC)
    assert re.search(rf"{junk.name} +2999-12-31 23:59[+-]\d\d:\d\d  manual \(damaged: is not a qualcode database\)", listed.stdout)
    assert "000001-daily" not in listed.stdout

    restored = run_qualcode(["backup", "restore", manual.name], env)
    assert restored.returncode == 0, restored.stderr
    assert memo_texts(root) == ["Første notat"]
    assert len(backups(root, "before-restore-damaged")) == 1
    with connected(database(root)) as connection:
        summary = connection.execute("SELECT summary FROM events ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert summary.startswith(f"restored the project from backup {manual.name}; the state before is in ")

    database(root).write_bytes(b"")
    refused = run_qualcode(["status"], env)
    assert_one_line_error(refused)
    assert "empty (0 bytes)" in refused.stderr and "qualcode backup restore" in refused.stderr
    assert database(root).stat().st_size == 0  # refused, not made into a new, empty project


def test_restore_keeps_the_state_it_replaces_and_refuses_a_bad_backup(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, env = project
    assert run_qualcode(["backup"], env).returncode == 0
    [manual] = backups(root, "manual")
    assert run_qualcode(["memo", "add", "Skrevet etter backupen"], env).returncode == 0
    not_a_backup = tmp_path / "tull.bak"
    not_a_backup.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    before = database(root).read_bytes()
    refused = run_qualcode(["backup", "restore", str(not_a_backup)], env)
    assert_one_line_error(refused)
    assert database(root).read_bytes() == before

    assert run_qualcode(["backup", "restore", str(manual)], env).returncode == 0
    assert memo_texts(root) == ["Første notat"]
    [kept] = backups(root, "before-restore")
    assert run_qualcode(["backup", "restore", kept.name], env).returncode == 0
    assert memo_texts(root) == ["Første notat", "Skrevet etter backupen"]


def test_a_restore_waits_for_a_writer_that_holds_the_key(project: tuple[Path, dict[str, str]]) -> None:
    """An import writes with the key locked; a restore meanwhile would keep "the state before" and
    then overwrite what the import committed after it. So the restore waits for the key."""
    import time

    from filelock import FileLock

    root, env = project
    assert run_qualcode(["backup"], env).returncode == 0
    [manual] = backups(root, "manual")
    holder = FileLock(env["QUALCODE_KEY"] + ".lock")  # as an import holds it while it writes
    holder.acquire()
    try:
        restoring = start_qualcode(["backup", "restore", manual.name], env)
        deadline = time.monotonic() + 60
        while restoring.poll() is None and not idle(restoring.pid) and time.monotonic() < deadline:
            pass
        assert restoring.poll() is None and not backups(root, "before-restore")  # started, and waiting for the key
    finally:
        holder.release()
    _, stderr = restoring.communicate(timeout=60)
    assert restoring.returncode == 0, stderr
    assert len(backups(root, "before-restore")) == 1


def test_a_daily_backup_before_the_first_change_of_a_day_kept_for_seven_days(project: tuple[Path, dict[str, str]]) -> None:
    root, env = project
    with connected(database(root)) as connection:  # a project made before today
        yesterday = (datetime.now() - timedelta(days=1)).astimezone().isoformat(timespec="seconds")
        connection.execute("UPDATE settings SET value = ? WHERE key = 'project.created'", (yesterday,))
    folder = root / ".qualcode" / "backups"
    folder.mkdir(exist_ok=True)
    for days_ago in range(1, 10):  # nine earlier days, each with its daily backup
        stamp = (datetime.now() - timedelta(days=days_ago)).strftime("%Y%m%d-%H%M%S-%f")
        shutil.copyfile(database(root), folder / f"{stamp}-daily.bak")

    assert run_qualcode(["status"], env).returncode == 0
    assert not [path for path in backups(root, "daily") if path.name.startswith(datetime.now().strftime("%Y%m%d"))]
    for memo in ("Første endring i dag", "Andre endring i dag"):
        assert run_qualcode(["memo", "add", memo], env).returncode == 0
    today = [path for path in backups(root, "daily") if path.name.startswith(datetime.now().strftime("%Y%m%d"))]
    assert len(today) == 1
    with connected(today[0]) as connection:  # taken before the change
        assert connection.execute("SELECT text FROM memos").fetchall() == [("Første notat",)]
    assert len(backups(root, "daily")) == 7


# Another writer that does not finish: it takes the write lock and holds it until its input ends.
HOLD_THE_WRITE_LOCK = (
    "import sqlite3, sys\n"
    "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "connection.execute('BEGIN IMMEDIATE')\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
    "connection.execute('ROLLBACK')\n"
)


def test_a_busy_database_is_one_line_and_changes_nothing(project: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    root, env = project
    # The writers are forked from this process and give up after its busy timeout: half a second,
    # not a researcher's 5 s, since the holder keeps the lock until they have given up either way.
    monkeypatch.setattr(faults, "BUSY_TIMEOUT_SECONDS", 0.5)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITE_LOCK, str(database(root))], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        writers = [
            start_qualcode(["coding", "add", "intervju", "empowerment", "--match", "bratt kurve"], env),
            start_qualcode(["memo", "add", "Et notat til"], env),
        ]
        results = [subprocess.CompletedProcess(w.args, *_wait(w)) for w in writers]
    finally:
        holder.communicate(timeout=30)
    assert holder.returncode == 0
    for result in results:
        assert_one_line_error(result)
        assert "busy" in result.stderr and "try again" in result.stderr
    assert memo_texts(root) == ["Første notat"]
    with connected(database(root)) as connection:
        assert connection.execute("SELECT count(*) FROM codings").fetchone() == (1,)


def _wait(process: ForkedProcess | subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=60)
    return process.returncode, stdout, stderr


def test_a_full_disk_is_one_line_and_leaves_the_project_as_it_was(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    root, env = project
    limit = 256 * 1024  # far below what the command writes; above SQLite's 32 kB shared-memory file

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    codebook = tmp_path / "stor.yaml"
    definition = " ".join(f"ord{number}" for number in range(1_200))
    codebook.write_text(
        "name: Stor\ncodes:\n" + "".join(f"  - name: kode {n}\n    definition: {definition}\n" for n in range(40)),
        encoding="utf-8",
    )
    with connected(database(root)) as connection:
        codes_before = connection.execute("SELECT count(*) FROM codes").fetchone()
    result = run_qualcode(["codebook", "import", str(codebook)], env, preexec=small_disk)
    assert_one_line_error(result)
    assert "full" in result.stderr, result.stderr
    assert not [path for path in (root / ".qualcode").rglob("*") if path.name.startswith(".")]
    with connected(database(root)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM codes").fetchone() == codes_before
    assert run_qualcode(["codebook", "import", str(codebook)], env).returncode == 0  # with room, it works


def test_a_backup_taken_after_a_purge_does_not_purge_again_when_restored(project: tuple[Path, dict[str, str]]) -> None:
    """Learning an identifier rewrites the texts and drops the backups that still hold it, then
    takes a fresh one. That one held the note that a purge was due, so restoring it purged again
    and took the backup `backup restore` had just kept of the newer state with it."""
    root, env = project
    assert run_qualcode(["backup"], env).returncode == 0  # one to drop, so a fresh one is taken
    learned = run_qualcode(["identifiers", "add", "Kurset", "--kind", "other"], env)
    assert learned.returncode == 0, learned.stderr
    [fresh] = backups(root, "after-purge")
    with connected(fresh) as connection:
        assert connection.execute("SELECT value FROM settings WHERE key = 'anonymise.purge_pending'").fetchall() == []
    assert run_qualcode(["memo", "add", "Skrevet etter rensingen"], env).returncode == 0
    assert run_qualcode(["backup", "restore", fresh.name], env).returncode == 0
    [kept] = backups(root, "before-restore")
    assert run_qualcode(["status"], env).returncode == 0
    assert backups(root, "before-restore") == [kept]
    assert run_qualcode(["backup", "restore", kept.name], env).returncode == 0
    assert "Skrevet etter rensingen" in memo_texts(root)


def test_a_restore_onto_a_damaged_database_still_refuses_a_backup_from_before_a_withdrawal(
    project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """The withdrawal is recorded in the database; when that is damaged, the backups beside it
    (a withdrawal leaves only a fresh one) and the key say which project this is and who withdrew.
    When none can tell, the restore asks for the same confirmation as one from before a withdrawal."""
    root, env = project[0], own_key(project[1], tmp_path)
    told = tmp_path / "d2.txt"
    told.write_text("I: Hva tenker du?\nD2: Jeg ble møtt med respekt på kontoret hver gang.\n", encoding="utf-8")
    imported = run_qualcode(["import", str(told), "--participant", "D2", "--role", "deltaker"], env)
    assert imported.returncode == 0, imported.stderr
    assert run_qualcode(["backup"], env).returncode == 0
    [manual] = backups(root, "manual")
    before = tmp_path / "før-tilbaketrekking.bak"  # kept outside the project: the withdrawal cannot reach it
    shutil.copyfile(manual, before)
    withdrawn = run_qualcode(["participants", "withdraw", "D2", "--yes"], env)
    assert withdrawn.returncode == 0, withdrawn.stderr
    with database(root).open("r+b") as handle:
        handle.truncate(8192)
    damaged = database(root).read_bytes()

    refused = run_qualcode(["backup", "restore", str(before)], env)
    assert_one_line_error(refused)
    assert "taken before D2 withdrew consent" in refused.stderr
    assert database(root).read_bytes() == damaged and not backups(root, "damaged")

    for backup in backups(root):  # nothing beside it to tell
        backup.unlink()
    refused = run_qualcode(["backup", "restore", str(before)], env)
    assert_one_line_error(refused)
    assert "no backup beside it shows whether" in refused.stderr and "--before-withdrawal" in refused.stderr
    assert database(root).read_bytes() == damaged

    restored = run_qualcode(["backup", "restore", str(before), "--before-withdrawal"], env)
    assert restored.returncode == 0, restored.stderr
    assert "withdraw them again at once" in restored.stderr  # who, none can tell: the researcher must


def _d2_withdrawn_after_a_backup(project: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    """The project, with D2 imported, backed up (the copy outside it returned) and then withdrawn."""
    root, env = project[0], own_key(project[1], tmp_path)
    told = tmp_path / "d2.txt"
    told.write_text("I: Hva tenker du?\nD2: Jeg ble møtt med respekt på kontoret hver gang.\n", encoding="utf-8")
    assert run_qualcode(["import", str(told), "--participant", "D2", "--role", "deltaker"], env).returncode == 0
    assert run_qualcode(["backup"], env).returncode == 0
    [manual] = backups(root, "manual")
    before = tmp_path / "før-tilbaketrekking.bak"
    shutil.copyfile(manual, before)
    assert run_qualcode(["participants", "withdraw", "D2", "--yes"], env).returncode == 0
    return root, env, before


def test_a_restore_from_before_a_withdrawal_withdraws_them_again_at_once(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """--before-withdrawal restored D2 with their words, said so in one line, and left the project
    as if they had never withdrawn: their quotes were in the next export. They are withdrawn again."""
    root, env, before = _d2_withdrawn_after_a_backup(project, tmp_path)
    restored = run_qualcode(["backup", "restore", str(before), "--before-withdrawal"], env)
    assert restored.returncode == 0, restored.stderr
    # In the words `participants withdraw` says it in (it said less, in words of its own).
    assert ("withdrew D2 again, who had withdrawn consent since the backup: removed 1 transcript, redacted 0 turns in group"
            " interviews, removed 0 codings\n") in restored.stderr
    assert b"respekt" not in database(root).read_bytes()
    assert not any(b"respekt" in backup.read_bytes() for backup in backups(root))


def test_a_restore_from_before_a_withdrawal_keeps_the_state_it_replaced(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """The restore said "the state before is kept in …-before-restore.bak", then withdrew D2 again, whose
    rebuild deleted every backup, that one too: the work done since the old backup (here a memo written
    after the withdrawal) was gone, and nothing said so. A backup taken once D2's withdrawal was done holds
    none of their words, and is kept; one that holds them is deleted, and named."""
    root, env, before = _d2_withdrawn_after_a_backup(project, tmp_path)
    assert run_qualcode(["memo", "add", "Skrevet etter tilbaketrekkingen"], env).returncode == 0
    inside = root / ".qualcode" / "backups" / "20200101-000000-000000-manual.bak"  # an old one put back among them
    shutil.copyfile(before, inside)

    restored = run_qualcode(["backup", "restore", str(before), "--before-withdrawal"], env)
    assert restored.returncode == 0, restored.stderr
    [kept] = backups(root, "before-restore")
    assert f"the state before is kept in {kept.name}" in restored.stderr
    assert f"deleted 1 backup that held their words ({inside.name}); a fresh backup was taken" in restored.stderr
    assert not inside.exists()
    assert not any(b"respekt" in backup.read_bytes() for backup in backups(root))
    assert "Skrevet etter tilbaketrekkingen" not in memo_texts(root)
    assert run_qualcode(["backup", "restore", kept.name], env).returncode == 0
    assert "Skrevet etter tilbaketrekkingen" in memo_texts(root)
    assert b"respekt" not in database(root).read_bytes()


def test_a_restore_onto_a_damaged_database_refuses_another_projects_backup(
    project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    root, env = project
    assert run_qualcode(["backup"], env).returncode == 0
    [manual] = backups(root, "manual")
    other = tmp_path / "annet.bak"
    shutil.copyfile(manual, other)
    with connected(other) as connection:
        connection.execute("UPDATE settings SET value = 'et annet prosjekt' WHERE key = 'project.guid'")
    database(root).write_bytes(b"")
    refused = run_qualcode(["backup", "restore", str(other)], env)
    assert_one_line_error(refused)
    assert "is a backup of another project" in refused.stderr
    assert database(root).read_bytes() == b""


def own_key(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The environment with a copy of the template's key, for a test that changes the key."""
    key = tmp_path / "keys" / "studie.qckey"
    key.parent.mkdir()
    shutil.copyfile(env["QUALCODE_KEY"], key)
    return {**env, "QUALCODE_KEY": str(key)}


def _holds(root: Path, word: str) -> list[str]:
    """The files of the project (its database, log and backups) that hold `word` in any case."""
    wanted = word.casefold().encode("utf-8")
    return [str(path) for path in sorted((root / ".qualcode").rglob("*")) if path.is_file() and wanted in path.read_bytes().lower()]


@pytest.mark.parametrize("damaged", [False, True], ids=["healthy", "damaged"])
def test_a_restore_of_a_backup_from_before_the_key_learned_a_name_applies_the_key_to_it(
    project: tuple[Path, dict[str, str]], tmp_path: Path, damaged: bool,
) -> None:
    root, env = project[0], own_key(project[1], tmp_path)
    assert run_qualcode(["backup"], env).returncode == 0
    [manual] = backups(root, "manual")
    kept = tmp_path / "kopi.bak"  # a copy kept elsewhere, which learning the name cannot reach
    shutil.copyfile(manual, kept)
    learned = run_qualcode(["identifiers", "add", "bratt kurve", "--kind", "other"], env)
    assert learned.returncode == 0, learned.stderr
    assert _holds(root, "bratt") == []
    if damaged:
        database(root).write_bytes(b"")
    before = database(root).read_bytes()

    without = {name: value for name, value in env.items() if name != "QUALCODE_KEY_PASSPHRASE"}
    refused = run_qualcode(["backup", "restore", str(kept)], without)
    assert_one_line_error(refused)
    assert "passphrase" in refused.stderr
    assert database(root).read_bytes() == before

    restored = run_qualcode(["backup", "restore", str(kept)], env)
    assert restored.returncode == 0, restored.stderr
    assert _holds(root, "bratt") == []
    found = run_qualcode(["search", "bratt", "--json"], env)
    assert found.returncode == 0 and json.loads(found.stdout)["hits"] == [], found.stdout
    assert run_qualcode(["backup"], env).returncode == 0
    assert _holds(root, "bratt") == []
    assert memo_texts(root) == ["Første notat"]  # the backup's state, with the key applied


def test_after_the_key_is_destroyed_only_a_backup_taken_since_is_restored(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """Without the key, names it learned after a backup was taken cannot be taken out of it."""
    root, env = project[0], own_key(project[1], tmp_path)
    assert run_qualcode(["backup"], env).returncode == 0
    [older] = backups(root, "manual")
    assert run_qualcode(["key", "destroy", "--yes"], env).returncode == 0
    refused = run_qualcode(["backup", "restore", older.name], env)
    assert_one_line_error(refused)
    assert "key was destroyed" in refused.stderr and "taken before" in refused.stderr
    assert run_qualcode(["backup"], env).returncode == 0
    newer = next(path for path in backups(root, "manual") if path != older)
    restored = run_qualcode(["backup", "restore", newer.name], env)
    assert restored.returncode == 0, restored.stderr


def _imported_as_d2(env: dict[str, str], file: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run_qualcode(["import", str(file), "--participant", "D2", "--role", "deltaker", *options], env)


@pytest.mark.parametrize("taken", ["before their file's new version", "before they were imported"])
def test_a_restore_from_before_a_withdrawal_keeps_its_record(project: tuple[Path, dict[str, str]], tmp_path: Path, taken: str) -> None:
    """The withdrawal's record (who, and the digest of each version of their file) was in the state the
    restore replaced only: their file's version imported after the backup imported again under another
    id, and a backup taken before they were imported forgot that they had withdrawn at all."""
    root, env = project[0], own_key(project[1], tmp_path)
    told = tmp_path / "d2.txt"
    told.write_text("I: Hva tenker du?\nD2: Jeg ble møtt med respekt på kontoret hver gang.\n", encoding="utf-8")
    if taken == "before their file's new version":
        assert _imported_as_d2(env, told).returncode == 0
    assert run_qualcode(["backup"], env).returncode == 0
    before = tmp_path / "før.bak"
    shutil.copyfile(backups(root, "manual")[0], before)
    told.write_text("I: Hva tenker du?\nD2: Jeg ble møtt med stor respekt på kontoret hver gang.\n", encoding="utf-8")
    assert _imported_as_d2(env, told, "--replace").returncode == 0
    assert run_qualcode(["participants", "withdraw", "D2", "--yes"], env).returncode == 0

    restored = run_qualcode(["backup", "restore", str(before), "--before-withdrawal"], env)
    assert restored.returncode == 0, restored.stderr
    again = run_qualcode(["import", str(told), "--name", "ny", "--participant", "D7", "--role", "deltaker"], env)
    assert again.returncode == 1 and "is the interview of a participant who withdrew consent" in again.stderr
    assert b"respekt" not in database(root).read_bytes()
    status = json.loads(run_qualcode(["status", "--json"], env).stdout)
    assert status["withdrawn"]["participants"] == 1, status


def test_after_key_new_a_backup_taken_under_the_key_before_is_refused(project: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """`key destroy` then `key new` let a backup from before the destroy be restored with the new, empty
    key: a name the destroyed key learned after the backup was taken came back in the project."""
    root, env = project[0], own_key(project[1], tmp_path)
    assert run_qualcode(["backup"], env).returncode == 0
    older = tmp_path / "kopi.bak"  # a copy kept elsewhere, which learning the name cannot reach
    shutil.copyfile(backups(root, "manual")[0], older)
    assert run_qualcode(["identifiers", "add", "bratt kurve", "--kind", "other"], env).returncode == 0
    assert run_qualcode(["key", "destroy", "--yes"], env).returncode == 0
    assert run_qualcode(["key", "new"], env).returncode == 0
    before = database(root).read_bytes()
    refused = run_qualcode(["backup", "restore", str(older)], env)
    assert_one_line_error(refused)
    assert "taken under the key this project had before its new one" in refused.stderr and "taken since the new key" in refused.stderr
    assert database(root).read_bytes() == before
    assert _holds(root, "bratt") == []


def test_a_backup_taken_between_key_destroy_and_key_new_restores_with_the_new_key(
    project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """Restored, it kept the destroyed key's revision and setting: the project refused its new key as
    "an older copy" (every command that needs the key, for good) and forgot the key before it."""
    root, env = project[0], own_key(project[1], tmp_path)
    told = tmp_path / "d2.txt"
    told.write_text("I: Hva tenker du?\nD2: Jeg ble møtt med respekt på kontoret hver gang.\n", encoding="utf-8")
    assert _imported_as_d2(env, told).returncode == 0
    assert run_qualcode(["identifiers", "add", "bratt kurve", "--kind", "other"], env).returncode == 0  # the key saved again
    assert run_qualcode(["key", "destroy", "--yes"], env).returncode == 0
    assert run_qualcode(["backup"], env).returncode == 0
    [between] = backups(root, "manual")
    assert run_qualcode(["key", "new"], env).returncode == 0
    restored = run_qualcode(["backup", "restore", between.name], env)
    assert restored.returncode == 0, restored.stderr
    shown = run_qualcode(["key", "show"], env)
    assert shown.returncode == 0, shown.stderr
    withdrawn = run_qualcode(["participants", "withdraw", "D2", "--yes"], env)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert "the key before this one (destroyed on" in withdrawn.stderr


def test_a_kill_between_a_restore_and_withdrawing_again_is_finished_by_the_next_command(
    project: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """The restore put D2 back with their words and then withdrew them in a step of its own: a kill between
    the two left their transcript in the project, in every export, and nothing ever withdrew them."""
    from qualcode.store.backups import restore_backup

    root, env, before = _d2_withdrawn_after_a_backup(project, tmp_path)
    restore_backup(database(root), before, before_withdrawal=True)  # all a restore killed after it did
    assert b"respekt" in database(root).read_bytes()

    status = run_qualcode(["status", "--json"], env)
    assert status.returncode == 0, status.stderr
    assert "withdrew D2 again, who had withdrawn consent since the backup: removed 1 transcript," in status.stderr
    assert json.loads(status.stdout)["transcripts"] == 1
    assert b"respekt" not in database(root).read_bytes()
    assert not any(b"respekt" in backup.read_bytes() for backup in backups(root))
    assert run_qualcode(["status"], env).stderr == ""  # said once
