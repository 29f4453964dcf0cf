"""Every analysis count against a brute-force count from the raw codings, on random projects.

The brute force merges passages by the characters they cover (a run of covered characters is one
passage, so touching codings join and a gap of one character separates), each participant's
codings apart, and attributes each coding as `select_quotes` does, independently of
analysis/passages.py's interval sweep.
"""

from __future__ import annotations

import hashlib
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.compare import compare
from qualcode.analysis.frequencies import code_frequencies
from qualcode.analysis.matrix import cell_passages, code_matrix
from qualcode.analysis.passages import passages
from qualcode.analysis.rules import NO_INFORMANT, NO_VALUE
from qualcode.coding.passages import QuoteFilter, select_quotes
from qualcode.errors import NotFound
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Participant,
    ParticipantAttribute,
    TextVersion,
    Transcript,
    TranscriptParticipant,
    Turn,
)
from qualcode.store.project import Project
from tests.conftest import EMPTY_SELECTION

# Two top-level codes of the KVP codebook with two sub-codes each, and one code without sub-codes.
CODES = (
    "empowerment", "empowerment/avmakt", "empowerment/håp og motivasjon",
    "måltall-press", "måltall-press/inntakspress", "måltall-press/kvantitet mot kvalitet", "helse",
)
WORDS = ("jeg", "fikk", "være", "med", "å", "bestemme", "møtet", "på", "kontoret", "ærlig", "talt", "🙂", "så")


