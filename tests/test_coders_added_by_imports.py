"""A coder an import brings in (a reviewer whose comments come back, a user of a .qdpx) is in the
history as added by whoever ran the import, as `coder add` records it, not as their own change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.config import Config
from qualcode.workspace import Workspace
from tests.test_coders import events, roles
from tests.test_exchange_import import foreign_project, guid
from tests.test_review_roundtrip import OWN, commented, ok, run


def _report(demo: Path, folder: Path) -> Path:
    ok(run(demo, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", OWN, coder="Forsker 1"))
    ok(run(demo, "export", "report", "--output", str(folder / "r.docx")))
    return folder / "r.docx"


def test_a_reviewer_new_to_the_project_is_added_by_whoever_imports_the_comments(demo: Path, tmp_path: Path) -> None:
    """`qualcode review import` recorded a new reviewer as having added themselves."""
    report = _report(demo, tmp_path)
    reviewed = commented(report, tmp_path / "c.docx", ("Jeg fikk plass", "Enig.", "Leser A"))

    ok(run(demo, "review", "import", str(reviewed), coder="Forsker 2"))
    with Workspace.open(Config.resolve(project=demo, coder="Forsker 3")) as workspace:  # as the UI imports them
        workspace.import_review_file(commented(report, tmp_path / "d.docx", ("Jeg fikk plass", "Godt.", "Leser B")))

    added = {event["summary"]: event["coder"] for event in events(demo, "coder.create")}
    assert added["new coder Leser A (reviewer)"] == "Forsker 2"
    assert added["new coder Leser B (reviewer)"] == "Forsker 3"
    # Someone new to the project who imports their own comments adds themselves, as a reviewer: no coder the project knows.
    their_own = commented(report, tmp_path / "e.docx", ("Jeg fikk plass", "Mitt.", "Ny Leser"))
    ok(run(demo, "review", "import", str(their_own), coder="Ny Leser"))
    assert {event["summary"]: event["coder"] for event in events(demo, "coder.create")}["new coder Ny Leser (reviewer)"] == "Ny Leser"
    assert roles(demo)["Ny Leser"] == "reviewer"


def test_the_users_a_qdpx_brings_are_added_by_whoever_imports_it(demo: Path, tmp_path: Path) -> None:
    """Anne Forsker and Bo Medforsker were each recorded as having added themselves."""
    result = run(demo, "import", str(foreign_project(tmp_path)), coder="Forsker 2")

    assert ok(result).output.count("  new coder ") == 2
    added = {event["summary"]: event["coder"] for event in events(demo, "coder.create")}
    assert added["new coder Anne Forsker from fremmed.qdpx"] == "Forsker 2"
    assert added["new coder Bo Medforsker from fremmed.qdpx"] == "Forsker 2"


def test_a_qdpx_user_who_imports_the_file_adds_themselves_and_the_others(demo: Path, tmp_path: Path) -> None:
    ok(run(demo, "import", str(foreign_project(tmp_path)), coder="Anne Forsker"))

    added = {event["summary"]: event["coder"] for event in events(demo, "coder.create")}
    assert added["new coder Anne Forsker from fremmed.qdpx"] == "Anne Forsker"
    assert added["new coder Bo Medforsker from fremmed.qdpx"] == "Anne Forsker"
    assert "Anne Forsker (researcher)" not in " ".join(added)  # one coder, made once, with the user's GUID


def _one_user_coding(path: Path, user_name: str) -> Path:
    """A co-coder's copy: one text, coded by one user of that name."""
    from tests.test_exchange_import import CODES, Qdpx, guid, selection
    from tests.test_exchange_import_fixes import TEXT

    qdpx = Qdpx(codes=CODES)
    user = qdpx.user(user_name)
    qdpx.sources.append(f'<TextSource guid="{guid("source:kopi")}" name="kopi"><PlainTextContent>{TEXT}</PlainTextContent>'
                        f'{selection("kopi", TEXT, "mer selvtillit", guid("code:selvtillit"), user)}</TextSource>')
    return qdpx.write(path)


@pytest.mark.parametrize(("user_name", "alike", "said"), [
    ("Меdforsker 1", "Medforsker 1", "a coder here"),  # a Cyrillic М
    ("Ｍedforsker 1", "Medforsker 1", "a coder here"),  # a full-width Ｍ
    ("Medforsker l", "Medforsker 1", "a coder here"),  # an l for the 1
    ("kоnsensus", "konsensus", "the name the team's decisions are coded under"),  # a Cyrillic о, before any decision
])
def test_a_qdpx_user_whose_name_only_looks_like_a_coder_s_refuses_the_file(
    demo: Path, tmp_path: Path, user_name: str, alike: str, said: str,
) -> None:
    """A user "Меdforsker 1" became a coder beside the blind Medforsker 1, as `--coder` refuses to make one:
    a name no table tells from theirs, not blind, and "kоnsensus" one every report reads as the team's decisions."""
    ok(run(demo, "coder", "add", "Medforsker 1", "--role", "medforsker", coder="Forsker 1"))
    ok(run(demo, "coder", "blind", "on", "--role", "medforsker", coder="Forsker 1"))
    before, history = roles(demo), len(events(demo, "coder.create"))

    refused = run(demo, "import", str(_one_user_coding(tmp_path / "kopi.qdpx", user_name)), coder="Forsker 1")
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1, refused.output
    assert refused.output.startswith(f"error: kopi.qdpx: user {user_name!r} {guid('user:' + user_name)} looks like {alike!r},"
                                     f" {said}, but is not that name; nothing imported"), refused.output
    assert "in the other program, name the user" in refused.output  # what to do
    assert roles(demo) == before and len(events(demo, "coder.create")) == history
    assert "kopi" not in ok(run(demo, "transcripts", "list")).output


def test_a_qdpx_user_written_in_another_unicode_form_is_the_coder(demo: Path, tmp_path: Path) -> None:
    """The name decomposed (an Å as A and a ring) is the coder's, not a look-alike: their codings come in as theirs."""
    ok(run(demo, "coder", "add", "Åse Forsker", coder="Forsker 1"))
    before = roles(demo)
    ok(run(demo, "import", str(_one_user_coding(tmp_path / "kopi.qdpx", "A\u030ase Forsker")), coder="Forsker 1"))
    assert roles(demo) == before
    assert {coding["coder"] for coding in json.loads(ok(run(demo, "coding", "list", "--json")).output)
            if coding["transcript"] == "kopi"} == {"Åse Forsker"}
