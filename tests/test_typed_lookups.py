"""A name typed to find something stored is looked for as typed, then as the key stores it: a code
created by typing "støtte fra Hilde" is stored as "støtte fra <her pseudonym>", and was then "no code"
to every command that named it the way it was written (coding add, codebook edit, coding list,
analyse, export report --code, the terminal UI's code picker). Attribute values, transcripts named
after someone, a --match quote and a search were missed the same way. Nothing typed is stored as
typed, and what is said of a name found neither way names no one but what was typed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import select

from qualcode.store.models import Code, Coding, Transcript
from qualcode.store.project import Project
from tests.conftest import open_tui, settle
from tests.test_cli import run

HILDE = "Hilde"  # a person in the samples' identifiers.csv, so in the demo's key
QUOTE = "Hun sier at det er jeg som må bestemme"  # what D1 says in deltaker_D1_T1


def _stored(demo: Path) -> bytes:
    return (demo / ".qualcode" / "project.db").read_bytes()


def _code_paths(demo: Path) -> list[str]:
    with Project.open(demo) as project, project.begin() as session:
        return list(session.scalars(select(Code.path).where(Code.path.startswith("empowerment/støtte"))))


def test_a_code_created_naming_someone_is_found_by_the_name_typed_again(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "codebook", "add", f"empowerment/støtte fra {HILDE}").exit_code == 0
    [stored] = _code_paths(demo)
    assert HILDE not in stored and stored.startswith("empowerment/støtte fra ")
    for named in (f"støtte fra {HILDE}", f"empowerment/støtte fra {HILDE}"):
        added = run(*project, "coding", "add", "deltaker_D1_T1", named, "--match", QUOTE, "--json")
        assert added.exit_code == 0, added.output
        assert json.loads(added.output)["code_path"] == stored
        assert run(*project, "coding", "remove", str(json.loads(added.output)["id"])).exit_code == 0
    assert run(*project, "coding", "add", "deltaker_D1_T1", f"støtte fra {HILDE}", "--match", QUOTE).exit_code == 0
    edited = run(*project, "codebook", "edit", f"støtte fra {HILDE}", "--definition", "Hjelp fra veilederen")
    assert edited.exit_code == 0, edited.output
    listed = run(*project, "coding", "list", "--code", f"støtte fra {HILDE}", "--json")
    assert listed.exit_code == 0 and [view["code_path"] for view in json.loads(listed.output)] == [stored], listed.output
    merged = run(*project, "codebook", "merge", f"støtte fra {HILDE}", "empowerment")
    assert merged.exit_code == 0, merged.output
    assert _code_paths(demo) == []
    # Merged away: said as any code merged away is, found by its path as typed.
    gone = run(*project, "coding", "add", "deltaker_D1_T1", f"empowerment/støtte fra {HILDE}", "--match", QUOTE)
    assert gone.exit_code == 1 and "merged it into empowerment" in gone.output, gone.output
    assert HILDE.encode() not in _stored(demo)


def test_analyses_and_reports_of_a_code_named_so_name_it_as_stored(demo: Path) -> None:
    """A report's title page and a table's caption name the selection: as typed, the leak check refused
    the file for her name (with the hint to rewrite the project with the key, which held no name)."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "codebook", "add", f"empowerment/støtte fra {HILDE}").exit_code == 0
    [stored] = _code_paths(demo)
    pseudonym = stored.rpartition(" ")[2]  # her first name's
    said = f"Jeg tror det er at {pseudonym} behandler meg"  # as the text has it
    assert run(*project, "coding", "add", "deltaker_D1_T1", f"støtte fra {HILDE}", "--match", said).exit_code == 0
    counted = run(*project, "analyse", "codes", "--code", f"støtte fra {HILDE}", "--json")
    assert counted.exit_code == 0 and stored in counted.output and HILDE not in counted.output, counted.output
    workbook = demo.parent / "koder.xlsx"
    written = run(*project, "analyse", "codes", "--code", f"støtte fra {HILDE}", "--query", HILDE, "--xlsx", str(workbook))
    assert written.exit_code == 0 and workbook.exists(), written.output
    report = demo.parent / "rapport.docx"
    exported = run(*project, "export", "report", "--code", f"støtte fra {HILDE}", "--output", str(report))
    assert exported.exit_code == 0, exported.output
    text = "\n".join(paragraph.text for paragraph in Document(str(report)).paragraphs)
    assert stored in text and HILDE not in text
    second = ["--project", str(demo), "--coder", "Forsker 2"]
    assert run(*second, "coding", "add", "deltaker_D1_T1", f"støtte fra {HILDE}", "--match", said).exit_code == 0
    agreed = run(*project, "agreement", "--code", f"støtte fra {HILDE}", "--unit", "turn", "--json")
    assert agreed.exit_code == 0 and HILDE not in agreed.output, agreed.output