class Rollback(Exception):
    """Ends an example's transaction without keeping what it built."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("counts") / "project"
    shutil.copytree(migrated_template, root)
    with Project.open(root) as opened:
        yield opened


def spans(size: int) -> st.SearchStrategy[tuple[int, int]]:
    """A start and end within a text of `size` code points, up to 12 long."""
    return st.tuples(st.integers(0, size - 1), st.integers(1, 12)).map(lambda pair: (pair[0], min(size, pair[0] + pair[1])))


@st.composite
def projects(draw: st.DrawFn) -> dict[str, object]:
    """A plan for a random project: participants, transcripts with turns, codings by several coders."""
    participants = draw(st.lists(st.tuples(st.sampled_from(["deltaker", "veileder", None]), st.sampled_from(["A", "B", None]),
                                           st.sampled_from(["ja", "nei", None])), min_size=1, max_size=4))
    transcripts = []
    for _ in range(draw(st.integers(1, 3))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=4, max_size=40))
        separators = draw(st.lists(st.sampled_from([" ", "  ", "\n"]), min_size=len(words), max_size=len(words)))
        text = "".join(word + separator for word, separator in zip(words, separators, strict=True))
        cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=5))) | {0, len(text)})
        turns = [(start, end, draw(st.sampled_from(["I", "P", None])), draw(st.integers(0, len(participants) - 1)))
                 for start, end in zip(cuts, cuts[1:], strict=False) if end > start and draw(st.integers(0, 3)) > 0]
        codings = draw(st.lists(st.tuples(spans(len(text)), st.sampled_from(CODES), st.integers(0, 2), st.booleans(), st.booleans()),
                                max_size=14))
        transcripts.append({
            "text": text, "wave": draw(st.sampled_from(["T1", "T2", None])), "turns": turns, "codings": codings,
            "old_version": draw(st.booleans()),
        })
    return {"participants": participants, "transcripts": transcripts}


def build(session: Session, plan: dict[str, object], salt: str) -> None:
    coders = [Coder(name=f"K{number}") for number in range(3)]
    session.add_all(coders)
    definition = session.scalar(select(AttributeDefinition).where(AttributeDefinition.name == "barn"))
    if definition is None:
        definition = AttributeDefinition(name="barn", applies_to="participant", value_type="text")
        session.add(definition)
    people = []
    for number, (role, office, barn) in enumerate(plan["participants"]):  # type: ignore[attr-defined]
        person = Participant(name=f"D{number + 1}", role=role, office=office)
        session.add(person)
        session.flush()
        if barn is not None:
            session.add(ParticipantAttribute(participant_id=person.id, definition_id=definition.id, value=barn))
        people.append(person)
    code_ids = {path: session.scalar(select(Code.id).where(Code.path == path)) for path in CODES}
    for number, spec in enumerate(plan["transcripts"]):  # type: ignore[attr-defined]
        transcript = Transcript(name=f"intervju_{number + 1}", wave=spec["wave"])
        session.add(transcript)
        session.flush()
        versions = []
        for version_number, text in enumerate(["gammel " + spec["text"], spec["text"]] if spec["old_version"] else [spec["text"]]):
            version = TextVersion(transcript_id=transcript.id, number=version_number + 1, text=text, word_count=len(text.split()),
                                  content_hash=hashlib.sha256(f"{salt}/{number}/{version_number}/{text}".encode()).hexdigest())
            session.add(version)
            versions.append(version)
        session.flush()
        transcript.current_version_id = versions[-1].id
        linked = set()
        for seq, (start, end, speaker, person) in enumerate(spec["turns"]):
            participant_id = people[person].id if speaker == "P" else None
            session.add(Turn(text_version_id=versions[-1].id, seq=seq, speaker=speaker, participant_id=participant_id,
                             start=start, end=end))
            if speaker == "P" or speaker is None:
                linked.add(people[person].id)
        for participant_id in linked:
            session.add(TranscriptParticipant(transcript_id=transcript.id, participant_id=participant_id))
        seen = set()
        for (start, end), path, coder, removed, on_old in spec["codings"]:
            version = versions[0] if on_old and len(versions) > 1 else versions[-1]
            key = (path, coder, start, end)  # as the codings' unique key has it, whatever the text version
            if key in seen:
                continue
            seen.add(key)
            session.add(Coding(
                transcript_id=transcript.id, text_version_id=version.id, code_id=code_ids[path], coder_id=coders[coder].id,
                start=start, end=end, excerpt=version.text[start:end], text_hash="x",
                removed_at=datetime.now(UTC) if removed else None,
            ))
    session.flush()


@dataclass(frozen=True)
class Run:
    """A brute-force passage: a run of covered characters, its codings, and its first coding's quote."""

    code: str
    coder: str
    transcript: str
    start: int
    end: int
    coding_ids: frozenset[int]
    participant: str | None
    role: str | None
    wave: str | None
    office: str | None
    barn: str | None
    words: int

    def value(self, name: str) -> str:
        found = {"coder": self.coder, "participant": self.participant, "role": self.role, "wave": self.wave,
                 "office": self.office, "barn": self.barn, "transcript": self.transcript}[name]
        if found:
            return found
        # A participant's column of a passage counted for no one: no one to take a value from.
        return NO_INFORMANT if self.participant is None and name in {"participant", "role", "office", "barn"} else NO_VALUE


