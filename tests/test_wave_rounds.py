"""A wave typed as a bare number where the project's rounds are T1, T2 (or the other way round) is
refused on every path that sets a wave, naming the project's round; other letters make a round of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.errors import InvalidInput
from qualcode.importers.metadata_edit import edit_transcript
from qualcode.importers.service import ImportOptions, import_paths
from qualcode.store.models import Coder, Event, Transcript
from qualcode.store.project import Project
from tests.conftest import make_transcript
from tests.test_cli import run
from tests.test_exchange_import import Qdpx, guid, run_import

TEXT = "I: Hvordan var det å søke?\nD1: Det var greit, vi lagde en plan sammen og jeg ble hørt 😊.\n"


def _with_rounds(session: Session, folder: Path, *waves: str) -> None:
    for number, wave in enumerate(waves):
        make_transcript(session, folder, TEXT.replace("søke", f"søke {number}"), name=f"t{number}", wave=wave)


def _waves(session: Session) -> dict[str, str | None]:
    return {name: wave for name, wave in session.execute(select(Transcript.name, Transcript.wave))}


def test_transcripts_edit_refuses_a_bare_number_for_a_round_the_project_writes_with_letters(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    _with_rounds(session, tmp_path, "T1", "T2", "T1")
    before = session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    with pytest.raises(InvalidInput) as refused:
        edit_transcript(session, "t1", coder, wave=" 1")
    assert refused.value.message == "wave '1' is not one of this project's rounds (T1, T2)"
    assert refused.value.hint is not None and refused.value.hint.startswith("write T1, the round as this project writes it")
    assert "\n" not in str(refused.value)
    with pytest.raises(InvalidInput, match=r"wave '02' is not one of this project's rounds \(T1, T2\)"):
        edit_transcript(session, "t0", coder, wave="02")
    assert _waves(session) == {"t0": "T1", "t1": "T2", "t2": "T1"}
    assert session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) == before  # nothing recorded

    # Other letters with the same number are a round of their own; the project's own spelling is taken.
    assert [c.after for c in edit_transcript(session, "t1", coder, wave="r1").changes] == ["R1"]
    assert [c.after for c in edit_transcript(session, "t2", coder, wave="t2").changes] == ["T2"]


def test_the_same_letters_and_number_written_otherwise_are_the_projects_round(session: Session, coder: Coder, tmp_path: Path) -> None:
    """T01 beside T1 was stored as a round of its own: a T01 column beside T1 in every table."""
    _with_rounds(session, tmp_path, "T1", "T2")
    with pytest.raises(InvalidInput, match=r"wave 'T01' is not one of this project's rounds \(T1, T2\)") as refused:
        edit_transcript(session, "t1", coder, wave="T01")
    assert refused.value.hint is not None and refused.value.hint.startswith("write T1, the round as this project writes it")
    assert [c.after for c in edit_transcript(session, "t1", coder, wave="T10").changes] == ["T10"]  # another number
    with pytest.raises(InvalidInput, match=r"wave 'T010' is not one of this project's rounds \(T1, T10\)"):
        edit_transcript(session, "t0", coder, wave="T010")
    assert _waves(session) == {"t0": "T1", "t1": "T10"}


def test_undo_and_redo_do_not_put_back_a_wave_the_project_now_writes_otherwise(session: Session, coder: Coder, tmp_path: Path) -> None:
    """Undo put a wave back unchecked: 2 edited to T2, another transcript of T2 added, the edit undone,
    and round 2 stood beside T2 again. It is refused in one line, naming the round, and nothing
    changes (the command's transaction is rolled back, as the savepoint is here); redo likewise."""
    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.history import redo, undo

    other = get_or_create_coder(session, "Annen")
    _with_rounds(session, tmp_path, "T1", "2", "")
    edit_transcript(session, "t1", coder, wave="T2")
    edit_transcript(session, "t2", other, wave="T2")
    with pytest.raises(InvalidInput) as refused, session.begin_nested():
        undo(session, coder)
    assert refused.value.message == "transcript t1's wave cannot be put back: wave '2' is not one of this project's rounds (T1, T2)"
    assert refused.value.hint is not None and refused.value.hint.startswith("write T2")
    assert _waves(session) == {"t0": "T1", "t1": "T2", "t2": "T2"}

    undo(session, other)  # t2 has no wave again: T2 is t1's alone
    undo(session, coder)  # so t1 may be 2 again: the round renamed back from its last transcript
    assert _waves(session) == {"t0": "T1", "t1": "2", "t2": ""}
    edit_transcript(session, "t2", other, wave="2")  # another's transcript of round 2
    with pytest.raises(InvalidInput, match=r"^transcript t1's wave cannot be put back: wave 'T2' is not one of"), session.begin_nested():
        redo(session, coder)
    assert _waves(session) == {"t0": "T1", "t1": "2", "t2": "2"}


def test_a_round_written_as_a_number_refuses_letters_for_it_and_can_be_renamed_from_its_last_transcript(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    _with_rounds(session, tmp_path, "1", "1", "2")
    with pytest.raises(InvalidInput) as refused:
        edit_transcript(session, "t0", coder, wave="T1")
    assert refused.value.message == "wave 'T1' is not one of this project's rounds (1, 2)"
    assert refused.value.hint is not None and "write 1, the round as this project writes it" in refused.value.hint
    assert "--wave ''" in refused.value.hint  # how to rename the round, said
    # The round's last transcript is no other round: T1 in place of 1 is a rename, not a second round.
    edit_transcript(session, "t0", coder, wave="")
    assert [c.after for c in edit_transcript(session, "t1", coder, wave="T1").changes] == ["T1"]
    assert [c.after for c in edit_transcript(session, "t0", coder, wave="T1").changes] == ["T1"]
    assert _waves(session) == {"t0": "T1", "t1": "T1", "t2": "2"}


def test_an_import_refuses_the_number_of_a_round_from_front_matter_a_sidecar_or_its_options(
    project: Project, key_access: object, tmp_path: Path,
) -> None:
    with project.begin() as session:
        _with_rounds(session, tmp_path, "T1", "T2")
    folder = tmp_path / "nye"
    folder.mkdir()
    (folder / "fm.md").write_text("---\nwave: 1\n---\n" + TEXT.replace("søke", "søke fm"), encoding="utf-8")
    (folder / "side.txt").write_text(TEXT.replace("søke", "søke side"), encoding="utf-8")
    (folder / "side.txt.meta.yaml").write_text("wave: '2'\n", encoding="utf-8")
    (folder / "ut.txt").write_text(TEXT.replace("søke", "søke ut"), encoding="utf-8")
    (folder / "ut.txt.meta.yaml").write_text("wave: R1\n", encoding="utf-8")
    batch = import_paths(project, [folder], key_access)  # type: ignore[arg-type]
    assert [(path.name, reason) for path, reason in batch.failed] == [
        ("fm.md", "wave '1' is not one of this project's rounds (T1, T2) (write T1, the round as this project writes it)"),
        ("side.txt", "wave '2' is not one of this project's rounds (T1, T2) (write T2, the round as this project writes it)"),
    ]
    assert [item.name for item in batch.imported] == ["ut"]
    # --wave (the TUI's import form too) is refused for the whole batch, before any file.
    with pytest.raises(InvalidInput, match=r"^wave '1' is not one of this project's rounds \(R1, T1, T2\) \(write R1 or T1, "):
        import_paths(project, [folder], key_access, ImportOptions(wave="1"))  # type: ignore[arg-type]
    with project.begin() as session:
        assert _waves(session) == {"t0": "T1", "t1": "T2", "ut": "R1"}


def test_the_cli_and_the_tui_forms_refuse_it_in_one_line(demo: Path, tmp_path: Path) -> None:
    project = ["--project", str(demo)]
    edited = run(*project, "transcripts", "edit", "deltaker_D1_T2", "--wave", "2")
    assert edited.exit_code == 1 and edited.output.count("\n") == 1, edited.output
    assert edited.output.startswith("error: wave '2' is not one of this project's rounds (T1, T2) (hint: write T2")
    new = tmp_path / "ny.txt"
    new.write_text(TEXT, encoding="utf-8")
    dry = run(*project, "import", str(new), "--wave", "1", "--dry-run")
    assert "ny.txt: would fail: wave '1' is not one of this project's rounds (T1, T2)" in dry.output, dry.output
    imported = run(*project, "import", str(new), "--wave", "1")
    assert imported.exit_code == 1 and imported.output.count("\n") == 1, imported.output
    (tmp_path / "fm.md").write_text("---\nwave: 1\n---\n" + TEXT, encoding="utf-8")
    dry = run(*project, "import", str(tmp_path / "fm.md"), "--dry-run")
    assert "would fail: wave '1' is not one of this project's rounds (T1, T2)" in dry.output, dry.output

    from qualcode.config import Config
    from qualcode.workspace import Workspace

    with Workspace.open(Config.resolve(project=demo, coder="Forsker 1")) as workspace:  # as the TUI's metadata and import forms save
        with pytest.raises(InvalidInput, match="wave '1' is not one of this project's rounds"):
            workspace.edit_transcript("deltaker_D1_T2", {"wave": "1"})
        with pytest.raises(InvalidInput, match="wave '1' is not one of this project's rounds"):
            workspace.import_files([new], {"wave": "1"})
        [preview] = workspace.preview_import([tmp_path / "fm.md"], {})
        assert preview.error is not None and "wave '1' is not one of this project's rounds" in preview.error
    waves = {row["name"]: row["wave"] for row in json.loads(run(*project, "transcripts", "list", "--json").output)}
    assert set(waves.values()) <= {"T1", "T2", None} and "ny" not in waves and "fm" not in waves


def test_a_qdpx_wave_goes_through_the_same_door(session: Session, tmp_path: Path) -> None:
    _with_rounds(session, tmp_path, "T1")
    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:wave")}" name="wave" typeOfVariable="Text"/>')
    for name, wave in (("tall", "1"), ("liten", "t1"), ("annen", "R1")):
        qdpx.sources.append(
            f'<TextSource guid="{guid("source:" + name)}" name="{name}.txt">'
            f"<PlainTextContent>{TEXT.replace('søke', 'søke ' + name)}</PlainTextContent>"
            f'<VariableValue><VariableRef targetGUID="{guid("var:wave")}"/><TextValue>{wave}</TextValue></VariableValue>'
            "</TextSource>"
        )
    done = run_import(session, qdpx.write(tmp_path / "fremmed.qdpx"))
    assert any("wave '1' is not one of this project's rounds (T1)" in problem for problem in done.problems), done.problems
    assert _waves(session) == {"t0": "T1", "tall": None, "liten": "T1", "annen": "R1"}
