"""Code names a researcher cannot tell apart: a name that looks like a sibling's (another script's
letters, "rn" for "m"), and two names that become one once the key's names are pseudonymised.
Each is refused in one line, however the code comes (`codebook add`, a YAML or .qdc file, the
terminal UI), and nothing is written; Norwegian letters and accents are names like any other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.service import KeyAccess, add_known_identifier
from qualcode.anonymise.typed_text import guard_typed_text
from qualcode.codebook.model import Codebook, CodeSpec, code_name
from qualcode.codebook.service import apply_codebook, create_code, list_codes
from qualcode.codebook.yaml_format import parse_codebook
from qualcode.coding.coders import get_or_create_coder
from qualcode.errors import CodebookInvalid, InvalidInput
from qualcode.exchange.codebook_qdc import import_qdc, read_qdc
from qualcode.store.models import Coder, Event
from qualcode.store.project import Project
from tests.test_cli import run


def _state(session: Session) -> tuple[list[tuple[str, str | None]], int]:
    """Every code as (path, definition), and the number of events: what a refusal must leave as it was."""
    codes = [(view.path, view.definition) for view in list_codes(session)]
    return codes, session.scalar(select(func.count()).select_from(Event)) or 0


# A look-alike of a code the KVP codebook has, and the code it looks like.
LOOK_ALIKES = [
    ("empоwerment", "empowerment"),  # a Cyrillic о
    ("еmpowerment", "empowerment"),  # a Cyrillic е
    ("EMPΟWERMENT", "empowerment"),  # capitals, with a Greek Ο
    ("ernpowerment", "empowerment"),  # rn for m
    ("Ｈelse", "helse"),  # a full-width H
    ("brukermedvirkning/tvаng og krav", "brukermedvirkning/tvang og krav"),  # a Cyrillic а, under a parent
    ("brukermedvirkning/tvang оg krav", "brukermedvirkning/tvang og krav"),  # in the second word
]


@pytest.mark.parametrize(("typed", "existing"), LOOK_ALIKES)
def test_a_code_name_that_looks_like_a_siblings_is_refused_naming_it(
    session: Session, coder: Coder, typed: str, existing: str,
) -> None:
    """"empоwerment" with a Cyrillic о was a second code beside empowerment that nobody can tell from it."""
    before = _state(session)
    with pytest.raises(InvalidInput) as refused:
        create_code(session, typed, coder=coder)
    assert str(refused.value).startswith(f"code {typed} looks like the code {existing}")
    assert "\n" not in str(refused.value) and refused.value.hint
    parent, _, name = typed.rpartition("/")
    spec = CodeSpec(name=name)
    codes = [CodeSpec(name=parent, children=[spec])] if parent else [spec]
    with pytest.raises(CodebookInvalid, match=f"looks like the code {existing} in this project") as merged:
        apply_codebook(session, Codebook(name="KVP – Kvalifiseringsprogrammet", codes=codes), coder)
    assert "\n" not in str(merged.value)
    assert _state(session) == before


def test_the_message_says_which_letter_is_not_what_it_looks_like(session: Session, coder: Coder) -> None:
    with pytest.raises(InvalidInput, match="its 'о' is CYRILLIC SMALL LETTER O, not 'o'"):
        create_code(session, "empоwerment", coder=coder)


def test_a_yaml_file_with_two_look_alike_codes_side_by_side_is_refused_naming_both_lines() -> None:
    source = "name: x\ncodes:\n  - name: konsensus\n  - name: kоnsensus\n"
    with pytest.raises(CodebookInvalid, match=r"^kodebok.yaml line 4: code 'kоnsensus' looks like code 'konsensus' \(line 3\)"):
        parse_codebook(source, "kodebok.yaml")


def test_a_yaml_import_with_a_look_alike_of_a_code_the_project_has_is_refused(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    before = run(*project, "codebook", "show").output
    source = demo.parent / "kodebok.yaml"
    source.write_text("name: x\ncodes:\n  - name: empowerment\n    codes:\n      - name: аvmakt\n", encoding="utf-8")
    refused = run(*project, "codebook", "import", str(source))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert "looks like the code empowerment/avmakt" in refused.output
    added = run(*project, "codebook", "add", "måltall-press/inntаkspress")
    assert added.exit_code == 1 and added.output.count("\n") == 1, added.output
    assert "looks like the code måltall-press/inntakspress" in added.output
    assert run(*project, "codebook", "show").output == before


def test_a_qdc_with_a_look_alike_of_a_code_the_project_has_is_refused(session: Session, coder: Coder) -> None:
    """Another program's file has its own code "hеlse" (a Cyrillic е), with a GUID this project does not know."""
    before = _state(session)
    qdc = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="6f1c2a4e-0d43-4c7e-9a51-3b2e8f0a1d11" name="hеlse" isCodable="true"/>
