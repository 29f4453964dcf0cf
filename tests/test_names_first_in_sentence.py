"""Names said only where a sentence or a turn begins, capitalised there for grammar anyway: proposed
for review when they read as names, of every origin, while the everyday words sentences begin with
are not. Real imports into a real project database, and the detector itself."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from qualcode.anonymise.candidates import _after_line_start, propose
from qualcode.anonymise.key import PseudonymKey
from qualcode.errors import NeedsReview
from tests.conftest import make_transcript

DATA = Path(__file__).parent / "data"


def _braced(name: str) -> tuple[str, list[str]]:
    """A corpus file's text without its comment lines and braces, and the phrases it braced."""
    source = "\n".join(line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return re.sub(r"[{}]", "", source) + "\n", re.findall(r"\{([^}]+)\}", source)


def _first(text: str) -> list[str]:
    """What is proposed in `text`, a turn of D1's, whose first word begins the turn."""
    return [proposal.text for proposal in propose(text, (), (), {"D1"}, [text.index(": ") + 2] if ": " in text else [0])]


def test_every_name_said_only_first_in_a_sentence_or_a_turn_is_proposed_at_import(session: Session, tmp_path: Path) -> None:
    """tests/data/names_first_in_sentence.txt: 69 names of eleven origins, each said once, first in a
    sentence, a turn, after a colon, inside quotation marks or alone as an answer. "Sivakumar", and
    Vietnamese names that are also words ("Tran", "Hung", "Lan"), were stored unproposed."""
    text, planted = _braced("names_first_in_sentence.txt")
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview):
        make_transcript(session, tmp_path, text, key=key)
    pending = {candidate.text for candidate in key.pending}
    assert [name for name in planted if name not in pending] == []


def test_nothing_is_proposed_where_sentences_begin_with_everyday_words(session: Session, tmp_path: Path) -> None:
    """tests/data/ordinary_first_words.txt: bokmål, nynorsk and dialect words, the services' compounds
    and English said aloud, first in their sentences, and the subjects of verbs said of people.
    Imported without a name to review: the dialect words "Kæm", "Hainn" and "Vårres", which no
    dictionary holds, were proposed."""
    text, _ = _braced("ordinary_first_words.txt")
    key = PseudonymKey("test")
    make_transcript(session, tmp_path, text, key=key)
    assert not key.pending


# Names that the lexicons also hold as words: Filipino "Rodel" (bokmål "rodel"), "Dela" (a verb's
# form), "Lovely" (English), Kurdish "Aras" (English, plural of "ara"), and the surname "Nordmann".
@pytest.mark.parametrize("name", ["Rodel", "Dela", "Lovely", "Aras", "Nordmann"])
@pytest.mark.parametrize("frame", [
    "D1: {name} sa at han ville.",
    "D1: Det var travelt. {name} ringte meg i går.",
    "I: Hvem ringte deg?\nD1: {name}.",
])
def test_a_name_the_lexicons_hold_as_a_word_is_proposed_as_a_subject_first_in_a_sentence(name: str, frame: str) -> None:
    """Each was stored unproposed: a word the lexicons know first in a sentence was taken for one
    capitalised for grammar, though bare before a verb said of people, or alone answering "who",
    a noun is not (it takes its definite form: "Veilederen sa")."""
    assert _first(frame.format(name=name)) == [name]


@pytest.mark.parametrize("text", ["D1: Aras kom for sent.", "D1: Nordmann var veilederen min.", "D1: Lovely skal få plassen.",
                                  "D1: Ja. Rodel hjalp meg med CV-en."])
def test_a_bare_subject_before_other_verbs_is_proposed_when_rare_or_said_to_be_a_role(text: str) -> None:
    assert len(_first(text)) == 1


@pytest.mark.parametrize("text", [
    # The verb's own subject follows it: the first word is no subject.
    "D1: Lovely var det. Dela gjorde vi. Innimellom ringte veilederen. Innimellom var veilederen sur.",
    # Kinship words, roles and definite forms are bare subjects without naming anyone.
    "D1: Bestemor sa at det var greit. Svigerfar ringte meg. Fastlegen sa at jeg måtte. Veilederen sa nei.",
    "D1: Mora sa at jeg måtte. Tolken kom ikke. Saksbehandleren ringte meg. Ungane var små.",
    # English said aloud, adverbs, compounds and genitives before a verb said of people.
    "D1: Anything kunne skje. Anyway sa at det var greit. Eigentleg sa dei ja. Gruppeintervju sa mye.",
    "I: Hvem ringte?\nD1: Veilederen.\nI: Og så?\nD1: Bestemor.\nI: Hvem hjalp deg?\nD1: Naboen.",
    # Nynorsk and dialect pronouns and question words, first in a sentence before a verb.
    "D1: Kem ringte? Kven sa det? Kæm veit. Dokker sa at det var greit. Hainn kom seint. Dæm sa ja. Vårres familie kom.",
    # Eastern dialects' (Toten, Hadeland) "hvem" and "hva", proposed in a field trial's interview.
    "D1: Kæn veit. Kæ skulle æ si da?",
])
def test_words_that_are_bare_subjects_without_naming_anyone_are_not_proposed(text: str) -> None:
    assert _first(text) == []


