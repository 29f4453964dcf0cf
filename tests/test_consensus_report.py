"""The Word report's method note on consensus: who decided between whom, how, and their agreement before it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qualcode.agreement.consensus import consensus_pairs
from qualcode.agreement.service import agreement
from qualcode.anonymise.service import create_key
from qualcode.cli import cli
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.consensus import CONSENSUS_CODER, Choice, decide, disagreements
from qualcode.coding.history import undo
from qualcode.coding.passages import QuoteFilter
from qualcode.coding.service import add_coding, set_coding_memo
from qualcode.config import Config
from qualcode.store.models import Code, Coder, Coding, Event
from qualcode.store.project import Project
from qualcode.workspace import Workspace
from tests.conftest import sample_key

PASSPHRASE = "test passphrase"
A, B = "Forsker 1", "Forsker 2"
TRANSCRIPT = "veileder_V1"
SECOND = [
    ("måltall-press/kvantitet mot kvalitet", "Det ble mer om antall enn om hva folk faktisk trengte."),
    ("måltall-press/inntakspress", "Så da ble det sånn at vi tok inn nesten alle som kom."),
]


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    """Two coders on one transcript and one disagreement decided by consensus (B's passage kept)."""
    root = tmp_path_factory.mktemp("consensus-report") / "project"
    shutil.copytree(coded_template[0], root)
    with Project.open(root) as project:
        access = create_key(project, key(root), PASSPHRASE)
        access.save(sample_key(access.load_existing()))
    with Project.open(root) as project, project.begin() as session:
        second = get_or_create_coder(session, B)
        for code, quote in SECOND:
            add_coding(session, TRANSCRIPT, code, second, match=quote)
        first = disagreements(session, TRANSCRIPT, A, B)[0]
        decide(session, first, Choice.B, get_or_create_coder(session, A))
    return root


def method_note(path: Path) -> str:
    """The paragraphs under the method note's heading, up to the next heading."""
    note: list[str] = []
    for paragraph in docx.Document(str(path)).paragraphs:
        heading = paragraph.style is not None and (paragraph.style.name or "").startswith("Heading")
        if heading and note:
            break
        if note or (heading and paragraph.text.endswith("Om materialet og utvalget")):
            note.append(paragraph.text)
    assert len(note) > 1, "no method note"
    return "\n".join(note)


def key(root: Path) -> Path:
    return root.parent / "keys" / "k.qckey"


def export(root: Path, output: Path, *selection: str) -> Path:
    result = CliRunner().invoke(
        cli, ["--project", str(root), "--key", str(key(root)), "--coder", A, "export", "report", "--output", str(output), *selection],
        env={"QUALCODE_KEY_PASSPHRASE": PASSPHRASE}, catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return output


def test_the_method_note_states_the_consensus_and_the_agreement_before_it(decided: Path, tmp_path: Path) -> None:
    with Project.open(decided) as project, project.begin() as session:
        before = agreement(session, QuoteFilter(transcripts=(TRANSCRIPT,)), "turn", (A, B), listed=False).overall
    assert before.percent.value is not None and before.kappa.value is not None
    percent = f"{before.percent.value:.1f} %".replace(".", ",")
    kappa = f"{before.kappa.value:.2f}".replace(".", ",")
    note = method_note(export(decided, tmp_path / "rapport.docx", "--transcript", TRANSCRIPT))
    assert f"Passasjer kodet av «{CONSENSUS_CODER}» er avgjort i konsensus mellom {A} og {B}." in note
    assert "én av kodingene ble beholdt, begge, ingen eller en justert passasje" in note
    # The units are turns times top-level codes, so they are not called turns; the transcripts are those with decisions.
    assert "Konsensus ble avgjort i 1 intervju som begge kodet; der kodingene var ulike" in note
    assert (f"samsvaret mellom {A} og {B} {percent} av {before.percent.units} vurderinger av om en taletur har en kode"
            f" (Cohens kappa = {kappa}), i dette intervjuet." in note)

    # The TUI's export goes through the workspace and says the same.
    with Workspace.open(Config(project=decided, coder=A, key=key(decided), passphrase=PASSPHRASE)) as workspace:
        done = workspace.export_report(QuoteFilter(transcripts=(TRANSCRIPT,)), output=tmp_path / "tui.docx")
    assert method_note(done.path) == note


def test_a_change_to_the_coders_codings_after_consensus_is_not_reported_as_agreement_before_it(
    decided: Path, copy: Path, tmp_path: Path,
) -> None:
    """The agreement is measured on the codings as they are: once either coder changes theirs after the
    decisions (say, to match them), the note says the figure is today's, not the one before consensus.
    Nor does it claim the coding was blind or independent when it was not."""
    shutil.copytree(key(decided).parent, key(copy).parent)
    note = method_note(export(copy, tmp_path / "før.docx", "--transcript", TRANSCRIPT))
    assert f"Før konsensus var samsvaret mellom {A} og {B}" in note
    assert "blindt" not in note and "uavhengig" not in note and "sammenligningsvisningen" not in note  # neither was blind
    with Project.open(copy) as project, project.begin() as session:  # a memo changes nothing agreement reads
        [theirs] = session.scalars(select(Coding).join(Coder).where(Coder.name == B).limit(1)).all()
        set_coding_memo(session, theirs.id, "Tvilsom.", get_or_create_coder(session, B))
    assert f"Før konsensus var samsvaret mellom {A} og {B}" in method_note(export(copy, tmp_path / "memo.docx", "--transcript", TRANSCRIPT))
    with Project.open(copy) as project, project.begin() as session:
        first = get_or_create_coder(session, A)
        add_coding(session, TRANSCRIPT, SECOND[1][0], first, match=SECOND[1][1])  # A takes up B's passage afterwards
    note = method_note(export(copy, tmp_path / "etter.docx", "--transcript", TRANSCRIPT))
    assert "Før konsensus var samsvaret" not in note
    # Only A changed: B is not said to have (the note named both).
    assert f". {A} har endret kodingene sine etter at konsensus ble avgjort, så samsvaret før konsensus kan ikke oppgis" in note
    assert f"{A} og {B} har endret" not in note


def test_a_report_without_consensus_codings_says_nothing_of_consensus(decided: Path, tmp_path: Path) -> None:
    note = method_note(export(decided, tmp_path / "rapport.docx", "--by", A))
    assert "Om materialet og utvalget" in note and "konsensus" not in note.lower()


@pytest.fixture
def copy(decided: Path, tmp_path: Path) -> Path:
    shutil.copytree(decided, tmp_path / "project")
    return tmp_path / "project"


def pairs_named(root: Path) -> list[tuple[str, str, str, int]]:
    with Project.open(root) as project, project.begin() as session:
        found = consensus_pairs(session, QuoteFilter(transcripts=(TRANSCRIPT,)))
    return [(pair.consensus_coder, pair.coder_a, pair.coder_b, pair.transcripts) for pair in found]


def test_the_method_note_reads_the_coders_from_the_decisions_fields_not_its_words(copy: Path) -> None:
    with Project.open(copy) as project, project.begin() as session:
        [event] = session.scalars(select(Event).where(Event.summary.contains(f"for {CONSENSUS_CODER}"))).all()
        decided_on = {key: event.payload["consensus"].get(key) for key in ("a_codings", "b_codings")}
        assert event.payload["consensus"] == {
            "coder": CONSENSUS_CODER, "choice": "b", "coder_a": A, "coder_b": B,
            "coder_a_guid": get_or_create_coder(session, A).guid, "coder_b_guid": get_or_create_coder(session, B).guid,
            "parts": "1", **decided_on,
        }
        assert all(decided_on.values())  # both coded the passage: the codings it was decided on, one each
        event.summary = "kodet i møtet, se referat"  # words a reader could not take apart
    assert pairs_named(copy) == [(CONSENSUS_CODER, A, B, 1)]


def test_a_decision_written_before_the_fields_is_read_from_its_summary(copy: Path) -> None:
    with Project.open(copy) as project, project.begin() as session:
        [event] = session.scalars(select(Event).where(Event.summary.contains(f"for {CONSENSUS_CODER}"))).all()
        event.payload = {key: value for key, value in event.payload.items() if key != "consensus"}
        assert f"for {CONSENSUS_CODER} (kept {B}'s, {A} / {B}): " in event.summary
    assert pairs_named(copy) == [(CONSENSUS_CODER, A, B, 1)]
    with Project.open(copy) as project, project.begin() as session:
        [event] = session.scalars(select(Event).where(Event.summary.contains(f"for {CONSENSUS_CODER}"))).all()
        event.summary = "kodet i møtet"
    assert pairs_named(copy) == []


def test_keeping_neither_is_a_decision_between_the_two_in_the_method_note(copy: Path) -> None:
    with Project.open(copy) as project, project.begin() as session:
        undo(session, get_or_create_coder(session, A))  # B's passage no longer kept
    assert pairs_named(copy) == []
    with Project.open(copy) as project, project.begin() as session:
        decide(session, disagreements(session, TRANSCRIPT, A, B)[0], Choice.NEITHER, get_or_create_coder(session, A))
    assert pairs_named(copy) == [(CONSENSUS_CODER, A, B, 1)]
    with Project.open(copy) as project, project.begin() as session:
        undo(session, get_or_create_coder(session, A))
    assert pairs_named(copy) == []


def test_the_note_says_the_coding_was_blind_only_when_every_change_to_it_was_made_blind(
    coded_template: tuple[Path, dict[str, Any]], tmp_path: Path,
) -> None:
    """A coder who removes, resizes or recodes a coding once the blind phase has ended (or undoes or redoes
    a change of theirs) has seen the other's codings: the agreement before consensus is then not that of
    two coders who coded blind, and the note must not say they did (it read only how each coding was made)."""
    root = tmp_path / "project"
    shutil.copytree(coded_template[0], root)
    first, second = "Medforsker 1", "Medforsker 2"

    def done(*args: str, coder: str = A) -> None:
        result = CliRunner().invoke(cli, ["--project", str(root), "--coder", coder, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output

    def coding_of(coder: str, code: str) -> str:
        with Project.open(root) as project, project.begin() as session:
            return str(session.scalars(select(Coding.id).join(Coder).join(Coding.code).where(
                Coder.name == coder, Coding.removed_at.is_(None), Code.path == code)).one())

    def claimed_blind() -> bool:
        with Project.open(root) as project, project.begin() as session:
            [pair] = [pair for pair in consensus_pairs(session, QuoteFilter(transcripts=(TRANSCRIPT,)))
                      if {pair.coder_a, pair.coder_b} == {first, second}]
        return pair.blind

    for name in (first, second):
        done("coder", "add", name, "--role", "medforsker")
    done("coder", "blind", "on", "--role", "medforsker")
    done("coding", "add", TRANSCRIPT, SECOND[0][0], "--match", SECOND[0][1], coder=first)
    done("coding", "add", TRANSCRIPT, SECOND[1][0], "--match", SECOND[1][1], coder=second)
    done("coding", "add", TRANSCRIPT, "skjønn", "--match", SECOND[0][1], coder=second)
    done("coding", "add", TRANSCRIPT, "måltall-press", "--match", "Det var pes hele våren.", coder=second)
    # Changes made blind keep the coding blind.
    with Workspace.open(Config.resolve(project=root, coder=second)) as workspace:  # as the terminal UI recodes
        workspace.recode(int(coding_of(second, "skjønn")), "helse")
    done("coding", "remove", coding_of(second, "helse"), coder=second)
    done("undo", coder=second)
    done("redo", coder=second)
    done("consensus", "decide", "1", "--transcript", TRANSCRIPT, "--coders", f"{first},{second}", "--keep", "neither")
    assert claimed_blind()

    done("coder", "blind", "off", "--role", "medforsker")
    done("coding", "remove", coding_of(second, "måltall-press"), coder=second)  # having seen the first's codings
    assert not claimed_blind()
