"""Sentences kept per text version: the same spans the reader found turn by turn, found once, read after."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from qualcode.coding.reader import document_sentences, load_reader_document
from qualcode.coding.sentences import sentences_within, version_sentences
from qualcode.stand_ins import StandIn
from qualcode.store.models import SentenceSpans, TextVersion, Transcript, Turn
from qualcode.store.project import Project
from qualcode.text import sentences as text_sentences
from qualcode.text.sentences import BLANK, sentence_spans


@pytest.fixture
def root(tmp_path: Path, coded_template: tuple[Path, dict[str, Any]]) -> Path:
    shutil.copytree(coded_template[0], tmp_path / "project")
    return tmp_path / "project"


def readers_sentences(text: str, turns: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """What the reader showed before sentences were kept: sentence_spans of each turn (the whole text without turns)."""
    return [span for start, end in (turns or [(0, len(text))]) for span in sentence_spans(text[start:end], start)]


def kept_rows(root: Path) -> dict[int, tuple[str, list[int]]]:
    with Project.open(root) as project, project.begin() as session:
        return {row.text_version_id: (row.pipeline, list(row.spans)) for row in session.scalars(select(SentenceSpans))}


def test_kept_sentences_are_the_readers_on_every_sample_text_and_are_read_back_after(root: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        versions = {version.id: version for version in session.scalars(select(TextVersion))}
        assert len(versions) >= 8 and session.scalar(select(func.count()).select_from(SentenceSpans)) == 0
        found = version_sentences(session, versions)
        for version_id, version in versions.items():
            turns = [(turn.start, turn.end) for turn in version.turns]
            assert found[version_id] == readers_sentences(version.text, turns), version.transcript.name
            assert found[version_id], version.transcript.name
    kept = kept_rows(root)
    assert set(kept) == set(found) and all(pipeline == BLANK for pipeline, _ in kept.values())

    # Read back, not found again: a kept row altered by hand is what comes back.
    some = next(iter(kept))
    with Project.open(root) as project, project.begin() as session:
        session.scalars(select(SentenceSpans).where(SentenceSpans.text_version_id == some)).one().spans = [0, 3]
    with Project.open(root) as project, project.begin() as session:
        assert version_sentences(session, [some]) == {some: [(0, 3)]}


def test_the_reader_shows_the_kept_sentences_and_none_without_turns(root: Path) -> None:
    with Project.open(root) as project, project.begin() as session:
        for name in session.scalars(select(Transcript.name)):
            document = load_reader_document(session, name)
            shown = document_sentences(session, document)
            turns = [(turn.start, turn.end) for turn in document.turns]
            assert list(shown) == (readers_sentences(document.text, turns) if turns else []), name


def test_another_pipeline_finds_them_anew_and_keeps_its_own(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Project.open(root) as project, project.begin() as session:
        version_id = session.scalars(select(TextVersion.id)).first()
        assert version_id is not None
        first = version_sentences(session, [version_id])
    monkeypatch.setattr(text_sentences, "pipeline_label", lambda: "nb_core_news_sm")
    monkeypatch.setattr("qualcode.coding.sentences.pipeline_label", lambda: "nb_core_news_sm")
    with Project.open(root) as project, project.begin() as session:
        assert version_sentences(session, [version_id]) == first  # the same rule-based pipeline underneath
    assert kept_rows(root)[version_id][0] == "nb_core_news_sm"


def test_sentences_kept_under_an_earlier_label_of_the_rules_are_found_again(root: Path) -> None:
    """"blank-nb-sentencizer-2" first ended sentences after osv., kr., mnd. and the months too, then
    no longer, under the same label: spans kept meanwhile were read back as if found by today's rules."""
    text = "Vi snakket om lønn, bolig osv. Marthinsen sa at det gikk bra."
    assert [text[start:end] for start, end in sentence_spans(text)] == [text]  # "osv." ends no sentence now
    assert BLANK != "blank-nb-sentencizer-2"
    with Project.open(root) as project, project.begin() as session:
        version = session.scalars(select(TextVersion)).first()
        assert version is not None
        version_id = version.id
        session.add(SentenceSpans(text_version_id=version_id, pipeline="blank-nb-sentencizer-2", spans=[0, 3]))
    with Project.open(root) as project, project.begin() as session:
        found = version_sentences(session, [version_id])[version_id]
        version = session.get(TextVersion, version_id)
        assert version is not None
        assert found == readers_sentences(version.text, [(turn.start, turn.end) for turn in version.turns])
    assert kept_rows(root)[version_id][0] == BLANK


def test_a_read_only_project_finds_them_and_keeps_nothing(root: Path) -> None:
    with Project.open(root, read_only=True) as project, project.begin() as session:
        version = session.scalars(select(TextVersion)).first()
        assert version is not None
        turns = [(turn.start, turn.end) for turn in version.turns]
        assert version_sentences(session, [version.id])[version.id] == readers_sentences(version.text, turns)
    assert kept_rows(root) == {}