# Names no dictionary holds whole that split into rarely used words ("Siva|kumar", "Mohamed|amin",
# "Skjel|bred", "Her|mansen"): read as compound nouns, which a sentence's first word often is.
@pytest.mark.parametrize("name", [
    "Sivakumar", "Mohamedamin", "Hermansen", "Skjelbred", "Hellstrøm", "Baumann", "Braaten",
])
@pytest.mark.parametrize("frame", [
    "D1: {name} sa at han ikke ville.",
    "D1: Det var travelt. {name} hjalp meg med CV-en.",
    "D1: Hun sa det sånn: {name} skal få plassen.",
    "D1: {name}.",
])
def test_a_name_that_looks_like_a_compound_is_proposed_first_in_a_sentence(name: str, frame: str) -> None:
    assert _first(frame.format(name=name)) == [name]


# Given names joined by a hyphen, as Norway's double names are written and others' too.
@pytest.mark.parametrize("name", ["Liv-Marit", "Inger-Anne", "Hans-Petter", "Per-Olav", "Karl-Johan", "Hodan-Amina", "Abdi-Rahman"])
@pytest.mark.parametrize("frame", ["D1: {name} sa at han ikke ville.", "D1: Jeg vet ikke. {name} ringte.", "D1: {name}."])
def test_a_double_name_is_proposed_first_in_a_sentence(name: str, frame: str) -> None:
    assert _first(frame.format(name=name)) == [name]


def test_a_name_first_in_a_sentence_is_proposed_with_the_surname_after_it() -> None:
    assert _first("D1: Sivakumar Rajendran sa det. Liv-Marit Hermansen var enig.") == [
        "Sivakumar Rajendran", "Liv-Marit Hermansen"]


@pytest.mark.parametrize("text", [
    # Hyphenated words first in their sentences that name no one: a part is no name.
    "D1: Øst-Europa var langt unna. Nord-Norge også. Sør-Sudan er et land. Nord-Vest var fint.",
    "D1: NAV-kontoret var stengt. KVP-deltakerne kom. Covid-tida var tung.",
    # Compounds of the services and of speech, which no English text writes.
    "D1: Handlingsplanen kom. Kvalifiseringsprogrammet var nytt. Jobbsøkerkurset var kjedelig.",
    "D1: Bydelskontoret var stengt. Oppmøteplikten var verst. Sosialhjelpa holdt ikke.",
])
def test_hyphenated_words_and_compounds_first_in_a_sentence_are_not_proposed(text: str) -> None:
    assert _first(text) == []


def test_a_name_written_lower_case_elsewhere_is_an_everyday_word_first_in_a_sentence() -> None:
    """The text's own lower case outweighs the name's look: "Hermansen" is proposed, "Tjorvalt" is no
    name where the same text writes "tjorvalt" too (a word the transcriber uses). One of Norway's surnames
    in lower case is proposed as such (test_a_surname_in_lower_case_is_proposed)."""
    assert _first("D1: Hermansen kom. Tjorvalt var det. Vi sa tjorvalt om det.") == ["Hermansen"]
    assert _first("D1: Hermansen kom. Skjelbred var det. Vi sa skjelbred om det.") == ["Hermansen", "skjelbred"]


@pytest.mark.parametrize(("text", "names"), [
    ("D1: hansen ringte meg i går.", ["hansen"]), ("D1: jeg snakket med marthinsen i går.", ["marthinsen"]),
    ("D1: jeg snakket med johansen og eriksson.", ["johansen", "eriksson"]), ("D1: jeg snakket med kari hansen.", ["kari hansen"]),
    # Proposed once, capitalised, where the text writes it so too, in its genitive as well.
    ("D1: jeg snakket med hansen. Hansens mor ringte.", ["Hansen"]),
    # A genitive in lower case, as the name ("karis mor" was stored as said).
    ("D1: jeg møtte karis mor på hansens kontor.", ["kari", "hansen"]), ("D1: det var mors dag og fars dag.", []),
    # "åsnes" is no genitive of a name, but a place the lists hold, after "i" (test_names_probe_leaks).
    ("D1: det var mors dag og fars dag i åsnes.", ["åsnes"]),
    # Surnames that are words too, or are said aloud: the words.
    ("D1: vi gikk opp bakken og ned i haugen, forbi skansen. joa, det var moen.", []),
])
def test_a_surname_in_lower_case_is_proposed(text: str, names: list[str]) -> None:
    """A transcriber in a hurry writes a surname in lower case, as a given name: only given names were looked for
    so ("kari hansen" was, "hansen" alone was stored as said)."""
    assert _first(text) == names


# Vietnamese names, few and shared by most of Norway's Vietnamese, written without their marks as
# Norwegian keyboards write them; several are also words ("tran", "hai", "lan"), none said so here.
@pytest.mark.parametrize("name", ["Tran", "Hung", "Lan", "Hai", "Dang", "Duong", "Thanh", "Huong", "Dung"])
@pytest.mark.parametrize("frame", ["D1: {name} hjalp meg med CV-en.", "D1: Det var travelt. {name} ringte i går.", "D1: {name}."])
def test_a_vietnamese_name_is_proposed_first_in_a_sentence(name: str, frame: str) -> None:
    assert _first(frame.format(name=name)) == [name]


