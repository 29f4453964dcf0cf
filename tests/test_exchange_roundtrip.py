"""Round trip: project -> .qdpx -> new project holds the same, and -> .qdpx again gives the same XML apart from dates."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.codebook.service import create_code
from qualcode.coding.coders import CONSENSUS_CODER, get_or_create_coder
from qualcode.coding.memos import add_memo, list_memos
from qualcode.coding.service import add_coding, set_coding_memo
from qualcode.errors import InvalidInput
from qualcode.exchange.project_export import build_qdpx
from qualcode.exchange.project_import import import_qdpx
from qualcode.exchange.qdpx_read import read_qdpx
from qualcode.importers.metadata import get_or_create_participant, set_participant_attribute
from qualcode.importers.service import ImportOptions, import_file
from qualcode.store.models import (
    Code,
    Coding,
    Participant,
    ParticipantAttribute,
    Transcript,
    TranscriptParticipant,
    shown_moment,
)
from qualcode.store.project import Project

# Lower-case words only, so the blank Norwegian pipeline proposes no possible identifiers.
WORDS = ["jeg", "fikk", "mer", "selvtillit", "på", "møtene", "og", "tør", "å", "si", "fra", "nå", "høst", "😊", "kanskje"]
CODES = ["empowerment/håp og motivasjon", "måltall-press/inntakspress", "brukermedvirkning", "mestring"]

line = st.lists(st.sampled_from(WORDS), min_size=3, max_size=9).map(lambda words: "D: " + " ".join(words) + ".")
text = st.lists(line, min_size=1, max_size=4).map(lambda lines: "\n".join(lines) + "\n")
project_shape = st.fixed_dictionaries({
    "texts": st.lists(text, min_size=1, max_size=3, unique=True),
    "codings": st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 10_000), st.integers(1, 40), st.sampled_from(CODES), st.integers(0, 1)),
        max_size=8,
    ),
    "memos": st.lists(st.tuples(st.sampled_from(["project", "transcript", "code", "coding"]), st.sampled_from(WORDS[:6])), max_size=4),
    "participants": st.lists(
        st.tuples(st.sampled_from(["deltaker", "veileder", None]), st.integers(18, 80) | st.none(), st.booleans() | st.none()),
        max_size=3,
    ),
})


def build(session: Session, directory: Path, shape: dict[str, Any]) -> None:
    """A project with the shape's transcripts, codings by two coders, memos and participants."""
    key = PseudonymKey("test")
    coders = [get_or_create_coder(session, "Forsker 1"), get_or_create_coder(session, "Medforsker 1", "medforsker")]
    create_code(session, "mestring", {"definition": "Å klare noe selv.", "inclusion": "når deltakeren sier det selv", "colour": "#AA3300"})
    names = []
    for number, body in enumerate(shape["texts"], start=1):
        path = directory / f"t{number}.txt"
        path.write_text(body, encoding="utf-8")
        names.append(import_file(session, path, ImportOptions(wave="T1" if number == 1 else None), key=key).name)
    made: list[str] = []
    for which, start, length, code, coder in shape["codings"]:
        name = names[which % len(names)]
        body = shape["texts"][which % len(names)]
        start = start % len(body)
        end = min(start + length, len(body))
        if not body[start:end].strip():
            continue
        try:
            made.append(add_coding(session, name, code, coders[coder], start=start, end=end, memo="eget notat" if coder else None).guid)
        except InvalidInput:  # a span drawn twice for one coder and code is refused before anything is written
            continue
    for kind, words in shape["memos"]:
        target: dict[str, str] = {}
        if kind == "transcript":
            target["transcript_ref"] = names[0]
        elif kind == "code":
            target["code_ref"] = "mestring"
        elif kind == "coding" and made:
            target["coding_ref"] = made[0]
        add_memo(session, f"notat {words}", coders[0], **target)  # type: ignore[arg-type]
    for number, (role, age, consent) in enumerate(shape["participants"], start=1):
        participant = get_or_create_participant(session, f"P{number}", role)
        if age is not None:
            set_participant_attribute(session, participant, "alder", age)
        if consent is not None:
            set_participant_attribute(session, participant, "samtykke", consent)
        transcript = session.scalar(select(Transcript).where(Transcript.name == names[number % len(names)]))
        assert transcript is not None
        session.add(TranscriptParticipant(transcript_id=transcript.id, participant_id=participant.id))
    session.flush()


