"""Every kind of event, made through the real services: undoable kinds undo and redo; the others are never undone."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from qualcode.analysis.framework import clear_summary, set_summary, summary_state
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.reapply import reapply_key
from qualcode.anonymise.service import add_known_identifier, create_key, dismiss
from qualcode.anonymise.withdraw import withdraw_participant
from qualcode.cli import cli
from qualcode.codebook.model import Codebook, CodeSpec
from qualcode.codebook.service import (
    apply_codebook,
    code_state,
    codebook_state,
    create_code,
    update_code,
)
from qualcode.coding.coders import get_or_create_coder, set_blind_role, set_coder_role
from qualcode.coding.consensus import Choice, decide, disagreements, reopen
from qualcode.coding.history import RESTORERS, history, redo, undo
from qualcode.coding.memos import add_memo, memo_state, remove_memo
from qualcode.coding.reshape import TABLES, delete_code, merge_codes, recorded_state, reshape_state
from qualcode.coding.service import (
    add_coding,
    coding_state,
    recode_coding,
    remove_coding,
    resize_coding,
    set_coding_memo,
)
from qualcode.coding.transcripts import transcript_state
from qualcode.errors import InvalidInput, NothingToUndo
from qualcode.importers.metadata import (
    get_or_create_participant,
    import_participants,
    participant_state,
)
from qualcode.importers.metadata_edit import edit_participant, edit_transcript, rename_attribute
from qualcode.importers.service import ImportOptions, import_file
from qualcode.store.attribute_names import attribute_logged_as
from qualcode.store.events import Entity, EventKind, Final, Restores, event_kind, record_event
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    Memo,
    Participant,
    Transcript,
    Turn,
)
from qualcode.store.project import Project
from tests.conftest import INTERVIEW, REPO
from tests.test_cli import run

# The action strings projects already hold: a kind's value is what is stored, so these never change.
STORED_ACTIONS = {
    "code.create", "code.update", "coding.add", "coding.remove", "coding.resize", "coding.recode", "coding.memo",
    "coding.orphan", "memo.add", "memo.remove", "transcript.import", "transcript.replace", "transcript.merge", "transcript.wave", "transcript.edit",
    "participant.create", "participant.update", "participant.edit", "participant.withdraw", "coder.create",
    "coder.update", "project.create", "project.restore", "anonymise.reapply", "undo", "redo", "framework.set",
    "framework.clear", "consensus.neither", "coding.reanchor", "coder.blind", "key.passphrase", "codebook.update",
    "consensus.keep", "consensus.reopen", "participant.withdraw-key-settled", "key.new", "code.merge", "code.delete",
    "identifier.remove", "attribute.rename",
}


@contextmanager
def session_in(root: Path) -> Iterator[Session]:
    with Project.open(root) as project, project.begin() as session:
        yield session


def someone_else(session: Session) -> Coder:
    """Who sets the scene, so the coder under test has only the change being tested on their stack."""
    return get_or_create_coder(session, "Forsker 2")


def interview(
    session: Session, folder: Path, text: str = INTERVIEW, coder: Coder | None = None, key: PseudonymKey | None = None,
    **options: Any,
) -> None:
    path = folder / "intervju.txt"
    path.write_text(text, encoding="utf-8")
    import_file(session, path, ImportOptions(**options), coder, key=key or PseudonymKey("test"))


def coded(session: Session, folder: Path, coder: str | None = None) -> int:
    interview(session, folder)
    by = get_or_create_coder(session, coder) if coder else someone_else(session)
    return add_coding(session, "intervju", "empowerment", by, match="mer selvtillit").id


# Each driver makes one event of its kind, by "Forsker 1" where the service takes a coder.
Driver = Callable[[Path, Path], None]  # (project root, a scratch folder)


def code_create(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        create_code(session, "empowerment/mestringstro", {"definition": "Tro på egen mestring"}, get_or_create_coder(session, "Forsker 1"))


def code_update(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        update_code(session, "empowerment", {"definition": "Å få makt over eget liv", "signal_words": ["makt", "styre"]},
                    get_or_create_coder(session, "Forsker 1"))


def code_merge(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder, participant="D1")
        add_coding(session, "intervju", "empowerment/håp og motivasjon", someone_else(session), match="mer selvtillit")
        add_coding(session, "intervju", "empowerment/selvbilde og selvtillit", someone_else(session), match="mer selvtillit")
        set_summary(session, "D1", "empowerment/håp og motivasjon", "Fikk håp", someone_else(session))
        merge_codes(session, "empowerment/håp og motivasjon", "empowerment/selvbilde og selvtillit", get_or_create_coder(session, "Forsker 1"))


def code_delete(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder)
        add_coding(session, "intervju", "helse", someone_else(session), match="mer selvtillit")
        delete_code(session, "helse", get_or_create_coder(session, "Forsker 1"), with_codings=True)


def codebook_update(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        apply_codebook(session, Codebook(name="kodebok runde 2", description="Etter andre runde", codes=[CodeSpec(name="helse")]),
                       get_or_create_coder(session, "Forsker 1"))


def coding_add(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder)
        add_coding(session, "intervju", "empowerment", get_or_create_coder(session, "Forsker 1"), match="mer selvtillit")


def coding_remove(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        remove_coding(session, coded(session, folder, "Forsker 1"), get_or_create_coder(session, "Forsker 1"))


def coding_resize(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        coding_id = coded(session, folder, "Forsker 1")  # only a coding's coder changes it
        start = INTERVIEW.index("Jeg fikk mer selvtillit")
        resize_coding(session, coding_id, start, start + len("Jeg fikk mer selvtillit"), get_or_create_coder(session, "Forsker 1"))


def coding_recode(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        recode_coding(session, coded(session, folder, "Forsker 1"), "brukermedvirkning", get_or_create_coder(session, "Forsker 1"))


def coding_memo(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        set_coding_memo(session, coded(session, folder, "Forsker 1"), "Typisk for første runde 😊", get_or_create_coder(session, "Forsker 1"))


def coding_orphan(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        coded(session, folder)
    with session_in(root) as session:
        changed = INTERVIEW.replace("Jeg fikk mer selvtillit. ", "")
        interview(session, folder, changed, get_or_create_coder(session, "Forsker 1"), replace=True)


def coding_reanchor(root: Path, folder: Path) -> None:
    """A coding orphaned by one replacement is placed again by a later one that brings its words back."""
    coding_orphan(root, folder)
    with session_in(root) as session:
        interview(session, folder, INTERVIEW, get_or_create_coder(session, "Forsker 1"), replace=True)


def memo_add(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder)
        add_memo(session, "Måltall styrer samtalen", get_or_create_coder(session, "Forsker 1"), transcript_ref="intervju")


def memo_remove(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        memo = add_memo(session, "Et notat på prosjektet", someone_else(session))
        remove_memo(session, memo.id, get_or_create_coder(session, "Forsker 1"))


def transcript_import(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder, coder=get_or_create_coder(session, "Forsker 1"))


def transcript_replace(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder)
    with session_in(root) as session:
        changed = "I: Før vi begynner: takk for at du stiller opp.\n\n" + INTERVIEW
        interview(session, folder, changed, get_or_create_coder(session, "Forsker 1"), replace=True)


def transcript_merge(root: Path, folder: Path) -> None:
    """Only the upgrade to schema 0002 writes it, for a text an old race imported twice at once."""
    from alembic import command

    from qualcode.store.project import _alembic_config

    with session_in(root) as session:
        interview(session, folder)
    with Project.open(root) as project:
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0001")
        with project.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO transcripts (guid, name, source_filename, created_at) "
                "SELECT 'copy', 'intervju-kopi', 'intervju-kopi.txt', created_at FROM transcripts WHERE name = 'intervju'"
            ))
            connection.execute(text(
                "INSERT INTO text_versions (transcript_id, number, text, content_hash, word_count, created_at) "
                "SELECT (SELECT id FROM transcripts WHERE guid = 'copy'), 1, text, content_hash, word_count, created_at "
                "FROM text_versions"
            ))
            connection.execute(text(
                "UPDATE transcripts SET current_version_id = (SELECT max(id) FROM text_versions) WHERE guid = 'copy'"
            ))
            command.upgrade(_alembic_config(connection), "head")


def transcript_wave(root: Path, folder: Path) -> None:
    """Only the upgrade to schema 0011 writes it, for a wave an older version stored in lower case."""
    from alembic import command

    from qualcode.store.project import _alembic_config

    with session_in(root) as session:
        interview(session, folder, wave="T2")
    with Project.open(root) as project:
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0010")
            connection.execute(text("UPDATE transcripts SET wave = 't2'"))
        with project.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")


def transcript_edit(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder, participant="D1", wave="T1", date=date(2024, 2, 13))
        get_or_create_participant(session, "D2", "deltaker")
        edit_transcript(session, "intervju", get_or_create_coder(session, "Forsker 1"), participants=["D2"], wave="T2",
                        title="Andre runde", date="2024-05-02")


def _participant_list(folder: Path, office: str) -> Path:
    path = folder / "deltakere.csv"
    path.write_text(f"participant,role,office,barn\nD1,deltaker,{office},ja\n", encoding="utf-8")
    return path


def participant_create(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        import_participants(session, _participant_list(folder, "kontor A"), get_or_create_coder(session, "Forsker 1"))


def participant_update(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        import_participants(session, _participant_list(folder, "kontor A"))
        import_participants(session, _participant_list(folder, "kontor B"), get_or_create_coder(session, "Forsker 1"))


def participant_edit(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        import_participants(session, _participant_list(folder, "kontor A"))
        edit_participant(session, "D1", get_or_create_coder(session, "Forsker 1"), office="kontor B", gender="kvinne",
                         attributes={"barn": "nei", "bydel": "Grønland"})


def attribute_rename(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        import_participants(session, _participant_list(folder, "kontor A"))
        edit_participant(session, "D1", someone_else(session), attributes={"barn": "nei"})
        rename_attribute(session, "participant", "barn", "har barn", get_or_create_coder(session, "Forsker 1"))


def participant_withdraw(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder, participant="D1")
        withdraw_participant(session, "D1", PseudonymKey("test"), get_or_create_coder(session, "Forsker 1"))


def framework_set(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder, participant="D1")
        add_coding(session, "intervju", "empowerment", someone_else(session), match="mer selvtillit")
        set_summary(session, "D1", "empowerment", "Fikk selvtillit", someone_else(session))
        set_summary(session, "D1", "empowerment", "Fikk mer selvtillit gjennom programmet", get_or_create_coder(session, "Forsker 1"))


def framework_clear(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder, participant="D1")
        set_summary(session, "D1", "brukermedvirkning", "Var med og bestemte planen", someone_else(session))
        clear_summary(session, "D1", "brukermedvirkning", get_or_create_coder(session, "Forsker 1"))


def consensus_neither(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder)
        add_coding(session, "intervju", "empowerment", someone_else(session), match="mer selvtillit")
        get_or_create_coder(session, "Forsker 3")  # who left that passage uncoded
        [disagreement] = disagreements(session, "intervju", "Forsker 2", "Forsker 3")
        decide(session, disagreement, Choice.NEITHER, get_or_create_coder(session, "Forsker 1"))


def consensus_keep(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder)
        add_coding(session, "intervju", "empowerment", someone_else(session), match="mer selvtillit")
        for who_left_it in ("Forsker 3", "Forsker 4"):
            get_or_create_coder(session, who_left_it)
        [against_3] = disagreements(session, "intervju", "Forsker 2", "Forsker 3")
        decide(session, against_3, Choice.A, someone_else(session))  # the consensus coder codes Forsker 2's passage
        [against_4] = disagreements(session, "intervju", "Forsker 2", "Forsker 4")
        decide(session, against_4, Choice.A, get_or_create_coder(session, "Forsker 1"))  # and this decision keeps it


def consensus_reopen(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        interview(session, folder)
        add_coding(session, "intervju", "empowerment", someone_else(session), match="mer selvtillit")
        get_or_create_coder(session, "Forsker 3")
        [disagreement] = disagreements(session, "intervju", "Forsker 2", "Forsker 3")
        decide(session, disagreement, Choice.NEITHER, someone_else(session))
        reopen(session, disagreements(session, "intervju", "Forsker 2", "Forsker 3")[0], get_or_create_coder(session, "Forsker 1"))


def coder_create(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        get_or_create_coder(session, "Forsker 1", "medforsker")


def coder_update(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        set_coder_role(session, someone_else(session), "medforsker", get_or_create_coder(session, "Forsker 1"))


def coder_blind(root: Path, folder: Path) -> None:
    with session_in(root) as session:
        set_blind_role(session, "medforsker", True, get_or_create_coder(session, "Forsker 1"))


def project_create(root: Path, folder: Path) -> None:
    shutil.rmtree(root)
    result = run("init", str(root))
    assert result.exit_code == 0, result.output


def project_restore(root: Path, folder: Path) -> None:
    assert run("--project", str(root), "backup").exit_code == 0
    [backup] = (root / ".qualcode" / "backups").glob("*manual.bak")
    result = run("--project", str(root), "--coder", "Forsker 1", "backup", "restore", backup.name)
    assert result.exit_code == 0, result.output


def anonymise_reapply(root: Path, folder: Path) -> None:
    key = PseudonymKey("test")
    dismiss(key, "Torunn")  # a mistake found after the import
    with session_in(root) as session:
        interview(session, folder, "I: Hvem hjalp?\nD1: Det var Torunn. Torunn ringte hver uke.\n", key=key)
    key.dismissed.remove("Torunn")
    add_known_identifier(key, "Torunn", "person", "f")
    with session_in(root) as session:
        reapply_key(session, key, get_or_create_coder(session, "Forsker 1"))


def identifier_remove(root: Path, folder: Path) -> None:
    from qualcode.anonymise.remove import put_back

    key = PseudonymKey("test")
    add_known_identifier(key, "Torunn", "person", "f")  # accepted by mistake: she is the interviewer's cat
    with session_in(root) as session:
        interview(session, folder, "I: Hvem hjalp?\nD1: Det var Torunn. Torunn ringte hver uke.\n", key=key)
    entry = key.entry_for("Torunn")
    assert entry is not None
    with session_in(root) as session:
        put_back(session, key, entry, get_or_create_coder(session, "Forsker 1"))


def key_passphrase(root: Path, folder: Path) -> None:
    with Project.open(root) as project:
        create_key(project, folder / "studie.qckey", "test passphrase")
    changed = CliRunner().invoke(
        cli, ["--project", str(root), "--key", str(folder / "studie.qckey"), "--coder", "Forsker 1", "key", "passphrase"],
        input="et nytt passord\n",
    )
    assert changed.exit_code == 0, changed.output


def key_new(root: Path, folder: Path) -> None:
    from qualcode.anonymise.service import destroy_project_key

    with Project.open(root) as project:
        destroy_project_key(project, create_key(project, folder / "studie.qckey", "test passphrase"))
    made = CliRunner().invoke(cli, ["--project", str(root), "--key", str(folder / "studie.qckey"), "--coder", "Forsker 1", "key", "new"],
                              env={"QUALCODE_KEY_PASSPHRASE": "test passphrase"})
    assert made.exit_code == 0, made.output


def withdrawal_key_settled(root: Path, folder: Path) -> None:
    from qualcode.anonymise.pending import WITHDRAWAL_KEY_PENDING
    from qualcode.anonymise.service import destroy_project_key
    from qualcode.store.settings import set_setting

    with Project.open(root) as project:
        access = create_key(project, folder / "studie.qckey", "test passphrase")
        with project.begin() as session:  # as a withdrawal killed before the key was saved leaves it
            set_setting(session, WITHDRAWAL_KEY_PENDING, '[["0f"]]')
        destroy_project_key(project, access)
    shown = CliRunner().invoke(cli, ["--project", str(root), "--key", str(folder / "studie.qckey"), "status"])
    assert shown.exit_code == 0 and "recorded as finished" in shown.output, shown.output


def undo_step(root: Path, folder: Path) -> None:
    coding_add(root, folder)
    with session_in(root) as session:
        undo(session, get_or_create_coder(session, "Forsker 1"))


def redo_step(root: Path, folder: Path) -> None:
    undo_step(root, folder)
    with session_in(root) as session:
        redo(session, get_or_create_coder(session, "Forsker 1"))


DRIVERS: dict[EventKind, Driver] = {
    EventKind.CODE_CREATE: code_create,
    EventKind.CODE_UPDATE: code_update,
    EventKind.CODE_MERGE: code_merge,
    EventKind.CODE_DELETE: code_delete,
    EventKind.CODEBOOK_UPDATE: codebook_update,
    EventKind.CODING_ADD: coding_add,
    EventKind.CODING_REMOVE: coding_remove,
    EventKind.CODING_RESIZE: coding_resize,
    EventKind.CODING_RECODE: coding_recode,
    EventKind.CODING_MEMO: coding_memo,
    EventKind.CODING_ORPHAN: coding_orphan,
    EventKind.CODING_REANCHOR: coding_reanchor,
    EventKind.MEMO_ADD: memo_add,
    EventKind.MEMO_REMOVE: memo_remove,
    EventKind.TRANSCRIPT_IMPORT: transcript_import,
    EventKind.TRANSCRIPT_REPLACE: transcript_replace,
    EventKind.TRANSCRIPT_MERGE: transcript_merge,
    EventKind.TRANSCRIPT_WAVE: transcript_wave,
    EventKind.TRANSCRIPT_EDIT: transcript_edit,
    EventKind.PARTICIPANT_CREATE: participant_create,
    EventKind.PARTICIPANT_UPDATE: participant_update,
    EventKind.PARTICIPANT_EDIT: participant_edit,
    EventKind.ATTRIBUTE_RENAME: attribute_rename,
    EventKind.PARTICIPANT_WITHDRAW: participant_withdraw,
    EventKind.CODER_CREATE: coder_create,
    EventKind.CODER_UPDATE: coder_update,
    EventKind.CODER_BLIND: coder_blind,
    EventKind.PROJECT_CREATE: project_create,
    EventKind.PROJECT_RESTORE: project_restore,
    EventKind.ANONYMISE_REAPPLY: anonymise_reapply,
    EventKind.IDENTIFIER_REMOVE: identifier_remove,
    EventKind.KEY_PASSPHRASE: key_passphrase,
    EventKind.WITHDRAWAL_KEY_SETTLED: withdrawal_key_settled,
    EventKind.KEY_NEW: key_new,
    EventKind.FRAMEWORK_SET: framework_set,
    EventKind.FRAMEWORK_CLEAR: framework_clear,
    EventKind.CONSENSUS_NEITHER: consensus_neither,
    EventKind.CONSENSUS_KEEP: consensus_keep,
    EventKind.CONSENSUS_REOPEN: consensus_reopen,
    EventKind.UNDO: undo_step,
    EventKind.REDO: redo_step,
}


def current_state(session: Session, entity: str | None, guid: str, recorded: dict[str, Any]) -> dict[str, Any] | None:
    """The entity's state now, read as its service reads it into an event; None when it does not exist."""
    if entity == Entity.CODE:
        code = session.scalar(select(Code).where(Code.guid == guid))
        return code_state(code) if code is not None else None
    if entity == Entity.CODES:  # each row the merge or deletion recorded
        return reshape_state(session, {table: list(rows) for table, rows in recorded.items() if table in TABLES}) | (
            {"into": recorded["into"]} if "into" in recorded else {})
    if entity == Entity.CODEBOOK:
        return codebook_state(session)
    if entity == Entity.CODING:
        return coding_state(session.scalars(select(Coding).where(Coding.guid == guid)).one())
    if entity == Entity.MEMO:
        return memo_state(session.scalars(select(Memo).where(Memo.guid == guid)).one())
    if entity == Entity.TRANSCRIPT:
        transcript = session.scalars(select(Transcript).where(Transcript.guid == guid)).one()
        turns = {turn_id: _speaker(session, turn_id) for turn_id, _ in recorded["turns"]}
        return transcript_state(transcript, turns)
    if entity == Entity.PARTICIPANT:
        return participant_state(session.scalars(select(Participant).where(Participant.guid == guid)).one())
    if entity == Entity.ATTRIBUTE:
        definition = attribute_logged_as(session, guid)
        return {"name": definition.name, "applies_to": definition.applies_to} if definition is not None else None
    if entity == Entity.SUMMARY:
        return summary_state(session.scalars(select(FrameworkSummary).where(FrameworkSummary.guid == guid)).one())
    if entity == Entity.DECISION and "coding_guid" in (recorded or {}):  # keeps a passage the consensus coder coded already
        [kept] = disagreements(session, "intervju", "Forsker 2", "Forsker 4")
        return recorded if kept.settled else None
    if entity == Entity.DECISION:  # stands while the compare screen counts its disagreement decided
        [disagreement] = disagreements(session, "intervju", "Forsker 2", "Forsker 3")
        assert disagreement.decided is None
        return recorded if disagreement.kept_neither else None
    raise AssertionError(f"no way to read the state of {entity} in this test")