def test_a_vietnamese_name_written_lower_case_elsewhere_is_the_word() -> None:
    assert _first("D1: Tran er sunt. Mamma ga oss tran hver dag.") == []


# Norway's common given names that nynorsk's lexicon holds as words were never proposed first in a sentence.
@pytest.mark.parametrize("name", ["Olav", "Knut", "Jan", "Arne", "Anders"])
def test_a_common_norwegian_given_name_is_proposed_first_in_a_sentence(name: str) -> None:
    assert _first(f"D1: Ja. {name} ringte meg i går.") == [name]


@pytest.mark.parametrize("name", ["Hans-Petter", "Per-Olav", "Liv-Marit", "Dag-Erik"])
def test_a_double_name_of_common_names_is_proposed_inside_a_sentence(name: str) -> None:
    """wordfreq rates "hans-petter" by its parts (4.56), as an everyday word: "Jeg snakket med
    Hans-Petter" was stored unproposed."""
    assert _first(f"D1: Jeg snakket med {name} i går.") == [name]


def test_a_nynorsk_law_first_in_a_sentence_is_no_name_though_its_last_part_is_one() -> None:
    """"Lova" is a given name (Faker's Swedish) and nynorsk's "the law": "Opplæringslova" is a compound."""
    assert _first("D1: Opplæringslova seier det. Offentleglova òg. Forvaltningslova gjeld.") == []


def _teams(title: str) -> str:
    """A Teams transcript as Teams writes it: the recording's title, its date and length, then turns."""
    return (f"{title}\n13. februar 2024, 10:03\n48m 12s\n\nIntervjuer   0:03\nHei, og velkommen.\n\n"
            "Deltaker 1   0:10\nTakk. Det går fint.\n\nIntervjuer   1:02\nFint.\n")


@pytest.mark.parametrize("title", [
    "Intervju D1-20240213_100312-Møteopptak",
    "Intervju D1-20240213-Møteopptak",
    "Intervju D2-20240214_091500-Meeting Recording",
    "Gruppeintervju G1-20240410_130000-Møteopptak",
    "Intervju D1 20240213 Møteopptak",
])
def test_a_teams_title_line_is_imported_with_nothing_to_review(session: Session, tmp_path: Path, title: str) -> None:
    """The title Teams heads a transcript with was proposed whole ("D1-20240213_100312-Møteopptak"),
    or its last word ("Møteopptak", "Recording"), holding every Teams transcript back for review."""
    key = PseudonymKey("test")
    make_transcript(session, tmp_path, _teams(title), key=key)
    assert key.pending == []


@pytest.mark.parametrize(("title", "names"), [
    ("Samtale med Sivakumar-20240213_100312-Møteopptak", {"Sivakumar"}),
    ("Intervju med Hodan Warsame-20240213_100312-Møteopptak", {"Hodan", "Warsame"}),
    ("Intervju Tesfaye-20240213-Meeting Recording", {"Tesfaye"}),
    ("Intervju Małgorzata Hermansen-20240213_100312-Møteopptak", {"Małgorzata", "Hermansen"}),
])
def test_a_name_in_a_teams_title_is_proposed_alone(session: Session, tmp_path: Path, title: str, names: set[str]) -> None:
    """A name in the meeting's title is proposed without the date and the recording's word Teams joins
    to it, so that accepting it replaces the name wherever it stands."""
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview):
        make_transcript(session, tmp_path, _teams(title), key=key)
    assert {candidate.text for candidate in key.pending} == names


@pytest.mark.parametrize("name", ["Hoen", "Hoa", "Hua", "Keane", "Kora", "Dein"])
def test_a_name_spelt_as_a_dialect_word_with_a_definite_ending_is_still_proposed(name: str) -> None:
    """Listed among the words that name no one, the dialect's "Ho", "Hu", "Ke", "Kor" and "Dei" made
    these their definite forms, and ordinary words: stored as said."""
    assert _first(f"D1: Jeg snakket med {name} i går. {name} sa at det var greit.") == [name]


# "Loan", a Vietnamese given name and an English word, was read as the definite form of the nynorsk "loa"
# ("loa" + "n"), and a noun's definite form is no bare subject: stored as said first in its sentence.
@pytest.mark.parametrize("text", [
    "D1: Loan sa at hun ville begynne.",
    "D1: Det var travelt. Loan ringte meg i går.",
    "D1: Loan skal begynne på kurs.",
    "I: Hvem ringte deg?\nD1: Loan.",
])
def test_a_name_the_lexicons_lack_ending_in_an_n_is_no_definite_form_first_in_a_sentence(text: str) -> None:
    assert _first(text) == ["Loan"]


# "Tam" and "Lek" (Vietnamese, Thai; Norwegian "tame", "play") are everyday words, names only where they
# are bare the subject of a verb said of people: after a modal or "har" too, where they were not looked for.
@pytest.mark.parametrize("text", [
    "D1: Tam skal ringe meg i morgen.",
    "D1: Det var travelt. Lek vil snakke med deg.",
    "D1: Tam kan ikke si noe om det.",
    "D1: Hun sa det sånn: Lek skulle spørre veilederen.",
    "D1: Tam har sagt at det var greit.",
])
def test_a_bare_word_before_a_modal_and_a_verb_said_of_people_is_proposed(text: str) -> None:
    assert _first(text) in (["Tam"], ["Lek"])


