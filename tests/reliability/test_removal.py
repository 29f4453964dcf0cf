"""`identifiers remove` killed or failing between the texts' commit and the key's save: the project and the
key agree afterwards, and the log says only what was done."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability.conftest import (
    PASSPHRASE,
    cli_env,
    connected,
    copied_with_key,
    made_project,
    run_qualcode,
    start_qualcode,
)

TEXT = (
    "I: Korleis var det å møte Forskar B?\n"
    "D1: Eg snakka med Forskar B om det, og Forskar A var der òg. Forskar B sa at planen var god.\n"
    "I: Og Forskars rolle?\n"
    "D1: Forskar A kom seinare.\n"
)
REMOVE = ["identifiers", "remove", "Forskar B"]


@pytest.fixture(scope="module")
def coded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """"Forskar B" (a researcher's label) added as a person after the import, and a coding made on its pseudonym."""
    return made_project(
        tmp_path_factory.mktemp("removal"), TEXT, ["identifiers", "add", "Forskar B", "--kind", "person", "--pseudonym", "Eva Lunde"],
        ["coding", "add", "intervju", "empowerment", "--match", "Eva Lunde sa at planen"],
    )


def _copy(template: tuple[Path, dict[str, str]], target: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the project and of its key (the removal changes the key)."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "home").mkdir(exist_ok=True)
    root, key = copied_with_key(template, target)
    return root, cli_env(target / "home", key)


def _state(root: Path, env: dict[str, str]) -> tuple[str, list[tuple[str, str, bool]], list[str], bool, list[str]]:
    """The text, the log (action, summary, undoable), the codings' excerpts, whether the key holds the name and what it dismissed."""
    from qualcode.anonymise.key import load_key

    with connected(f"file:{root / '.qualcode' / 'project.db'}?mode=ro", uri=True) as connection:
        [(text,)] = connection.execute(
            "SELECT v.text FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id").fetchall()
        logged = [(action, summary, bool(undoable)) for action, summary, undoable in connection.execute(
            "SELECT action, summary, undoable FROM events ORDER BY id")]
        excerpts = [excerpt for (excerpt,) in connection.execute("SELECT excerpt FROM codings ORDER BY id")]
    key = load_key(Path(env["QUALCODE_KEY"]), PASSPHRASE)
    return str(text), logged, excerpts, key.entry_for("Forskar B") is not None, key.dismissed


def _killed_when_the_key_is_saved_without(original: str) -> Callable[[], None]:
    """For the child to run before its command: SIGKILL itself as it begins to save a key without `original`,
    that is after the texts were committed and before the key is."""

    def enter() -> None:
        from qualcode.anonymise.key import PseudonymKey
        from qualcode.anonymise.service import KeyAccess

        save = KeyAccess.save

        def saving(access: KeyAccess, key: PseudonymKey) -> None:
            if key.entry_for(original) is None:
                os.kill(os.getpid(), signal.SIGKILL)
            save(access, key)

        KeyAccess.save = saving  # type: ignore[method-assign]

    return enter


def test_a_kill_before_the_key_is_saved_is_finished_by_the_next_command(
    coded_template: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """Killed after the texts got the word back and before the key was saved without it, the next command rewrote
    the texts with the key that still held it: the pseudonym came back, the coding made on it could no longer be
    undone, and the log said both that the name was taken out of the key and that one more identifier was
    pseudonymised. The removal is recorded as pending with the texts, and the next command saves the key
    without it, as the removal would have: the project, key and log as after a removal not killed."""
    whole_root, whole_env = _copy(coded_template, tmp_path / "whole")
    assert run_qualcode(["--project", str(whole_root), *REMOVE], whole_env).returncode == 0
    removed = _state(whole_root, whole_env)
    assert removed[0] == TEXT and removed[2] == ["Forskar B sa at planen"] and not removed[3]

    root, env = _copy(coded_template, tmp_path / "killed")
    before = _state(root, env)
    assert "Eva Lunde sa at" in before[0] and before[3]
    killed = run_qualcode(["--project", str(root), *REMOVE], env, preexec=_killed_when_the_key_is_saved_without("Forskar B"))
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    text, _, _, held, _ = _state(root, env)
    assert text == TEXT and held  # killed in between: the texts put back, the key not saved

    finished = run_qualcode(["--project", str(root), "status"], env)
    assert finished.returncode == 0, finished.stderr
    assert ("an identifier's removal was interrupted before the key was saved; finished it: 'Forskar B' (person) is out of the key"
            in finished.stderr), finished.stderr
    assert _state(root, env) == removed  # the log too: the removal once, and no rewrite that pseudonymised it again
    assert "took a person out of the key" in run_qualcode(["--project", str(root), "history"], env).stdout
    again = run_qualcode(["--project", str(root), "status"], env)
    assert again.returncode == 0 and "interrupted" not in again.stderr, again.stderr


def test_a_key_that_cannot_be_saved_after_the_kill_gives_the_texts_their_pseudonym_back(
    coded_template: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """After the kill the key became read-only: the next command cannot save it without the name, so the texts get
    their pseudonym back, undo is as it was, and the log says nothing of either; the command goes on, and says so."""
    root, env = _copy(coded_template, tmp_path / "killed")
    before = _state(root, env)
    killed = run_qualcode(["--project", str(root), *REMOVE], env, preexec=_killed_when_the_key_is_saved_without("Forskar B"))
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    key = Path(env["QUALCODE_KEY"])
    key.chmod(0o400)
    try:
        listed = run_qualcode(["--project", str(root), "coding", "list", "--json"], env)
    finally:
        key.chmod(0o600)
    assert listed.returncode == 0, listed.stderr
    assert "the key cannot be saved now" in listed.stderr and "its pseudonym 'Eva Lunde' is back in the texts" in listed.stderr, listed.stderr
    assert [coding["excerpt"] for coding in json.loads(listed.stdout)] == ["Eva Lunde sa at planen"]
    assert _state(root, env) == before
    undone = run_qualcode(["--project", str(root), "undo"], env)
    assert undone.returncode == 0 and undone.stdout.startswith("undid: coded intervju"), (undone.stdout, undone.stderr)


def test_a_kill_at_any_moment_leaves_the_removal_done_or_not_begun(
    coded_template: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """Killed at seeded random moments of its run (timed whole on a copy first), then any command: the project,
    the key and the log are as before the removal or as after it, never between."""
    whole_root, whole_env = _copy(coded_template, tmp_path / "whole")
    before = _state(whole_root, whole_env)
    started = time.monotonic()
    assert run_qualcode(["--project", str(whole_root), *REMOVE], whole_env).returncode == 0
    duration = time.monotonic() - started
    removed = _state(whole_root, whole_env)
    rng = random.Random(31)
    for attempt in range(3):
        root, env = _copy(coded_template, tmp_path / f"kill{attempt}")
        child = start_qualcode(["--project", str(root), *REMOVE], env)
        time.sleep(rng.uniform(0.3, 1.0) * duration)
        child.send_signal(signal.SIGKILL)
        child.wait()
        result = run_qualcode(["--project", str(root), "status"], env)
        assert result.returncode == 0, (attempt, result.stderr)
        assert _state(root, env) in (before, removed), attempt


def test_a_key_changed_by_a_command_begun_before_the_kill_finishes_the_removal_and_keeps_its_word(
    coded_template: tuple[Path, dict[str, str]], tmp_path: Path,
) -> None:
    """A probe: `identifiers remove` was killed (or stopped by Ctrl-C) before it saved the key, while the terminal UI
    was open in another terminal, which opened before it and so finished nothing. The UI's next change to the key
    (a name accepted) read the key that still held the name and rewrote the texts with it: the word put back became
    the pseudonym again, and the next command took the name out of the key saying "its word stays where it was put
    back", with the word gone. Whatever locks the key first finishes the removal, and says so."""
    from qualcode.anonymise.service import add_known_identifier
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    root, env = _copy(coded_template, tmp_path / "killed")
    killed = run_qualcode(["--project", str(root), *REMOVE], env, preexec=_killed_when_the_key_is_saved_without("Forskar B"))
    assert killed.returncode == -signal.SIGKILL, (killed.returncode, killed.stderr)
    said: list[str] = []
    # Opened as before the kill: the UI's workspace finished nothing when it opened.
    config = Config(project=root, coder="Forsker", key=Path(env["QUALCODE_KEY"]), passphrase=PASSPHRASE)
    with Workspace.open(config, report=said.append, finishing=False) as other, other.changing_key() as change:
        add_known_identifier(change.key, "Gunnhild Solberg", "person", None, None)
    text, logged, excerpts, held, dismissed = _state(root, env)
    assert text == TEXT
    assert not held and "Forskar B" in dismissed and excerpts == ["Forskar B sa at planen"]
    assert [summary.startswith("took a person out of the key") for action, summary, _ in logged if action == "identifier.remove"] == [True]
    assert any("finished it: 'Forskar B' (person) is out of the key" in line for line in said), said
    after = run_qualcode(["--project", str(root), "status"], env)
    assert after.returncode == 0 and "interrupted" not in after.stderr, after.stderr
