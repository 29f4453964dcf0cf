"""The key's matcher is built once for the key as it stands (KnownMatcher.of): an export's guard and its typed
title each built their own, and each file of an import two, about 20 ms apiece for a key of 250 names. What it
finds is what a matcher built afresh finds, after every change to the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.anonymise import known
from qualcode.anonymise.apply import add_identifier, note_seen_in, pseudonymise
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.known import KnownMatcher


def _found(key: PseudonymKey, text: str) -> list[tuple[str, str]]:
    return [(match.text, match.replacement) for match in KnownMatcher.of(key).find(text)]


def test_a_key_unchanged_is_matched_by_the_matcher_built_for_it() -> None:
    key = PseudonymKey("once")
    add_identifier(key, "Kari Nordmann", "person", "f")
    assert KnownMatcher.of(key) is KnownMatcher.of(key)
    other = PseudonymKey.from_json(key.to_json())  # the same names, another key: a matcher of its own
    assert KnownMatcher.of(other) is not KnownMatcher.of(key)
    assert KnownMatcher.of(other).find("Kari kom")[0].entry is other.entries[0]  # its own entry, noted on as it is used


def test_what_the_key_learns_is_found_at_once() -> None:
    key = PseudonymKey("learns")
    add_identifier(key, "Kari Nordmann", "person", "f")
    text = "Kari og Sissel Bakken kom, og Kari ringte 912 34 567."
    assert [found for found, _ in _found(key, text)] == ["Kari", "Kari"]
    add_identifier(key, "Sissel Bakken", "person", "f")
    add_identifier(key, "912 34 567", "phone", None)
    assert [found for found, _ in _found(key, text)] == ["Kari", "Sissel Bakken", "Kari", "912 34 567"]
    assert _found(key, text) == [(match.text, match.replacement) for match in KnownMatcher(key).find(text)]


def test_a_redrawn_or_removed_name_is_matched_as_the_key_now_holds_it() -> None:
    key = PseudonymKey("redrawn")
    add_identifier(key, "Kari Nordmann", "person", "f", pseudonym="Sissel Bakken")
    assert dict(_found(key, "Kari Nordmann")) == {"Kari Nordmann": "Sissel Bakken"}
    add_identifier(key, "Sissel Bakken", "person", "f")  # an original now, so Kari's pseudonym is drawn anew
    redrawn = key.entries[0].pseudonym
    assert redrawn != "Sissel Bakken" and dict(_found(key, "Kari Nordmann")) == {"Kari Nordmann": redrawn}
    key.entries = [entry for entry in key.entries if entry.original != "Kari Nordmann"]
    assert _found(key, "Kari Nordmann") == []


def test_a_name_removed_and_learned_again_is_noted_where_it_is_used() -> None:
    """Removed and learned again, a name draws the pseudonym it had: apply.known_matcher kept the matcher of the
    removed entry (its own cache read originals, kinds and pseudonyms alone), so what the import found of it was
    of no entry the key holds, and 'Kari' was noted used nowhere (a redraw left the old pseudonym there)."""
    key = PseudonymKey("again")
    removed = add_identifier(key, "Kari Nordmann", "person", "f")
    assert pseudonymise("Kari kom", key, "T0").text != "Kari kom"
    key.entries = [entry for entry in key.entries if entry is not removed]  # as `identifiers remove` leaves it
    again = add_identifier(key, "Kari Nordmann", "person", "f")
    assert again is not removed and again.pseudonym == removed.pseudonym
    result = pseudonymise("Kari kom", key, "T1")
    assert [replacement.entry for replacement in result.replacements] == [again]
    note_seen_in(key, result.replacements, "T1")
    assert again.seen_in == ["T1"]


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[PseudonymKey]:
    """The key of each KnownMatcher built from here on, none built before."""
    keys: list[PseudonymKey] = []
    real = KnownMatcher.__init__

    def counted(matcher: KnownMatcher, key: PseudonymKey) -> None:
        keys.append(key)
        real(matcher, key)

    monkeypatch.setattr(KnownMatcher, "__init__", counted)
    monkeypatch.setattr(known, "_MATCHERS", [])
    return keys


def test_an_import_builds_the_matcher_once_a_file(demo: Path, tmp_path: Path, built: list[PseudonymKey]) -> None:
    from tests.test_cli import run

    folder = tmp_path / "nye"
    folder.mkdir()
    for number in range(6):
        (folder / f"intervju_{number}.txt").write_text(f"I: Hvem?\nD1: Det var Torunn {number} som hjalp.\n", encoding="utf-8")
    imported = run("--project", str(demo), "import", str(folder))
    assert "6 held back for review" in imported.output, imported.output
    # Once for each file: each is pseudonymised with the key as read again under its lock. It was built twice.
    assert len(built) == 6


def test_an_export_builds_the_matcher_once(demo_template: Path, tmp_path: Path, built: list[PseudonymKey]) -> None:
    """A quote table's typed attribution, its file's name and its bytes were each read with a matcher of their own."""
    from tests.conftest import CODINGS, coded_demo
    from tests.test_cli import run

    root, env = coded_demo(demo_template, tmp_path, {"Forsker 1": CODINGS})
    exported = run("--project", str(root), "export", "quotes", "--format", "csv", "--output", str(tmp_path / "s.csv"), env=env)
    assert exported.exit_code == 0, exported.output
    assert len(built) == 1  # was 3