def brute_force(session: Session, selection: QuoteFilter) -> list[Run]:
    """Runs per code (its own and its descendants' codings), coder and transcript, from select_quotes' codings."""
    quotes = {quote.coding_id: quote for quote in select_quotes(session, selection)[0]}
    texts = dict(session.execute(select(Transcript.name, TextVersion.text).join(TextVersion, Transcript.current_version_id == TextVersion.id)).all())
    turn_starts: dict[str, list[int]] = defaultdict(list)
    for name, start in session.execute(select(Transcript.name, Turn.start).join(Turn, Turn.text_version_id == Transcript.current_version_id)):
        turn_starts[name].append(start)

    def said(transcript: str, start: int, end: int) -> int:
        """Words of the stretch, less what leads the line of each turn begun inside it (its speaker label)."""
        text = texts[transcript]
        label = set()
        floor = start  # a label is on its turn's own line, after the turn before it began
        for turn in sorted(turn_starts[transcript]):
            if start < turn < end:
                if "\n" in text[floor:turn]:
                    label.update(range(text.rindex("\n", floor, turn) + 1, turn))
                floor = turn
        return len("".join(" " if at in label else text[at] for at in range(start, end)).split())
    runs = []
    for code in CODES:
        groups: dict[tuple[str, str, str | None], list[int]] = defaultdict(list)
        for coding_id, quote in quotes.items():
            if quote.code_path == code or quote.code_path.startswith(code + "/"):
                groups[(quote.coder, quote.transcript, quote.participant)].append(coding_id)
        for (coder, transcript, _), ids in groups.items():
            covered = set()
            for coding_id in ids:
                covered.update(range(quotes[coding_id].start, quotes[coding_id].end))
            position = 0
            limit = max(covered) + 1
            while position < limit:
                if position not in covered:
                    position += 1
                    continue
                end = position
                while end in covered:
                    end += 1
                inside = [i for i in ids if position <= quotes[i].start < end]
                first = quotes[min(inside, key=lambda i: (quotes[i].start, i))]
                runs.append(Run(code, coder, transcript, position, end, frozenset(inside), first.participant, first.role,
                                first.wave, first.office, first.attributes.get("barn"), said(transcript, position, end)))
                position = end
    return runs


def counted(runs: list[Run], count: str) -> int:
    if count == "passages":
        return len(runs)
    if count == "participants":
        return len({run.participant for run in runs if run.participant is not None})
    if count == "transcripts":
        return len({run.transcript for run in runs})
    return sum(run.words for run in runs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=projects(), data=st.data())
def test_every_count_matches_the_brute_force(project: Project, plan: dict[str, object], data: st.DataObject) -> None:
    salt = str(data.draw(st.integers(0, 10**9)))
    try:
        with project.begin() as session:
            build(session, plan, salt)
            check_counts(session, data)
            raise Rollback
    except Rollback:
        pass


