"""Search: Norwegian stems on word boundaries, phrases, AND/OR/NOT, filters, keyword in context."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.coding.service import add_coding
from qualcode.errors import NotFound, SearchSyntaxError
from qualcode.importers.metadata import import_participants
from qualcode.search.index import rebuild_index
from qualcode.search.query import parse_query
from qualcode.search.service import SearchFilters, search
from qualcode.store.models import Coder
from tests.conftest import SAMPLES, make_transcript, sample_key

DELTAKER = """---
participant: D1
role: deltaker
wave: T1
---
I: Fikk du være med på medvirkning?
D1: Ja, jeg fikk medvirke. Medvirkningen var ekte, typisk NAV å spørre til slutt.
Jeg ble hørt, og planen ble laget i samråd.

I: Og måltallene?
D1: Det vet jeg ikke noe om.
"""

VEILEDER = """---
participant: V1
role: veileder
wave: T2
---
I: Hva med måltall?
V1: Måltallet styrer alt. Vi må fylle opp plassene før jul, det er et press ovenfra.
Brukermedvirkning blir det lite av når det går fort.
"""


@pytest.fixture
def corpus(session: Session, tmp_path: Path) -> Session:
    make_transcript(session, tmp_path, DELTAKER, name="d1")
    make_transcript(session, tmp_path, VEILEDER, name="v1")
    return session


def keywords(session: Session, query: str, **filters: str) -> list[str]:
    return [hit.keyword for hit in search(session, query, SearchFilters(**filters)).hits]


def test_stemming_finds_inflections(corpus: Session) -> None:
    assert keywords(corpus, "medvirkning") == ["medvirkning", "Medvirkningen"]
    assert keywords(corpus, "måltall") == ["måltallene", "måltall", "Måltallet"]


def test_whole_words_only(corpus: Session) -> None:
    assert keywords(corpus, "pisk") == []
    assert keywords(corpus, "typisk") == ["typisk"]


def test_phrase_and_boolean_operators(corpus: Session) -> None:
    assert keywords(corpus, '"fylle opp"') == ["fylle opp"]
    assert keywords(corpus, '"opp fylle"') == []
    assert keywords(corpus, "press AND jul") == ["jul", "press"]
    assert keywords(corpus, "samråd OR ovenfra") == ["samråd", "ovenfra"]
    assert keywords(corpus, "måltall NOT press") == ["måltallene", "måltall"]
    assert keywords(corpus, "(hørt OR press) AND planen") == ["hørt", "planen"]
    assert keywords(corpus, "brukermed*") == ["Brukermedvirkning"]


def test_hits_carry_transcript_speaker_line_and_context(corpus: Session) -> None:
    hit = search(corpus, '"i samråd"').hits[0]
    assert (hit.transcript, hit.speaker, hit.participant, hit.role, hit.wave) == ("d1", "D1", "D1", "deltaker", "T1")
    assert hit.line == 3
    assert hit.left.endswith("planen ble laget ")
    assert hit.keyword == "i samråd"
    assert hit.right == "."


def test_filters_by_role_wave_participant_transcript(corpus: Session) -> None:
    assert keywords(corpus, "måltall", role="veileder") == ["Måltallet"]
    assert keywords(corpus, "måltall", wave="T1") == ["måltallene"]
    # Role and participant filters go by who spoke, so the interviewer's question drops out.
    assert keywords(corpus, "medvirkning", participant="D1") == ["Medvirkningen"]
    assert keywords(corpus, "måltall", role="deltaker") == []
    assert keywords(corpus, "måltall", transcript="d1") == ["måltallene"]


def test_filter_by_code_keeps_hits_inside_coded_passages(corpus: Session, coder: Coder) -> None:
    add_coding(corpus, "v1", "måltall-press/inntakspress", coder, match="Vi må fylle opp plassene før jul")
    assert keywords(corpus, "jul OR press", code="måltall-press") == ["jul"]
    assert keywords(corpus, "jul", code="empowerment") == []


def test_limit_truncates_and_says_so(corpus: Session) -> None:
    result = search(corpus, "måltall", limit=1)
    assert len(result.hits) == 1 and result.truncated


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "the search query is empty"),
        ("NOT press", "query 'NOT press' has nothing to search for before NOT"),
        ("(press", "query '(press' has an unclosed parenthesis"),
        ("press)", "unexpected ')' in query 'press)'"),
        ("AND", "query 'AND' has nothing to search for"),
        ("press OR", "query 'press OR' has nothing to search for"),
        ("!!!", "'!!!' in query '!!!' has no letters or digits to search for"),
    ],
)
def test_bad_queries_are_clear_errors(corpus: Session, query: str, says: str) -> None:
    with pytest.raises(SearchSyntaxError, match=re.escape(says)):
        search(corpus, query)


def test_unknown_filter_values_are_errors(corpus: Session) -> None:
    with pytest.raises(NotFound, match="no transcript 'finnes-ikke' in this project"):
        search(corpus, "press", SearchFilters(transcript="finnes-ikke"))


def test_fts_expression_uses_stems() -> None:
    assert parse_query('Medvirkningen AND "bli hørt"').fts == '(stems : "medvirkning" AND stems : "bli hørt")'
    assert parse_query("Kurs*").fts == 'words : "kurs" *'


def test_index_matches_turns_and_rebuilds(corpus: Session) -> None:
    indexed = corpus.execute(text("SELECT count(*) FROM search_index")).scalar_one()
    turns = corpus.execute(text("SELECT count(*) FROM turns")).scalar_one()
    assert indexed == turns
    assert rebuild_index(corpus) == turns
    assert keywords(corpus, "samråd") == ["samråd"]


def test_sample_transcripts_talk_about_all_three_central_codes(session: Session, tmp_path: Path) -> None:
    from qualcode.importers.service import import_file

    import_participants(session, SAMPLES / "participants.csv")
    key = sample_key(PseudonymKey("test"))
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix in {".txt", ".md", ".docx", ".odt", ".vtt"}:
            import_file(session, path, key=key)
    assert len(search(session, "selvtillit OR stolt OR mestre", SearchFilters(role="deltaker")).hits) >= 3
    assert len(search(session, 'handlingsplan OR "bli hørt" OR brukerråd OR "ikke noe valg"').hits) >= 3
    assert len(search(session, "måltall OR kvote", SearchFilters(role="veileder")).hits) >= 2
    assert len(search(session, "måltall", SearchFilters(role="leder")).hits) >= 2


KURS = """---
participant: D2
role: deltaker
wave: T1
---
I: Har du gått på kurs?
D2: Ja, jeg gikk på kurs i vår.
Kurset var bra, og kursene etterpå også.