def _speaker(session: Session, turn_id: int) -> str | None:
    turn = session.get_one(Turn, turn_id)
    return turn.participant.name if turn.participant is not None else None


def assert_in_state(session: Session, event: Event, which: str) -> None:
    # A merge's or deletion's state after holds only what changed of each row (coding/reshape.py): read whole.
    recorded = recorded_state(event.payload, which) if event.entity == Entity.CODES.value else event.payload[which]
    assert event.entity_guid is not None
    now = current_state(session, event.entity, event.entity_guid, recorded or event.payload["after"])
    if recorded is None:  # it did not exist: gone, or kept but removed
        assert now is None or now["removed"], now
    else:
        assert now == recorded


def last_event(session: Session, kind: EventKind) -> Event:
    event = session.scalars(select(Event).where(Event.action == kind.value).order_by(Event.id.desc())).first()
    assert event is not None, f"the driver made no {kind} event"
    return event


def taken_back(session: Session, coder: Coder, step: Callable[[Session, Coder], Any]) -> list[int]:
    """The events undo (or redo) reaches for this coder, one by one until there are none left."""
    reached = []
    while True:
        try:
            reached.append(step(session, coder).id)
        except NothingToUndo as error:
            assert error.message.startswith("nothing to "), error.message
            return reached


@pytest.mark.parametrize("kind", list(EventKind), ids=str)
def test_every_kind_of_event(kind: EventKind, migrated_template: Path, tmp_path: Path) -> None:
    drive = DRIVERS.get(kind)
    if drive is None:
        pytest.fail(f"no driver makes a {kind} event here: add one to DRIVERS, with its undo and redo checked")
    root = tmp_path / "project"
    shutil.copytree(migrated_template, root)
    scratch = tmp_path / "filer"
    scratch.mkdir()
    drive(root, scratch)

    with session_in(root) as session:
        event = last_event(session, kind)
        assert event.undoable is kind.undoable
        if kind.entity is not None:
            assert event.entity == kind.entity
        elif event.refers_to_id is not None:  # undo and redo: about what the change they take back was about
            assert event.entity == session.get_one(Event, event.refers_to_id).entity == Entity.CODING
        [view] = [view for view in history(session, limit=None) if view.id == event.id]
        assert (view.action, view.summary) == (kind.value, event.summary) and event.summary
        coder = event.coder
        if isinstance(kind.undo, Restores):
            assert coder is not None and coder.name == "Forsker 1"
            assert_in_state(session, event, "after")
            assert undo(session, coder).id == event.id
            assert_in_state(session, event, "before")
            assert redo(session, coder).id == event.id
            assert_in_state(session, event, "after")
        elif coder is None:
            assert kind in (EventKind.PROJECT_CREATE, EventKind.TRANSCRIPT_MERGE, EventKind.TRANSCRIPT_WAVE,
                            EventKind.WITHDRAWAL_KEY_SETTLED), f"{kind} was recorded by no one"
        else:  # whoever made it: neither undo nor redo ever reaches it
            assert event.id not in taken_back(session, coder, undo) + taken_back(session, coder, redo)


