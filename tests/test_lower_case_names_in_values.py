"""A name no list holds typed in lower case into a participants CSV's cell or a front matter attribute ("kontakt:
ragnfrid", "veileder: berntine hestvold") is held back for review, as it is in a title or the interviewer's field:
both were stored as typed, unproposed. Through the CLI's `participants import` and a real import of a .md."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import NeedsReview
from tests.conftest import make_transcript
from tests.test_named_interviewer import run


def test_a_lower_case_name_in_a_participants_csv_is_held_back(demo: Path, tmp_path: Path) -> None:
    (tmp_path / "folk.csv").write_text(
        "participant,role,kontaktperson,veileder,notat\nD9,deltaker,ragnfrid,berntine hestvold,bor hos signhild\n"
        "D8,deltaker,,,arbeidsledig og deltidsarbeid\n", encoding="utf-8")
    stored = (demo / ".qualcode" / "project.db").read_bytes()
    result = run(demo, "participants", "import", str(tmp_path / "folk.csv"))
    assert result.exit_code == 1
    # Refused: the names wait in the key, and the project is as it was (it recorded the key's new revision).
    assert (demo / ".qualcode" / "project.db").read_bytes() == stored
    for name in ("Ragnfrid", "Berntine Hestvold", "Signhild"):
        assert name in result.output
    assert "Arbeidsledig" not in result.output and "Deltidsarbeid" not in result.output
    assert "D9" not in run(demo, "participants", "list").output


@pytest.mark.parametrize(("attributes", "names"), [
    ("  kontakt: ragnfrid\n  veileder: berntine hestvold\n", ["Ragnfrid", "Berntine Hestvold"]),
])
def test_a_lower_case_name_in_a_front_matter_attribute_is_held_back(
    session: Session, tmp_path: Path, attributes: str, names: list[str],
) -> None:
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview):
        make_transcript(session, tmp_path, f"---\nparticipant: D1\nattributes:\n{attributes}---\nI: Hei.\nD1: Hei.\n",
                        suffix=".md", key=key)
    assert sorted(candidate.text for candidate in key.pending) == sorted(names)


def test_ordinary_lower_case_attribute_values_pass(session: Session, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, "---\nparticipant: D1\nattributes:\n  status: arbeidsledig\n  tiltak: arbeidstrening\n"
                    "  bydel: sentrum\n---\nI: Hei.\nD1: Hei.\n", suffix=".md")