I: Og ellers?
D2: Kursing hele dagen er slitsomt. Det var en bratt kurve.
"""


@pytest.fixture
def kurs(session: Session, tmp_path: Path) -> Session:
    make_transcript(session, tmp_path, KURS, name="d2")
    return session


def test_a_prefix_finds_every_word_that_starts_with_it(kurs: Session) -> None:
    # The index holds stems (kurs -> kur, kurset -> kurs), yet a prefix goes by the words as written.
    assert keywords(kurs, "kurs*") == ["kurs", "kurs", "Kurset", "kursene", "Kursing"]
    assert keywords(kurs, "kur*") == ["kurs", "kurs", "Kurset", "kursene", "Kursing", "kurve"]
    assert keywords(kurs, "kurse*") == ["Kurset", "kursene"]
    assert keywords(kurs, "Kursi*") == ["Kursing"]
    assert keywords(kurs, "kursa*") == []
    assert search(kurs, "kurs*").turns_matched == 3
    assert search(kurs, "kurs* NOT kurve").turns_matched == 2
    assert keywords(kurs, "kurs* AND bratt") == ["Kursing", "bratt"]


def test_a_word_still_matches_by_stem_and_not_by_the_words_as_written(kurs: Session) -> None:
    assert keywords(kurs, "kurset") == ["Kurset", "kursene"]  # stem kurs, not the word "kurs" (stem kur)
    assert keywords(kurs, "kurs") == ["kurs", "kurs"]


def test_an_index_made_before_prefixes_went_by_words_is_upgraded(tmp_path: Path) -> None:
    from alembic import command

    from qualcode.store.project import Project, _alembic_config

    root = tmp_path / "gammel"
    with Project.create(root) as project:
        with project.begin() as session:
            make_transcript(session, tmp_path, KURS, name="d2")
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0002")
            columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(search_index)")]
            assert columns == ["stems"]
    with Project.open(root) as project, project.begin() as session:
        assert keywords(session, "kurs*") == ["kurs", "kurs", "Kurset", "kursene", "Kursing"]
        assert keywords(session, '"gikk på kurs"') == ["gikk på kurs"]
