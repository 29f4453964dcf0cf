"""REFI-QDA codebooks: the project's codes written as a valid .qdc and read back, strictly out and liberally in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import select

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess
from qualcode.cli import cli
from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import (
    apply_codebook,
    create_code,
    list_codes,
    project_codebook,
    update_code,
)
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding
from qualcode.errors import CodebookInvalid, InvalidInput, UnreadableFile
from qualcode.exchange.codebook_qdc import (
    codes_not_carried,
    describe,
    import_qdc,
    parse_description,
    read_qdc,
    write_qdc,
)
from qualcode.exchange.schema import CODEBOOK_NS, schema_problems
from qualcode.store.models import Code, code_guid
from qualcode.store.project import Project
from tests.conftest import make_transcript

NS = {"c": CODEBOOK_NS}


@pytest.fixture(scope="module")
def empty_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """One project with no codes at all, made through the real migration path, for the whole module."""
    with Project.create(tmp_path_factory.mktemp("empty") / "project") as project:
        yield project


def _exported(project: Project) -> bytes:
    """The codebook of the coded samples (where måltall-press, a parent, is coded directly) as .qdc."""
    with project.begin() as session:
        return write_qdc(session)


def _fields(spec: CodeSpec) -> tuple[object, ...]:
    return (spec.name, spec.definition, spec.inclusion, spec.exclusion, spec.example, spec.colour, tuple(spec.signal_words),
            tuple(_fields(child) for child in spec.children))


def test_export_validates_and_marks_only_pure_groups_as_not_codable(coded: tuple[Project, PseudonymKey]) -> None:
    project = coded[0]
    data = _exported(project)
    root = etree.fromstring(data)
    assert schema_problems(root) == []
    assert data.startswith(b"<?xml") and not data.startswith(b"\xef\xbb\xbf")
    codes = {code.get("name"): code for code in root.iter(f"{{{CODEBOOK_NS}}}Code")}
    assert codes["empowerment"].get("isCodable") == "false"  # sub-codes and no codings of its own
    assert codes["måltall-press"].get("isCodable") == "true"  # coded directly although it has sub-codes
    assert codes["avmakt"].get("isCodable") == "true"
    assert codes["empowerment"].get("color") == "#2E7D32"
    assert [child.get("name") for child in codes["empowerment"].findall("c:Code", NS)][:2] == ["selvbilde og selvtillit", "håp og motivasjon"]
    description = codes["empowerment"].findtext("c:Description", namespaces=NS) or ""
    assert description.startswith("Definisjon: Deltakerens opplevde kontroll")
    assert "\n\nInkluder: " in description and "\n\nEkskluder: " in description and "\n\nSignalord: selvtillit, selvfølelse" in description
    with project.begin() as session:
        assert {code.get("guid") for code in codes.values()} == {view.guid for view in list_codes(session)}


def test_export_then_import_into_a_fresh_project_gives_the_same_tree_fields_and_guids(
    coded: tuple[Project, PseudonymKey], empty_project: Project,
) -> None:
    project = coded[0]
    data = _exported(project)
    with project.begin() as session:
        original = project_codebook(session)
        guids = {view.path: view.guid for view in list_codes(session)}
    with empty_project.begin() as session:
        imported = import_qdc(session, read_qdc(data, "kodebok.qdc"))
        assert imported.deviations == []
        assert len(imported.changes.created) == len(guids)
        copy = project_codebook(session)
        assert {view.path: view.guid for view in list_codes(session)} == guids
    assert [_fields(code) for code in copy.codes] == [_fields(code) for code in original.codes]
    with empty_project.begin() as session:  # a second import changes nothing
        again = import_qdc(session, read_qdc(data, "kodebok.qdc")).changes
    assert again.created == [] and again.updated == [] and len(again.unchanged) == len(guids)


def test_import_merges_by_guid_before_name(project: Project) -> None:
    with project.begin() as session:
        guid = session.scalar(select(Code.guid).where(Code.path == "empowerment/avmakt"))
        parent = session.scalar(select(Code.guid).where(Code.path == "empowerment"))
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="{{{parent.upper()}}}" name="empowerment" isCodable="false">
    <Code guid="{guid}" name="Maktesløshet" isCodable="true" color="#A1B"><Description>Kjenne seg maktesløs.</Description></Code>
  </Code>
</Codes></CodeBook>""".encode()
    with project.begin() as session:
        imported = import_qdc(session, read_qdc(qdc, "annen.qdc"))
        avmakt = session.scalars(select(Code).where(Code.guid == guid)).one()
        assert (avmakt.path, avmakt.definition, avmakt.colour) == ("empowerment/avmakt", "Kjenne seg maktesløs.", "#AA11BB")
        assert session.scalar(select(Code.shortcut).where(Code.path == "empowerment")) == "e"  # a .qdc carries no shortcuts
    assert imported.changes.created == []
    assert any("GUID of 'empowerment/avmakt'" in line and "Maktesløshet" in line for line in imported.deviations)
    assert any(f"{{{parent.upper()}}} as {parent}" in line for line in imported.deviations)  # the braced, upper-case GUID