def check_counts(session: Session, data: st.DataObject) -> None:
    everything = brute_force(session, QuoteFilter())
    if not everything:
        with pytest.raises(NotFound, match=EMPTY_SELECTION):
            code_frequencies(session, QuoteFilter())
        return
    roles = sorted({run.role for run in everything if run.role})
    coders = sorted({run.coder for run in everything})
    selection = QuoteFilter(
        roles=tuple(data.draw(st.lists(st.sampled_from(roles), max_size=1, unique=True))) if roles else (),
        coders=tuple(data.draw(st.lists(st.sampled_from(coders), max_size=2, unique=True))),
    )
    runs = brute_force(session, selection)
    if not runs:
        with pytest.raises(NotFound, match=EMPTY_SELECTION):
            code_matrix(session, selection, ["role"])
        return
    # The passages themselves: the same spans and codings.
    found = passages(session, selection)
    assert sorted((p.code_path, p.coder, p.transcript, p.start, p.end, frozenset(p.coding_ids)) for p in found) == sorted(
        (r.code, r.coder, r.transcript, r.start, r.end, r.coding_ids) for r in runs)
    # Frequencies.
    frequencies = code_frequencies(session, selection)
    by_code = {row.path: row for row in frequencies.codes}
    for code in CODES:
        mine = [run for run in runs if run.code == code]
        row = by_code[code]
        assert (row.passages, row.participants, row.transcripts, row.words) == tuple(
            counted(mine, count) for count in ("passages", "participants", "transcripts", "words")), code
        assert dict(zip(frequencies.coders, row.by_coder, strict=True)) == {
            coder: len([run for run in mine if run.coder == coder]) for coder in frequencies.coders}
    top = [run for run in runs if "/" not in run.code]
    assert frequencies.total.passages == len(top) and frequencies.total.words == counted(top, "words")
    # Matrices: one attribute or two crossed, each count.
    by = data.draw(st.sampled_from([["role"], ["wave"], ["coder"], ["barn"], ["office", "wave"], ["participant"]]))
    count = data.draw(st.sampled_from(["passages", "participants", "words"]))
    matrix = code_matrix(session, selection, by, count)
    for row in matrix.rows:
        mine = [run for run in runs if run.code == row.path]
        for column, cell in zip(matrix.columns, row.counts, strict=True):
            inside = [run for run in mine if tuple(run.value(name) for name in by) == column.values]
            assert cell == counted(inside, count), (row.path, column.values)
        assert row.total == counted(mine, count)
    assert sum(1 for run in runs if tuple(run.value(name) for name in by) not in {c.values for c in matrix.columns}) == 0
    # Drill-down: a random cell lists exactly the passages the passage matrix counts there.
    passage_matrix = code_matrix(session, selection, by)
    code = data.draw(st.sampled_from(CODES))
    column = data.draw(st.sampled_from(passage_matrix.columns))
    where = list(zip(by, column.values, strict=True))
    expected = {run.coding_ids for run in runs if run.code == code and all(run.value(n) == v for n, v in where)}
    cell = next(row.counts for row in passage_matrix.rows if row.path == code)[passage_matrix.columns.index(column)]
    assert cell == len(expected)
    if expected:
        listed = cell_passages(session, selection, code, where)
        assert {frozenset(item.passage.coding_ids) for item in listed} == expected
        assert len(listed) == cell
    else:
        with pytest.raises(NotFound, match=r"^no passages of "):
            cell_passages(session, selection, code, where)
    # Compare: everyone in more than one wave (by the transcripts they are linked to or speak in) who has
    # passages of the code, with every wave they were in, those without passages empty.
    top_code = data.draw(st.sampled_from(["empowerment", "måltall-press"]))
    mine = [run for run in runs if run.code == top_code]
    if not [run for run in runs if run.code.split("/")[0] == top_code]:
        return
    comparison = compare(session, selection, "wave", top_code)
    waves: dict[str, set[str]] = defaultdict(set)
    in_transcripts = session.execute(
        select(Participant.name, Participant.role, Transcript.wave).join(TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id)
        .join(Transcript, TranscriptParticipant.transcript_id == Transcript.id)
        .union(select(Participant.name, Participant.role, Transcript.wave).join(Turn, Turn.participant_id == Participant.id)
               .join(Transcript, Transcript.current_version_id == Turn.text_version_id))
    ).all()
    for name, role, wave in in_transcripts:
        if not selection.roles or role in selection.roles:
            waves[name].add(wave or NO_VALUE)
    several = {name for name, seen in waves.items() if len(seen) > 1}
    assert set(comparison.in_several) == several
    with_passages = {run.participant for run in mine if run.participant is not None}
    assert {change.participant for change in comparison.participants} == several & with_passages
    assert set(comparison.without_passages) == several - with_passages
    for change in comparison.participants:
        assert {value for value, _ in change.by_value} == waves[change.participant]
        for value, items in change.by_value:
            assert {frozenset(item.passage.coding_ids) for item in items} == {
                run.coding_ids for run in mine if run.participant == change.participant and run.value("wave") == value}


GROUP = """---
participants: [A1, A2]
wave: T1
---
I: Hva tenker dere om planen?
A1: Planen er bra for meg.
A2: Vi lager planen sammen med deltakeren.
"""