@pytest.mark.parametrize("text", [
    # Everyday words before a modal and no verb said of people, or before "hjelpe", which a noun does too.
    "D1: Lek skal være gøy. Tam var han ikke. Trang kan det bli. Lek er viktig for barn. Yoga kan hjelpe.",
    # Nouns that English texts hardly write, and the common "folk", before a verb said of people.
    "D1: Erfaring kan fortelle oss mye. Forskning har vist det. Folk kan si hva de vil.",
    # The modal's own subject follows it.
    "D1: Lek skal du ikke si noe om. Tam kan han ringe til.",
    # Words the lexicons hold that end in an "n", nynorsk's "sidan" and "medan" among them.
    "D1: Sidan kom tolken. Korn sa han ingenting om. Medan skal eg seie det.",
])
def test_everyday_words_before_a_modal_are_not_proposed(text: str) -> None:
    assert _first(text) == []


# Names no dictionary holds, proposed first in a sentence as rare words are: "Rattana" (Thai) was read as
# an inflection of "rattan" (Zipf 1.5, its Snowball stem), and "Nermina" (Bosnian) of the name "Nermin"
# (1.8), so neither was rare enough; both are also read as compounds ("rat|tana", "ner|mina").
@pytest.mark.parametrize("name", ["Rattana", "Nermina"])
@pytest.mark.parametrize("frame", [
    "D1: {name} sa at hun ikke ville.",
    "D1: Det var travelt. {name} hjalp meg med CV-en.",
    "D1: Hun sa det sånn: {name} skal få plassen.",
])
def test_a_name_whose_stem_is_no_norwegian_word_is_proposed_first_in_a_sentence(name: str, frame: str) -> None:
    assert _first(frame.format(name=name)) == [name]


@pytest.mark.parametrize("name", ["Loan", "Rattana", "Tam", "Lek"])
@pytest.mark.parametrize("frame", ["D1: og så sa {name} at det var greit.", "D1: jeg og {name} gikk dit.", "D1: Jeg snakket med {name} i går."])
def test_a_southeast_asian_name_inside_a_sentence_is_proposed(name: str, frame: str) -> None:
    assert _first(frame.format(name=name)) == [name]


def test_a_word_is_found_first_on_its_line_without_reading_the_line_before_it() -> None:
    """A memo is one line (a paste's lines are joined), and each capitalised word inside a sentence was
    looked at from the line's start, all the text before it copied and read: saving a pasted 3.6 MB
    memo took minutes, most of them here. What stands before a word on its line is read back from it."""
    line = "vi dro til Norge … og " * 250_000  # 5.5 million characters, two bytes each for the "…"
    places = [match.start() for match in re.finditer("Norge", line)][-500:]
    started = time.perf_counter()
    assert not any(_after_line_start(line, place) for place in places)
    assert time.perf_counter() - started < 0.25  # before: seconds
    assert _after_line_start(line + "\n  D1:  Kari", len(line) + 8) and not _after_line_start(line + "\nog Kari", len(line) + 4)


@given(st.text(alphabet=" \t\n\r\u2028\u00a0:)]aB1"), st.data())
def test_a_word_is_first_on_its_line_where_only_spaces_or_a_speakers_marker_stand_before_it(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    before = text[text.rfind("\n", 0, index) + 1:index].strip()  # the line before the word, read whole
    assert _after_line_start(text, index) == (before == "" or before.endswith((":", ")", "]")))


# Names that are also everyday words, on a list of names or not: the Thai nicknames "Nok" ("enough", a function
# word the capitalised runs left out) and "Tukta" (a bokmål verb's form), the Vietnamese "Trang" ("narrow"),
# and Norway's own "Per", "Liv" and "Dag", as common as words. Each was stored unproposed first in its sentence
# (and "Nok" anywhere), most where the text also writes the word in lower case, as every interview does "nok".
@pytest.mark.parametrize("text", [
    "D1: Trang sa at hun ikke fikk hjelp. Det var trang økonomi der.",
    "D1: Det var travelt. Tukta ringte meg i går.",
    "D1: Tukta var sint på meg.",
    "D1: Nok sa at hun ikke kunne komme. Det var nok sant.",
    "D1: Jeg vet ikke. Nok ringte meg i går.",
    "D1: Nok har sagt at det var greit.",
    "D1: Trang kom for sent i dag, og rommet var trang.",
    "D1: Trang var syk i går.",
    "D1: Nok var veilederen min.",
    "I: Hvem ringte deg?\nD1: Nok.",
    "D1: Per sa at det var greit, men det koster 100 kroner per time.",
    "D1: Liv ringte meg i går, og livet gikk videre.",
    "D1: Dag spurte om jeg ville være med.",
    # Statistics Norway's surnames that are words too, which its list in data/names.txt leaves apart.
    "D1: Foss kom for sent.",
    "D1: Det var sånn. Breivik var syk.",
])
def test_a_listed_name_that_is_also_a_word_is_proposed_where_it_stands_as_a_person(text: str) -> None:
    assert len(_first(text)) == 1, _first(text)


@pytest.mark.parametrize("text", [
    # The same words begin their sentences as words: before what no person does, or with the verb's own subject after it.
    "D1: Nok en gang ble jeg avvist. Nok om det. Nok er nok, sa jeg. Nok var det ikke. Nok kunne det vært verre.",
    "D1: Nok penger hadde vi aldri. Nok sa hun ikke, men det var tydelig. Nok kom det en regning.",
    "D1: Trangt var det. Trang økonomi gjorde det vanskelig. Trang var leiligheten også. Trang hadde vi det.",
    "D1: Per time fikk jeg 150 kroner. Liv er viktig. Liv og helse går foran. Dag etter dag gikk det sånn.",
    "D1: Hans mor sa at det var greit. Tukta ble han av faren sin. Lek skal være gøy. Foss var det mye av.",
    # Pronouns that are names too ("Andre", André): others.
    "D1: Andre sa at det var greit. Mange ringte.",
])
def test_the_same_words_first_in_a_sentence_as_words_are_not_proposed(text: str) -> None:
    assert _first(text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("D1: Per Olav sa at det var greit.", "Per Olav"),
    ("D1: Det var sånn. Liv Hansen ringte meg.", "Liv Hansen"),
    ("D1: Nok Sombat hjalp meg med CV-en.", "Nok Sombat"),
    # A double surname whose first part is an everyday word too, with its hyphen or without.
    ("D1: Vold-Hansen sa at det var greit.", "Vold-Hansen"), ("D1: Det var sånn. Lange-Nilsen kom inn.", "Lange-Nilsen"),
    ("D1: Hansen-Vold ringte meg.", "Hansen-Vold"), ("D1: Vold Hansen sa ja.", "Vold Hansen"),
])
def test_a_given_name_that_is_a_word_is_proposed_with_the_name_after_it_first_in_a_sentence(text: str, name: str) -> None:
    """Only the second name was proposed ("Olav", "Hansen"): accepted, it left "Per" and "Liv" in the text."""
    assert _first(text) == [name]