def test_new_codes_keep_the_files_guids_so_a_renamed_code_merges_next_time(project: Project) -> None:
    file_guid = "5b1f0c2e-8d3a-4f6b-9c7e-2a4b6c8d0e1f"
    qdc = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="{guid}" name="{name}" isCodable="true"/>
</Codes></CodeBook>"""
    with project.begin() as session:
        first = import_qdc(session, read_qdc(qdc.format(guid=file_guid, name="tillit").encode(), "nvivo.qdc"))
        assert first.changes.created == ["tillit"]
        assert session.scalar(select(Code.guid).where(Code.path == "tillit")) == file_guid
    with project.begin() as session:  # renamed in the other program: the GUID finds it
        second = import_qdc(session, read_qdc(qdc.format(guid=file_guid, name="tiltro").encode(), "nvivo.qdc"))
        assert second.changes.created == []
        assert session.scalar(select(Code.path).where(Code.guid == file_guid)) == "tillit"
    with project.begin() as session:  # a GUID another code holds is not given twice
        changes = apply_codebook(session, Codebook(name="x", codes=[CodeSpec(name="annet")]), guids={"annet": file_guid})
        assert changes.created == ["annet"]
        assert session.scalar(select(Code.guid).where(Code.path == "annet")) == code_guid("annet")

TAGUETTE = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.4.1">
  <Codes>
    <Code guid="{0d9c6a3e-5f0b-4e8a-9a53-1c2d3e4f5a6b}" name="tema.undertema" isCodable="true">
      <Description>Inclusion: when it fits
Example: "sånn er det"</Description>
    </Code>
    <Code guid="1E2D3C4B-5A69-4788-9A0B-C1D2E3F4A5B6" name="tema" isCodable="true" color="#123456">
      <Description>Alt om temaet.
Signal words: tema; emne</Description>
    </Code>
    <Code guid="not-a-guid" name="annet" isCodable="true"/>
  </Codes>
  <Sets/>
</CodeBook>""".encode()


def test_taguette_style_file_is_read_as_a_tree_and_its_deviations_are_listed() -> None:
    read = read_qdc(TAGUETTE, "taguette.qdc")
    tree = read.codebook.codes
    assert [code.name for code in tree] == ["tema", "annet"]
    tema = tree[0]
    assert (tema.definition, tema.signal_words, tema.colour) == ("Alt om temaet.", ["tema", "emne"], "#123456")
    assert [(child.name, child.inclusion, child.example) for child in tema.children] == [("undertema", "when it fits", '"sånn er det"')]
    assert read.guids[id(tema)] == "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
    assert read.guids[id(tema.children[0])] == "0d9c6a3e-5f0b-4e8a-9a53-1c2d3e4f5a6b"
    deviations = "\n".join(read.deviations)
    assert "taguette.qdc line 14: Element '{urn:QDA-XML:codebook:1.0}Sets'" in deviations  # the empty <Sets/>, by line
    assert "'annet' has no valid GUID" in deviations
    assert "flat list of names with dots" in deviations


