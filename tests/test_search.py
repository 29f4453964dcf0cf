"""Search: Norwegian stems on word boundaries, phrases, AND/OR/NOT, filters, keyword in context."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import KeyAccess
from qualcode.coding.service import add_coding
from qualcode.errors import NotFound, SearchSyntaxError
from qualcode.importers.metadata import import_participants
from qualcode.search.index import rebuild_index
from qualcode.search.query import parse_query, query_as_stored
from qualcode.search.service import SearchFilters, search
from qualcode.store.models import Coder
from qualcode.store.project import Project
from tests.conftest import SAMPLES, isolate_user, make_transcript, sample_key

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


INFLECTED = """I: Hva gjorde veilederen?
V1: Veilederen tok ansvaret. Jeg har ansvar for kurs, og kurset var bra.
Veileder og veiledere møttes, og veilederne med deltakerne.
"""


def test_a_word_finds_its_inflections_where_one_ending_leaves_another(session: Session, tmp_path: Path) -> None:
    """Snowball takes one ending off: "veilederen" -> "veileder", but "veileder" -> "veiled";
    "kurset" -> "kurs", but "kurs" -> "kur"; and "veilederne" -> "veiledern". Every form finds
    every other, and the hits are the words."""
    make_transcript(session, tmp_path, INFLECTED)
    every_form = {
        "veileder": ["veilederen", "Veilederen", "Veileder", "veiledere", "veilederne"],
        "ansvar": ["ansvaret", "ansvar"],
        "kurs": ["kurs", "kurset"],
    }
    for word, forms in every_form.items():
        for query in (word, *{form.lower() for form in forms}):
            assert keywords(session, query) == forms, query
    assert keywords(session, '"veileder tok"') == ["Veilederen tok"]
    assert keywords(session, '"veileder med deltaker"') == ["veilederne med deltakerne"]
    assert search(session, "deltaker").compounds is None  # "deltakerne" is found, not a compound
    assert keywords(session, '"ansvar for kurs"') == ["ansvar for kurs"]


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
        # AND at either end joined nothing and was taken silently (a probe's 'ja AND'), while 'OR OR' was refused.
        ("ja AND", "query 'ja AND' has nothing to search for on one side of AND or OR"),
        ("AND ja", "query 'AND ja' has nothing to search for on one side of AND or OR"),
        ("(ja AND) OR nei", "query '(ja AND) OR nei' has nothing to search for on one side of AND or OR"),
        ("ja AND AND nei", "query 'ja AND AND nei' has nothing to search for on one side of AND or OR"),
        # Brackets round nothing, or left open: said as such, not as an AND or OR with nothing beside it.
        ("((", "query '((' has an unclosed parenthesis"),
        ("ja OR ()", "query 'ja OR ()' has a parenthesis with nothing to search for inside"),
        ("(ja OR)", "query '(ja OR)' has nothing to search for on one side of AND or OR"),
        ("press OR", "query 'press OR' has nothing to search for"),
        ("!!!", "'!!!' in query '!!!' has no letters or digits to search for"),
    ],
)
def test_bad_queries_are_clear_errors(corpus: Session, query: str, says: str) -> None:
    with pytest.raises(SearchSyntaxError, match=re.escape(says)):
        search(corpus, query)


@pytest.mark.parametrize("query", [
    "", "NOT", "veileder NOT", "NOT NOT", "ja NOT AND nei", "(", "((press)", "ja ( nei", ")", "press) nei", "AND OR",
    '"bli hørt', '""', "*", "*a*b*", '"kurs*"', "(" * 101 + "press" + ")" * 101,
])
def test_every_bad_query_says_what_to_do(query: str) -> None:
    """A probe: "NOT", "veileder NOT", "NOT NOT", "((press)" and "press) nei" were refused in a line that
    said what was wrong but not what to write instead, as every other refusal of a query does."""
    with pytest.raises(SearchSyntaxError) as refused:
        parse_query(query)
    assert refused.value.hint, str(refused.value)


def test_parentheses_nest_up_to_the_limit_and_deeper_is_a_clear_error(corpus: Session) -> None:
    from qualcode.search.query import MAX_DEPTH

    deepest = "(" * MAX_DEPTH + "press" + ")" * MAX_DEPTH
    assert parse_query(deepest).fts == parse_query("press").fts
    assert search(corpus, deepest).hits == search(corpus, "press").hits
    for depth in (MAX_DEPTH + 1, 400, 100_000):
        with pytest.raises(SearchSyntaxError, match=f"the query nests parentheses more than {MAX_DEPTH} deep"):
            search(corpus, "(" * depth + "press" + ")" * depth)
    with pytest.raises(SearchSyntaxError, match="more than"):  # unclosed: refused for its depth all the same
        parse_query("press OR " + "(" * 400 + "press")


def test_unknown_filter_values_are_errors(corpus: Session, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no transcript 'finnes-ikke' in this project"):
        search(corpus, "press", SearchFilters(transcript="finnes-ikke"))
    # A mistyped role or wave is said, with those there are, not searched for and found nowhere.
    with pytest.raises(NotFound, match=r"^no participant has the role 'veiledr' \(roles: deltaker, veileder\)$"):
        search(corpus, "press", SearchFilters(role="veiledr"))
    with pytest.raises(NotFound, match=r"^no transcript is from wave 'T3' \(waves: T1, T2\)$"):
        search(corpus, "press", SearchFilters(wave="T3"))
    assert search(corpus, "press", SearchFilters(role="Veileder", wave="t2")).turns_matched == 1  # in any case, as before
    assert search(corpus, "press", SearchFilters(role="VEILEDER")).turns_matched == 1
    make_transcript(corpus, tmp_path, "---\nparticipant: R1\nrole: rådgiver\n---\nI: Og du?\nR1: Mye press.\n", name="r1")
    assert search(corpus, "press", SearchFilters(role="RÅDGIVER")).turns_matched == 1  # beyond what SQLite's lower() folds


@pytest.mark.parametrize(("query", "says"), [
    ('"kurs*"', r'would be ignored: a "phrase" matches its words by their stems \(put a \* on one word outside quotes, as in kurs\*\)'),
    ("seks-sju*", r"would be ignored: seks-sju\* is 2 words \(put a \* on one word outside quotes, as in seks AND sju\*\)"),
])
def test_a_star_no_search_would_honour_is_refused_not_dropped(query: str, says: str) -> None:
    with pytest.raises(SearchSyntaxError, match=says):
        parse_query(query)


def test_fts_expression_uses_stems() -> None:
    assert parse_query('Medvirkningen AND "bli hørt"').fts == (
        '(stems : ("medvirkning" OR "medvirkningen") AND stems : "bli hørt")'
    )
    # A phrase goes by each word's stem and by the stems of the words it finds.
    assert parse_query('"veileder sa"').fts == 'stems : ("veiled sa" OR "veileder sa" OR "veiledern sa")'
    assert parse_query('"veileder veileder veileder veileder"').fts == (
        'stems : "veiled veiled veiled veiled"'  # 81 combinations: by the stems alone
    )
    # Only nouns in -er as Snowball sees them: "gjer" (does) and "gjerne" (gladly) stay apart.
    assert parse_query("gjer").fts == 'stems : "gjer"' and parse_query("gjerne").fts == 'stems : ("gjern" OR "gjerne")'
    assert parse_query("deltakerne").fts == (
        '(stems : ("deltakern" OR "deltakerne" OR "deltaker") OR words : ("deltaker"))'
    )
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


def test_a_word_finds_its_base_form_and_inflections_but_not_words_it_begins(kurs: Session) -> None:
    # kurs -> kur, kurset -> kurs: each finds the other all the same; kursing and kurve are other words.
    for query in ("kurs", "kurset", "KURSENE"):
        assert keywords(kurs, query) == ["kurs", "kurs", "Kurset", "kursene"], query
    assert search(kurs, "kurs").turns_matched == 2
    assert search(kurs, "kurset NOT kursing").turns_matched == 2
    assert search(kurs, "kurs NOT kursene").turns_matched == 0  # every form, on each side


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


# --- Compounds, wildcards at the start of a word, counting, unclosed quotes, attributes -----------

BRUKER = """---
participant: D3
role: deltaker
wave: T1
---
I: Hva med brukermedvirkning hos dere?
D3: Brukermedvirkningen var god. Vi hadde en medvirkningsarena hvert år, og brukermedvirkning i planen.