def test_a_code_found_neither_way_is_said_as_typed_in_one_line(demo: Path) -> None:
    project = ["--project", str(demo)]
    missing = run(*project, "coding", "add", "deltaker_D1_T1", "støtte fra Kristoffer Lie", "--match", QUOTE)
    assert missing.output == ("error: no code 'støtte fra Kristoffer Lie' in this project, nor with the key's pseudonyms for"
                              " the names in it (hint: list codes with `qualcode codebook show`)\n"), missing.output
    # A name the key does not change is said as before.
    plain = run(*project, "coding", "add", "deltaker_D1_T1", "støtte fra naboen", "--match", QUOTE)
    assert plain.output == "error: no code 'støtte fra naboen' in this project (hint: list codes with `qualcode codebook show`)\n"


def test_without_the_key_at_hand_a_name_is_looked_for_as_typed_only(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "codebook", "add", f"empowerment/støtte fra {HILDE}").exit_code == 0
    monkeypatch.delenv("QUALCODE_KEY_PASSPHRASE")
    missing = run(*project, "coding", "add", "deltaker_D1_T1", f"støtte fra {HILDE}", "--match", QUOTE)
    assert missing.exit_code == 1
    assert missing.output.startswith(f"error: no code 'støtte fra {HILDE}' in this project (hint"), missing.output
    [stored] = _code_paths(demo)
    assert run(*project, "coding", "add", "deltaker_D1_T1", stored, "--match", QUOTE).exit_code == 0  # as listed, as always


def test_values_transcripts_quotes_and_searches_naming_someone_find_what_is_stored(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "participants", "edit", "D1", "--attribute", f"kontakt={HILDE}").exit_code == 0
    source = demo.parent / f"samtale_{HILDE}.txt"
    source.write_text(f"I: Hvem hjalp deg?\nD1: Jeg snakket med {HILDE} om planen, og det hjalp.\n", encoding="utf-8")
    assert run(*project, "import", str(source), "--participant", "D1").exit_code == 0
    with Project.open(demo) as opened, opened.begin() as session:
        [transcript] = session.scalars(select(Transcript.name).where(Transcript.name.startswith("samtale_")))
    assert HILDE not in transcript
    # The transcript by the name of its file, and a quote of it as it was said.
    shown = run(*project, "transcripts", "show", f"samtale_{HILDE}")
    assert shown.exit_code == 0 and HILDE not in shown.output, shown.output
    quoted = run(*project, "coding", "add", f"samtale_{HILDE}", "empowerment", "--match", f"snakket med {HILDE} om planen", "--json")
    assert quoted.exit_code == 0, quoted.output
    assert json.loads(quoted.output)["transcript"] == transcript and HILDE not in json.loads(quoted.output)["excerpt"]
    # The attribute's value as it was given.
    chosen = run(*project, "coding", "list", "--attribute", f"kontakt={HILDE}", "--json")
    assert chosen.exit_code == 0 and [view["transcript"] for view in json.loads(chosen.output)] == [transcript], chosen.output
    searched = run(*project, "search", "planen", "--attribute", f"kontakt={HILDE}", "--json")
    assert searched.exit_code == 0, searched.output
    hits = json.loads(searched.output)["hits"]
    assert {hit["participant"] for hit in hits} == {"D1"} and transcript in {hit["transcript"] for hit in hits}
    # Her name searched for is found where the texts say her pseudonym, and the search says what it looked for.
    named = run(*project, "search", HILDE)
    assert named.exit_code == 0 and "a name the key holds is looked for as its pseudonym" in named.output
    assert f"samtale_{HILDE}" not in named.output and transcript in named.output
    cell = run(*project, "analyse", "cell", "empowerment", f"kontakt={HILDE}", "--json")
    assert cell.exit_code == 0 and transcript in cell.output and HILDE not in cell.output, cell.output
    # An export of what was chosen so names no one (its caption and title page list the selection).
    table = demo.parent / "sitater.csv"
    exported = run(*project, "export", "quotes", "--format", "csv", "--transcript", f"samtale_{HILDE}",
                   "--attribute", f"kontakt={HILDE}", "--output", str(table))
    assert exported.exit_code == 0, exported.output
    assert HILDE not in table.read_text(encoding="utf-8")
    # A value found neither way is said as typed.
    missing = run(*project, "coding", "list", "--attribute", "kontakt=Kristoffer Lie")
    assert missing.exit_code == 1 and missing.output.startswith(
        "error: no participant or transcript has kontakt 'Kristoffer Lie', nor with the key's pseudonyms"), missing.output
    assert HILDE.encode() not in _stored(demo)


