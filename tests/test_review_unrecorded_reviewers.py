"""Reviewers named by an address whom a version before the key kept every such reviewer brought in, unrecorded in
the key: a newcomer whose four digits meet theirs takes more, and a withdrawal naming them finds their comments."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.test_review_roundtrip import (
    addresses_meeting,
    commented,
    memos,
    ok,
    reported,
    reported_template,
    run,
)

__all__ = ["reported", "reported_template"]

QUOTE = "Vi får et måltall"


def imported_unrecorded(project: Path, tmp_path: Path, address: str, name: str) -> Path:
    """The report with a comment by `address` imported as a version before today's did: under its four digits
    (`name`), with nothing of it kept in the key. The report is returned."""
    from qualcode.anonymise.key import load_key, save_key

    ok(run(project, "coding", "add", "leder_L1", "måltall-press", "--match", "Vi får et måltall hvert år fra fylket", coder="Prober"))
    report = tmp_path / "begge.docx"
    ok(run(project, "export", "report", "--output", str(report)))
    old = commented(report, tmp_path / "a.docx", (QUOTE, "Kutt dette.", address))
    assert "1 new memo" in ok(run(project, "review", "import", str(old), coder="Prober")).output
    key_path = Path(os.environ["QUALCODE_KEY"])
    key = load_key(key_path, "test passphrase")
    assert key.reviewers.pop(key.digest(address)) == name
    save_key(key_path, key, "test passphrase")
    return report


def test_a_newcomer_whose_digits_meet_an_unrecorded_reviewer_takes_more_and_the_withdrawal_finds_the_first(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """A probe: a reviewer brought in before the key kept every one named by an address was not in the key; a new
    address whose four digits met theirs took their name (its comment came in under the first's coder), and a
    withdrawal naming the first address deleted nothing, as the first was worked out as having more digits."""
    project, _ = reported
    first, second, first_name = addresses_meeting()
    report = imported_unrecorded(project, tmp_path, first, first_name)
    new = commented(report, tmp_path / "b.docx", (QUOTE, "Behold dette.", second))
    assert "1 new memo" in ok(run(project, "review", "import", str(new), coder="Prober")).output
    by = {text: author for author, text, _ in memos(project)}
    assert by["Kutt dette."] == first_name and by["Behold dette."] != first_name
    second_name = by["Behold dette."]
    assert re.fullmatch(r"\(e-post\) \d{5,}", second_name), second_name
    # The first, with their earlier comment in the file, is known by it: their name, and their new comment under it.
    again = commented(tmp_path / "a.docx", tmp_path / "a2.docx", (QUOTE, "Og dette.", first))
    assert "1 new memo, 1 already imported" in ok(run(project, "review", "import", str(again), coder="Prober")).output
    by = {text: author for author, text, _ in memos(project)}
    assert (by["Kutt dette."], by["Og dette."], by["Behold dette."]) == (first_name, first_name, second_name)
    withdrawn = ok(run(project, "participants", "withdraw", "D1", "--identifier", first, "--yes"))
    assert "deleted 2 comments they wrote on drafts" in withdrawn.output, withdrawn.output
    assert [(author, text) for author, text, _ in memos(project)] == [(second_name, "Behold dette.")]


def test_an_unrecorded_reviewer_in_a_file_of_new_comments_only_and_then_withdrawn_loses_no_comment_to_the_withdrawal(
    reported: tuple[Path, Path], tmp_path: Path,
) -> None:
    """An unrecorded reviewer whose new file holds none of their earlier comments is not told from a newcomer
    whose digits meet theirs, so comes in under more digits; a withdrawal naming them deletes the comments under
    both names, and a newcomer's under another name stay."""
    project, _ = reported
    first, second, first_name = addresses_meeting()
    report = imported_unrecorded(project, tmp_path, first, first_name)
    new = commented(report, tmp_path / "c.docx", (QUOTE, "Et nytt ord.", first))
    ok(run(project, "review", "import", str(new), coder="Prober"))
    by = {text: author for author, text, _ in memos(project)}
    later_name = by["Et nytt ord."]
    assert re.fullmatch(r"\(e-post\) \d{5,}", later_name), later_name
    other = commented(report, tmp_path / "d.docx", (QUOTE, "Behold dette.", second))
    ok(run(project, "review", "import", str(other), coder="Prober"))
    second_name = {text: author for author, text, _ in memos(project)}["Behold dette."]
    assert second_name not in (first_name, later_name)
    withdrawn = ok(run(project, "participants", "withdraw", "D1", "--identifier", first, "--yes"))
    assert "deleted 2 comments they wrote on drafts" in withdrawn.output, withdrawn.output
    assert [(author, text) for author, text, _ in memos(project)] == [(second_name, "Behold dette.")]