I: Og medvirkning ellers?
D3: Medvirkning var typisk for kontoret.
"""

KONTOR_B = """---
participant: D4
role: deltaker
wave: T2
attributes:
  sted: hjemme
---
I: Og hos dere?
D4: Medvirkning merket jeg lite til. Brukermedvirkning var et ord på veggen.
"""

PARTICIPANTS_CSV = """participant,role,gender,age_band,office,barn
D3,deltaker,kvinne,30-39,kontor A,ja
D4,deltaker,mann,20-29,kontor B,nei
"""


@pytest.fixture(scope="module")
def studie(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """One project for the read-only tests below: two interviews about medvirkning and their participants."""
    from qualcode.codebook.service import apply_codebook
    from qualcode.codebook.shipped import KVP_CODEBOOK
    from qualcode.codebook.yaml_format import load_codebook
    from qualcode.store.project import Project

    base = tmp_path_factory.mktemp("studie")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_user(monkeypatch, tmp_path_factory.mktemp("home"))
        with Project.create(base / "studie") as project:
            with project.begin() as session:
                apply_codebook(session, load_codebook(KVP_CODEBOOK))
                (base / "deltakere.csv").write_text(PARTICIPANTS_CSV, encoding="utf-8")
                import_participants(session, base / "deltakere.csv")
                make_transcript(session, base, BRUKER, name="d3")
                make_transcript(session, base, KONTOR_B, name="d4")
                make_transcript(session, base, DELTAKER, name="d1")
            yield project


@pytest.fixture
def reader(studie: Project) -> Iterator[Session]:
    with studie.begin() as session:
        yield session


def test_a_word_search_stays_on_word_boundaries_and_says_what_compounds_hold(reader: Session) -> None:
    result = search(reader, "medvirkning")
    assert keywords(reader, "medvirkning") == ["medvirkning", "Medvirkningen", "medvirkning", "Medvirkning", "Medvirkning"]
    # Two more turns hold the word only inside compounds; d4's turn with "Brukermedvirkning" is found already.
    assert result.compounds is not None
    assert result.compounds.turns == 2
    assert result.compounds.words == ("brukermedvirkning", "brukermedvirkningen", "medvirkningsarena")
    assert str(result.compounds) == (
        "also in 2 turns inside compounds: brukermedvirkning, brukermedvirkningen, medvirkningsarena"
        " — search *medvirkning*"
    )
    assert search(reader, "medvirkning", compounds=False).compounds is None  # for callers that show no hint
    # "typisk" holds "pisk" beside two letters only: no compound, and never a hit.
    pisk = search(reader, "pisk")
    assert (pisk.hits, pisk.compounds) == ([], None)
    # Only one-word searches get the hint; a phrase or a boolean query says nothing about compounds.
    assert search(reader, "medvirkning OR planen").compounds is None
    assert search(reader, '"var god"').compounds is None


def test_compounds_are_counted_under_the_same_filters(reader: Session) -> None:
    assert search(reader, "medvirkning", SearchFilters(transcript="d4")).compounds is None
    assert search(reader, "medvirkning", SearchFilters(transcript="d1")).compounds is None
    compounds = search(reader, "medvirkning", SearchFilters(role="deltaker")).compounds
    assert compounds is not None
    assert (compounds.turns, compounds.words) == (1, ("brukermedvirkning", "brukermedvirkningen", "medvirkningsarena"))


def test_a_wildcard_at_the_start_finds_the_words_that_end_with_it(reader: Session) -> None:
    assert keywords(reader, "*medvirkning") == [
        "medvirkning", "brukermedvirkning", "brukermedvirkning", "medvirkning", "Medvirkning", "Medvirkning",
        "Brukermedvirkning",
    ]
    assert keywords(reader, "*pisk") == ["typisk", "typisk"]  # asked for, the end of a word is found


def test_wildcards_at_both_ends_find_the_words_that_hold_it(reader: Session) -> None:
    assert keywords(reader, "*medvirkning*", transcript="d3") == [
        "brukermedvirkning", "Brukermedvirkningen", "medvirkningsarena", "brukermedvirkning", "medvirkning", "Medvirkning",
    ]
    assert keywords(reader, "*virk*", transcript="d4") == ["Medvirkning", "Brukermedvirkning"]
    # Fewer than three letters are looked up without the trigram index, with the same result.
    assert keywords(reader, "*re*", transcript="d3") == ["dere", "medvirkningsarena", "kontoret"]
    assert keywords(reader, "*na", transcript="d3") == ["medvirkningsarena"]
    assert keywords(reader, "*rena", transcript="d3") == ["medvirkningsarena"]


def test_wildcards_combine_with_words_phrases_and_not(reader: Session) -> None:
    assert keywords(reader, "*medvirkning* AND veggen") == ["Medvirkning", "Brukermedvirkning", "veggen"]
    assert keywords(reader, "*medvirkning NOT planen", transcript="d3") == ["brukermedvirkning", "medvirkning", "Medvirkning"]
    assert keywords(reader, "planen NOT *arena", transcript="d3") == []
    assert keywords(reader, "*finnesikke* OR veggen") == ["veggen"]
    assert keywords(reader, "veggen NOT *finnesikke*") == ["veggen"]


@pytest.mark.parametrize(("query", "says"), [
    ("med*ning", "'med*ning' in query 'med*ning' has a * inside the word"),
    ("*", "'*' in query '*' has no letters or digits to search for"),
    ("**", "'**' in query '**' has no letters or digits to search for"),
])
def test_a_misplaced_wildcard_is_a_clear_error(reader: Session, query: str, says: str) -> None:
    with pytest.raises(SearchSyntaxError, match=re.escape(says)) as raised:
        search(reader, query)
    if "*" in query.strip("*"):
        assert raised.value.hint == "a * goes at the start or end of a word: medvirk*, *medvirkning, *medvirkning*"


def test_a_wildcard_for_too_many_words_is_refused(reader: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import qualcode.search.service as service

    monkeypatch.setattr(service, "MOST_WILDCARD_WORDS", 2)
    with pytest.raises(SearchSyntaxError, match=r"\*medvirkning\* matches 5 different words"):
        search(reader, "*medvirkning*")


def test_wildcards_that_stand_for_too_many_words_together_are_refused(reader: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """One wildcard within the limit written many times made an expression of a million words (20 s)."""
    import qualcode.search.service as service

    monkeypatch.setattr(service, "MOST_WILDCARD_WORDS", 12)
    assert keywords(reader, "*medvirkning* OR *medvirkning*")  # 5 words twice: within 12
    many = " OR ".join(["*medvirkning*"] * 3)
    with pytest.raises(SearchSyntaxError, match=r"the 3 wildcards in query .* stand for 15 words together") as raised:
        search(reader, many)
    assert raised.value.hint == "use fewer wildcards, or give more letters of each word"


@pytest.mark.parametrize(("query", "hint"), [
    ('"bli hørt', 'end the phrase with another ": "bli hørt"'),
    ('medvirkning "bli hørt', 'end the phrase with another ": medvirkning "bli hørt"'),
    ('"i samråd" "planen', 'end the phrase with another ": "i samråd" "planen"'),
    ('planen "', 'a phrase is words between two ", as in "bli hørt"'),
])
def test_an_unclosed_quote_says_what_is_wrong_and_what_to_do(reader: Session, query: str, hint: str) -> None:
    with pytest.raises(SearchSyntaxError, match=re.escape(f'query {query!r} opens a phrase with " but never closes it')) as raised:
        search(reader, query)
    assert raised.value.hint == hint


def test_the_turns_holding_hits_are_counted_whether_shown_or_not(reader: Session) -> None:
    queries = [
        "medvirkning", "*medvirkning*", "brukermed*", '"var god"', "medvirkning OR planen", "*medvirkning AND var",
        "var NOT planen", "jeg", "i",
    ]
    for query in queries:
        everything = search(reader, query, limit=1_000)
        assert not everything.truncated and everything.hits, query
        assert everything.turns_matched == len({(hit.transcript, hit.turn) for hit in everything.hits}), query
        counted = search(reader, query, limit=1)
        assert (counted.turns_matched, len(counted.hits), counted.truncated) == (
            everything.turns_matched, 1, len(everything.hits) > 1,
        ), query


def test_the_count_says_one_thing(reader: Session) -> None:
    assert search(reader, "medvirkning", limit=2).summary == "found in 5 turns; the first 2 hits are shown"
    assert search(reader, "medvirkning").summary == "found in 5 turns"
    assert search(reader, "veggen").summary == "found in 1 turn"
    assert search(reader, "finnesikke").summary == "found in no turn"


@pytest.mark.parametrize("sorted_at_most", [2_000, 0])
def test_under_a_code_only_hits_inside_its_passages_are_counted(
    corpus: Session, coder: Coder, monkeypatch: pytest.MonkeyPatch, sorted_at_most: int,
) -> None:
    import qualcode.search.service as service

    monkeypatch.setattr(service, "SORTED_AT_MOST", sorted_at_most)  # matches sorted at once, or per transcript
    add_coding(corpus, "v1", "måltall-press/inntakspress", coder, match="Vi må fylle opp plassene før jul")
    # "press" lies in the coded turn, outside the passage; "Måltallet" in the same turn too.
    result = search(corpus, "jul OR press", SearchFilters(code="måltall-press"))
    assert [hit.keyword for hit in result.hits] == ["jul"]
    assert (result.turns_matched, result.summary) == (1, "found in 1 turn")
    outside = search(corpus, "måltall", SearchFilters(code="måltall-press"))
    assert (outside.hits, outside.turns_matched, outside.summary) == ([], 0, "found in no turn")


def test_filters_by_participant_and_transcript_attributes(reader: Session) -> None:
    def found(*attributes: tuple[str, str]) -> list[str]:
        return keywords_with(reader, "medvirkning", SearchFilters(attributes=attributes))

    assert found(("office", "kontor A")) == ["d3:Medvirkning"]
    assert found(("office", "kontor B")) == ["d4:Medvirkning"]
    assert found(("gender", "mann"), ("age_band", "20-29")) == ["d4:Medvirkning"]
    assert found(("barn", "ja")) == ["d3:Medvirkning"]  # an attribute beyond the participant's columns
    assert found(("sted", "hjemme")) == ["d4:Medvirkning"]  # the transcript's
    assert found(("barn", "nei")) == ["d4:Medvirkning"]
    assert found(("office", "kontor A"), ("barn", "nei")) == []
    assert found(("wave", "T2")) == ["d4:Medvirkning"]
    assert found() == ["d1:medvirkning", "d1:Medvirkningen", "d3:medvirkning", "d3:Medvirkning", "d4:Medvirkning"]


def keywords_with(session: Session, query: str, filters: SearchFilters) -> list[str]:
    return [f"{hit.transcript}:{hit.keyword}" for hit in search(session, query, filters).hits]


def test_vocabulary_follows_the_text_when_a_transcript_is_replaced(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    from qualcode.importers.service import ImportOptions, import_paths

    folder = tmp_path / "filer"
    folder.mkdir()
    (folder / "d3.txt").write_text(BRUKER, encoding="utf-8")
    import_paths(project, [folder], key_access, ImportOptions(), "Forsker 1")
    with project.begin() as session:
        assert keywords(session, "*arena") == ["medvirkningsarena"]
    (folder / "d3.txt").write_text(BRUKER.replace("medvirkningsarena", "samlingsplass"), encoding="utf-8")
    import_paths(project, [folder], key_access, ImportOptions(replace=True), "Forsker 1")
    with project.begin() as session:
        assert keywords(session, "*arena") == []
        assert keywords(session, "*plass") == ["samlingsplass"]
        vocabulary = set(session.execute(text("SELECT word FROM search_index_vocabulary")).scalars())
        indexed = {word for words in session.execute(text("SELECT words FROM search_index")).scalars() for word in words.split()}
        assert vocabulary == indexed
        rebuild_index(session)
        assert set(session.execute(text("SELECT word FROM search_index_vocabulary")).scalars()) == indexed


def test_the_vocabulary_is_built_for_a_project_made_before_it(tmp_path: Path) -> None:
    from alembic import command

    from qualcode.store.project import Project, _alembic_config

    root = tmp_path / "gammel"
    with Project.create(root) as project:
        with project.begin() as session:
            make_transcript(session, tmp_path, BRUKER, name="d3")
        with project.engine.begin() as connection:
            command.downgrade(_alembic_config(connection), "0004")
            tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
            assert "search_index_vocabulary" not in tables
    with Project.open(root) as project, project.begin() as session:
        assert keywords(session, "*medvirkning*") == [
            "brukermedvirkning", "Brukermedvirkningen", "medvirkningsarena", "brukermedvirkning", "medvirkning",
            "Medvirkning",
        ]


def test_cli_search_prints_hits_the_count_and_the_compound_hint(studie: Project) -> None:
    from click.testing import CliRunner

    from qualcode.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["--project", str(studie.root), "search", "medvirkning", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr.splitlines() == [
        "found in 5 turns; the first 3 hits are shown (raise --limit to see more)",
        "also in 2 turns inside compounds: brukermedvirkning, brukermedvirkningen, medvirkningsarena"
        " — search *medvirkning*",
    ]
    office = runner.invoke(cli, ["--project", str(studie.root), "search", "*medvirkning*", "--attribute", "office=kontor B"])
    assert office.exit_code == 0 and office.stderr.strip() == "found in 1 turn"
    assert "[Brukermedvirkning]" in office.stdout


@pytest.mark.parametrize(("arguments", "message"), [
    (["search", '"bli hørt'], "opens a phrase with \" but never closes it"),
    (["search", "(" * 400 + "planen" + ")" * 400], "the query nests parentheses more than 100 deep"),
    (["analyse", "codes", "--query", "(" * 400 + "planen" + ")" * 400], "the query nests parentheses more than 100 deep"),
    (["search", "medvirkning", "--attribute", "kontor"], "is not NAME=VALUE"),
    (["search", "medvirkning", "--attribute", "bydel=A"], "no attribute 'bydel'"),
    (["coding", "list", "--attribute", "office=kontor Q"], "no participant or transcript has office 'kontor Q'"),
    # A probe: a traceback for -5 and for 20 digits, and 2 GB of spaces for 2,000,000,000.
    (["search", "medvirkning", "--width", "-5"], "Invalid value for '--width': -5 is not in the range 0<=x<=1000."),
    (["search", "medvirkning", "--width", "2000000000"], "is not in the range 0<=x<=1000."),
])
def test_cli_refuses_bad_queries_and_filters_in_one_line(studie: Project, arguments: list[str], message: str) -> None:
    from click.testing import CliRunner

    from qualcode.cli import cli

    result = CliRunner().invoke(cli, ["--project", str(studie.root), *arguments])
    assert result.exit_code == (2 if "--width" in arguments else 1)  # a value out of an option's range is a usage error
    assert message in result.stderr and len(result.stderr.strip().splitlines()) <= 2


def test_an_export_refuses_a_query_nested_too_deep_in_one_line(demo: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from qualcode.cli import cli

    deep = "(" * 400 + "planen" + ")" * 400
    result = CliRunner().invoke(cli, ["--project", str(demo), "export", "quotes", "--query", deep,
                                      "--format", "csv", "--output", str(tmp_path / "q.csv")])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: the query nests parentheses more than 100 deep (hint: simplify it: a search needs only a few levels,"
        " as in (a OR b) AND c)"]
    assert not (tmp_path / "q.csv").exists()


def test_coding_list_filters_by_attribute_as_exports_do(corpus: Session, coder: Coder) -> None:
    from qualcode.coding.service import list_codings

    add_coding(corpus, "v1", "måltall-press/inntakspress", coder, match="Vi må fylle opp plassene før jul")
    add_coding(corpus, "d1", "empowerment", coder, match="Jeg ble hørt")
    by_role = list_codings(corpus, attributes=(("role", "veileder"),))
    assert [(view.transcript, view.code_path) for view in by_role] == [("v1", "måltall-press/inntakspress")]
    assert [view.transcript for view in list_codings(corpus, attributes=(("wave", "T1"),))] == ["d1"]
    with pytest.raises(NotFound, match="no attribute 'bydel'"):
        list_codings(corpus, attributes=(("bydel", "A"),))


def test_a_withdrawn_participants_words_leave_the_vocabulary(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    from qualcode.config import Config
    from qualcode.importers.service import ImportOptions, import_paths
    from qualcode.workspace import Workspace

    folder = tmp_path / "filer"
    folder.mkdir()
    (folder / "d3.txt").write_text(BRUKER, encoding="utf-8")
    (folder / "d4.txt").write_text(KONTOR_B, encoding="utf-8")
    import_paths(project, [folder], key_access, ImportOptions(), "Forsker 1")
    Workspace(project, Config(coder="Forsker 1", passphrase="test passphrase")).withdraw("D3")
    with project.begin() as session:
        vocabulary = set(session.execute(text("SELECT word FROM search_index_vocabulary")).scalars())
        assert "medvirkningsarena" not in vocabulary and "brukermedvirkning" in vocabulary  # d4 still says it
        assert keywords(session, "*arena") == []
        assert keywords(session, "*medvirkning") == ["Medvirkning", "Brukermedvirkning"]


def test_many_matches_are_read_transcript_by_transcript_in_the_same_order(reader: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import qualcode.search.service as service

    queries = [
        ("medvirkning", SearchFilters()), ("*medvirkning*", SearchFilters()), ("var OR i", SearchFilters()),
        ("medvirkning", SearchFilters(role="deltaker")), ("*medvirkning", SearchFilters(attributes=(("office", "kontor B"),))),
    ]
    sorted_at_once = [search(reader, query, filters, limit=1_000) for query, filters in queries]
    assert sorted_at_once[0].compounds is not None
    monkeypatch.setattr(service, "SORTED_AT_MOST", 0)
    for (query, filters), expected in zip(queries, sorted_at_once, strict=True):
        for limit in (1_000, 2):
            by_transcript = search(reader, query, filters, limit=limit)
            assert by_transcript.hits == expected.hits[:limit], query
            assert by_transcript.turns_matched == expected.turns_matched, query
            assert by_transcript.truncated == (len(expected.hits) > limit), query


def test_the_workspace_searches_with_attributes_as_the_cli_does(studie: Project) -> None:
    from qualcode.config import Config
    from qualcode.workspace import Workspace

    workspace = Workspace(studie, Config(coder="Forsker 1"))
    result = workspace.search("medvirkning", attributes=(("office", "kontor B"),))
    assert [(hit.transcript, hit.keyword) for hit in result.hits] == [("d4", "Medvirkning")]
    with pytest.raises(NotFound, match="no participant or transcript has office 'kontor Q'"):
        workspace.search("medvirkning", attributes=(("office", "kontor Q"),))


@pytest.mark.parametrize("query", ["AND", "press OR", "OR press"])
def test_a_lone_and_or_or_says_where_it_goes(session: Session, query: str) -> None:
    with pytest.raises(SearchSyntaxError, match="on one side of AND or OR") as refused:
        search(session, query)
    assert refused.value.hint is not None and "go between two searches" in refused.value.hint


def test_a_text_an_import_left_staged_is_not_counted(project: Project, tmp_path: Path) -> None:
    """A killed import leaves a text staged (transcript id < 0) with its turns indexed until the
    next import removes it: its turns were counted, "found in 2 turns" with 1 shown."""
    import sqlite3

    with project.begin() as session:
        make_transcript(session, tmp_path, "I: Hvordan var tiltaket?\nD1: Tiltaket var nyttig.\n", name="ferdig", key=PseudonymKey("test"))
    with sqlite3.connect(project.database) as connection:
        connection.execute("PRAGMA foreign_keys = OFF")
        columns = [row[1] for row in connection.execute("PRAGMA table_info(text_versions)") if row[1] != "id"]
        listed = ", ".join(columns)
        picked = listed.replace("transcript_id", "-7").replace("content_hash", "'staged'")
        staged = connection.execute(f"INSERT INTO text_versions ({listed}) SELECT {picked} FROM text_versions").lastrowid
        turn_columns = [row[1] for row in connection.execute("PRAGMA table_info(turns)") if row[1] != "id"]
        listed_turns = ", ".join(turn_columns)
        for turn_id in [row[0] for row in connection.execute("SELECT id FROM turns")]:
            copy = connection.execute(
                f"INSERT INTO turns ({listed_turns}) SELECT {listed_turns.replace('text_version_id', str(staged))} FROM turns WHERE id = ?",
                (turn_id,),
            ).lastrowid
            connection.execute("INSERT INTO search_index(rowid, stems, words) SELECT ?, stems, words FROM search_index WHERE rowid = ?", (copy, turn_id))
    with project.begin() as session:
        result = search(session, "nyttig")
        assert (result.turns_matched, [hit.transcript for hit in result.hits]) == (1, ["ferdig"])


def test_a_selection_by_query_takes_passages_holding_a_hit_whole(demo: Path) -> None:
    """A probe: a passage ending inside "måltall" ("Vi får et mål") was exported by `--query måltall`,
    whose help says "only quotes holding a hit"; the counts took it too."""
    import json

    from click.testing import CliRunner

    from qualcode.cli import cli

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--project", str(demo), *args])
        assert result.exit_code in (0, 1), result.output
        return result.output

    text = json.loads(run("transcripts", "show", "leder_L1", "--json"))["text"]
    start = text.index("Vi får et måltall")
    run("coding", "add", "leder_L1", "måltall-press", "--start", str(start), "--end", str(start + len("Vi får et mål")))
    for args in (["export", "quotes", "--format", "csv", "--output", str(demo / "q.csv")], ["analyse", "codes"]):
        assert "no quotes match the query 'måltall'" in run(*args, "--query", "måltall")
    run("coding", "add", "leder_L1", "empowerment", "--start", str(start), "--end", str(start + len("Vi får et måltall")))
    assert "1 quote under 1 code" in run("export", "quotes", "--format", "csv", "--query", "måltall", "--output", str(demo / "q.csv"))
    counted = {row["key"]: row["values"]["passages"] for row in json.loads(run("analyse", "codes", "--query", "måltall", "--json"))["rows"]}
    assert counted["empowerment"] == 1 and counted["måltall-press"] == 0


def test_a_query_of_many_words_is_tried_only_where_its_words_stand_in_a_long_turn(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A probe: 3,000 words OR'ed over a turn of 8,000 words took 24 s, every word of the query
    tried at every word of the turn (24 million tries); it is tried where its stem or word stands."""
    from qualcode.search.query import Pattern

    turn = " ".join(f"ord{number}" for number in range(8_000))
    make_transcript(session, tmp_path, f"I: Si noe.\nD1: {turn} kontoret.\n", name="lang")
    tried = 0
    found_at = Pattern.found_at

    def counted(pattern: Pattern, *args: object) -> bool:
        nonlocal tried
        tried += 1
        return found_at(pattern, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Pattern, "found_at", counted)
    result = search(session, " OR ".join(f"ord{number}" for number in range(0, 6_000, 2)) + " OR kontor")
    assert result.turns_matched == 1
    assert result.hits[0].keyword == "ord0" and result.truncated
    assert tried == 3_001, tried  # where each of the query's 3,000 words stands, and "kontoret"