async def test_the_code_picker_lists_a_code_typed_by_the_name_it_was_created_with(demo: Path) -> None:
    """A pseudonym shares no letters with the name: typed as created, the picker listed nothing, and Enter coded nothing."""
    from tests.test_tui import SIZE, open_first

    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "codebook", "add", "empowerment/samtale med Kristoffer Lie").exit_code == 0
    with Project.open(demo) as opened, opened.begin() as session:
        [stored] = session.scalars(select(Code.path).where(Code.path.startswith("empowerment/samtale med")))
    assert "Kristoffer" not in stored
    app = open_tui(demo)
    async with app.run_test(size=SIZE) as pilot:
        reader = await open_first(app, pilot, "leder_L1")
        await pilot.press("v", "p")
        await settle(pilot, pauses=2)
        picker = app.screen
        await pilot.press(*"Kristoffer Lie")
        await settle(pilot, rounds=2, pauses=2)
        assert [code.path for code in picker.shown][:1] == [stored], [code.path for code in picker.shown]
        await pilot.press("enter")
        await settle(pilot, rounds=2, pauses=2)
        assert app.screen is reader
    with Project.open(demo) as opened, opened.begin() as session:
        coded = session.scalars(select(Code.path).join(Coding, Coding.code_id == Code.id)).all()
    assert coded == [stored]


def test_find_coder_in_a_transaction_that_stores_typed_text_refuses_nothing(demo: Path) -> None:
    """A lookup stores nothing: find_coder cleaned the name as typed text is cleaned first, which inside
    such a transaction refused coder Fatima while "Fatima Warsame" waited for review."""
    from qualcode.coding.coders import find_coder
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    project = ["--project", str(demo)]
    assert run(*project, "--coder", "Fatima", "coding", "add", "deltaker_D1_T1", "empowerment", "--match", QUOTE).exit_code == 0
    refused = run(*project, "memo", "add", "Møte med Fatima Warsame om planen")
    assert refused.exit_code == 1 and "'Fatima Warsame'" in refused.output  # now waiting for review
    with Workspace.open(Config.resolve(project=demo, coder="Forsker 1")) as workspace, workspace.typed() as session:
        assert find_coder(session, "Fatima").name == "Fatima"
        assert find_coder(session, "fatima").name == "Fatima"