def test_description_layout_reads_both_languages_and_unlabelled_text() -> None:
    spec = CodeSpec(name="x", definition="Første linje.\nAndre linje.", inclusion="Når", exclusion="Ikke", example="«Sitat»",
                    signal_words=["a", "b c"])
    written = describe(spec)
    assert written == "Definisjon: Første linje.\nAndre linje.\n\nInkluder: Når\n\nEkskluder: Ikke\n\nEksempel: «Sitat»\n\nSignalord: a, b c"
    assert parse_description(written) == {
        "definition": "Første linje.\nAndre linje.", "inclusion": "Når", "exclusion": "Ikke", "example": "«Sitat»", "signal_words": "a, b c",
    }
    english = "Definition: Meaning\r\nInclusion criteria: yes\r\nEXCLUDE: no\r\nExamples: e"
    assert parse_description(english) == {"definition": "Meaning", "inclusion": "yes", "exclusion": "no", "example": "e"}
    assert parse_description("Bare tekst.") == {"definition": "Bare tekst."}


@pytest.mark.parametrize(("data", "message"), [
    (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes/></CodeBook>", "has no codes"),
    (b"<Project xmlns='urn:QDA-XML:project:1.0'/>", "not a REFI-QDA <CodeBook>"),
])
def test_unreadable_codebooks_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(CodebookInvalid, match=message):
        read_qdc(data, "feil.qdc")


def test_a_codebook_whose_every_code_is_skipped_says_why_not_that_it_has_none() -> None:
    nameless = (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes><Code guid='3f2504e0-4f89-11d3-9a0c-0305e82c3301' name='  '"
                b" isCodable='true'/>\n<Code guid='3f2504e0-4f89-11d3-9a0c-0305e82c3302' name='' isCodable='true'/></Codes></CodeBook>")
    with pytest.raises(CodebookInvalid) as refused:
        read_qdc(nameless, "uten-navn.qdc")
    assert refused.value.problems == [
        "uten-navn.qdc: the codebook has no codes qualcode can read (2 codes skipped, the first at line 1: a code without a name …)"
    ]


def test_entities_are_refused() -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><CodeBook>&x;</CodeBook>'
    with pytest.raises(UnreadableFile, match="DTD"):
        read_qdc(hostile, "xxe.qdc")


def test_cli_exports_and_imports_qdc(project: Project, key_access: KeyAccess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / "test.qckey"))
    root = str(project.root)
    target = tmp_path / "kodebok.qdc"
    exported = CliRunner().invoke(cli, ["--project", root, "codebook", "export", str(target)])
    assert exported.exit_code == 0, exported.output
    assert schema_problems(etree.fromstring(target.read_bytes())) == []
    nowhere = CliRunner().invoke(cli, ["--project", root, "codebook", "export", str(tmp_path / "mangler" / "k.qdc")])
    assert nowhere.exit_code == 1 and "there is no folder" in nowhere.output and "Traceback" not in nowhere.output
    # A name the codebook is not written as: said, and nothing written ("kodebok.qdpx" was leak-checked as a zip).
    for name in ("kodebok.qdpx", "kodebok.docx", "kodebok"):
        wrong = CliRunner().invoke(cli, ["--project", root, "codebook", "export", str(tmp_path / name)])
        assert wrong.exit_code == 1 and f"error: {name}: a codebook is written as .yaml or .qdc" in wrong.output, wrong.output
        assert "`qualcode export qdpx FILE`" in wrong.output and len(wrong.output.strip().splitlines()) == 1
        assert not (tmp_path / name).exists()
    (tmp_path / "taguette.qdc").write_bytes(TAGUETTE)
    imported = CliRunner().invoke(cli, ["--project", root, "codebook", "import", str(tmp_path / "taguette.qdc")])
    assert imported.exit_code == 0, imported.output
    assert "3 codes added" in imported.output and "flat list of names with dots" in imported.output
    with project.begin() as session:
        assert {"tema", "tema/undertema", "annet"} <= {view.path for view in list_codes(session)}


def test_a_flat_codebooks_own_export_with_dots_in_its_names_imports_back_as_no_change(tmp_path: Path) -> None:
    """A probe's flat codebook ("kvalitet vs. kvantitet", "krav m.m.") came back from its own .qdc
    with codes "kvalitet vs" and "krav m" invented, and the coding moved under them."""
    names = ["kvalitet vs. kvantitet", "helse", "krav m.m.", "tema.undertema"]
    with Project.create(tmp_path / "flat") as project:
        with project.begin() as session:
            coder = get_or_create_coder(session, "Forsker 1")
            for name in names:
                create_code(session, name, {}, coder)
            make_transcript(session, tmp_path, "I: Hva krever de?\nD1: Det er krav m.m. hele tiden.\n")
            add_coding(session, "intervju", "krav m.m.", coder, match="krav m.m. hele tiden")
        with project.begin() as session:
            imported = import_qdc(session, read_qdc(write_qdc(session), "kodebok.qdc"), coder)
            assert [view.path for view in list_codes(session)] == names
    assert imported.deviations == []
    assert (imported.changes.created, imported.changes.updated, imported.changes.moved) == ([], [], [])