@pytest.mark.parametrize(("text", "name"), [
    ("D1: Det var sånn. Vold sa at hun ikke kunne komme.", "Vold"), ("D1: Hun kom. Lange ringte meg i går.", "Lange"),
    ("D1: Nord har ringt meg to ganger.", "Nord"), ("D1: Men Vold sa nei.", "Vold"),
    ("D1: Jeg snakket med Vold, og Vold sa at det var greit.", "Vold"),
    # What a person does, what a person said ("det" its object), what a person is.
    ("D1: Vold kom inn.", "Vold"), ("D1: Det var sånn. Lange kom for sent.", "Lange"), ("D1: Nord jobber på kontoret.", "Nord"),
    ("D1: Foss sa det.", "Foss"), ("D1: Foss mente dette.", "Foss"), ("D1: Vold er min veileder.", "Vold"),
    ("D1: Vold var veilederen min.", "Vold"), ("D1: Foss var syk.", "Foss"), ("D1: Foss og Vold kom inn.", "Vold"),
    # What a person writes or asks, one of two who do it, the answer to who.
    ("D1: Vold skrev til meg.", "Vold"), ("D1: Vold foreslo det.", "Vold"), ("D1: Det var sånn. Foss ba meg komme.", "Foss"),
    ("D1: Vold og Foss sa at det var greit.", "Vold"), ("I: Hvem ringte deg?\nD1: Vold.", "Vold"),
])
def test_a_surname_too_common_a_word_to_be_taken_for_a_name_elsewhere_is_proposed_as_the_one_who_speaks(text: str, name: str) -> None:
    """Statistics Norway's surnames that are everyday words ("Vold" 3,000 people, "Nord", "Lange") are
    proposed nowhere else, where they are the word ("Vold har økt", "NAV Nord"); before a verb said of people,
    as its subject, they name someone, and were stored as said. So did "Vold kom inn", "Foss sa det" and
    "Vold er min veileder": what a person does, says, or is."""
    assert name in _first(text)


@pytest.mark.parametrize("text", [
    "D1: Vold var et tema.", "D1: Vold har økt i kommunen.", "D1: NAV Nord sa at de ville hjelpe.", "D1: Kontor Nord sa ja.",
    "D1: Vold skjer oftere enn vi tror.", "D1: Nord sa vi at vi skulle dra.", "D1: Lange ventetider sa hun var problemet.",
    "D1: Vold er et problem.", "D1: Lange dager gikk.", "D1: NAV Nord kom med et tilbud.", "D1: Kontor Nord jobber godt.",
    "D1: Nord kom det mange fra.", "D1: Nord sa det seg selv at vi skulle dra.", "D1: Glad ble jeg.",
    "D1: Vold og rus kom inn i bildet. Vold og rus var et tema.",
    # Surnames that are a thing's definite form do what things do ("Skogen", "Strømmen").
    "D1: Skogen kom nærmere. Strømmen kom tilbake. Sjøen gikk høy.",
])
def test_the_same_surnames_as_words_or_in_an_offices_name_are_not_proposed(text: str) -> None:
    assert _first(text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("D1: Hansens kontor var lite.", "Hansen"), ("D1: Det var sånn. Karis mor ringte.", "Kari"),
    ("D1: Lars' mor ringte meg.", "Lars"), ("D1: Foss' kontor var lite.", "Foss"), ("D1: Volds sekretær sa nei.", "Vold"),
    ("D1: Vold sin sekretær ringte.", "Vold"), ("D1: Jeg var på Vold sitt kontor.", "Vold"),
    # Inside a sentence, the genitive is proposed as the name: "Lars'" was read as no name at all, "Foss'" and "Volds"
    # were proposed with their endings (accepted so, the name alone stayed in the text).
    ("D1: Jeg var på Lars' kontor.", "Lars"), ("D1: Jeg var på Lars’ kontor.", "Lars"), ("D1: Jeg var på Foss' kontor.", "Foss"),
    ("D1: Jeg var på Volds kontor.", "Vold"),
])
def test_a_names_genitive_is_proposed_as_the_name_first_in_a_sentence_and_inside_one(text: str, name: str) -> None:
    """A genitive first in its sentence was read as a word capitalised for grammar, however surely it was a name's."""
    assert _first(text) == [name]