def test_an_error_in_a_long_query_quotes_it_cut_short_and_says_what_to_do() -> None:
    """A probe: a pasted paragraph ending in "…" was quoted whole (3,000 characters) before what was
    wrong with it, and "'…' has no letters or digits" said nothing of what to do."""
    paragraph = "Jeg hadde gått på sosialhjelp i mange år, og så ringte veilederen min " * 40 + "…"
    with pytest.raises(SearchSyntaxError) as refused:
        parse_query(paragraph)
    message = str(refused.value)
    assert message.startswith("'…' in query 'Jeg hadde gått på sosialhjelp") and len(message) < 250, message
    assert "has no letters or digits to search for" in message and "leave it out" in message


@pytest.mark.parametrize(("query", "replaced", "stored"), [
    ("Hilde OR planen", [("Hilde", "Andrea")], "Andrea OR planen"),
    ('"snakket med Hilde" AND plan*', [("Hilde", "Andrea")], '"snakket med Andrea" AND plan*'),
    ("Kristoffer Lie NOT kurset", [("Kristoffer Lie", "Morten Haugen")], "Morten Haugen NOT kurset"),
    # A placeholder's parentheses would group its words: a phrase of them, as the texts write it.
    ("NAV Horten OR planen", [("NAV Horten", "(NAV-kontor)")], '"(NAV-kontor)" OR planen'),
    ("(Horten OR Tønsberg) NOT kurs*", [("Horten", "(sted)"), ("Tønsberg", "(sted)")], '("(sted)" OR "(sted)") NOT kurs*'),
    ('"bor i Horten"', [("Horten", "(sted)")], '"bor i (sted)"'),
    ("Hilde*", [("Hilde", "Andrea")], "Andrea*"),
    ("Hildes plan", [("Hildes", "Andreas")], "Andreas plan"),
    # A placeholder inside a wildcard cannot be searched so: left as typed.
    ("Horten* OR planen", [("Horten", "(sted)")], "Horten* OR planen"),
])
def test_a_query_is_read_as_stored_with_its_syntax_kept(query: str, replaced: list[tuple[str, str]], stored: str) -> None:
    """The names in a query as the key stores them, word by word and phrase by phrase: operators, parentheses,
    phrases and wildcards as typed (the whole query pseudonymised made a placeholder's parentheses a group)."""
    found, applied = query_as_stored(query, replaced)
    assert found == stored
    assert applied == (tuple(replaced) if stored != query else ())
    parse_query(found)  # a query still