def test_sentences_within_chosen_turns() -> None:
    sentences = [(0, 4), (5, 9), (12, 20), (21, 30), (33, 40)]
    assert sentences_within(sentences, [(12, 30)]) == [(12, 20), (21, 30)]
    assert sentences_within(sentences, [(0, 10), (33, 40)]) == [(0, 4), (5, 9), (33, 40)]
    assert sentences_within(sentences, []) == []


def test_migration_0009_adds_and_removes_the_table_and_a_version_takes_its_sentences_with_it(root: Path) -> None:
    from alembic import command

    from qualcode.store.project import _alembic_config

    with Project.open(root) as project:
        with project.begin() as session:
            version_sentences(session, list(session.scalars(select(TextVersion.id))))
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0008")
        assert "sentence_spans" not in inspect(project.engine).get_table_names()
        with project.engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
        with project.begin() as session:  # an old project starts with none, and finds them on first need
            assert session.scalar(select(func.count()).select_from(SentenceSpans)) == 0
            version = session.scalars(select(TextVersion)).first()
            assert version is not None and version_sentences(session, [version.id])[version.id]
            session.execute(Turn.__table__.delete().where(Turn.text_version_id == version.id))
            session.delete(version.transcript)
        with project.begin() as session:
            assert session.scalar(select(func.count()).select_from(SentenceSpans)) == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("Vi må nå måltallet før jul. Det er stort press.", ["Vi må nå måltallet før jul.", "Det er stort press."]),
    ("Det var veilederen min. Hun hørte på meg.", ["Det var veilederen min.", "Hun hørte på meg."]),
    ("Vi var to. Så kom han.", ["Vi var to.", "Så kom han."]),
    ("Han var for sen. Vi gikk.", ["Han var for sen.", "Vi gikk."]),
    # An abbreviation inside a sentence stays inside it: a date, minutes, an acronym after one.
    ("Det var 12. jul. 2020, i 10 min. og så gikk jeg.", ["Det var 12. jul. 2020, i 10 min. og så gikk jeg."]),
    ("Det gjelder mht. NAV og sånt.", ["Det gjelder mht. NAV og sånt."]),
])
def test_a_word_spacy_takes_for_an_abbreviation_ends_a_sentence_before_a_capital(text: str, expected: list[str]) -> None:
    """spaCy's Norwegian exceptions keep "jul." (juli) and "min." (minutter) whole, so "før jul. Det
    er stort press." and "veilederen min. Hun ..." were one sentence each: co-occurrence within a
    sentence, agreement by sentence and the reader's sentence keys all read them so."""
    from qualcode.text.sentences import tokenised

    assert [text[start:end] for start, end in sentence_spans(text)] == expected
    # The reader's lazy rule (tokenised) starts the same sentences.
    [(_, doc, starts)] = list(tokenised(text))
    assert [doc[index].idx for index in range(len(doc)) if starts(index)] == [text.index(sentence) for sentence in expected]


@pytest.mark.parametrize("text", [
    "Det gjeld t.d. tiltak for unge.",
    "Vi snakka m.a. om pengar og bustad.",
    "Det står iflg. loven at du har rett.",
    "Vi snakket ang. pengene, og så gikk vi.",
    "Han sa t.d., at det var greit.",
    # Capitalised, first in the sentence.
    "T.d. kan ein søkje om det.",
    "M.a. snakka vi om pengar.",
    "Iflg. veilederen var det greit.",
    "Ang. møtet kom ingen.",
])
def test_a_sentence_goes_on_after_t_d_m_a_iflg_and_ang(text: str) -> None:
    """spaCy's Norwegian tokenizer split nynorsk's "t.d." (til dømes) and "m.a." (mellom anna), "iflg."
    and "ang." from their full stop, and its sentencizer ended a sentence there, before a lower-case
    word too ("Det gjeld t.d." | "tiltak for unge."): the pipeline keeps them whole, as it keeps "f.eks."."""
    from qualcode.text.sentences import tokenised

    assert [text[start:end] for start, end in sentence_spans(text)] == [text]
    [(_, doc, starts)] = list(tokenised(text))
    assert [index for index in range(len(doc)) if starts(index)] == [0]


def _three_ways(text: str) -> list[list[str]]:
    """The sentences of `text` by sentence_spans, by turn_sentences (the reader's, kept per text
    version) and by the lazy rule proposing identifiers reads (tokenised), which must agree."""
    from qualcode.text.sentences import tokenised, turn_sentences

    [(_, doc, starts)] = list(tokenised(text))
    begins = [doc[index].idx for index in range(len(doc)) if starts(index)] + [len(text)]
    return [
        [text[start:end] for start, end in sentence_spans(text)],
        [text[start:end] for start, end in turn_sentences(text, [(0, len(text))])],
        [text[start:end].strip() for start, end in zip(begins, begins[1:], strict=False)],
    ]