</Codes></CodeBook>""".encode()
    with pytest.raises(CodebookInvalid, match="looks like the code helse in this project"):
        import_qdc(session, read_qdc(qdc, "andre.qdc"), coder)
    assert _state(session) == before


NORWEGIAN = ["mål", "mal", "vær", "var", "vår", "før", "for", "fôr", "ærlighet", "åpenhet", "Tromsø-modellen", "kafé", "kafe",
             "Øvre Eiker", "Ovre Eiker", "idé", "ide"]


def test_norwegian_letters_and_accents_are_names_like_any_other(session: Session, coder: Coder) -> None:
    """mål and mal, før and for, kafé and kafe are different words: each is a code of its own."""
    create_code(session, "ord", coder=coder)
    for name in NORWEGIAN:
        create_code(session, f"ord/{name}", coder=coder)
    assert [view.path for view in list_codes(session) if view.path.startswith("ord/")] == [f"ord/{name}" for name in NORWEGIAN]
    changes = apply_codebook(session, Codebook(name="x", codes=[CodeSpec(name="ord2", children=[CodeSpec(name=name) for name in NORWEGIAN])]),
                             coder)
    assert len(changes.created) == len(NORWEGIAN) + 1
    parse_codebook("name: x\ncodes:\n" + "".join(f"  - name: {name}\n" for name in NORWEGIAN), "kodebok.yaml")


# A name the key holds, pseudonymised as typed text, beside its own pseudonym.

KARI = "Kari Nordmann"
RANDI = "Randi Skogheim"  # Kari's pseudonym


@pytest.fixture
def guarded(project: Project, key_access: KeyAccess) -> Project:
    """The project with a key that knows Kari Nordmann, pseudonymised as Randi Skogheim, guarding its typed text."""
    key = key_access.load_existing()
    add_known_identifier(key, KARI, "person", "f", pseudonym=RANDI)
    guard_typed_text(project, key)
    return project


@pytest.mark.parametrize(("first", "second"), [
    (RANDI, KARI), (KARI, RANDI), ("samtale med Randi", "samtale med Kari"), ("Samtaler med Kari Nordmann", "Samtaler med Randi Skogheim"),
])
def test_a_file_with_a_code_named_for_someone_beside_one_named_with_the_pseudonym_is_refused(
    guarded: Project, first: str, second: str,
) -> None:
    """The two became one code, the second's definition and sub-codes written over the first's."""
    with guarded.begin() as session:
        before = _state(session)
    source = (f"name: KVP – Kvalifiseringsprogrammet\ncodes:\n  - name: empowerment\n    codes:\n"
              f"      - name: {first}\n        definition: den første\n        codes:\n          - name: under\n"
              f"            definition: under den første\n"
              f"      - name: {second}\n        definition: den andre\n        codes:\n          - name: under\n"
              f"            definition: under den andre\n")
    with pytest.raises(CodebookInvalid) as refused, guarded.begin() as session:
        apply_codebook(session, parse_codebook(source, "kodebok.yaml"), get_or_create_coder(session, "Forsker 1"))
    message = str(refused.value)
    assert "\n" not in message and "Kari" not in message and "Nordmann" not in message
    assert "lines 5 and 10" in message and "pseudonym" in message
    with guarded.begin() as session:
        assert _state(session) == before


def test_a_qdc_with_a_code_named_for_someone_beside_one_named_with_the_pseudonym_is_refused(guarded: Project) -> None:
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="6f1c2a4e-0d43-4c7e-9a51-3b2e8f0a1d11" name="{RANDI}" isCodable="true"/>
  <Code guid="6f1c2a4e-0d43-4c7e-9a51-3b2e8f0a1d12" name="{KARI}" isCodable="true"/>
</Codes></CodeBook>""".encode()
    with guarded.begin() as session:
        before = _state(session)
    with pytest.raises(CodebookInvalid) as refused, guarded.begin() as session:
        import_qdc(session, read_qdc(qdc, "andre.qdc"), get_or_create_coder(session, "Forsker 1"))
    assert "Kari" not in str(refused.value) and "pseudonym" in str(refused.value)
    with guarded.begin() as session:
        assert _state(session) == before


