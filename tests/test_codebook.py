"""The codebook format, its validation, the shipped KVP codebook, and edits as events."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.cli import cli
from qualcode.codebook.model import CODE_NAME_LENGTH, CODE_PATH_LENGTH, Codebook, CodeSpec
from qualcode.codebook.service import (
    apply_codebook,
    code_history,
    create_code,
    find_code,
    list_codes,
    project_codebook,
    rename_code,
    update_code,
)
from qualcode.codebook.shipped import KVP_CODEBOOK
from qualcode.codebook.yaml_format import dump_codebook, load_codebook, parse_codebook
from qualcode.coding.history import undo
from qualcode.errors import Ambiguous, CodebookInvalid, InvalidInput, NotFound
from qualcode.store.models import Code, Coder, Coding, code_guid
from tests.conftest import REPO


def test_the_packaged_codebook_is_the_one_copy_and_codebooks_kvp_points_at_it() -> None:
    # The packaged file is what an installed wheel has; the top-level folder only shows it.
    assert not KVP_CODEBOOK.is_symlink()
    assert (REPO / "codebooks" / "kvp.yaml").resolve() == KVP_CODEBOOK.resolve()


def test_shipped_kvp_codebook_has_the_central_codes_with_rules() -> None:
    codebook = load_codebook(KVP_CODEBOOK)
    paths = {path: code for path, _, code in codebook.walk()}
    for central in ("empowerment", "brukermedvirkning", "måltall-press"):
        code = paths[central]
        assert code.definition and code.inclusion and code.exclusion and code.example and code.signal_words
        assert code.children, central
    assert "empowerment/avmakt" in paths
    assert "brukermedvirkning/tvang og krav" in paths
    assert "måltall-press/inntakspress" in paths
    for theme in ("tett oppfølging", "skjønn", "sanksjoner", "samarbeid stat og kommune"):
        assert theme in paths


def test_validation_names_file_line_and_problem() -> None:
    source = (
        "name: Test\n"
        "codes:\n"
        "  - name: a\n"
        "    shortcut: e\n"
        "  - name: b\n"
        "    shortcut: e\n"
        "    colour: red\n"
        "    farge: blå\n"
        "  - name: a\n"
        "  - definition: uten navn\n"
        "  - name: c/d\n"
        "    signal_words: ord\n"
    )
    with pytest.raises(CodebookInvalid, match="^7 problems: test.yaml line 8: unknown key 'farge'") as caught:
        parse_codebook(source, "test.yaml")
    problems = caught.value.problems
    assert "test.yaml line 8: unknown key 'farge'" in " ".join(problems)
    assert any(p.startswith("test.yaml line 7: colour 'red'") for p in problems)
    assert any(p.startswith("test.yaml line 6: shortcut 'e' of b is already used by a") for p in problems)
    assert any(p.startswith("test.yaml line 9: code 'a' appears twice") for p in problems)
    assert any(p.startswith("test.yaml line 10: a code has no name") for p in problems)
    assert any("line 11" in p and "contains '/'" in p for p in problems)
    assert any("line 12" in p and "signal_words" in p for p in problems)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("name: x\ncodes: [\n", "not valid YAML"),
        ("- just a list\n", "must be a mapping"),
        ("name: x\n", "has no codes"),
        ('name: x\ncodes:\n  - name: "m\u00e5ltall"\n  - name: "ma\u030altall"\n', "code 'måltall' appears twice"),
    ],
)
def test_structural_errors(source: str, message: str) -> None:
    with pytest.raises(CodebookInvalid, match=message):
        parse_codebook(source, "x.yaml")


def test_a_colour_written_without_quotes_is_named_not_lost(tmp_path: Path) -> None:
    # YAML reads `colour: #FF0000` as an empty colour and a comment: the code came in without it, saying nothing.
    source = (
        "name: x\ncodes:\n  - name: a\n    colour: #FF0000\n  - name: b\n    colour: #f00 \n"
        "  - name: c\n    colour:  # farge kommer\n  - name: d\n    colour:\n  - name: e\n    colour: \"#00FF00\"\n"
    )
    with pytest.raises(CodebookInvalid) as caught:
        parse_codebook(source, "farger.yaml")
    assert caught.value.problems == [
        f'farger.yaml line {line}: colour of {name} is empty: a # outside quotes starts a YAML comment; write it in quotes, colour: "#RRGGBB"'
        for line, name in ((4, "a"), (6, "b"))
    ]
    (tmp_path / "farger.yaml").write_text(source, encoding="utf-8")
    outcome = CliRunner().invoke(cli, ["codebook", "validate", str(tmp_path / "farger.yaml")])
    assert outcome.exit_code == 1 and len(outcome.output.strip().splitlines()) == 1 and "write it in quotes" in outcome.output


def test_round_trip_through_yaml_and_the_project(session: Session, tmp_path: Path) -> None:
    exported = dump_codebook(project_codebook(session))
    again = parse_codebook(exported, "exported.yaml")
    shipped = load_codebook(KVP_CODEBOOK)
    assert [(p, c.definition, c.shortcut, c.signal_words) for p, _, c in again.walk()] == [
        (p, c.definition, c.shortcut, c.signal_words) for p, _, c in shipped.walk()
    ]


def test_a_code_name_is_one_line_and_composed() -> None:
    parsed = parse_codebook('name: x\ncodes:\n  - name: "ny\\n\\tkode  ma\u030al"\n', "x.yaml")
    assert parsed.codes[0].name == "ny kode mål"


def test_code_guids_are_uuid5_of_the_path(session: Session) -> None:
    code = find_code(session, "måltall-press/inntakspress")
    assert code.guid == code_guid("måltall-press/inntakspress")


def test_applying_an_edited_codebook_updates_and_records_events(session: Session, coder: Coder) -> None:
    edited = load_codebook(KVP_CODEBOOK)
    edited.codes[0].definition = "Ny definisjon av empowerment."
    edited.codes[0].children.append(type(edited.codes[0])(name="mestring", definition="Å mestre noe."))
    changes = apply_codebook(session, edited, coder)
    assert changes.created == ["empowerment/mestring"]
    assert changes.updated == ["empowerment"]
    history = code_history(session, "empowerment")
    assert history[-1].action == "code.update"
    assert history[-1].after and history[-1].after["definition"] == "Ny definisjon av empowerment."
    assert history[-1].before and history[-1].before["definition"] != history[-1].after["definition"]


def test_codes_the_file_lacks_are_kept_and_reported(session: Session) -> None:
    smaller = parse_codebook("name: liten\ncodes:\n  - name: empowerment\n", "liten.yaml")
    changes = apply_codebook(session, smaller)
    assert "måltall-press" in changes.not_in_file
    assert find_code(session, "måltall-press")


def test_a_merge_keeps_what_the_file_leaves_out(session: Session, coder: Coder, tmp_path: Path) -> None:
    """A file that states only a code's new definition, or another program's .qdc with names only,
    changes what it states and keeps the rest: rules, example, colour, shortcut and signal words."""
    from qualcode.exchange.codebook_qdc import import_qdc, load_qdc

    shipped = next(spec for spec in load_codebook(KVP_CODEBOOK).codes if spec.name == "empowerment")
    before = find_code(session, "empowerment")
    kept = {field: getattr(before, field) for field in ("inclusion", "exclusion", "example", "colour", "shortcut")}
    assert all(kept.values()) and before.signal_words == shipped.signal_words != []
    changes = apply_codebook(session, parse_codebook("name: ny\ncodes:\n  - name: empowerment\n    definition: Ny definisjon\n", "ny.yaml"), coder)
    assert changes.updated == ["empowerment"]
    after = find_code(session, "empowerment")
    assert after.definition == "Ny definisjon"
    assert {field: getattr(after, field) for field in kept} == kept and after.signal_words == shipped.signal_words
    qdc = tmp_path / "fremmed.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f'<Code guid="{after.guid}" name="empowerment" isCodable="true"/></Codes></CodeBook>', encoding="utf-8",
    )
    assert import_qdc(session, load_qdc(qdc), coder).changes.updated == []
    again = find_code(session, "empowerment")
    assert (again.definition, {field: getattr(again, field) for field in kept}) == ("Ny definisjon", kept)


def test_shortcut_clash_with_a_kept_code_is_refused(session: Session) -> None:
    clash = parse_codebook("name: x\ncodes:\n  - name: ny kode\n    shortcut: m\n", "x.yaml")
    with pytest.raises(CodebookInvalid, match="already used by måltall-press"):
        apply_codebook(session, clash)


def test_every_shortcut_clash_with_kept_codes_is_named_at_once_with_what_to_do(session: Session) -> None:
    """A field trial: a study's own codebook beside the shipped one clashed on three keys (m, t, k), said one
    import at a time, and with no word of how to go on."""
    clash = parse_codebook("name: x\ncodes:\n  - name: medverknad\n    shortcut: m\n  - name: måltal\n    shortcut: t\n"
                           "  - name: meistring\n    shortcut: k\n  - name: familie\n    shortcut: g\n", "x.yaml")
    with pytest.raises(CodebookInvalid) as refused:
        apply_codebook(session, clash)
    message = str(refused.value)
    for key, holder in (("m", "måltall-press"), ("t", "brukermedvirkning/tilbakemelding"), ("k", "brukermedvirkning/tvang og krav")):
        assert f"shortcut {key!r} of" in message and f"already used by {holder}" in message, message
    assert "'g'" not in message
    assert refused.value.hint is not None and "another shortcut" in refused.value.hint and "free:" in refused.value.hint
    assert session.scalar(select(func.count()).select_from(Code).where(Code.name == "medverknad")) == 0


def test_find_code_by_path_name_shortcut(session: Session) -> None:
    assert find_code(session, "avmakt").path == "empowerment/avmakt"
    assert find_code(session, "m").path == "måltall-press"
    assert find_code(session, "EMPOWERMENT").path == "empowerment"
    with pytest.raises(NotFound, match="no code 'finnes ikke' in this project"):
        find_code(session, "finnes ikke")


def test_ambiguous_code_names_ask_for_a_path(session: Session, coder: Coder) -> None:
    create_code(session, "måltall-press/avmakt", {}, coder)
    with pytest.raises(Ambiguous, match="full path"):
        find_code(session, "avmakt")


def test_edit_definition_is_an_undoable_event(session: Session, coder: Coder) -> None:
    old = find_code(session, "skjønn").definition
    update_code(session, "skjønn", {"definition": "Ny tekst."}, coder)
    assert find_code(session, "skjønn").definition == "Ny tekst."
    undo(session, coder)
    assert find_code(session, "skjønn").definition == old


def test_creating_a_code_can_be_undone_while_unused(session: Session, coder: Coder) -> None:
    create_code(session, "helse/rus", {"definition": "Rusbruk."}, coder)
    assert any(code.path == "helse/rus" for code in list_codes(session))
    undo(session, coder)
    assert all(code.path != "helse/rus" for code in list_codes(session))


def test_a_new_codes_path_is_written_as_the_project_keeps_it(session: Session, coder: Coder) -> None:
    """A slash before or after, or spaces round a part, are not part of the path (an export put
    "/lead" under an empty top level); an empty part or a name longer than the store keeps is refused."""
    assert create_code(session, " /ledelse/ ", {}, coder).path == "ledelse"
    assert create_code(session, "ledelse / styring", {}, coder).path == "ledelse/styring"
    with pytest.raises(InvalidInput, match="has an empty part between slashes"):
        create_code(session, "ledelse//tom", {}, coder)
    with pytest.raises(InvalidInput, match="is longer than 200 characters"):
        create_code(session, "a" * 201, {}, coder)


def test_a_code_path_or_name_longer_than_the_store_keeps_is_refused_however_the_code_comes(session: Session, coder: Coder) -> None:
    """SQLite kept a path of any length in the 1,000-character column (PostgreSQL would not), and a
    codebook file's name of any length in the 200-character one."""
    assert (CODE_NAME_LENGTH, CODE_PATH_LENGTH) == (Code.__table__.c["name"].type.length, Code.__table__.c["path"].type.length)
    parent = "/".join(["å" * 199] * 5)  # 999 characters
    for depth in range(1, 6):
        create_code(session, "/".join(["å" * 199] * depth), {}, coder)
    before = len(list_codes(session))
    with pytest.raises(InvalidInput, match=r"^the code path 'å+'… is longer than 1000 characters \(1001\) \(shorten its name"):
        create_code(session, parent + "/x", {}, coder)
    deepest = CodeSpec("e" * 200)
    for letter in "dcba":
        deepest = CodeSpec(letter * 200, children=[deepest])
    long_file = Codebook("lang", codes=[deepest])
    with pytest.raises(CodebookInvalid, match=r"^the code path 'a+'… is longer than 1000 characters \(1004\)$"):
        apply_codebook(session, long_file)  # as a .qdc file's codes come
    with pytest.raises(CodebookInvalid, match=r"^the code name 'd+'… is longer than 200 characters \(201\)$"):
        apply_codebook(session, Codebook("lang", codes=[CodeSpec("d" * 201)]))
    assert len(list_codes(session)) == before
    source = dump_codebook(long_file)
    with pytest.raises(CodebookInvalid, match=r"^lang.yaml line \d+: the code path 'a+'… is longer than 1000 characters \(1004\); "
                       "shorten its name or those of the codes above it$"):
        parse_codebook(source, "lang.yaml")