@pytest.mark.parametrize("text", [
    "D1: Norges regjering bestemte. Kommunens folk kom. Dags dato er i dag. Pers mor.",
    "D1: Tidens tann. Mors dag var fin. Guds nåde. Hans mor sa ja. Vårres familie kom. Korleis sa at det var greit.",
    "D1: Foss var det mye av. NAV Nord sin leder sa ja.",
])
def test_genitives_and_words_ending_so_that_name_no_one_are_not_proposed(text: str) -> None:
    assert _first(text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("D1: Jeg har time hos Vold på torsdag.", "Vold"), ("D1: Jeg snakket med Lange i går.", "Lange"),
    ("D1: Jeg ga papirene til Vold.", "Vold"), ("D1: Han het Vold.", "Vold"), ("D1: Vi møtte Vold i går.", "Vold"),
    ("D1: Jeg snakket med «Vold» i går.", "Vold"), ("D1: Veilederen min, Vold, sa ja.", "Vold"),
    ("D1: Vi snakket om vold. Så ringte jeg til Vold.", "Vold"),
])
def test_a_surname_that_is_an_everyday_word_alone_and_capitalised_inside_a_sentence_is_proposed(text: str, name: str) -> None:
    """Capitalised inside a sentence, where grammar does not capitalise it, "Vold" is a name (or a farm, an employer):
    it was read as the everyday word, and stored as said."""
    assert _first(text) == [name]


@pytest.mark.parametrize("text", [
    "D1: Hun var hos NAV Nord i går. Vi snakket om vold. Det var mye vold.", "D1: Jeg ringte til Nav Nord i går.",
])
def test_a_surname_that_is_an_everyday_word_in_an_offices_name_or_in_lower_case_is_not_proposed(text: str) -> None:
    assert _first(text) == []


def test_an_imperative_that_is_a_surname_too_is_not_proposed_with_the_name_after_it() -> None:
    """"Ring" is a surname that is an everyday word; before a name it is the verb ("call"), not a double surname."""
    assert _first("D1: Ring Hansen i morgen. Ring Synnøve Engen om det.") == ["Hansen", "Synnøve Engen"]


def test_a_name_in_single_quotes_before_a_full_stop_is_proposed_without_them() -> None:
    """The tokenizer keeps a closing quote and a full stop with the name ("'Kari'."): "Kari'." was proposed for the
    key to learn so, and "'Hansen'." was read as no listed name and stored as said; before a capitalised word it was
    one name with it ("Hansen'. Lars")."""
    text = "D1: Hun het 'Kari'. Han het 'Hansen'. Lars' bil var der. Det var 'Vold'. Veilederen kom."
    proposed = propose(text, (), (), {"D1"}, [4])
    assert [(made.text, text[made.start:made.end]) for made in proposed] == [
        ("Kari", "Kari"), ("Hansen", "Hansen"), ("Lars", "Lars"), ("Vold", "Vold")]


@pytest.mark.parametrize(("text", "names"), [
    ("D1: Liv og Dag kom.", ["Liv", "Dag"]), ("D1: Det var sånn. Per og Kari sa ja.", ["Per", "Kari"]),
    ("D1: Andre og Kari kom. Liv og helse går foran. Dag og natt gikk.", ["Kari"]),
])
def test_the_first_of_two_names_who_do_something_is_proposed_however_common_a_word(text: str, names: list[str]) -> None:
    """Only the second name was proposed ("Dag", "Kari"): accepted, it left "Liv" and "Per" in the text."""
    assert _first(text) == names


@pytest.mark.parametrize("text", [
    "D1: Green kom inn.", "D1: Det var sånn. Green gikk tidlig.", "D1: Green skrev til meg.",
])
def test_a_surname_that_is_an_english_word_is_proposed_where_it_does_what_a_person_does(text: str) -> None:
    """"Green" (on the list of surnames that are words too) was read as the definite form of the nynorsk "gre"
    ("gre|en", as "skog|en"), a thing that comes and goes, and stored as said; English writes it far more than bokmål."""
    assert "Green" in _first(text)


@pytest.mark.parametrize("text", [
    "D1: Green card var vanskelig å få.", "D1: Facebook kom med en oppdatering.", "D1: Skogen kom nærmere. Stranden gikk vi til.",
])
def test_english_words_and_things_first_in_a_sentence_are_still_not_proposed(text: str) -> None:
    assert _first(text) == []