def test_a_code_named_for_someone_typed_beside_one_named_with_the_pseudonym_is_refused_saying_why(guarded: Project) -> None:
    with guarded.begin() as session:
        create_code(session, "samtale med Randi", {"definition": "om Randi"}, get_or_create_coder(session, "Forsker 1"))
    with pytest.raises(InvalidInput) as refused, guarded.begin() as session:
        create_code(session, "samtale med Kari", {"definition": "om Kari"}, get_or_create_coder(session, "Forsker 1"))
    assert str(refused.value).startswith("code samtale med Randi already exists") and "pseudonym" in str(refused.value)
    assert "Kari" not in str(refused.value)
    with guarded.begin() as session:
        assert [(path, definition) for path, definition in _state(session)[0] if path.startswith("samtale")] == [
            ("samtale med Randi", "om Randi")]


def test_a_file_naming_someone_still_finds_the_code_stored_under_the_pseudonym(guarded: Project) -> None:
    """One code in the file, stored under the pseudonym: importing it again is that code, not a clash."""
    source = f"name: x\ncodes:\n  - name: {KARI}\n    definition: om henne\n"
    for _ in range(2):
        with guarded.begin() as session:
            changes = apply_codebook(session, parse_codebook(source, "kodebok.yaml"), get_or_create_coder(session, "Forsker 1"))
    assert changes.unchanged == [RANDI]


def test_codebook_import_of_such_a_file_is_refused_in_one_line_naming_no_original(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "identifiers", "add", KARI, "--kind", "person", "--pseudonym", RANDI).exit_code == 0
    before = run(*project, "codebook", "show").output
    source = demo.parent / "kodebok.yaml"
    source.write_text(f"name: x\ncodes:\n  - name: {RANDI}\n    definition: den første\n  - name: {KARI}\n    definition: den andre\n",
                      encoding="utf-8")
    refused = run(*project, "codebook", "import", str(source))
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert f"would both be code {RANDI} once the names the key holds are replaced by their pseudonyms" in refused.output
    assert "Kari" not in refused.output
    assert run(*project, "codebook", "show").output == before


# A REFI-QDA project (.qdpx) merges codes nobody can tell apart, as it merges names that differ only in
# case, and says why in words that are true: the letter that is not what it seems, or the key's pseudonym.

QDPX_TEXT = "I: Hvordan var det å begynne?\nD: Jeg fikk mer selvtillit etter hvert, og jeg håper på jobb i høst.\n"


def _coded_qdpx(folder: Path, names: list[str], parent: str | None = "tema") -> Path:
    """A .qdpx from another program: codes `names` (under `parent`, a new code, or at the top) each coding a passage of their own."""
    from tests.test_exchange_import import Qdpx, guid, selection

    codes = "".join(f'<Code guid="{guid(f"code:{number}")}" name="{name}" isCodable="true"/>' for number, name in enumerate(names))
    qdpx = Qdpx(codes=f'<Code guid="{guid("code:tema")}" name="{parent}" isCodable="true">{codes}</Code>' if parent else codes)
    user = qdpx.user("Anne Forsker")
    passages = ["Jeg fikk", "mer selvtillit", "etter hvert", "jeg håper"]
    selections = "".join(selection(f"s{number}", QDPX_TEXT, passages[number], guid(f"code:{number}"), user) for number in range(len(names)))
    qdpx.sources.append(f'<TextSource guid="{guid("source:tvillinger")}" name="tvillinger">'
                        f"<PlainTextContent>{QDPX_TEXT}</PlainTextContent>{selections}</TextSource>")
    return qdpx.write(folder / "andre.qdpx")


def _coded_paths(session: Session) -> list[str]:
    from qualcode.store.models import Coding

    return sorted(coding.code.path for coding in session.scalars(select(Coding)))


def test_a_qdpx_code_that_looks_like_its_sibling_in_the_file_is_merged_naming_the_letter(session: Session, tmp_path: Path) -> None:
    """"empоwerment" with a Cyrillic о beside empowerment was a second code nobody can tell from the first."""
    from tests.test_exchange_import import guid, run_import

    result = run_import(session, _coded_qdpx(tmp_path, ["empowerment", "empоwerment"]))
    assert [view.path for view in list_codes(session) if view.path.startswith("tema")] == ["tema", "tema/empowerment"]
    assert _coded_paths(session) == ["tema/empowerment", "tema/empowerment"]
    assert (f"Code 'empоwerment' {guid('code:1')}: looks like {guid('code:0')} ('empowerment') under the same parent"
            " (its 'о' is CYRILLIC SMALL LETTER O, not 'o'); merged into one code") in result.problems