def test_in_a_group_interview_each_speakers_codings_are_their_own_passages(session: Session, tmp_path: Path) -> None:
    """An exchange coded across two speakers' turns, then one speaker's words in it: one passage each
    speaker's, so the veileder's count is one in every table, filtered to veiledere or not."""
    from qualcode.analysis.framework import framework_matrix
    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.service import add_coding
    from qualcode.importers.metadata import import_participants
    from tests.conftest import make_transcript

    people = tmp_path / "deltakere.csv"
    people.write_text("participant,role\nA1,deltaker\nA2,veileder\n", encoding="utf-8")
    import_participants(session, people)
    make_transcript(session, tmp_path, GROUP, name="g1")
    coder = get_or_create_coder(session, "Forsker 1")
    add_coding(session, "g1", "brukermedvirkning", coder, match="Planen er bra for meg.\nA2: Vi lager planen sammen med deltakeren.")
    add_coding(session, "g1", "brukermedvirkning", coder, match="Vi lager planen sammen med deltakeren.")
    everyone = code_matrix(session, QuoteFilter(), ["role"])
    row = next(row for row in everyone.rows if row.path == "brukermedvirkning")
    by_role = dict(zip((column.values[0] for column in everyone.columns), row.counts, strict=True))
    assert by_role == {"deltaker": 1, "veileder": 1} and row.total == 2
    for role in ("deltaker", "veileder"):
        alone = code_matrix(session, QuoteFilter(roles=(role,)), ["role"])
        assert next(row.total for row in alone.rows if row.path == "brukermedvirkning") == by_role[role]
        [passage] = cell_passages(session, QuoteFilter(), "brukermedvirkning", [("role", role)])
        assert passage.passage.participant == {"deltaker": "A1", "veileder": "A2"}[role]
    assert [row.participant for row in framework_matrix(session, ["brukermedvirkning"]).rows] == ["A1", "A2"]


def test_the_context_after_a_passage_across_two_turns_starts_where_it_ends(migrated_template: Path, tmp_path: Path) -> None:
    """The context after was the turn after the one the passage starts in: for a passage run on into the
    next turn, that turn again, words the passage itself holds."""
    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.service import add_coding
    from qualcode.importers.metadata import import_participants
    from tests.conftest import make_transcript

    shutil.copytree(migrated_template, tmp_path / "project")
    people = tmp_path / "deltakere.csv"
    people.write_text("participant,role,office\nA1,deltaker,kontor B\nA2,deltaker,kontor B\n", encoding="utf-8")
    with Project.open(tmp_path / "project") as project, project.begin() as session:
        import_participants(session, people)
        make_transcript(session, tmp_path, GROUP + "I: Og så?\nA1: Så går det bedre 😀 for oss.\n", name="g1")
        coder = get_or_create_coder(session, "Forsker 1")
        add_coding(session, "g1", "empowerment", coder, match="bra for meg.\nA2: Vi lager planen")
        add_coding(session, "g1", "empowerment/håp og motivasjon", coder, match="Vi lager planen sammen med deltakeren.")
        [across] = cell_passages(session, QuoteFilter(), "empowerment", [("office", "kontor B"), ("participant", "A1")])
        assert across.context_before == "I: Hva tenker dere om planen?"
        assert across.context_after == "I: Og så?"
        quotes = {quote.code_path: quote for quote in select_quotes(session, QuoteFilter())[0]}
        assert quotes["empowerment"].context_after == "I: Og så?"
        # A passage within one turn has the next turn after it, as before.
        assert quotes["empowerment/håp og motivasjon"].context_after == "I: Og så?"
        assert quotes["empowerment/håp og motivasjon"].context_before == "A1: Planen er bra for meg."


def test_coders_come_in_one_order_in_the_counts_and_the_matrix(session: Session, tmp_path: Path) -> None:
    """A field trial: `analyse codes` listed coders in code point order (Forsker 1, Medforsker 1, konsensus),
    `analyse matrix --by coder` in natural order (Forsker 1, konsensus, Medforsker 1)."""
    from qualcode.coding.coders import get_or_create_coder
    from qualcode.coding.service import add_coding
    from tests.conftest import make_transcript

    make_transcript(session, tmp_path, "I: Hvordan gikk det?\nD1: Planen er bra for meg.\n", name="rekkefolge")
    for name in ("Forsker 10", "Forsker 2", "anne"):
        add_coding(session, "rekkefolge", "brukermedvirkning", get_or_create_coder(session, name), match="Planen er bra for meg.")
    this = QuoteFilter(transcripts=("rekkefolge",))  # the module's project holds other tests' codings
    by_coder = [column.values[0] for column in code_matrix(session, this, ["coder"]).columns]
    assert list(code_frequencies(session, this).coders) == by_coder == ["anne", "Forsker 2", "Forsker 10"]