def test_a_code_differing_only_in_case_from_its_sibling_is_refused_and_a_subtree_is_case_exact(session: Session, coder: Coder) -> None:
    """"Empowerment" beside "empowerment" was accepted, and its subtree, read with SQLite's case-blind
    LIKE, took in empowerment/avmakt: its quotes, searches and exports held the other code's passages."""
    from qualcode.codebook.service import code_subtree_ids
    from qualcode.store.models import Code

    create_code(session, "tema", {}, coder)
    create_code(session, "tema/under", {}, coder)
    with pytest.raises(InvalidInput, match="code Tema differs only in case from the code tema"):
        create_code(session, "Tema", {}, coder)
    with pytest.raises(InvalidInput, match="code tema/UNDER differs only in case from the code tema/under"):
        create_code(session, "tema/UNDER", {}, coder)
    # A project made before the refusal may hold both.
    older = Code(guid=code_guid("Tema"), name="Tema", path="Tema", parent=None, position=9, signal_words=[])
    session.add(older)
    session.flush()
    assert code_subtree_ids(session, older) == [older.id]


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"shortcut": "e"}, "already used by empowerment"), ({"colour": "blå"}, "#RRGGBB"), ({"farge": "x"}, "not a field")],
)
def test_bad_edits(session: Session, coder: Coder, changes: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        update_code(session, "skjønn", changes, coder)


@pytest.mark.parametrize("name", ["alias-cycle", "billion-laughs", "deep-flow", "deep-yaml", "huge", "merge-key", "nul-byte", "twelve-levels"])
def test_hostile_codebooks_are_refused_in_one_line_naming_the_line(name: str) -> None:
    from tests.reliability.test_hostile_codebooks import HOSTILE

    make, where, says = HOSTILE[name]
    with pytest.raises(CodebookInvalid, match=f"^{re.escape(name)}\\.yaml.*{re.escape(says)}") as caught:
        parse_codebook(make(), f"{name}.yaml")
    message = caught.value.message
    assert "\n" not in message and message.startswith(f"{name}.yaml") and says in message
    if where.startswith("line"):
        assert " line " in message


def test_yaml_tags_are_never_constructed(tmp_path: Path) -> None:
    planted = tmp_path / "ran"
    source = f"name: !!python/object/apply:os.system ['touch {planted}']\ncodes:\n  - name: a\n"
    with pytest.raises(CodebookInvalid, match="line 1: name must be text"):
        parse_codebook(source, "tag.yaml")
    assert not planted.exists()


def test_a_codebook_ten_levels_deep_is_fine_and_many_problems_make_one_short_line() -> None:
    from tests.reliability.test_hostile_codebooks import deep_yaml

    assert len(list(parse_codebook(deep_yaml(9), "ti.yaml").walk())) == 10
    source = "name: x\ncodes:\n" + "".join(f"  - name: k{i}\n    farge: rød\n" for i in range(100))
    with pytest.raises(CodebookInvalid, match="^100 problems: mange.yaml line 4: unknown key 'farge'") as caught:
        parse_codebook(source, "mange.yaml")
    assert len(caught.value.problems) == 100
    assert caught.value.message.startswith("100 problems: ") and caught.value.message.endswith("; and 80 more")


LOOK_ALIKES = {"to  mellomrom": "to mellomrom", "hardt\u00a0mellomrom": "hardt mellomrom", "japansk\u3000mellomrom": "japansk mellomrom"}


def test_names_are_kept_as_a_codebook_file_reads_them_so_the_projects_own_yaml_imports_back_unchanged(
    session: Session, coder: Coder,
) -> None:
    """`codebook add` kept a double, non-breaking or ideographic space the YAML reader collapses: a
    re-import of the project's own export added look-alike twins, and codings split between them."""
    for typed, kept in LOOK_ALIKES.items():
        assert create_code(session, f"empowerment/{typed}", {}, coder).path == f"empowerment/{kept}"
        assert find_code(session, f"empowerment/{typed}").path == f"empowerment/{kept}"
        with pytest.raises(InvalidInput, match="already exists"):
            create_code(session, f"empowerment/{kept}", {}, coder)
    with pytest.raises(InvalidInput, match="holds a line break or control character"):  # a line separator is a line break
        create_code(session, "empowerment/linje\u2028skift", {}, coder)
    # A soft hyphen no list shows is refused, as in a participant's value (check_one_line), not taken out unseen.
    with pytest.raises(InvalidInput, match=r"holds a line break or control character \(U\+00AD SOFT HYPHEN\)"):
        create_code(session, "empowerment/myk\u00adbindestrek", {}, coder)
    before = [view.path for view in list_codes(session)]
    changes = apply_codebook(session, parse_codebook(dump_codebook(project_codebook(session)), "egen.yaml"), coder)
    assert (changes.created, changes.updated) == ([], [])
    assert [view.path for view in list_codes(session)] == before


def test_a_name_stored_with_two_spaces_before_names_were_kept_so_is_found_by_how_it_reads(session: Session, coder: Coder) -> None:
    older = {}
    for typed in LOOK_ALIKES:  # as an earlier version stored them, spaces and all
        code = session.get_one(Code, create_code(session, f"empowerment/x{len(older)}", {}, coder).id)
        code.name, code.path = typed, f"empowerment/{typed}"
        older[typed] = code.path
    session.flush()
    exported = dump_codebook(project_codebook(session))
    for typed, kept in LOOK_ALIKES.items():
        assert find_code(session, f"empowerment/{kept}").path == older[typed]
        assert find_code(session, kept).path == older[typed]
        with pytest.raises(InvalidInput, match=r"differs only in spacing from the code"):
            create_code(session, f"empowerment/{kept}", {}, coder)
    changes = apply_codebook(session, parse_codebook(exported, "egen.yaml"), coder)
    assert (changes.created, changes.updated) == ([], [])
    assert session.scalar(select(func.count()).select_from(Code).where(Code.path.like("empowerment/%mellomrom"))) == 3


def test_add_refuses_the_eleventh_level_that_every_codebook_file_refuses(session: Session, coder: Coder) -> None:
    """`codebook add` made an 11th level, and the project's own export was then refused on import."""
    path = "n1"
    create_code(session, path, {}, coder)
    for level in range(2, 11):
        path = f"{path}/n{level}"
        create_code(session, path, {}, coder)
    with pytest.raises(InvalidInput, match=r"^code n1/.*/n11 would be 11 levels deep; a code tree has at most 10 \(put it under"):
        create_code(session, f"{path}/n11", {}, coder)
    assert any(view.path == path for view in list_codes(session))
    parse_codebook(dump_codebook(project_codebook(session)), "egen.yaml")  # ten levels: reads back


def test_the_size_bounds_hold_the_yaml_and_qdc_files_written(session: Session, coder: Coder) -> None:
    """What makes a codebook file big for its text (deep codes, escapes, quotes, "&" in XML, many
    signal words) stays between the bounds the entry check reads, and a .qdc within its own limit."""
    from qualcode.codebook.model import QDC_BYTES_PER_CODE, yaml_size_bounds
    from qualcode.exchange.codebook_qdc import write_qdc

    deep = "/".join(f"nivå {level}" for level in range(1, 11))
    texts = {"definition": "«sitat» & <merke> \"anført\" 'enkelt' \\ æøå 😀 " * 40, "example": "&" * 3000,
             "inclusion": "Når " * 500, "signal_words": [f"o{index}" for index in range(200)]}
    for level in range(1, 11):
        create_code(session, "/".join(f"nivå {index}" for index in range(1, level + 1)), dict(texts), coder)
    update_code(session, "helse", {"definition": "\u00a0\u2007 \t" * 200}, coder)
    codebook = project_codebook(session)
    written = len(dump_codebook(codebook).encode("utf-8"))
    pieces = [codebook.name, codebook.description or ""]
    for _, _, code in codebook.walk():
        pieces += [code.name, *(getattr(code, key) or "" for key in ("definition", "inclusion", "exclusion", "example", "colour", "shortcut"))]
        pieces += code.signal_words
    codes = sum(1 for _ in codebook.walk())
    fewest, most = yaml_size_bounds(pieces, codes, sum(len(code.signal_words) for _, _, code in codebook.walk()))
    assert fewest <= written <= most
    assert len(write_qdc(session)) <= 5 * written + QDC_BYTES_PER_CODE * codes
    assert find_code(session, deep).path == deep


def test_a_code_is_renamed_with_its_sub_codes_codings_and_guid_and_undo_takes_it_back(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    from qualcode.coding.service import add_coding
    from tests.conftest import make_transcript

    transcript = make_transcript(session, tmp_path, "I: Hvordan går det?\nD: Jeg har fått mer selvtillit nå.\n")
    coding = add_coding(session, transcript.name, "empowerment/avmakt", coder, match="mer selvtillit")
    guid = find_code(session, "empowerment").guid
    before, renamed = rename_code(session, "empowerment", "  myndiggjøring ", coder)
    assert (before, renamed.path, renamed.guid) == ("empowerment", "myndiggjøring", guid)
    paths = [view.path for view in list_codes(session)]
    assert "myndiggjøring/avmakt" in paths and not any(path.startswith("empowerment") for path in paths)
    assert session.get(Coding, coding.id).code.path == "myndiggjøring/avmakt"  # type: ignore[union-attr]
    assert code_history(session, "myndiggjøring")[-1].summary == "renamed code empowerment to myndiggjøring"
    undo(session, coder)
    assert find_code(session, "empowerment").guid == guid
    assert session.get(Coding, coding.id).code.path == "empowerment/avmakt"  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "message"), [
    ("Brukermedvirkning", "code Brukermedvirkning differs only in case from the code brukermedvirkning"),
    ("brukermedvirkning", "code brukermedvirkning already exists"),
    ("brukеrmedvirkning", "code brukеrmedvirkning looks like the code brukermedvirkning: its 'е' is CYRILLIC SMALL LETTER IE"),
    ("ny/navn", "holds '/', which separates a code from the code above it"),
    ("to\nlinjer", "holds a line break or control character (U+000A"),
    ("   ", "the new name is empty"),
    ("empowerment", "code empowerment is named 'empowerment' already"),
    ("a" * 201, "is longer than 200 characters"),
])
def test_a_rename_is_refused_in_one_line_as_a_new_codes_name_is(session: Session, coder: Coder, name: str, message: str) -> None:
    before = [(view.path, view.guid) for view in list_codes(session)]
    with pytest.raises(InvalidInput) as refused:
        rename_code(session, "empowerment", name, coder)
    assert message in str(refused.value) and "\n" not in str(refused.value), str(refused.value)
    assert [(view.path, view.guid) for view in list_codes(session)] == before