def test_every_undoable_kind_has_a_way_back_and_every_other_says_why() -> None:
    for kind in EventKind:
        if kind.undoable:
            assert kind.entity in RESTORERS, f"{kind} is undoable, but coding/history.py cannot restore a {kind.entity}"
            assert isinstance(kind.undo, Restores) and kind.undo.what
        else:
            assert isinstance(kind.undo, Final) and kind.undo.why
    assert set(RESTORERS) == {kind.entity for kind in EventKind if kind.undoable}  # no restorer nothing uses


def test_the_stored_action_strings_stay_readable() -> None:
    assert {kind.value for kind in EventKind} == STORED_ACTIONS
    assert event_kind("coding.add") is EventKind.CODING_ADD
    with pytest.raises(ValueError, match="'coding.paint' is not a kind of event"):
        event_kind("coding.paint")
    # Migrations write events in their own words, and later code reads them as kinds.
    migrations = (REPO / "qualcode" / "store" / "migrations" / "versions").glob("*.py")
    written = {m for path in migrations for m in re.findall(r'_event\(\s*connection,\s*"([^"]+)"', path.read_text("utf-8"))}
    assert written and written <= STORED_ACTIONS, written


def test_an_event_stored_as_undoable_whose_kind_is_not_is_refused_clearly(session: Session, coder: Coder) -> None:
    made = record_event(session, kind=EventKind.CODER_UPDATE, coder=coder, entity_guid=coder.guid, summary="rolle", before={})
    made.undoable = True  # as a damaged or hand-edited log might say
    session.flush()
    with pytest.raises(InvalidInput, match=r"^a coder\.update event cannot be undone \(") as refused:
        undo(session, coder)
    assert refused.value.hint == "`qualcode coder role NAME ROLE` sets the role again"