def test_a_qdpx_code_that_looks_like_a_code_of_the_project_is_merged_into_it_naming_the_letter(session: Session, tmp_path: Path) -> None:
    from tests.test_exchange_import import guid, run_import

    result = run_import(session, _coded_qdpx(tmp_path, ["empоwerment", "hеlse"], parent=None))
    assert [view.path for view in list_codes(session) if name_look_of(view.path) in (name_look_of("empowerment"), name_look_of("helse"))] == [
        "empowerment", "helse"]
    assert _coded_paths(session) == ["empowerment", "helse"]
    assert (f"Code 'empоwerment' {guid('code:0')}: looks like the code 'empowerment' (its 'о' is CYRILLIC SMALL LETTER O,"
            " not 'o'); merged into it") in result.problems
    assert f"Code 'hеlse' {guid('code:1')}: looks like the code 'helse' (its 'е' is CYRILLIC SMALL LETTER IE, not 'e'); merged into it" in result.problems


def name_look_of(path: str) -> str:
    from qualcode.codebook.model import name_look

    return name_look(path.rpartition("/")[2])


@pytest.mark.parametrize(("first", "second"), [(RANDI, KARI), (KARI, RANDI), ("Samtaler med Kari Nordmann", "Samtaler med Randi Skogheim")])
def test_a_qdpx_code_named_for_someone_beside_one_named_with_the_pseudonym_is_merged_saying_so(
    session: Session, tmp_path: Path, first: str, second: str,
) -> None:
    """The two were merged with a note that they had "the same name", which they had not in the file."""
    from qualcode.anonymise.key import PseudonymKey
    from tests.test_exchange_import import guid, run_import

    key = PseudonymKey("test")
    add_known_identifier(key, KARI, "person", "f", pseudonym=RANDI)
    result = run_import(session, _coded_qdpx(tmp_path, [first, second]), key)
    stored = first.replace("Kari", "Randi").replace("Nordmann", "Skogheim")
    assert [view.path for view in list_codes(session) if view.path.startswith("tema")] == ["tema", f"tema/{stored}"]
    assert _coded_paths(session) == [f"tema/{stored}", f"tema/{stored}"]
    merged = [problem for problem in result.problems if guid("code:1") in problem]
    assert merged == [f"Code {stored!r} {guid('code:1')}: one name with {guid('code:0')} once the names the key holds are replaced by"
                      " their pseudonyms, under the same parent; merged into one code"], result.problems
    assert not any("Kari" in line or "Nordmann" in line for line in result.problems)


# A name the key learns after codes were made: rewritten to its pseudonym, a code's name may become its
# sibling's, in another case, or one that looks like it; it is numbered, as the same name was, and said.

@pytest.mark.parametrize(("sibling", "alike"), [
    (RANDI, "the same name as the code empowerment/Randi Skogheim beside it"),
    ("RANDI SKOGHEIM", "differs only in case from the code empowerment/RANDI SKOGHEIM beside it"),
    ("Randi Skоgheim", "looks like the code empowerment/Randi Skоgheim beside it (its 'о' is CYRILLIC SMALL LETTER O, not 'o')"),
], ids=["same", "case", "look-alike"])
def test_a_code_the_key_renames_like_its_sibling_is_numbered_and_the_renaming_logged(demo: Path, sibling: str, alike: str) -> None:
    """"Signe Vatne", a name nobody knew to be one, was rewritten to "Randi Skogheim" beside a code
    named so, in capitals or with a Cyrillic о: two codes nobody could tell apart."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    assert run(*project, "anonymise", "dismiss", "Signe Vatne", sibling).exit_code == 0  # taken for words, at first
    for name in ("Signe Vatne", sibling):
        assert run(*project, "codebook", "add", f"empowerment/{name}").exit_code == 0
    learned = run(*project, "identifiers", "add", "Signe Vatne", "--kind", "person", "--pseudonym", RANDI)
    assert learned.exit_code == 0, learned.output
    shown = run(*project, "codebook", "show").stdout
    assert f"    {sibling}  (0)" in shown and f"    {RANDI} (2)  (0)" in shown, shown
    said = [line for line in learned.stderr.splitlines() if "(2)" in line]
    assert said == [f"note: renamed code empowerment/{RANDI} to empowerment/{RANDI} (2): {alike}"
                    " once the key's new names were replaced by their pseudonyms"], learned.stderr
    history = run(*project, "codebook", "history", f"empowerment/{RANDI} (2)", "--json")
    events = json.loads(history.stdout)
    assert [event["summary"] for event in events][-1] == said[0].removeprefix("note: ")
    assert events[-1]["before"]["name"] == RANDI and events[-1]["after"]["name"] == f"{RANDI} (2)"
    assert "Signe" not in learned.output + history.output
    with Project.open(demo) as opened, opened.begin() as session:  # undo would make the two alike again
        renaming = session.scalar(select(Event).where(Event.summary == events[-1]["summary"]))
        assert renaming is not None and not renaming.undoable


# Codes alike made before such names were refused are left as they are: `codebook show` names each
# pair on stderr, with the commands that rename one or move its codings to the other.

def _made_before_the_check(demo: Path, names: list[str]) -> dict[str, str]:
    """Codes written as an older qualcode let them in, beside the codes of their paths' parents: their GUIDs by path."""
    from qualcode.store.models import Code, code_guid

    with Project.open(demo) as opened, opened.begin() as session:
        for path in names:
            parent_path, _, name = path.rpartition("/")
            parent = session.scalar(select(Code).where(Code.path == parent_path)) if parent_path else None
            session.add(Code(guid=code_guid(path), name=name, path=path, parent=parent, position=99, signal_words=[]))
    return {path: code_guid(path) for path in names}