@pytest.mark.parametrize(("text", "name"), [
    ("D1: Vold, han sa at det var greit.", "Vold"), ("D1: Foss, hun ringte meg i går.", "Foss"),
    ("D1: Vold, ho sa at det var greit.", "Vold"), ("D1: Det var sånn. Vold, han sa nei.", "Vold"),
    ("D1: Lange, han kom for sent.", "Lange"), ("D1: Foss, hu var sint.", "Foss"),
    # Taken up by a role's label, said of the person named.
    ("D1: Vold, altså saksbehandleren, sa nei.", "Vold"), ("D1: Foss, saksbehandleren min, ringte meg.", "Foss"),
    # The same label after a copula: only the interview's roles were read so ("Vold var veilederen min").
    ("D1: Vold var saksbehandleren min.", "Vold"), ("D1: Nordmann var fastlegen min.", "Nordmann"),
    # Given names as common as words, and a name on no list.
    ("D1: Per, han sa at det var greit.", "Per"), ("D1: Liv, hun ringte meg i går.", "Liv"), ("D1: Rodel, han sa nei.", "Rodel"),
])
def test_a_name_said_first_and_taken_up_by_a_pronoun_or_a_role_after_a_comma_is_proposed(text: str, name: str) -> None:
    """"Vold, han sa at det ..." names the one talked about, then says what he did: the surname that is an everyday
    word, or the given name as common as one, was read as the word capitalised first in its sentence, and stored as said."""
    assert _first(text) == [name]


@pytest.mark.parametrize("text", [
    "D1: Vold, det er et problem. Vold, den er vanskelig å snakke om. Vold, du vet, det skjer.",
    "D1: Liv, det er viktig. Skogen, han kom nærmere. Vold, altså slag og spark, var vanlig. Nord, det var langt.",
    "D1: Veilederen, han sa nei. Bestemor, hun ringte. Fastlegen, hun sa ja. Vold var et tema for saksbehandleren.",
])
def test_a_word_first_before_a_comma_and_what_takes_it_up_as_a_thing_is_not_proposed(text: str) -> None:
    assert _first(text) == []


@pytest.mark.parametrize(("text", "names"), [
    # The initial's full stop ends the sentence too: what follows is the next sentence's.
    ("D1: Jeg snakket med Kari H. Lars kom også.", ["Kari H.", "Lars"]),
    ("D1: Jeg snakket med Kari H. Hun sa at det var greit.", ["Kari H."]),
    # A given name as common as a word, before an initial, is the name.
    ("D1: Per H. kom inn.", ["Per H."]), ("D1: Det var sånn. Liv K. ringte meg.", ["Liv K."]),
])
def test_a_name_before_an_initial_is_proposed_and_the_run_ends_with_the_initial(text: str, names: list[str]) -> None:
    """"Kari H. Lars" was one run, proposed as "Kari Lars", which the text does not hold; "Per H." was read as the
    word "Per" capitalised first in its sentence, and stored as said."""
    assert _first(text) == names


@pytest.mark.parametrize(("text", "names"), [
    ("D1: Kari H. kom inn.", ["Kari H."]), ("D1: Det var K. Haugland som ringte.", ["K. Haugland"]),
    ("D1: K. Haugland kom inn.", ["K. Haugland"]), ("D1: Vi møtte Kari H. Hansen i går.", ["Kari H. Hansen"]),
    ("D1: Saksbehandleren het Marit S. og var grei.", ["Marit S."]),
    # A surname the lists miss after an initial goes on with it: a given name, a place or an everyday word begins
    # the next sentence ("med Kari H. Lars kom", above).
    ("D1: Møtte H. Vassbotten i dag.", ["H. Vassbotten"]), ("D1: H. Kvitingen kom inn.", ["H. Kvitingen"]),
    ("D1: Jeg snakket med Kari H. Tromsø var fint.", ["Kari H."]),
    # The name in lower case is decided with it, as beside "Rasmussen" alone.
    ("D1: Det var G. Rasmussen, ja rasmussen.", ["G. Rasmussen"]),
    # A listed name however common a word ("li", a hillside) goes on after an initial first in its run.
    ("D1: Jeg snakket med K. Li i går.", ["K. Li"]), ("D1: Jeg snakket med K. Li.", ["K. Li"]),
    ("D1: K. Li kom inn.", ["K. Li"]),
    # Not after what makes the letter a label, whose full stop may end the sentence.
    ("D1: Han gikk i klasse 3 B. Lars var der.", ["Lars"]), ("D1: Jf. pkt. A. Lars sa det.", ["Lars"]),
])
def test_a_name_written_with_an_initial_is_proposed_with_it(text: str, names: list[str]) -> None:
    """The initial was left out ("Kari", "Haugland", "Kari Hansen", which the text does not hold), so the
    researcher's acceptance stored it beside the pseudonym ("Sondre H. kom inn"): a given name, an initial and
    the context can name someone."""
    assert _first(text) == names