PLACES = """I: Hvor bor du?
D1: Jeg bor på Stovner nå. Jeg flyttet i stedet for å bli.
I: Og jobben?
D1: Jeg har praksis på et verksted nær Grorud, hos NAV Grorud sitt tiltak.
"""


def test_a_place_is_searched_as_its_placeholder_not_as_the_word_sted(session: Session, tmp_path: Path) -> None:
    """"Stovner" is stored as "(sted)", and searched so: the placeholder, never "stedet" or "verksted"
    by the stem of its word (a search for a place found "i stedet for å søke", and hinted at compounds)."""
    key = PseudonymKey("test")
    from qualcode.anonymise.apply import add_identifier

    for place in ("Stovner", "Grorud"):
        add_identifier(key, place, "place")
    add_identifier(key, "NAV Grorud", "nav_office")
    make_transcript(session, tmp_path, PLACES, key=key)
    for query in ('"(sted)"', '"(sted)" OR kurs'):
        result = search(session, query)
        assert [hit.keyword for hit in result.hits] == ["sted", "sted"], query
        assert result.turns_matched == 2 and result.compounds is None
    assert [hit.keyword for hit in search(session, '"(NAV-kontor)"').hits] == ["NAV-kontor"]
    assert "stedet" in [hit.keyword for hit in search(session, "stedet").hits]  # the word itself, by its stem as before