def _flat(origin: str, codes: list[tuple[str, str]]) -> bytes:
    listed = "".join(f'<Code guid="{guid}" name="{name}" isCodable="true"/>' for guid, name in codes)
    return f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"{origin}><Codes>{listed}</Codes></CodeBook>'.encode()


def test_dots_are_a_path_only_in_another_programs_file_and_never_an_abbreviations(tmp_path: Path) -> None:
    listed = [(str(uuid.uuid4()), name) for name in ("tema.undertema", "kvalitet vs. kvantitet", "krav m.m.", "st.meld. 30", "kl. 10.30")]
    taguette = read_qdc(_flat(' origin="Taguette 1.4.1"', listed), "taguette.qdc").codebook
    assert [(code.name, [child.name for child in code.children]) for code in taguette.codes] == [
        ("tema", ["undertema"]), ("kvalitet vs. kvantitet", []), ("krav m.m.", []), ("st.meld. 30", []), ("kl. 10.30", []),
    ]
    own = read_qdc(_flat(' origin="qualcode 0.1.0"', listed), "egen.qdc").codebook
    assert [code.name for code in own.codes] == [name for _, name in listed]
    with Project.create(tmp_path / "tom") as project:
        with project.begin() as session:  # no origin, and no GUID the project knows: read as Taguette's paths
            imported = import_qdc(session, read_qdc(_flat("", listed[:2]), "annen.qdc"))
            assert imported.changes.created == ["tema", "tema/undertema", "kvalitet vs. kvantitet"]
            assert any("flat list of names with dots" in line for line in imported.deviations)
        with project.begin() as session:  # a GUID the project knows: its names are names
            held = session.scalar(select(Code.guid).where(Code.path == "kvalitet vs. kvantitet"))
            again = import_qdc(session, read_qdc(_flat("", [(str(held), "kvalitet vs. kvantitet"), (str(uuid.uuid4()), "helse.tema")]), "annen.qdc"))
            assert again.changes.created == ["helse.tema"]


def _one_long_definition(words: int) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14"><Codes>'
            f'<Code guid="5b1f0c2e-8d3a-4f6b-9c7e-2a4b6c8d0e1f" name="langt" isCodable="true"><Description>{"ord " * words}'
            "</Description></Code></Codes></CodeBook>").encode()