def test_lookups_read_the_key_once_and_again_when_it_changes(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each lookup that found nothing as typed decrypted the key file again (and made its matcher anew)."""
    from qualcode.anonymise import service
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    reads: list[Path] = []
    load = service.load_key
    monkeypatch.setattr(service, "load_key", lambda path, passphrase: reads.append(path) or load(path, passphrase))
    with Workspace.open(Config.resolve(project=demo, coder="Forsker 1"), read_only=True) as workspace:
        for typed in (f"støtte fra {HILDE}", "samtale med Kristoffer Lie", HILDE):
            assert workspace.typed_as_stored(typed) != typed
        assert len(reads) == 1
        # The key learns a name in another process: read again, and the name is looked for as stored.
        assert run("--project", str(demo), "identifiers", "add", "Ingrid Solberg", "--kind", "person").exit_code == 0
        reads.clear()
        assert workspace.typed_as_stored("Ingrid Solberg") != "Ingrid Solberg"
        assert workspace.typed_as_stored(HILDE) != HILDE
        assert len(reads) == 1


D3_SAYS = "Det er jeg stolt av."  # what D3 says in deltaker_D3_T1
PLACEHOLDER_NOTE = ("note: 'NAV Horten' is stored as '(NAV-kontor)', as every identifier of its kind is, so it matches them"
                    " all: to tell them apart, record and choose by a value that is no identifier (as office=kontor A)")
# A quote or a query found so is told what can be done about it there: no value is chosen by.
QUOTE_NOTE = PLACEHOLDER_NOTE.replace("to tell them apart, record and choose by a value that is no identifier (as office=kontor A)",
                                      "check that the passage found is the one meant (it is shown), or give --start and --end")
QUERY_NOTE = PLACEHOLDER_NOTE.replace("to tell them apart, record and choose by a value that is no identifier (as office=kontor A)",
                                      "the hits may be any of them; add words that are no identifier to tell them apart")


def _offices_typed_as_nav_offices(demo: Path) -> list[str]:
    """D1 at NAV Horten and D3 at NAV Tønsberg, as typed: both offices are stored as the key's placeholder
    for a NAV office, "(NAV-kontor)". A passage of each is coded."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    for participant, office in (("D1", "NAV Horten"), ("D3", "NAV Tønsberg")):
        assert run(*project, "participants", "edit", participant, "--office", office).exit_code == 0
    for transcript, said in (("deltaker_D1_T1", QUOTE), ("deltaker_D3_T1", D3_SAYS)):
        assert run(*project, "coding", "add", transcript, "empowerment", "--match", said).exit_code == 0
    return project


def test_a_value_stored_as_a_placeholder_chooses_every_value_stored_so_and_says_so(demo: Path) -> None:
    """--attribute office="NAV Horten" is looked for as stored, "(NAV-kontor)", which NAV Tønsberg's office
    is stored as too: that is all the project can tell, but it chose D3's passages unsaid."""
    project = _offices_typed_as_nav_offices(demo)
    chosen = run(*project, "coding", "list", "--attribute", "office=NAV Horten", "--json")
    assert chosen.exit_code == 0, chosen.output
    assert sorted(view["transcript"] for view in json.loads(chosen.stdout)) == ["deltaker_D1_T1", "deltaker_D3_T1"]
    assert chosen.stderr == PLACEHOLDER_NOTE + "\n"
    table = demo.parent / "sitater.csv"
    for command in (
        ["analyse", "codes", "--attribute", "office=NAV Horten"], ["analyse", "cell", "empowerment", "office=NAV Horten"],
        ["analyse", "matrix", "--by", "role", "--attribute", "office=NAV Horten"],
        ["export", "quotes", "--format", "csv", "--attribute", "office=NAV Horten", "--output", str(table), "--force"],
        ["search", "jeg", "--attribute", "office=NAV Horten"],
        ["coding", "add", "deltaker_D3_T1", "brukermedvirkning", "--match", "NAV Horten sendte meg et brev"],
        ["search", "NAV Horten"],
    ):
        said = run(*project, *command)
        assert said.exit_code == 0, (command, said.output)
        note = QUOTE_NOTE if "--match" in command else QUERY_NOTE if command == ["search", "NAV Horten"] else PLACEHOLDER_NOTE
        assert [line for line in said.stderr.splitlines() if "stored as" in line] == [note], (command, said.stderr)
    # A code's name found so: names are told apart by renaming, not by a value.
    assert run(*project, "codebook", "add", "empowerment/støtte fra NAV Tønsberg").exit_code == 0
    named = run(*project, "coding", "list", "--code", "empowerment/støtte fra NAV Horten")
    assert named.exit_code == 0 and [line for line in named.stderr.splitlines() if "stored as" in line] == [
        PLACEHOLDER_NOTE.replace("record and choose by a value that is no identifier (as office=kontor A)",
                                 "give them names that differ by a word that is no identifier")], named.stderr
    # Neither a value stored as typed nor one stored as someone's pseudonym is said so.
    assert run(*project, "participants", "edit", "D1", "--attribute", f"kontakt={HILDE}").exit_code == 0
    for value in ("gender=kvinne", f"kontakt={HILDE}"):
        plain = run(*project, "coding", "list", "--attribute", value)
        assert plain.exit_code == 0 and "stored as" not in plain.stderr, plain.output


def test_a_query_naming_someone_beside_other_words_is_searched_for_their_pseudonym(demo: Path) -> None:
    """`search` looked for the pseudonyms only where the query as typed found nothing: "Hilde OR planen" found
    "planen" and never her. Search, analyses and exports read a query one way, its syntax kept."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "codebook", "add", f"empowerment/støtte fra {HILDE}").exit_code == 0
    [stored] = _code_paths(demo)
    pseudonym = stored.rpartition(" ")[2]  # her first name's
    alone = run(*project, "search", pseudonym, "--json")
    named = {(hit["transcript"], hit["turn"]) for hit in json.loads(alone.stdout)["hits"]}
    plan = {(hit["transcript"], hit["turn"]) for hit in json.loads(run(*project, "search", "planen", "--json").stdout)["hits"]}
    assert named and plan and named - plan
    either = run(*project, "search", f"{HILDE} OR planen", "--json")
    assert either.exit_code == 0, either.output
    assert {(hit["transcript"], hit["turn"]) for hit in json.loads(either.stdout)["hits"]} == named | plan
    shown = run(*project, "search", f"({HILDE} OR planen) NOT kurset", "--limit", "200")
    assert shown.stderr.splitlines()[0] == (f"looked for '({pseudonym} OR planen) NOT kurset': a name the key holds is looked"
                                            " for as its pseudonym"), shown.stderr
    # A word the texts hold is no one's name: searched as typed, and said as nothing looked for otherwise.
    plain = run(*project, "search", "planen OR kurset")
    assert plain.exit_code == 0 and "looked for" not in plain.stderr
    # An analysis and an export read the query the same way: what they say they chose names no one.
    said = f"Jeg tror det er at {pseudonym} behandler meg"
    assert run(*project, "coding", "add", "deltaker_D1_T1", "empowerment", "--match", said).exit_code == 0
    counted = run(*project, "analyse", "codes", "--query", f"{HILDE} OR planen", "--json")
    assert counted.exit_code == 0 and f"{pseudonym} OR planen" in counted.output and HILDE not in counted.output, counted.output
    report = demo.parent / "rapport.docx"
    exported = run(*project, "export", "report", "--query", f'"{HILDE}" OR planen', "--output", str(report))
    assert exported.exit_code == 0, exported.output
    text = "\n".join(paragraph.text for paragraph in Document(str(report)).paragraphs)
    assert f'"{pseudonym}" OR planen' in text and HILDE not in text and said in text


def test_an_attribute_named_for_someone_is_split_by_as_typed(demo: Path) -> None:
    """An attribute's name is stored as the key stores it: one named "hilde" is kept under her pseudonym, and
    `analyse matrix --by hilde` said there was no such attribute (--attribute found it: one way for both). Named
    for someone whose pseudonym is chosen: Hilde's, drawn "Line" one draw in a hundred, names a built-in field, and
    the attribute is then refused (test_metadata_edit.py)."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    named = "gudveig"
    assert run(*project, "identifiers", "add", "Gudveig", "--kind", "person", "--gender", "f", "--pseudonym", "Tiril").exit_code == 0
    for participant, value in (("D1", "ja"), ("D3", "nei")):
        assert run(*project, "participants", "edit", participant, "--attribute", f"{named}={value}").exit_code == 0
    for transcript, said in (("deltaker_D1_T1", QUOTE), ("deltaker_D3_T1", D3_SAYS)):
        assert run(*project, "coding", "add", transcript, "empowerment", "--match", said).exit_code == 0
    listed = run(*project, "coding", "list", "--attribute", f"{named}=ja", "--json")
    assert [view["transcript"] for view in json.loads(listed.stdout)] == ["deltaker_D1_T1"], listed.output
    matrix = run(*project, "analyse", "matrix", "--by", named, "--json")
    assert matrix.exit_code == 0, matrix.output
    data = json.loads(matrix.stdout)
    assert named not in matrix.stdout.casefold()
    [empowerment] = [row for row in data["rows"] if row["label"] == "empowerment"]
    assert (empowerment["values"]["ja"], empowerment["values"]["nei"]) == (1, 1), data
    compared = run(*project, "analyse", "compare", "--by", named, "--code", "empowerment", "--json")
    assert compared.exit_code == 0 and named not in compared.stdout.casefold(), compared.output
    cell = run(*project, "analyse", "cell", "empowerment", f"{named}=nei", "--json")
    assert cell.exit_code == 0 and "deltaker_D3_T1" in cell.stdout and named not in cell.stdout.casefold(), cell.output
    assert run(*project, "analyse", "matrix", "--by", "kristoffer").exit_code == 1  # no such attribute either way


async def test_the_tui_filters_find_what_is_typed_as_it_is_stored(demo: Path) -> None:
    """The passages browser's and the overview's filters matched what was typed against the values on screen,
    which hold pseudonyms: "kontakt:Hilde" and a transcript named after her listed nothing. The search screen
    read "Hilde OR planen" as typed, and never looked for her."""
    from textual.widgets import DataTable, Input

    from qualcode.tui.screens.overview import OverviewScreen
    from qualcode.tui.screens.search import SearchScreen
    from qualcode.tui.screens.segments import SegmentsScreen
    from tests.test_tui import SIZE

    project = _offices_typed_as_nav_offices(demo)
    assert run(*project, "participants", "edit", "D1", "--attribute", f"kontakt={HILDE}").exit_code == 0
    source = demo.parent / f"samtale_{HILDE}.txt"
    source.write_text(f"I: Hvem hjalp deg?\nD1: Jeg snakket med {HILDE} om planen, og det hjalp.\n", encoding="utf-8")
    assert run(*project, "import", str(source), "--participant", "D1").exit_code == 0
    app = open_tui(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, pauses=2)
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        transcripts = overview.query_one(DataTable)

        async def typed(field: Input, text: str) -> None:
            field.value = text
            await settle(pilot, rounds=2, pauses=2)

        await pilot.press("slash")
        await typed(overview.query_one("#overview-filter", Input), f"samtale_{HILDE}")
        assert transcripts.row_count == 1 and HILDE not in str(transcripts.get_row_at(0))
        await pilot.press("escape", "b", *"empowerment", "enter")
        await settle(pilot, rounds=2, pauses=2)
        browser = app.screen
        assert isinstance(browser, SegmentsScreen)
        passages = browser.query_one(DataTable)
        field = browser.query_one("#segments-filter", Input)
        for text in (f"kontakt:{HILDE}", HILDE.lower(), f"{HILDE} jeg"):
            await typed(field, text)
            assert [quote.transcript for quote in browser.shown] == ["deltaker_D1_T1"], text
        # A value stored as a placeholder lists every one stored so, and the screen says so.
        await typed(field, 'office:"NAV Horten"')
        assert sorted(quote.transcript for quote in browser.shown) == ["deltaker_D1_T1", "deltaker_D3_T1"]
        assert passages.row_count == 2
        assert any(str(note.message) == PLACEHOLDER_NOTE.removeprefix("note: ") for note in app._notifications)
        await pilot.press("escape", "escape", "escape")
        await settle(pilot, pauses=2)
        await pilot.press("ctrl+f")
        await settle(pilot, pauses=2)
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*f"{HILDE} OR planen", "enter")
        await settle(pilot, rounds=2, pauses=2)
        assert search.sub_title.startswith("looked for '") and HILDE not in search.sub_title, search.sub_title
        assert any(hit.transcript.startswith("samtale_") for hit in search.hits)
        assert any(hit.keyword.startswith("plan") for hit in search.hits)


