"""`anonymise dismiss` of a name the key holds: it said "dismissed 1" and the key went on replacing the
name everywhere, so a researcher who meant to take back a mistaken acceptance thought it done."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from qualcode.anonymise.key import Candidate, PseudonymKey
from qualcode.anonymise.service import dismiss
from qualcode.cli import cli


def run(project: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--coder", "Forsker 1", *args], catch_exceptions=False)


def test_dismissing_a_name_the_key_holds_is_refused_and_changes_nothing(demo: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "demo-key" / "demo.qckey"
    before = key_file.read_bytes()
    for words in (["Sissel Bakken"], ["Norge", "sissel"], ["Hilde"]):
        result = run(demo, "anonymise", "dismiss", *words)
        assert result.exit_code == 1, result.output
        assert "dismissed 1" not in result.output
        assert "is in the key as a person" in result.output and "dismissing it would not stop that" in result.output
        assert "nothing dismissed" in result.output
    assert key_file.read_bytes() == before  # "Norge" beside it was not dismissed either
    result = run(demo, "anonymise", "dismiss", "Norge")
    assert result.exit_code == 0 and "dismissed 1" in result.output


def test_a_word_waiting_for_review_is_dismissed_as_before() -> None:
    """The review's own `d` decides a candidate, whatever the key holds besides."""
    key = PseudonymKey("p")
    key.pending.append(Candidate("Torunn", []))
    dismiss(key, "Torunn")
    assert key.pending == [] and key.dismissed == ["Torunn"]