def test_a_codebook_is_held_to_one_size_at_entry_and_read_back_so_its_own_export_imports_back(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A .qdc import took a 4 MB definition (its limit 20 MB), and the project's own YAML export of
    it (4.5 MB) was refused on import as over 2 MB. Run at a quarter of the limit (4 MB, one number
    read where used), as PyYAML writes and reads about 1.5 MB a second."""
    from qualcode.codebook import model
    from tests.test_cli import run

    assert model.MAX_CODEBOOK_BYTES == 4_000_000
    monkeypatch.setattr(model, "MAX_CODEBOOK_BYTES", 1_000_000)
    project = ["--project", str(demo), "--coder", "A"]
    too_big = tmp_path / "for-stor.qdc"
    too_big.write_bytes(_one_long_definition(275_000))  # 1.1 MB of text
    before = run(*project, "codebook", "export").output
    refused = run(*project, "codebook", "import", str(too_big))
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    [line] = refused.output.strip().splitlines()
    assert "the codebook would take more than 1.1 MB as a YAML file, over the 1 MB a codebook may take" in line
    assert run(*project, "codebook", "export").output == before
    within = tmp_path / "lang.qdc"
    within.write_bytes(_one_long_definition(37_500))  # 0.15 MB: near enough to the limit to be measured by writing it
    assert run(*project, "codebook", "import", str(within)).exit_code == 0
    for exported in (tmp_path / "egen.yaml", tmp_path / "egen.qdc"):
        assert run(*project, "codebook", "export", str(exported)).exit_code == 0
        again = run(*project, "codebook", "import", str(exported))
        assert again.exit_code == 0 and again.output.startswith("0 codes added, 0 updated, 26 unchanged"), again.output
    with Project.open(demo) as opened, opened.begin() as session, pytest.raises(InvalidInput, match="over the 1 MB a codebook may take"):
        update_code(session, "helse", {"example": "eksempel " * 115_000}, get_or_create_coder(session, "A"))


def test_a_field_holding_a_line_that_looks_like_a_label_comes_back_from_its_own_qdc_as_written(tmp_path: Path) -> None:
    """A probe: a definition written (in YAML, with |) as several lines, one of them "Eksempel: …",
    came back from the project's own .qdc split in two, the rest moved into the example."""
    definition = "Deltakerens egen opplevelse.\nEksempel: «jeg bestemmer selv»\nInkluder: ikke dette"
    with Project.create(tmp_path / "a") as project, project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        create_code(session, "empowerment", {"definition": definition, "example": "«Nå tror jeg på meg selv»",
                                             "signal_words": ["selvtillit", "tro på meg selv"]}, coder)
        data = write_qdc(session)
        assert codes_not_carried(session) == []
        copied = import_qdc(session, read_qdc(data, "kodebok.qdc"), coder)
        assert (copied.changes.created, copied.changes.updated) == ([], [])
    with Project.create(tmp_path / "b") as other, other.begin() as session:
        import_qdc(session, read_qdc(data, "kodebok.qdc"), get_or_create_coder(session, "Forsker 1"))
        spec = project_codebook(session).codes[0]
    assert (spec.definition, spec.example, spec.inclusion) == (definition, "«Nå tror jeg på meg selv»", None)
    # Another program's description is read as liberally as before: a label on any line.
    assert read_qdc(data.replace(b"qualcode", b"NVivo"), "nvivo.qdc").codebook.codes[0].example != "«Nå tror jeg på meg selv»"


def test_what_a_qdc_cannot_give_back_is_said_at_export_and_kept_in_the_project(
    project: Project, key_access: KeyAccess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUALCODE_KEY", str(tmp_path / "keys" / "test.qckey"))
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        update_code(session, "empowerment", {"signal_words": ["mestring", "tro, håp"]}, coder)
        update_code(session, "brukermedvirkning", {"definition": "Første avsnitt.\n\nEksempel: i definisjonen"}, coder)
    root = str(project.root)
    result = CliRunner().invoke(cli, ["--project", root, "codebook", "export", str(tmp_path / "kodebok.qdc")])
    assert result.exit_code == 0 and result.stdout.startswith("wrote ")
    assert "note: 2 codes will not read back from the file exactly as written: empowerment (signal words);" in result.stderr
    assert "brukermedvirkning (definition, inclusion, exclusion, example)" in result.stderr and result.stderr.count("\n") == 1
    qdpx = CliRunner().invoke(cli, ["--project", root, "export", "qdpx", str(tmp_path / "p.qdpx")])
    assert qdpx.exit_code == 0 and "2 codes will not read back" in qdpx.output
    with project.begin() as session:
        kept = {view.path: view for view in list_codes(session)}
    assert list(kept["empowerment"].signal_words) == ["mestring", "tro, håp"]
    assert kept["brukermedvirkning"].definition == "Første avsnitt.\n\nEksempel: i definisjonen"


def test_a_project_without_codes_is_refused_a_qdc_in_one_line_saying_what_to_do_and_writes_nothing(tmp_path: Path) -> None:
    """A .qdc must hold a code: an empty codebook's export failed its own schema check and called itself a bug in qualcode."""
    with Project.create(tmp_path / "tom") as project, project.begin() as session, pytest.raises(InvalidInput) as refused:
        write_qdc(session)
    assert refused.value.message == "the project's codebook has no codes, and a REFI-QDA .qdc holds at least one; nothing was written"
    assert "bug" not in (refused.value.hint or "") and "qualcode codebook add" in (refused.value.hint or "")
    target = tmp_path / "kodebok.qdc"
    exported = CliRunner().invoke(cli, ["--project", str(tmp_path / "tom"), "codebook", "export", str(target)])
    assert exported.exit_code == 1 and len(exported.output.strip().splitlines()) == 1, exported.output
    assert "has no codes" in exported.output and not target.exists()