def test_a_codes_creation_that_a_memo_or_a_removed_coding_keeps_is_passed_over_by_undo(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """A removed coding or memo is the record of what was done, and stays on its row: the code it
    names is kept for good, so undo passes over its creation, says why, and takes back the change
    before it, rather than failing on the foreign key, or refusing every later undo."""
    interview(session, tmp_path)
    before = add_memo(session, "Et notat før koden", coder)
    create_code(session, "nykode", coder=coder)
    memo = add_memo(session, "Et notat om koden", coder, code_ref="nykode")
    undo(session, coder)  # the memo's creation: it is removed, and kept
    done = undo(session, coder)
    assert done.summary.startswith("memo on project — ") and done.entity_guid == before.guid
    assert "passed over your later changes that cannot be undone: created code nykode" in done.summary
    assert "(code nykode still has 1 memo, so its creation cannot be undone)" in done.summary
    assert session.scalar(select(Memo).where(Memo.guid == memo.guid)) is not None
    assert session.scalar(select(Code).where(Code.path == "nykode")) is not None
    assert session.get_one(Memo, before.id).removed_at is not None

    create_code(session, "annenkode", coder=coder)
    add_coding(session, "intervju", "annenkode", coder, match="mer selvtillit")
    undo(session, coder)  # the coding: removed, kept as history
    with pytest.raises(NothingToUndo, match=r"^nothing else to undo for Forsker 1: code annenkode still has 1 removed coding in its history"):
        undo(session, coder)
    redo(session, coder)  # the coding comes back on its row
    with pytest.raises(NothingToUndo, match=r"^code annenkode still has 1 coding, so its creation cannot be undone"):
        _undo_code_creation(session, "annenkode")


def _undo_code_creation(session: Session, path: str) -> None:
    """What undoing the code's creation does, while the coding on it is live (its own undo comes first on the stack)."""
    from qualcode.coding.history import _restore_code

    code = session.scalar(select(Code).where(Code.path == path))
    assert code is not None
    _restore_code(session, code.guid, None)


def test_undoing_an_unused_codes_creation_removes_it(session: Session, coder: Coder) -> None:
    create_code(session, "tom", coder=coder)
    undo(session, coder)
    assert session.scalar(select(Code).where(Code.path == "tom")) is None


def test_undo_after_a_rewrite_says_which_later_change_it_passed_over(session: Session, coder: Coder, tmp_path: Path) -> None:
    """A rewrite of a transcript's text makes the changes to its codings impossible to undo (their
    offsets point into the old text); the next undo takes back the coder's earlier change elsewhere
    and says that the later one was passed over, rather than seeming to undo it."""
    key = PseudonymKey("test")
    dismiss(key, "Torunn")  # a mistake found after the import
    interview(session, tmp_path, key=key)
    other = tmp_path / "annet"
    other.mkdir()
    interview(session, other, "I: Hvem hjalp?\nD1: Det var Torunn. Torunn ringte hver uke.\n", key=key, name="annet")
    first = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    second = add_coding(session, "annet", "empowerment", coder, match="ringte hver uke")
    resize_coding(session, second.id, second.start, second.end - 5, coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    add_coding(session, "annet", "brukermedvirkning", colleague, match="ringte hver uke")
    key.dismissed.remove("Torunn")
    add_known_identifier(key, "Torunn", "person", "f")
    reapply_key(session, key, coder)
    done = undo(session, coder)
    assert done.summary.startswith("coded ") and "cannot be undone: coded annet" in done.summary
    assert "(its transcript's text was rewritten since)" in done.summary
    assert "resized" in done.summary
    removed = session.scalar(select(Coding).where(Coding.id == first.id))
    assert removed is not None and removed.removed_at is not None
    # Nothing left the coder can undo: the refusal says why their last change cannot be, not that
    # there is none; but for a coder whose last change is undone (redo is at hand), there is none.
    with pytest.raises(NothingToUndo, match=r"^nothing to undo for Forsker 1$"):
        undo(session, coder)
    with pytest.raises(NothingToUndo, match=r"^nothing to undo for Forsker 2: your last change \(coded annet .*\) cannot be undone:"
                                            r" its transcript's text was rewritten since \(change it directly instead"):
        undo(session, colleague)


@pytest.mark.parametrize("step", [undo, redo])
def test_undo_and_redo_hold_the_write_lock_while_they_read_their_stack(
    step: Callable[[Session, Coder], object], project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two undos at once both took back the same change: each read the stack before either wrote.
    Now another command's write waits while one reads its stack."""
    import sqlite3

    from qualcode.coding import history as module

    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        interview(session, tmp_path)
        add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
        if step is redo:
            undo(session, coder)
    blocked: list[bool] = []
    stacks = module._stacks

    def reading(session: Session, coder: Coder) -> tuple[list[int], list[int]]:
        other = sqlite3.connect(project.database, timeout=0.1)
        try:
            with other:
                other.execute("UPDATE settings SET value = value WHERE key = 'nothing'")
            blocked.append(False)
        except sqlite3.OperationalError as error:
            blocked.append("locked" in str(error))
        finally:
            other.close()
        return stacks(session, coder)

    monkeypatch.setattr(module, "_stacks", reading)
    with project.begin() as session:
        step(session, get_or_create_coder(session, "Forsker 1"))
    assert blocked == [True]


def test_a_memo_another_coder_wrote_on_a_coding_is_listed_as_theirs(session: Session, coder: Coder, tmp_path: Path) -> None:
    from qualcode.coding.memos import list_memos

    interview(session, tmp_path)
    other = someone_else(session)
    # The team's decisions are the one coding others may write on.
    theirs = add_coding(session, "intervju", "empowerment", get_or_create_coder(session, "konsensus"), match="mer selvtillit")
    own = add_coding(session, "intervju", "brukermedvirkning", coder, match="mer selvtillit", memo="mitt eget notat")
    set_coding_memo(session, theirs.id, "et notat fra en annen", other)
    listed = {view.id: view.author for view in list_memos(session, "coding")}
    assert listed == {theirs.id: other.name, own.id: coder.name}


@pytest.mark.parametrize("change", ["remove", "resize", "recode", "memo"])
def test_a_coding_is_changed_only_by_its_coder(session: Session, coder: Coder, tmp_path: Path, change: str) -> None:
    """Any coder could remove, resize, recode or write on another's coding, which stayed under the
    other's name: agreement and consensus then compared a coder with work someone else changed."""
    interview(session, tmp_path)
    theirs = add_coding(session, "intervju", "empowerment", someone_else(session), match="mer selvtillit")
    before = coding_state(session.get_one(Coding, theirs.id))
    logged = session.scalar(select(func.count()).select_from(Event))
    changes: dict[str, Callable[[], object]] = {
        "remove": lambda: remove_coding(session, theirs.id, coder),
        "resize": lambda: resize_coding(session, theirs.id, theirs.start, theirs.end + 4, coder),
        "recode": lambda: recode_coding(session, theirs.id, "brukermedvirkning", coder),
        "memo": lambda: set_coding_memo(session, theirs.id, "mitt notat", coder),
    }
    with pytest.raises(InvalidInput, match=rf"^coding {theirs.id} is Forsker 2's; only they can change it \(") as refused:
        changes[change]()
    assert refused.value.hint == (f"write your own memo on it: `qualcode memo add TEXT --coding {theirs.id}`" if change == "memo"
                                  else f"code the passage yourself: `qualcode coding add intervju CODE --start {theirs.start}"
                                       f" --end {theirs.end}`")
    assert coding_state(session.get_one(Coding, theirs.id)) == before
    assert session.scalar(select(func.count()).select_from(Event)) == logged


def test_a_change_that_leaves_a_coding_as_it_was_logs_nothing(session: Session, coder: Coder, tmp_path: Path) -> None:
    interview(session, tmp_path)
    made = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    logged = session.scalar(select(func.count()).select_from(Event))
    assert not recode_coding(session, made.id, "empowerment", coder).changed
    assert not resize_coding(session, made.id, made.start, made.end, coder).changed
    assert not set_coding_memo(session, made.id, "", coder).changed
    assert session.scalar(select(func.count()).select_from(Event)) == logged
    assert recode_coding(session, made.id, "brukermedvirkning", coder).changed
    assert undo(session, coder).summary.startswith(f"changed coding {made.id} from empowerment to brukermedvirkning")


def test_undo_after_a_replacing_import_says_it_passed_over_the_replacement(session: Session, coder: Coder, tmp_path: Path) -> None:
    """Replacing a transcript's text cannot be undone; the next undo takes back the change before
    it and says that the replacement stays, with how to go back, rather than seeming to undo it."""
    interview(session, tmp_path)
    other = tmp_path / "annet"
    other.mkdir()
    interview(session, other, "I: Hva ga kurset?\nD1: Jeg fikk mer selvtillit av kurset.\n", name="annet")
    first = add_coding(session, "annet", "empowerment", coder, match="mer selvtillit")
    interview(session, tmp_path, INTERVIEW.replace("Veilederen foreslo det.", "Veilederen foreslo det, og jeg sa ja."),
              coder=coder, replace=True)
    done = undo(session, coder)
    assert done.summary.startswith("coded ")
    assert "passed over your later changes that cannot be undone: replaced the text of intervju" in done.summary
    assert "import the old file with --replace to go back" in done.summary
    removed = session.scalar(select(Coding).where(Coding.id == first.id))
    assert removed is not None and removed.removed_at is not None


def test_undo_right_after_a_replacing_import_says_how_to_go_back(session: Session, coder: Coder, tmp_path: Path) -> None:
    """With nothing of the coder's before it to undo, undo said the replacement could not be, and then,
    as for a coding, to "change it directly instead, as `qualcode coding remove N` removes a coding":
    no coding removed brings the old text back. It says what does, and what to do without the old file."""
    interview(session, tmp_path)
    interview(session, tmp_path, INTERVIEW.replace("Veilederen foreslo det.", "Veilederen foreslo det, og jeg sa ja."),
              coder=coder, replace=True)
    with pytest.raises(NothingToUndo) as refused:
        undo(session, coder)
    assert refused.value.message.startswith("nothing to undo for Forsker 1: your last change (replaced the text of intervju ")
    assert refused.value.message.endswith(") cannot be undone: the old text is deleted once its codings are re-anchored;"
                                          " import the old file with --replace to go back")
    assert refused.value.hint == ("without the old file, a backup taken before the replacement holds the old text"
                                  " (`qualcode backup list`), but restoring it takes back every change made since")


def test_an_edit_naming_a_withdrawn_participant_is_passed_over_by_undo(session: Session, coder: Coder, tmp_path: Path) -> None:
    """Undoing the edit would give the turns back to someone who withdrew: it can never be undone,
    so undo passes over it, says why, and the coder's change before it can still be undone."""
    from qualcode.anonymise.withdraw import withdraw_participant
    from qualcode.importers.metadata import get_or_create_participant
    from qualcode.importers.metadata_edit import edit_transcript

    interview(session, tmp_path, participant="D1")
    before = add_memo(session, "Et notat før endringen", coder)
    get_or_create_participant(session, "D2", "deltaker")
    edit_transcript(session, "intervju", coder, participants=["D2"])
    withdraw_participant(session, "D1", PseudonymKey("test"), coder)
    done = undo(session, coder)
    assert done.entity_guid == before.guid
    assert "passed over your later changes that cannot be undone: edited transcript intervju" in done.summary
    assert "(participant D1 no longer exists (they may have withdrawn))" in done.summary
    with pytest.raises(NothingToUndo, match="^nothing to undo for Forsker 1"):
        undo(session, coder)


def test_undo_names_every_later_change_it_passes_over_beyond_one_already_undone(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """The tester's case: an undone edit stood between the change undone and the later ones undo
    passed over (a code's creation become final, a coding on a text replaced since, the replacement),
    and undo named none of those past it. Each is named once, with why; the next undo names none again."""
    interview(session, tmp_path)
    other = tmp_path / "annet"
    other.mkdir()
    interview(session, other, "I: Hva ga kurset?\nD1: Jeg fikk mer selvtillit av kurset.\n", name="annet")
    before = add_memo(session, "Et notat før alt", coder)
    first = add_coding(session, "annet", "empowerment", coder, match="mer selvtillit")
    create_code(session, "hverdag", coder=coder)
    update_code(session, "hverdag", {"definition": "midlertidig"}, coder)
    assert undo(session, coder).summary == "changed definition of hverdag"
    later = add_coding(session, "intervju", "hverdag", coder, match="mer selvtillit")
    interview(session, tmp_path, "I: Før vi begynner.\n\n" + INTERVIEW, coder=coder, replace=True)

    done = undo(session, coder)

    assert done.entity_guid == first.guid
    assert done.summary.split(" — ")[1] == (
        "passed over your later changes that cannot be undone:"
        " created code hverdag (code hverdag still has 1 coding, so its creation cannot be undone);"
        f" coded intervju {later.start}-{later.end} as hverdag: 'mer selvtillit' (its transcript's text was rewritten since);"
        " replaced the text of intervju from intervju.txt (2 lines changed): 1 coding moved, 0 orphaned"
        " (the old text is deleted once its codings are re-anchored; import the old file with --replace to go back)"
    )  # not the edit of hverdag: undone already, nothing of it stands to pass over
    again = undo(session, coder)
    assert again.entity_guid == before.guid and " — " not in again.summary  # each named once


def test_undo_after_a_restore_names_the_restore_beyond_a_change_already_undone(migrated_template: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(migrated_template, root)
    with session_in(root) as session:
        coder = get_or_create_coder(session, "Forsker 1")
        before = add_memo(session, "Et notat før endringen", coder)
        update_code(session, "empowerment", {"definition": "midlertidig"}, coder)
        undo(session, coder)
    project_restore(root, tmp_path)
    with session_in(root) as session:
        done = undo(session, get_or_create_coder(session, "Forsker 1"))
    assert done.entity_guid == before.guid
    assert " — passed over your later changes that cannot be undone: restored the project from backup " in done.summary
    assert "`qualcode backup restore` of that backup goes back)" in done.summary


def test_a_parent_codes_creation_is_passed_over_once_a_sub_code_is_kept_for_good(
    session: Session, coder: Coder, tmp_path: Path,
) -> None:
    """Undo refused the parent's creation for its sub-code, whose own creation it had just passed
    over as final, and so refused every later undo: the parent is kept for good as well."""
    interview(session, tmp_path)
    before = add_memo(session, "Et notat før koden", coder)
    create_code(session, "ny", coder=coder)
    create_code(session, "ny/sub", coder=coder)
    add_coding(session, "intervju", "ny/sub", coder, match="mer selvtillit")
    undo(session, coder)  # the coding: removed, kept as the record of it

    done = undo(session, coder)

    assert done.entity_guid == before.guid
    assert "passed over your later changes that cannot be undone: created code ny (code ny still has 1 sub-code," \
        " and ny/sub is kept for good, so its creation cannot be undone); created code ny/sub (code ny/sub still has" \
        " 1 removed coding in its history, so its creation cannot be undone)" in done.summary
    assert session.scalar(select(Code.path).where(Code.path == "ny/sub")) == "ny/sub"
    with pytest.raises(NothingToUndo, match="^nothing to undo for Forsker 1$"):
        undo(session, coder)


def test_a_parent_codes_creation_waits_for_a_sub_code_its_maker_can_still_undo(session: Session, coder: Coder) -> None:
    """A sub-code someone else made and could still undo keeps the parent: its creation is refused, not made final."""
    create_code(session, "ny", coder=coder)
    colleague = get_or_create_coder(session, "Forsker 2")
    create_code(session, "ny/sub", coder=colleague)
    with pytest.raises(NothingToUndo, match=r"^code ny still has 1 sub-code \(ny/sub, made by Forsker 2\), so its creation cannot"
                                            r" be undone; nothing changed") as refused:
        undo(session, coder)
    assert refused.value.hint == "Forsker 2 can undo the creation of that sub-code first; then undo this again"
    undo(session, colleague)
    undo(session, coder)
    assert session.scalar(select(Code).where(Code.path == "ny")) is None