def held(session: Session) -> dict[str, Any]:
    """What the round trip must keep: codes, codings (offsets, excerpts, coders), memos, participants and attributes."""
    return {
        "codes": sorted(session.execute(select(Code.guid, Code.path, Code.definition, Code.inclusion, Code.colour))),
        "codings": sorted(
            (c.guid, c.transcript.name, c.code.path, c.coder.name, c.start, c.end, c.excerpt, c.memo)
            for c in session.scalars(select(Coding).where(Coding.removed_at.is_(None)))
        ),
        "memos": sorted((m.kind, m.author, m.attached_to.split(" ")[0], m.text, m.title) for m in list_memos(session)),
        "participants": sorted(session.execute(select(Participant.guid, Participant.name, Participant.role))),
        "attributes": sorted(
            (a.participant.name, a.definition.name, a.definition.value_type, a.value) for a in session.scalars(select(ParticipantAttribute))
        ),
        "links": sorted(session.execute(
            select(Transcript.name, Participant.name).join(TranscriptParticipant.transcript).join(TranscriptParticipant.participant)
        )),
        "transcripts": sorted(session.execute(select(Transcript.guid, Transcript.name, Transcript.wave))),
    }


DATES = re.compile(rb'(creationDateTime|modifiedDateTime)="[^"]*"')


def undated(package: bytes) -> dict[str, bytes]:
    """The members of a .qdpx, with the dates of project.qde left out."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: DATES.sub(rb'\1=""', archive.read(name)) for name in archive.namelist()}


@settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(shape=project_shape)
def test_project_to_qdpx_to_project_keeps_everything(tmp_path: Path, migrated_template: Path, shape: dict[str, Any]) -> None:
    work = Path(tempfile.mkdtemp(dir=tmp_path))  # one directory per example
    shutil.copytree(migrated_template, work / "first")
    shutil.copytree(migrated_template, work / "second")
    with Project.open(work / "first") as first, first.begin() as session:
        build(session, work, shape)
        before = held(session)
        exported = build_qdpx(session, "prosjekt", now=None).data
    (work / "prosjekt.qdpx").write_bytes(exported)
    with Project.open(work / "second") as second, second.begin() as session:
        done = import_qdpx(session, read_qdpx(work / "prosjekt.qdpx"), PseudonymKey("test"), lambda: get_or_create_coder(session, "Forsker 1"))
        assert done.problems == [] and done.skipped == []
        after = held(session)
        again = build_qdpx(session, "prosjekt").data
    assert after == before
    assert undated(again) == undated(exported)


def test_a_codings_own_memo_keeps_its_time_and_writer_through_a_round_trip(tmp_path: Path, migrated_template: Path) -> None:
    """The note of a coding's own memo was dated with the coding's time and credited to its coder, and
    the import took both over: a memo written days after the coding, or by a decider on the consensus
    coder's coding, came back as written with the coding, by its coder."""
    shutil.copytree(migrated_template, tmp_path / "first")
    shutil.copytree(migrated_template, tmp_path / "second")
    (tmp_path / "t1.txt").write_text("D: jeg fikk mer selvtillit på møtene.\nD: og tør å si fra nå.\n", encoding="utf-8")
    coded_at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    with Project.open(tmp_path / "first") as first, first.begin() as session:
        name = import_file(session, tmp_path / "t1.txt", ImportOptions(), key=PseudonymKey("test")).name
        researcher = get_or_create_coder(session, "Forsker 1")
        own = add_coding(session, name, "brukermedvirkning", researcher, match="jeg fikk mer selvtillit")
        decided = add_coding(session, name, "empowerment", get_or_create_coder(session, CONSENSUS_CODER),
                             match="tør å si fra", decided_by=researcher)
        for coding in session.scalars(select(Coding)):
            coding.created_at = coded_at  # coded days before the memos were written
        session.flush()
        set_coding_memo(session, own.id, "skrevet senere", researcher)
        set_coding_memo(session, decided.id, "besluttet i møtet", researcher)  # a decider's memo on konsensus's coding
        before = {(memo.text, memo.author, memo.created_at) for memo in list_memos(session, "coding")}
        exported = build_qdpx(session, "prosjekt").data
        researcher_guid = researcher.guid
    assert {at for _, _, at in before} != {coded_at.isoformat(timespec="seconds")}
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        qde = archive.read("project.qde").decode()
    for text, _, at in before:
        note = re.search(rf'<Note [^>]*>\s*<PlainTextContent>{text}<', qde)
        assert note is not None and f'creatingUser="{researcher_guid}"' in note.group(0)
        written = re.search(r'creationDateTime="([^"]*)"', note.group(0))
        assert written is not None and shown_moment(datetime.fromisoformat(written.group(1))) == at
    (tmp_path / "prosjekt.qdpx").write_bytes(exported)
    with Project.open(tmp_path / "second") as second, second.begin() as session:
        done = import_qdpx(session, read_qdpx(tmp_path / "prosjekt.qdpx"), PseudonymKey("test"),
                           lambda: get_or_create_coder(session, "Forsker 1"))
        assert done.problems == [] and done.skipped == []
        assert {(memo.text, memo.author, memo.created_at) for memo in list_memos(session, "coding")} == before
        again = build_qdpx(session, "prosjekt").data
    assert undated(again) == undated(exported)