def test_codebook_show_names_codes_alike_made_before_the_check_on_stderr_and_how_to_mend_them(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    guids = _made_before_the_check(demo, ["empowerment/аvmakt", "Helse"])  # a Cyrillic а; a capital
    coded = run(*project, "coding", "add", "deltaker_D1_T1", guids["empowerment/аvmakt"], "--match",
                "Hun sier at det er jeg som må bestemme")
    assert coded.exit_code == 0, coded.output
    shown = run(*project, "codebook", "show")
    assert shown.exit_code == 0 and "      аvmakt  (1)\n" in shown.stdout and "note" not in shown.stdout
    assert shown.stderr.splitlines() == [
        "note: code empowerment/аvmakt looks like the code empowerment/avmakt beside it (its 'а' is CYRILLIC SMALL LETTER A, not 'a'):"
        f" rename it (`qualcode codebook rename {guids['empowerment/аvmakt']} NEW-NAME`), or recode its codings to empowerment/avmakt,"
        f" each coder their own (`qualcode coding list --code {guids['empowerment/аvmakt']} --only`,"
        " then `qualcode coding recode N 'empowerment/avmakt'`)",
        f"note: code Helse differs only in case from the code helse beside it: rename it (`qualcode codebook rename {guids['Helse']} NEW-NAME`)",
    ]
    assert len(json.loads(run(*project, "codebook", "show", "--json").stdout)) == len(shown.stdout.splitlines())
    # What the notes say to do, done: the codings moved, and a name each reader can tell apart.
    listed = run(*project, "coding", "list", "--code", guids["empowerment/аvmakt"], "--only", "--json")
    [coding] = json.loads(listed.stdout)
    assert run(*project, "coding", "recode", str(coding["id"]), "empowerment/avmakt").exit_code == 0
    renamed = run(*project, "codebook", "rename", guids["empowerment/аvmakt"], "avmakt (fra gammel versjon)")
    assert renamed.exit_code == 0 and renamed.stdout == "renamed empowerment/аvmakt to empowerment/avmakt (fra gammel versjon)\n"
    assert run(*project, "codebook", "rename", guids["Helse"], "helse og rus").exit_code == 0
    assert run(*project, "codebook", "show").stderr == ""


def test_codebook_rename_is_refused_in_one_line_beside_a_code_it_would_look_like(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    before = run(*project, "codebook", "show").output
    refused = run(*project, "codebook", "rename", "empowerment/avmakt", "ansvar fоr eget liv")  # a Cyrillic о
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("error: code empowerment/ansvar fоr eget liv looks like the code empowerment/ansvar for eget liv")
    assert run(*project, "codebook", "show").output == before


def test_a_code_renamed_to_a_name_the_key_holds_is_stored_under_its_pseudonym(guarded: Project) -> None:
    from qualcode.codebook.service import rename_code

    with guarded.begin() as session:
        before, renamed = rename_code(session, "empowerment/avmakt", f"samtaler med {KARI}", get_or_create_coder(session, "Forsker 1"))
    assert (before, renamed.path) == ("empowerment/avmakt", f"empowerment/samtaler med {RANDI}")
    with guarded.begin() as session:
        create_code(session, f"empowerment/{RANDI}", coder=get_or_create_coder(session, "Forsker 1"))
    with pytest.raises(InvalidInput) as refused, guarded.begin() as session:
        rename_code(session, f"empowerment/samtaler med {RANDI}", KARI)
    assert str(refused.value).startswith(f"code empowerment/{RANDI} already exists; a name the key holds is stored as its pseudonym")
    assert "Kari" not in str(refused.value)


def test_undoing_a_rename_is_refused_where_a_code_that_looks_like_the_old_name_stands_now(session: Session, coder: Coder) -> None:
    """Undo put the old name back beside a code made since that looks like it (a Cyrillic а): two codes nobody can tell apart."""
    from qualcode.codebook.service import rename_code
    from qualcode.coding.history import ChangedByOthers, undo

    rename_code(session, "empowerment/avmakt", "maktesløshet", coder)
    create_code(session, "empowerment/аvmakt", coder=get_or_create_coder(session, "Forsker 2"))
    before = _state(session)
    with pytest.raises(ChangedByOthers, match=r"another code, empowerment/аvmakt \(made by Forsker 2\), now stands where empowerment/avmakt was"):
        undo(session, coder)
    assert _state(session) == before


# Characters drawn as nothing that a name keeps (one_line removes only the zero-width and direction
# characters, and since the Hangul fillers went with them, those): "helse" with one of them was a second
# code beside helse that nobody could tell from it.
UNSEEN = [
    ("hel\u17b4se", "KHMER VOWEL INHERENT AQ"),
    ("helse\U000e0100", "VARIATION SELECTOR-17"),
    ("hel\u180bse", "MONGOLIAN FREE VARIATION SELECTOR ONE"),
    ("helse\u2800", "BRAILLE PATTERN BLANK"),
]


@pytest.mark.parametrize(("typed", "unseen"), UNSEEN, ids=[name for _, name in UNSEEN])
def test_a_code_name_with_a_character_drawn_as_nothing_is_refused_beside_the_name_without_it(
    session: Session, coder: Coder, typed: str, unseen: str,
) -> None:
    before = _state(session)
    with pytest.raises(InvalidInput) as refused:
        create_code(session, typed, coder=coder)
    assert str(refused.value).startswith(f"code {typed} looks like the code helse: it has a {unseen}, which cannot be seen (")
    with pytest.raises(CodebookInvalid, match=f"looks like the code helse in this project \\(it has a {unseen}, which cannot be seen\\)"):
        apply_codebook(session, Codebook(name="KVP – Kvalifiseringsprogrammet", codes=[CodeSpec(name=typed)]), coder)
    assert _state(session) == before


# Format characters drawn as nothing: refused as no list shows them, as in any value typed (check_one_line);
# a codebook file's name is read without them, as without a zero-width space (code_name): there it is helse.
@pytest.mark.parametrize(("typed", "unseen"), [("hel\U0001d173se", "U+1D173 MUSICAL SYMBOL BEGIN BEAM"),
                                              ("hel\u206ase", "U+206A INHIBIT SYMMETRIC SWAPPING")])
def test_a_code_name_with_a_format_character_drawn_as_nothing_is_refused_naming_it(
    session: Session, coder: Coder, typed: str, unseen: str,
) -> None:
    before = _state(session)
    said = f"the code name {typed!r} holds a line break or control character ({unseen})"
    with pytest.raises(InvalidInput) as refused:
        create_code(session, typed, coder=coder)
    assert refused.value.message == said
    assert code_name(typed) == "helse"
    assert _state(session) == before


def test_a_code_renamed_to_its_siblings_name_with_a_character_drawn_as_nothing_is_refused(demo: Path) -> None:
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    before = run(*project, "codebook", "show").output
    refused = run(*project, "codebook", "rename", "skjønn", "helse\u2800")
    assert refused.exit_code == 1 and refused.output.count("\n") == 1, refused.output
    assert "looks like the code helse: it has a BRAILLE PATTERN BLANK, which cannot be seen" in refused.output
    # A Hangul filler is read as nothing, as a zero-width space is: the name is helse's.
    for filler in ("\u3164", "\u115f", "\uffa0"):
        assert code_name(f"hel{filler}se") == "helse"
        taken = run(*project, "codebook", "rename", "skjønn", f"helse{filler}")
        assert taken.exit_code == 1 and taken.output.startswith("error: code helse already exists"), taken.output
    assert run(*project, "codebook", "show").output == before


@pytest.mark.parametrize("blank", ["\u2800", "\u2800 \u2800", "\u115f\u1160"], ids=["braille blank", "two blanks", "jamo fillers"])
def test_a_code_name_written_only_with_characters_drawn_as_nothing_is_refused(demo: Path, blank: str) -> None:
    """A code "ㅤ" (a Hangul filler, a letter with no ink) was a code in the tree with no name to be seen."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    before = run(*project, "codebook", "show").output
    for args in (["codebook", "add", blank], ["codebook", "add", f"empowerment/{blank}"], ["codebook", "rename", "helse", blank]):
        refused = run(*project, *args)
        assert refused.exit_code == 1 and refused.output.count("\n") == 1, (args, refused.output)
        assert "written with only characters drawn as nothing" in refused.output and "a name a reader can see" in refused.output
    with pytest.raises(CodebookInvalid, match="^kodebok.yaml line 3: a code's name is written with only characters drawn as nothing"):
        parse_codebook(f'name: x\ncodes:\n  - name: "{blank}"\n', "kodebok.yaml")
    qdc = read_qdc(f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="6f1c2a4e-0d43-4c7e-9a51-3b2e8f0a1d11" name="helse" isCodable="true"/>
  <Code guid="6f1c2a4e-0d43-4c7e-9a51-3b2e8f0a1d12" name="{blank}" isCodable="true"/>
</Codes></CodeBook>""".encode(), "andre.qdc")
    assert [code.name for code in qdc.codebook.codes] == ["helse"]
    assert any("written with only characters drawn as nothing (a Hangul filler, a blank Braille pattern); skipped" in note
               for note in qdc.deviations), qdc.deviations
    assert run(*project, "codebook", "show").output == before


def test_a_qdpx_code_whose_name_shows_nothing_is_skipped_saying_why(session: Session, tmp_path: Path) -> None:
    from tests.test_exchange_import import guid, run_import

    result = run_import(session, _coded_qdpx(tmp_path, ["empowerment", "\u2800"]))
    assert [view.path for view in list_codes(session) if view.path.startswith("tema")] == ["tema", "tema/empowerment"]
    assert any(guid("code:1") in problem and "written with only characters drawn as nothing" in problem for problem in result.problems), \
        result.problems


# A file that moves a code (by its GUID) under another code: not beside a code it looks like, and a
# pair alike made before names were checked, which the file leaves where it stands, refuses nothing.

def _moving_qdc(session: Session, path: str, under: str) -> bytes:
    """A .qdc from another program in which the code at `path` is put under the code at `under`, both named by their GUIDs."""
    guids = {view.path: view.guid for view in list_codes(session)}
    return f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="{guids[under]}" name="{under}" isCodable="true">
    <Code guid="{guids[path]}" name="{path.rpartition('/')[2]}" isCodable="true"/>
  </Code>
</Codes></CodeBook>""".encode()


def test_a_qdc_that_moves_a_code_beside_one_it_looks_like_is_refused(session: Session, coder: Coder) -> None:
    """"аvmakt" (a Cyrillic а) under brukermedvirkning, moved beside empowerment/avmakt: two codes nobody could tell apart."""
    create_code(session, "brukermedvirkning/аvmakt", coder=coder)  # under another parent, a name of its own
    before = _state(session)
    with pytest.raises(CodebookInvalid, match=r"^the file moves code brukermedvirkning/аvmakt to empowerment/аvmakt, where this project"
                                              r" has another code that looks like it \(its 'а' is CYRILLIC SMALL LETTER A, not 'a'\),"
                                              r" empowerment/avmakt"):
        import_qdc(session, read_qdc(_moving_qdc(session, "brukermedvirkning/аvmakt", "empowerment"), "andre.qdc"), coder)
    assert _state(session) == before


def test_a_qdpx_that_moves_a_code_beside_one_it_looks_like_is_refused(session: Session, coder: Coder, tmp_path: Path) -> None:
    from tests.test_exchange_import import run_import
    from tests.test_exchange_merge_moves import _copy_with_a_code_moved

    create_code(session, "brukermedvirkning/аvmakt", coder=coder)
    copy = _copy_with_a_code_moved(session, tmp_path, "brukermedvirkning/аvmakt", "empowerment")
    before = _state(session)[0]
    with pytest.raises(CodebookInvalid, match="where this project has another code that looks like it"):
        run_import(session, copy)
    assert _state(session)[0] == before


def test_a_qdc_that_moves_a_code_is_taken_beside_codes_alike_made_before_the_check(session: Session, coder: Coder) -> None:
    """"Helse" beside helse, made by an older qualcode, refused every .qdc that moved any code:
    "the file moves code helse to helse, where this project has another code, Helse"."""
    from qualcode.store.models import Code, code_guid

    empowerment = session.scalar(select(Code).where(Code.path == "empowerment"))
    session.add_all([Code(guid=code_guid("Helse"), name="Helse", path="Helse", position=99, signal_words=[]),
                     Code(guid=code_guid("empowerment/аvmakt"), name="аvmakt", path="empowerment/аvmakt", parent=empowerment,
                          position=99, signal_words=[])])
    session.flush()
    changes = import_qdc(session, read_qdc(_moving_qdc(session, "skjønn", "brukermedvirkning"), "andre.qdc"), coder)
    assert changes.changes.moved == [("skjønn", "brukermedvirkning/skjønn")]
    paths = [view.path for view in list_codes(session)]
    assert {"Helse", "helse", "empowerment/avmakt", "empowerment/аvmakt", "brukermedvirkning/skjønn"} <= set(paths)


def test_a_code_renamed_as_another_codes_shortcut_says_so_as_a_code_added_so_does(demo: Path) -> None:
    """`codebook rename helse e` named a code as empowerment's key e in silence: `coding add … e` then asked which was meant."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    renamed = run(*project, "codebook", "rename", "helse", "e")
    assert renamed.exit_code == 0 and renamed.stdout == "renamed helse to e\n"
    assert renamed.stderr == ("note: e is named as the shortcut 'e' of empowerment: a command given 'e' now asks which is meant,"
                              " so name empowerment by its path (or give one of them another name or key)\n")


def test_a_code_renamed_to_a_look_alike_of_its_own_name_is_renamed_saying_that_nothing_shows(demo: Path) -> None:
    """`codebook rename helse hеlse` (a Cyrillic е) said only "renamed helse to hеlse": a rename nobody
    can see, after which `helse` typed finds no code. Mending it back is the same rename the other way."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    renamed = run(*project, "codebook", "rename", "helse", "hеlse")
    assert renamed.exit_code == 0 and renamed.stdout == "renamed helse to hеlse\n"
    assert renamed.stderr == ("note: the new name looks as the old one did (its 'е' is CYRILLIC SMALL LETTER IE, not 'e'):"
                              " a reader sees no change\n")
    mended = run(*project, "codebook", "rename", "hеlse", "helse")
    assert mended.exit_code == 0 and "note: the new name looks as the old one did" in mended.stderr
    recased = run(*project, "codebook", "rename", "helse", "Helse")
    assert recased.exit_code == 0 and recased.stderr == ""


def test_vaer_beside_vaer_with_ae_is_refused_as_one_word_spelt_two_ways(session: Session, coder: Coder) -> None:
    """"æ" is drawn as an "a" and an "e" joined (UTS #39 maps it to "ae"), and "ae" is how Norwegian is
    written where "æ" cannot be: "vaer" beside "vær" is one word twice, not two codes. "ø" and "å"
    are letters with a stroke and a ring, not "oe" and "aa" drawn together: "foer" and "før" are two codes."""
    create_code(session, "ord", coder=coder)
    create_code(session, "ord/vær", coder=coder)
    with pytest.raises(InvalidInput, match=r"^code ord/vaer looks like the code ord/vær: its 'ae' reads as 'æ'"):
        create_code(session, "ord/vaer", coder=coder)
    for name in ("før", "foer", "mål", "maal"):
        create_code(session, f"ord/{name}", coder=coder)


def test_the_command_codebook_show_gives_to_recode_a_look_alike_runs_in_a_shell_whatever_the_name(demo: Path) -> None:
    """The code's path was written as Python writes a string ('kost \\'n\\' …'), which a shell reads otherwise."""
    import shlex

    project = ["--project", str(demo), "--coder", "Forsker 1"]
    name = "kost 'n' $HOME \"nytte\""
    guids = _made_before_the_check(demo, [name, name.capitalize()])
    assert run(*project, "coding", "add", "deltaker_D1_T1", guids[name.capitalize()], "--match", "Hun sier at det er jeg som må bestemme").exit_code == 0
    [said] = run(*project, "codebook", "show").stderr.splitlines()
    command = said.rpartition("then `")[2].removesuffix("`)")
    assert shlex.split(command) == ["qualcode", "coding", "recode", "N", name]


def test_a_code_name_written_only_with_hangul_fillers_has_no_name(demo: Path) -> None:
    """The Hangul fillers are read as nothing, as a zero-width space is: a code "ㅤ" is a code with no name, refused so."""
    project = ["--project", str(demo), "--coder", "Forsker 1"]
    before = run(*project, "codebook", "show").output
    for args in (["codebook", "add", "\u3164"], ["codebook", "add", "empowerment/\u3164 \uffa0"]):
        refused = run(*project, *args)
        assert refused.exit_code == 1 and refused.output.count("\n") == 1 and "has no name" in refused.output, (args, refused.output)
    assert run(*project, "codebook", "show").output == before