def test_a_name_searched_in_lower_case_is_found_as_its_pseudonym_and_held_words_stay_as_typed(demo: Path) -> None:
    """A search box is typed in lower case: "hilde" found nothing, where "Hilde" found her pseudonym.
    Read capitalised too, but only the words the texts do not hold: "planen" stays the word."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    capitalised = run(*project, "search", HILDE, "--json")
    assert capitalised.exit_code == 0, capitalised.output
    pseudonym = json.loads(capitalised.output)["query"]
    assert pseudonym != HILDE and json.loads(capitalised.output)["hits"]

    lower = run(*project, "search", HILDE.lower(), "--json")
    assert lower.exit_code == 0, lower.output
    assert json.loads(lower.output)["query"] == pseudonym.lower()
    assert json.loads(lower.output)["hits"] == json.loads(capitalised.output)["hits"]
    # With operators and parentheses, as typed around her.
    crossed = run(*project, "search", f"({HILDE.lower()} OR kvote) AND planen")
    assert crossed.exit_code == 0 and f"looked for '({pseudonym.lower()} OR kvote) AND planen'" in crossed.output, crossed.output
    # A word the texts hold is searched as written, even where the key holds it capitalised as a name.
    assert run(*project, "identifiers", "add", "Planen", "--kind", "person").exit_code == 0
    both = run(*project, "search", f"{HILDE.lower()} planen", "--json")
    assert both.exit_code == 0, both.output
    assert json.loads(both.output)["query"] == f"{pseudonym.lower()} planen"