@pytest.mark.parametrize(("text", "names"), [
    ("D1: Vi snakket med K. Foss i går.", ["K. Foss"]), ("D1: Vi snakket med K. Voss i går.", ["K. Voss"]),
    ("D1: Vi snakket med Ø. Ås i går.", ["Ø. Ås"]), ("D1: Jeg ringte til T. Skog i går.", ["T. Skog"]),
    ("D1: Vi snakket med Kari H. Foss i går.", ["Kari H. Foss"]), ("D1: Kari H. Vold kom inn.", ["Kari H. Vold"]),
])
def test_a_surname_that_is_a_place_or_a_word_after_an_initial_is_proposed_with_it(text: str, names: list[str]) -> None:
    """The run was cut after the initial before any place or word: the surname began a sentence of its own, and was
    dropped as a word capitalised for grammar ("med K. Foss", "med Ø. Ås" proposed nothing; the surname was
    proposed before initials were kept in proposals)."""
    assert _first(text) == names


@pytest.mark.parametrize("text", [
    "D1: Vi hadde en plan B. Det gikk fint.", "D1: Jeg var hos NAV H. i går.", "D1: Han gikk i klasse 3 B. Det var fint.",
    "D1: Se vedlegg A. Bakgrunnen er kjent.", "D1: Kapittel I. Innledning", "D1: Vedlegg B. Drøfting av funn",
    "D1: Se kapittel I. Innledning er kort.", "D1: Vi hadde en plan B. Hun sa ja.", "D1: Jeg fikk karakter A. Dag etter dag gikk det bra.",
    "D1: Vi var hos NAV H. Li var der ikke.",
])
def test_a_capital_and_a_full_stop_beside_no_name_is_not_proposed(text: str) -> None:
    assert _first(text) == []


@pytest.mark.parametrize(("text", "names"), [
    ("D1: Se Kap. I for mer.", []), ("D1: Jf. Pkt. A i avtalen.", []), ("D1: Vi leste Kap. 3 og Tab. 2 i går.", []),
    ("D1: Se Fig. 2.", []), ("D1: Se Vedl. 3. Kari sa det.", ["Kari"]), ("D1: Jeg møtte Nr. Hansen i går.", ["Hansen"]),
])
def test_an_abbreviation_a_text_refers_to_its_parts_with_is_not_proposed(text: str, names: list[str]) -> None:
    """"Se Kap. I" proposed "Kap", and "Jf. Pkt. A" both "Pkt" and "Jf. Pkt": capitalised, and in no dictionary."""
    assert _first(text) == names


def test_a_word_before_a_letter_is_proposed_once_without_it_and_dismissed_once() -> None:
    """"Vedlegg A." and "Vedlegg B." were two proposals, each to dismiss on its own ("Vedlegg A." dismissed left
    "Vedlegg B."), where "Vedlegg" was one before initials were kept in proposals: a word a dictionary holds before
    a letter names a thing, not a person by an initial. A name before an initial keeps it."""
    text = "D1: Vi så Vedlegg A. og Vedlegg B. i går, og Tabell C. Kari H. var der."
    assert _first(text) == ["Vedlegg", "Tabell", "Kari H."]
    assert [proposal.text for proposal in propose(text, ("Vedlegg", "Tabell"), (), {"D1"}, [4])] == ["Kari H."]


@pytest.mark.parametrize("said", [
    "D1: Mora mi Hver dag gikk hun på jobb.", "D1: Vi snakket om mora mi Hver dag gikk hun på jobb.",
    "D1: Jeg ringte faren min Det var tungt.", "D1: Jeg ringte faren min Når han kom hjem var det fint.",
    "D1: Jeg ringte mora mi Men hun sa nei.", "D1: Jeg ringte sønnen min Og så gikk vi.",
    "D1: Jeg ringte sønnen min Så gikk vi.",
    "D1: Jeg besøkte mora mi Plutselig ringte det.",
])
def test_a_word_a_sentence_begins_with_run_on_after_a_kin_phrase_is_not_proposed(said: str) -> None:
    """Speech written down without its full stops: "mora mi Hver dag gikk hun på jobb" proposed "Hver" as the
    mother's name, as a kin phrase made any capitalised word after it a name."""
    assert _first(said) == []


@pytest.mark.parametrize(("said", "proposed"), [
    ("D1: Dottera mi Live går på skulen.", ["Live"]),  # "live" is a word ("i live"), and no list holds the name
    ("D1: Datteren min Live går på skolen.", ["Live"]),
    ("D1: Min datter Live er syk.", ["Live"]),
    ("D1: Kona hans Sol kom.", ["Sol"]),
    ("D1: Venninna mi Vilje ringte.", ["Vilje"]),
    ("D1: Han er i live.", []),
    ("D1: Jeg ringte datteren min. Live er et fint ord.", []),  # a sentence of its own
    ("D1: Sønnen min Norge-turen gledet seg til.", []),  # a country, however introduced
    ("D1: Jeg traff kona hans Berit i går.", ["Berit"]), ("D1: Jeg ringte sønnen min Dag i går.", ["Dag"]),
])
def test_a_word_said_as_the_name_of_someone_s_kin_is_proposed(said: str, proposed: list[str]) -> None:
    """A field trial: "Dottera mi Live går på Haugen skule" stored the child's name unproposed, where "Liv" and
    "Dag" in its place were proposed: the name lists leave out "Live", as common as a word in wordfreq."""
    assert _first(said) == proposed