@pytest.mark.parametrize("text", [
    # Capitalised, first in the sentence: spaCy's Norwegian tokenizer knows most only in lower case.
    "Dvs. det var greit.",
    "Bl.a. hadde vi møter hver uke.",
    "Evt. kan vi ta det senere.",
    "F.eks. kan vi gå dit.",
    "Ca. ti stykker kom.",
    "Pga. været kom vi ikke.",
    "P.g.a. været kom vi ikke.",
    "Kl. ti kom vi.",
    "Nr. to kom først.",
    "Tlf. nummeret står der.",
    "Jfr. loven er det greit.",
    "M.a.o. er det greit.",
    "T.o.m. fredag er det stengt.",
    "Mht. pengene var det greit.",
    "Avd. leder kom også.",
    # Before a lower-case word: abbreviations spaCy's tokenizer splits from their full stop.
    "Vi viste jfr. loven til dem.",
    "Det var mr. og mrs. Smith.",
    "Hun jobbet på avd. to i fjor.",
    "Send det til adr. hans.",
    "Vi gjorde o.s.v. og så videre.",
    "Vi snakka om pengar o.s.b. og så gjekk vi.",
    "Vi snakka om pengar osb. og så gjekk vi.",
    "Det var d.v.s. ikke så lett.",
    "Det gjelder m.h.t. pengene.",
    "Vi snakket ift. pengene.",
    "Vi snakket mtp. pengene.",
    # Before a capital too, but for the everyday words and a list's end (below).
    "Vi viste jfr. Loven om sosiale tjenester.",
    "Vi snakket med mr. Smith i går.",
    "Det var nr. 5 og dr. Lie.",
])
def test_no_sentence_ends_after_an_abbreviation_a_sentence_goes_on_after(text: str) -> None:
    """spaCy's Norwegian tokenizer keeps "dvs.", "bl.a.", "evt." whole only in lower case, and splits
    "jfr.", "mr.", "avd.", "o.s.v." from their full stop: its sentencizer ended a sentence there,
    before a lower-case word too ("Dvs." | "det var greit.")."""
    assert _three_ways(text) == [[text]] * 3


@pytest.mark.parametrize(("text", "expected"), [
    ("Vi gjorde o.s.v. Slagsvold sa det.", ["Vi gjorde o.s.v.", "Slagsvold sa det."]),
    ("Vi snakka om pengar o.s.b. Det var greitt.", ["Vi snakka om pengar o.s.b.", "Det var greitt."]),
    ("Vi snakka om pengar osb. Det var greitt.", ["Vi snakka om pengar osb.", "Det var greitt."]),
    ("Vi må nå måltallet før jul. Det er stort press.", ["Vi må nå måltallet før jul.", "Det er stort press."]),
])
def test_a_lists_end_and_an_everyday_word_end_a_sentence_before_a_capital(text: str, expected: list[str]) -> None:
    assert _three_ways(text) == [expected] * 3


def _walked(spans: list[tuple[int, int]], position: int) -> tuple[int, int] | None:
    """What the reader's `_containing` did before: walk the spans to the first holding the position."""
    return next(((start, end) for start, end in spans if start <= position < end), None)


_PIECES = ["Jeg fikk jobb.", "Hva skjedde da?", "Mm.", " ", "\n", "D1: ", "I: ", "Ja!", "nei … kanskje", "👩\u200d👩\u200d👧 her.", "æøå"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.booleans())
def test_the_span_index_finds_what_the_walk_over_every_sentence_found(pieces: list[str], by_turns: bool) -> None:
    """The reader asked `_containing` at every cursor move, walking every sentence (a millisecond on
    a long transcript); a bisection over their starts finds the same sentence or turn at every position."""
    from qualcode.coding.sentences import SpanIndex
    from qualcode.importers.turns import detect_turns
    from qualcode.text.sentences import turn_sentences

    text = "".join(pieces)
    turns = [(turn.start, turn.end) for turn in detect_turns(text)] if by_turns else []
    for spans in (turn_sentences(text, turns), turns):
        index = SpanIndex(spans)
        assert all(index.at(position) == _walked(spans, position) for position in range(-1, len(text) + 2))


def test_the_pipeline_loads_spacy_without_its_command_line_and_spacy_info_still_answers() -> None:
    """spaCy 3 imports its command line (typer, requests) on `import spacy`; the pipeline does not,
    and nothing of spaCy is lost: its `info` imports the real one when called. In a fresh process,
    since this one may have imported spaCy already."""
    script = (
        "import sys\n"
        "from qualcode.text.sentences import pipeline\n"
        "nlp = pipeline()\n"
        "assert [s.text for s in nlp('Jfr. Ola sa ja. Kari kom.').sents] == ['Jfr. Ola sa ja.', 'Kari kom.']\n"
        "print(sorted(name for name in ('spacy.cli', 'spacy.cli.info', 'typer', 'requests', 'weasel') if name in sys.modules))\n"
        "import spacy\n"
        "print(spacy.info(silent=True)['spacy_version'] == spacy.__version__, type(sys.modules['spacy.cli.info']).__name__,\n"
        "      sys.modules['spacy.cli.info'].__file__.endswith('info.py'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True module True"]


def test_spacy_imported_before_the_pipeline_is_the_one_it_uses() -> None:
    import spacy

    text_sentences.import_spacy()
    assert sys.modules["spacy"] is spacy
    assert not isinstance(sys.modules.get("spacy.cli.info"), StandIn)
