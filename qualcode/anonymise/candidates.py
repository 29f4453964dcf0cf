"""Words that may be identifiers nobody listed yet, proposed by spaCy rules for review.

A candidate is a run of capitalised words that does not start a sentence, is not a Norwegian
function word, is not an acronym such as NAV or KVP, and is not codebook vocabulary or a word
the project already decided about. Speaker labels that are not roles ("Sissel:") count too.
A word first in a sentence or a turn is capitalised for grammar, and is proposed only when it
reads as a name: a listed name, or a word no dictionary holds, as a compound or a genitive either,
that is rare and no filler ("Marthinsen sa", "Slagsvold ringte"; not "Husleia økte",
"Bydelskontoret var stengt", "Hmm"), or when it stands bare as a verb's subject, where a noun
takes its definite form ("Rodel sa at", "Nordmann var veilederen min"; not "Veilederen sa"), or
alone answers "Hvem …?". A capitalised word right after an abbreviation is read the
same whether or not a sentence ends there: inside the sentence after "f.eks." or "ca.", and after
"osv.", "kr." or "jul." as a sentence's first word.

A run is not proposed when every word in it is ordinary: a country, agency or programme
(data/not_identifiers.txt), a word the same text also writes in lower case, or a common
bokmål word by frequency (wordfreq). Known given names and surnames (Faker's lists) and
Norwegian place names (data/places.txt) are never ordinary, so "Bjørn", "Sol" and "Moss"
are still proposed; a place name is proposed with the kind "place". Surnames that are everyday words too
("Vold", "Nord", "Lange": data/names.txt lists them apart) are proposed where what stands around them makes
them someone: the subject of what a person does, says or is ("Vold kom inn", "Foss sa det"), named before a comma
and taken up by a pronoun for a person or a role ("Vold, han sa at", "Foss, saksbehandleren min, ringte"), a genitive
("Volds kontor", "Vold sin sekretær"), or alone and capitalised inside a sentence ("hos Vold"); not "Vold har
økt", "NAV Nord". Names in lower case are proposed when they are given names or surnames no dictionary holds
("amina", "hansen"), in their genitives too ("karis mor"), and places the lists hold after a preposition of place
("på holmsbu"). A name is read whole with an apostrophe or a non-breaking hyphen inside ("Ol'ha", "Eli‑Sofie"), and
a surname in capitals alone where it stands as a person does ("HOLTESMO sa ja").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from qualcode.anonymise.faker_names import faker_names
from qualcode.anonymise.patterns import all_emails, street_before_a_date
from qualcode.anonymise.word_lists import data_lines
from qualcode.text.normalise import with_plain_hyphens
from qualcode.text.speakers import ROLE_LABELS
from qualcode.text.tokens import WORD

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from qualcode.anonymise.key import KeyEntry


@dataclass(frozen=True)
class Proposal:
    text: str
    start: int
    end: int
    context: str
    kind: str | None = None  # "place" for a Norwegian place name; else for the reviewer to decide


# A word at or above this Zipf frequency in bokmål (about once in 30,000 words) is an everyday
# word; given names as common as that ("Kari", 4.4; "Hilde", 4.0) sit below or on the name list.
COMMON_ZIPF = 4.5
# Names as common as "Per" (5.45), "Liv", "Dag" or "Hans" are everyday words at a sentence's
# start; "Jan" (4.89), "Anne", "Kari" and "Trond" are not.
SENTENCE_START_NAME_MAX_ZIPF = 5.0
# A sentence's first word on no list is proposed when it is this short and this rare in bokmål.
UNKNOWN_FIRST_MAX_LENGTH = 8  # longer ones are compounds the frequency list lacks ("Medforsker") more often than names
UNKNOWN_FIRST_MAX_ZIPF = 1.5
# A word of a name the key replaces only whole is put forward alone when bokmål knows it more
# rarely than this: "Fjordkysten" (unknown), "Consult" (2.3); not "Regnskap" (3.9) or "Skole".
NAME_PART_MAX_ZIPF = 3.0
# Letters Norwegian words are written with, loanwords included ("idé", "kafé", "über"): a word with
# another ("Małgorzata", "Dziedzic", "Şahin") is no Norwegian compound, however long.
NORWEGIAN_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyzæøåéèêóòôâäöü")
# A capital where a sentence begins or may begin (first in a sentence or a turn, after "osv."), in
# no dictionary, is taken for a name when this rare in bokmål: "Marthinsen" (3.2), "Slagsvold"
# (3.1), not what speech says that the dictionaries lack ("Hmm" 4.3, "Okei" 4.2, "Yes" 4.0).
UNKNOWN_NAME_MAX_ZIPF = 4.0
# A word wordfreq's English list knows this commonly at least (its lists go down to about 1.0), and
# bokmål's hardly, is written by the wider world, as a name is: "Sivakumar" (1.58), "Mohamedamin".
NAMED_ABROAD_MIN_ZIPF = 1.0
# Abbreviations after which a sentence goes on ("f.eks. Marthinsen", "ca. 500", "dr. Lie", nynorsk's
# "t.d." and "m.a."): a capital after one is inside its sentence, and proposed as any there is. After
# every other abbreviation ("osv.", "kr.", "mnd.", "des.", "jul.", "to.") a sentence may end, and a
# capital is proposed as a sentence's first word is: when it reads as a name (_reads_as_name, _name_even_first).
CONTINUING_ABBREVIATIONS = frozenset({
    "f.eks.", "bl.a.", "dvs.", "ca.", "pga.", "p.g.a.", "evt.", "ev.", "jf.", "jfr.", "mht.", "ifm.", "iht.", "iflg.",
    "ang.", "inkl.", "ekskl.", "vedr.", "vha.", "hhv.", "m.a.o.", "t.o.m.", "f.o.m.", "kl.", "tlf.", "nr.", "dr.", "hr.",
    "st.", "mr.", "mrs.", "pr.", "vs.", "fhv.", "t.d.", "m.a.",
    # The dotted and other forms of the same, which the sentence pipeline keeps whole likewise.
    "d.v.s.", "m.h.t.", "i.f.t.", "ift.", "ifht.", "mtp.", "iom.", "sml.", "tidl.",
})
# Abbreviations that may end a sentence and that spaCy's tokenizer splits from their full stop, as it
# splits the ends of sentences: a list's end as nynorsk and the dotted form write it. The rule-based
# pipeline keeps them whole (text/sentences.py, WHOLE_ABBREVIATIONS); a trained one may not.
SPLIT_ABBREVIATIONS = frozenset({"o.s.v.", "o.s.b.", "osb."})
# Post towns include everyday words ("Nå", "Tro", "Hennes"); as common as this they are not places.
POST_TOWN_MAX_ZIPF = 5.0

# Verbs whose subject is a person: saying, asking, phoning, thinking, knowing, helping (bokmål, nynorsk
# and spoken forms). A word first in its sentence right before one, with no subject after it, is its
# subject; a noun there takes its definite form or an article ("Veilederen sa", "En nordmann sa"), so
# a bare word there is a name, however many words the lexicons hold it as ("Rodel sa at han ville",
# "Nordmann ringte"). A word the verb's own subject follows is no subject ("Heldigvis sa hun").
SAID_OF_PEOPLE = frozenset((
    "sa sier seier sei ringte ringer ringde mente mener meinte meiner spurte spør spurde svarte svarer svara "
    "fortalte forteller fortalde forklarte forklarer tenkte tenker syntes synes syns synst visste vet veit "
    "hjalp hjelper hjelpte snakket snakker snakka pratet prater prata lovet lovte smilte lo ropte skrek nikket"
).split())
# The same verbs after a modal or "har" ("Tam skal ringe meg", "Lek vil snakke med deg", "Tam har sagt at"):
# what a modal or "har" begins the sentence with is the subject of the verb after it. Their infinitives and
# participles (bokmål, nynorsk and spoken forms), with at most one adverb between ("Tam kan ikke si"); not
# "hjelpe" or "forklare", which a bare noun does after a modal as often ("Trening kan hjelpe").
AUXILIARIES = frozenset("skal skulle vil ville kan kunne må måtte bør burde har hadde".split())
SAID_OF_PEOPLE_AFTER_AUXILIARY = frozenset((
    "si seie sei ringe ringje mene meine spørre spørje svare fortelle fortelje tenke tenkje synes syns vite "
    "snakke prate love smile le rope skrike nikke "
    "sagt sagd ringt ringa ment meint spurt spurd svart svara fortalt fortald tenkt synst visst "
    "snakket snakka pratet prata lovet lova smilt ledd ropt skreket nikket nikka"
).split())
ADVERBS_AFTER_AUXILIARY = frozenset("ikke ikkje også òg bare berre aldri alltid gjerne kanskje sikkert nok".split())
MODALS = AUXILIARIES - {"har", "hadde"}
# What a copula says of a person's state, after which the listed name before it is someone ("Trang var syk",
# "Nok er gravid"; not "Trang var leiligheten", "Liv er viktig"), with at most one of the adverbs before it.
STATES_OF_PEOPLE = frozenset((
    "syk sjuk sykmeldt sjukmeld sint glad lei redd trøtt trett sliten flink snill grei hyggelig gravid hjemme heime borte "
    "alene aleine ensom fornøyd misfornøyd sur skuffet skuffa lykkelig deprimert arbeidsledig ufør gift skilt singel død "
    "født fødd sikker usikker stressa stresset nervøs opptatt travel"
).split())
ADVERBS_BEFORE_STATE = frozenset("ikke ikkje også òg veldig så litt ganske helt kjempe alltid aldri ofte fortsatt fremdeles".split())
# Words a sentence begins with as its subject that are names too, but stand for people by no one's name
# ("Andre sa at det var greit": others).
WORDS_FOR_PEOPLE = frozenset("andre mange alle begge flere fleire noen nokon ingen somme enkelte".split())
# Copulas, after which a role's label ending the sentence or before a possessive says that the word
# before them is a person ("Nordmann var veilederen min"; not "Innimellom var veilederen sur").
COPULAS = frozenset("var er ble blir vart vert va".split())
POSSESSIVES = frozenset("min mi mitt mine din di ditt dine sin si sitt sine hans hennes hennar vår vårt våre deres dykkar".split())
# Verbs a sentence's subject begins it before: a word bokmål hardly writes (below NAME_PART_MAX_ZIPF),
# bare before one, is a name ("Aras kom for sent", "Lovely skal få plassen"; not "Tolken kom").
SUBJECT_VERBS = SAID_OF_PEOPLE | COPULAS | frozenset((
    "kom kommer kjem hadde har fikk får fekk gikk går gjekk gjorde gjør skal skulle vil ville kan kunne må måtte bør burde "
    "bor bodde jobbet jobber jobba flyttet flytta begynte sluttet tok ga gav kjørte satt sto stod"
).split())
# Words after such a verb that are its subject, so that the word before it is not: "Lovely var det",
# "Dela gjorde vi det", "Iblant ringte noen".
SUBJECTS_AFTER_VERB = frozenset((
    "jeg du han hun vi dere de det den dette denne man eg ho me dei dokker dykk æ dæm noen ingen alle mange begge"
).split())
# Pronouns that a verb said of people takes as its object as often as its own subject follows it ("Foss sa det",
# "Vold mente dette"); before "seg" "det" is the subject ("Da sa det seg selv").
OBJECTS_AFTER_SAYING = frozenset("det dette den denne".split())
# Verbs that say what a person does, after which a surname that is also an everyday word is someone ("Vold kom
# inn", "Lange kom for sent", "Nord jobber her"): the verbs a subject comes first with, without the copulas, the
# modals and "har", which a noun or an adjective begins a sentence before as often ("Vold var et tema", "Vold har økt"),
# and what people write, send, ask for and wonder ("Vold skrev til meg", "Foss ba meg komme").
WRITTEN_AND_ASKED = frozenset((
    "ba ber bad skrev skriver skreiv sendte sender foreslo foreslår lurte lurer trodde tror trudde mailet mailer "
    "mailte smset møtte møter traff treffer kalte kaller inviterte inviterer besøkte besøker"
).split())
DONE_BY_PEOPLE = SUBJECT_VERBS - COPULAS - AUXILIARIES | WRITTEN_AND_ASKED
# Family members are called by their kinship word, bare, as by a name ("Bestemor sa", "Svigerfar ringte").
KINSHIP_ENDINGS = ("mor", "far", "bror", "søster", "mamma", "pappa", "onkel", "tante")
# Who someone is to the speaker, and whose ("dottera mi", "min sønn", "kona hans"): a capitalised word right after
# says their name ("Dottera mi Live går på skulen"), be it a word too ("i live") or a name the lists lack.
KIN_WORD = re.compile(
    r"(?:\w*(?:mor|far|bror|søster|mamma|pappa|onkel|tante)(?:en|a|er|ene|ne)?|dott(?:er|era|eren|rene)|datter(?:en)?"
    r"|døtre(?:ne)?|sønn(?:en|er|ene)?|son(?:en|er|ene)?|barn(?:et|a|ene)?|barnebarn(?:et)?|kon(?:e|a|en)|mann(?:en)?"
    r"|ektemann(?:en)?|ektefelle(?:n)?|samboer(?:en)?|sambuar(?:en)?|kjæreste(?:n)?|fetter(?:en)?|kusin(?:e|a|en)"
    r"|nevø(?:en)?|niese(?:a|n)?|svoger(?:en)?|svigerinn(?:e|a|en)|gutt(?:en)?|jent(?:e|a|en)|venn(?:en)?|venninn(?:e|a|en))"
)
# The words of the small closed classes a sentence begins with (pronouns, determiners, conjunctions, subjunctions,
# prepositions, sentence adverbs; bokmål, nynorsk and spoken forms), as they run on after a kin phrase where the
# full stop between was not written: "mora mi Hver dag gikk hun på jobb". No one is called by one.
SENTENCE_OPENERS = frozenset((
    "jeg eg æ du han hun ho vi me dere dokker de dei dem den det dette denne disse man noen nokon ingen alle mange"
    " begge hver hvert kvar kvart hele heile og men eller for så da då når mens fordi at om hvis viss dersom"
    " før etter siden sidan enn som der her nå no også òg bare berre ikke ikkje aldri alltid ofte kanskje likevel"
    " ellers derfor difor etterpå plutselig altså heller enda nesten først senere seinere deretter dermed samtidig"
    " hva kva hvem kven hvor kor hvorfor kvifor hvordan korleis i på til fra frå med hos ved mot uten utan under"
    " over ja nei jo vel nok sånn slik"
).split())
# A word capitalised after a kin phrase is the kin's name unless it is at least this common and no given name: the
# names no list holds that are also words are rarer ("Live" 5.1, "Vilje" 4.8, "Sol" 4.5).
KIN_NAME_MAX_ZIPF = 5.5
# Endings of adjectives and adverbs, which are no sentence's bare subject ("Eigentleg", "Heldigvis", "Typisk").
ADJECTIVE_ENDINGS = ("lig", "leg", "ig", "isk", "vis", "løs", "laus", "som", "bar", "messig", "ete")
# English as common as this (wordfreq's English Zipf scale) is said aloud in Norwegian speech ("Anyway"
# 4.9, "Sorry" 5.2, "Actually" 5.5); rarer English words are as often names ("Lovely" 4.7, "Aras").
SAID_IN_ENGLISH_MIN_ZIPF = 4.8
# A definite form this common, or this long, is the noun's ("Fastlegen", "Saksbehandleren",
# "Praksisveilederen"); a short and rare one is as often a verb's form or a name ("Dela", "Rattana").
DEFINITE_MIN_ZIPF = 2.0
DEFINITE_MIN_LENGTH = 8

# Letters of the scripts that have no capitals, which immigrants' names in Norway are most often
# written in: Hebrew, Arabic (Arabic, Persian, Dari, Pashto, Urdu, Kurdish Sorani) with its
# presentation forms, Syriac and Thaana, the Indic scripts through Sinhala, Thai and Lao, Myanmar
# (Burmese, Karen), Georgian, Ethiopic (Tigrinya, Amharic), Khmer, and Chinese, Japanese and Korean.
# Left out, as no name: Arabic-Indic digits (U+0660-0669, U+06F0-06F9), the Arabic comma, semicolon
# and question mark, and Ethiopic punctuation and numbers (U+1360-137C).
_CASELESS = (
    "\u05d0-\u05ea\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0710-\u074f\u0750-\u077f\u0780-\u07a5"
    "\u08a0-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u10d0-\u10ff\u1200-\u135a\u1380-\u139f\u1780-\u17ff"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\ufb50-\ufdff\ufe70-\ufefc"
)
# Inside such a word: Arabic's harakat, Hebrew's points, and the zero-width non-joiner Persian
# spells with ("علی‌رضا").
_WITHIN = "\u064b-\u065f\u0670\u0591-\u05c7\u200c"
# A run of such words, one space between them.
CASELESS_RUN = re.compile(f"[{_CASELESS}][{_CASELESS}{_WITHIN}]*(?: [{_CASELESS}][{_CASELESS}{_WITHIN}]*)*")

# Names written so that no word in them is capitalised as a whole (str.istitle): an English
# possessive ("Mebrahtu's"), a Gaelic or Irish prefix ("McDonald", "MacLeod", "O'Brien") and an
# Arabic article ("al-Amin", "el-Sayed"), and a name joined to a word in lower case ("Alem-kirken",
# "Horten-kontoret"). The name's own letters, without the possessive or the word, are proposed.
ODD_CAPITALS = re.compile(
    r"(?<![\w'’-])(?:"
    r"(?P<possessive>[A-ZÆØÅ][a-zæøåéü]{2,})['’]s"
    r"|(?P<prefixed>(?:Mc|Mac|O['’])[A-Z][a-zæøå]{2,}|(?:al|el|Al|El)-[A-Z][a-zæøå]{2,})"
    r"|(?P<compound>[A-ZÆØÅ][a-zæøåéü]{2,})-[a-zæøå]{3,}"
    r")(?![\w'’-])"
)

# Web addresses, whose words (as an e-mail address's) say nothing of how the text writes them elsewhere.
WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S+")


def _with_names_not_titled(doc: Doc, piece: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`runs` joined by the names that are no title-cased words to spaCy: capitalised with an apostrophe inside
    (_apostrophe_name: "Ol'ha", "Cabdi'aziz Maxamuud Cilmi", "Abd'allah Qasim"), or names run together
    (_run_together_name: "EliSofie", as a soft hyphen taken out at import leaves "Eli\u00adSofie"). `piece` is the
    Doc's text."""
    apostrophes, run_together = "'" in piece, _RUN_TOGETHER.search(piece) is not None
    if not apostrophes and not run_together:
        return runs
    named = [token.i for token in doc
             if (apostrophes and "'" in token.text and _apostrophe_name(token.text)) or (run_together and _run_together_name(token.text))]
    if not named:
        return runs
    return _consecutive(sorted({*(index for start, end in runs for index in range(start, end)), *named}))


def _without_addresses(text: str) -> str:
    """`text` with its e-mail addresses (however written) and web addresses blanked out, found as the detectors find them."""
    found = [match.span() for match in all_emails(text)]
    if "www." in text or "://" in text:
        found += [match.span() for match in WEB_ADDRESS.finditer(text)]
    if not found:
        return text
    pieces, position = [], 0
    for start, end in sorted(found):
        if start >= position:
            pieces += [text[position:start], " "]
            position = end
    return "".join([*pieces, text[position:]])


# A word in lower case, as `propose` reads them to know the words a text writes so: not the part after an apostrophe
# between letters, which is the rest of a word ("jana" of "Tat'jana", "kke" of "ha'kke").
_LOWER_WORD = re.compile(r"(?<![^\W\d_]['’])[^\W_]+")
# An apostrophe between letters, as Word and phones write it (U+2019), and the hyphens Word writes inside a word.
_TYPED_APOSTROPHE = re.compile(r"(?<=[^\W\d_])’(?=[^\W\d_])")
# What follows an apostrophe inside a word in speech written down, a word run together with the one before it
# ("ha'kke", "va'kke", "vet'ru", "sjø'kje"), and in English said in Norwegian speech ("They've", "I'll", "We're",
# "Y'all", "Ma'am"): no part of a name.
SPOKEN_CLITICS = frozenset("kke kkje ke kje ru re ra rn ve ll am all em".split())


def _as_read_for_names(text: str) -> str:
    """`text` as the name detector reads it, one character for one so that every offset stays: an apostrophe
    between letters written as U+2019 is read as "'", which spaCy's tokenizer keeps inside a word ("Abd’allah"
    was three tokens, and "Abd" proposed alone), and a non-breaking or Unicode hyphen as "-" ("Eli‑Sofie" was
    read as a word wordfreq finds common, and stored unproposed). Proposals are made of the text as written."""
    return with_plain_hyphens(_TYPED_APOSTROPHE.sub("'", text) if "’" in text else text)


def _apostrophe_name(word: str) -> bool:
    """Whether `word` is capitalised with an apostrophe between letters, as names from many languages are
    written ("Ol'ha", "Cabdi'aziz", "N'Golo", "Abd'allah", "Ma'ruf"): not a genitive ("Kari's", "Lars'"), nor
    speech's words run together ("Ha'kke", "Det'e")."""
    parts = re.split(r"['’]", word)
    return (len(parts) > 1 and word[:1].isupper() and all(part.isalpha() for part in parts)
            and all(len(part) >= 2 for part in parts[1:]) and parts[-1].casefold() not in SPOKEN_CLITICS)


# Capitalised words run together, as a name is where a soft hyphen or a space between its parts went ("EliSofie").
_RUN_TOGETHER = re.compile(r"(?<![^\W_])[A-ZÆØÅ][a-zæøå]{2,}(?:[A-ZÆØÅ][a-zæøå]{2,})+(?![^\W_])")
_RUN_TOGETHER_PART = re.compile(r"[A-ZÆØÅ][a-zæøå]+")


def _run_together_name(word: str) -> bool:
    """Whether `word` is names run together, each part a listed given name or surname: "EliSofie", "AnneLise",
    "BergHansen" (a soft hyphen between them is taken out at import, DESIGN.md); not "PowerPoint" or "YouTube"."""
    return _RUN_TOGETHER.fullmatch(word) is not None and all(part.casefold() in _names() for part in _RUN_TOGETHER_PART.findall(word))


def _without_apostrophes(word: str) -> str:
    """`word`, an apostrophe name (_apostrophe_name), as one word of its letters, which the lists and the
    frequency lists know it by ("Olga" of "Ol'ga", "Abdallah" of "Abd'allah"), or `word` itself."""
    return re.sub(r"['’]", "", word) if _apostrophe_name(word) else word


@lru_cache(maxsize=1)
def _capitalised_runs() -> Callable[[Doc], list[tuple[int, int]]]:
    """The runs of capitalised words that are no function words in a Doc, as (start, end) token indices.

    These are what spaCy's Matcher finds with [{"IS_TITLE": True, "LOWER": {"NOT_IN": function_words},
    "OP": "+"}] and greedy="LONGEST": each longest run. They are read from the Doc's token arrays
    instead, because the Matcher tests NOT_IN in Python for every token of the text.
    """
    from spacy.attrs import IS_TITLE, LOWER

    from qualcode.text.sentences import pipeline

    nlp = pipeline()
    # Function words are no names, except Norwegian given names among them ("Dag", "Hans", "Vår") and the Thai "Nok".
    given = faker_names().norwegian_given | _southeast_asian_names() | _given_names_also_words()
    function_words = frozenset(nlp.vocab.strings.add(word) for word in nlp.Defaults.stop_words if word not in given)

    def runs(doc: Doc) -> list[tuple[int, int]]:
        flags = doc.to_array([IS_TITLE, LOWER])
        titled = flags[:, 0].nonzero()[0]  # few of a text's tokens: only these are looked at here
        return _consecutive(
            index for index, lower in zip(titled.tolist(), flags[titled, 1].tolist(), strict=True) if lower not in function_words
        )

    return runs


# A word written as a file or a recording is named, of letters and digits joined by hyphens, underscores
# or full stops ("D1-20240213_100312-Møteopptak", as Teams names a recording and heads its
# transcript with): no one's name as a whole, though a name may be among its parts.
FILE_NAME = re.compile(r"(?=[^\d]*\d)(?=.*[^\W\d_])\w+(?:[-_.]\w+)+")
_LETTERS = re.compile(r"[^\W\d_]+")


def _file_names(doc: Doc) -> list[int]:
    """The indices of the tokens of `doc` written as file names are (FILE_NAME), capitalised."""
    return [token.i for token in doc if token.text[:1].isupper() and FILE_NAME.fullmatch(token.text)]


def _without_file_names(doc: Doc, runs: list[tuple[int, int]], file_names: list[int]) -> list[tuple[int, int]]:
    """`runs` cut where a token written as a file name stands (`file_names`, _file_names(doc)), which is
    looked at by its parts instead."""
    named = set(file_names) if any("-" in token.text or "_" in token.text for token in doc) else set()
    if not named:
        return runs
    return _consecutive(index for start, end in runs for index in range(start, end) if index not in named)


# Abbreviations a text refers to its parts or another text's with, capitalised where a sentence or a heading begins
# or as written ("Kap. I", "Pkt. A", "Jf. Tab. 2", "Vedl. 3"): no one's name, though no dictionary holds them.
REFERENCE_ABBREVIATIONS = frozenset("kap pkt tab fig vedl avsn jf jfr ref nr bd utg".split())


def _without_references(doc: Doc, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`runs` without the reference abbreviations in them (REFERENCE_ABBREVIATIONS), written with their full stop,
    kept whole by the tokenizer ("Jf.") or split from it ("Pkt" "."): "Se Kap. I" proposed "Kap", and "Jf. Pkt. A"
    both "Pkt" and "Jf. Pkt"."""
    def abbreviated(index: int) -> bool:
        token = doc[index]
        if token.text.endswith("."):
            return token.lower_[:-1] in REFERENCE_ABBREVIATIONS
        return not token.whitespace_ and index + 1 < len(doc) and doc[index + 1].text == "." and token.lower_ in REFERENCE_ABBREVIATIONS

    if not any(abbreviated(index) for start, end in runs for index in range(start, end)):
        return runs
    return [run for start, end in runs for run in _consecutive(index for index in range(start, end) if not abbreviated(index))]


def _split_after_closing_quotes(doc: Doc, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`runs` cut after a token that ends with a closing quote and a full stop, which the tokenizer keeps with the
    word before them ("'Hansen'." of "Han het 'Hansen'. Lars kom"): a sentence ends there, not a name."""
    cut: list[tuple[int, int]] = []
    for start, end in runs:
        for index in range(start, end - 1):
            if doc[index].text.endswith(("'.", "’.")):
                cut.append((start, index + 1))
                start = index + 1
        cut.append((start, end))
    return cut


# One capital and its full stop, which the tokenizer keeps as one token: an initial ("Kari H.", "K. Haugland").
INITIAL = re.compile(r"[A-ZÆØÅ]\.")


def _initial(token: Token) -> bool:
    return INITIAL.fullmatch(token.text) is not None


# A person's initials run together, each with its full stop, which the tokenizer keeps as one token ("K.N.", "A.B.C."):
# no acronym, which Norwegian writes without them, but a person named so ("Jeg ringte K.N. i går"). Not the few
# written so that stand for no one.
INITIALS = re.compile(r"(?:[A-ZÆØÅ]\.){2,3}")
DOTTED_ABBREVIATIONS = frozenset(("P.S.", "N.B.", "O.K.", "T.V.", "U.S.", "U.S.A.", "U.K.", "E.U.", "A.S.", "D.S.", "N.N."))


def _initials(token: Token) -> bool:
    """Whether `token` is a person's initials run together (INITIALS: "K.N.", "A.B.C.")."""
    return INITIALS.fullmatch(token.text) is not None and token.text not in DOTTED_ABBREVIATIONS


# A marker a meeting's export writes after a person's name, in brackets: "Yonas Tesfaye (Gjest)", "(External)".
_MARKER = re.compile(r"\s*[(\[]\s*([^\W\d_]+)\s*[)\]]\s*$")


def without_marker(name: str) -> str:
    """`name` without the marker in brackets a meeting's export writes after it ("Yonas Tesfaye (Gjest)" as "Yonas
    Tesfaye"), which names no one: a word of the list of words that point at no one (data/not_identifiers.txt)."""
    marker = _MARKER.search(name)
    if marker is None or marker.start() == 0 or marker.group(1).casefold() not in _not_identifiers():
        return name
    return name[:marker.start()]


def _named_in_label(label: str) -> str:
    """A speaker's label without the word in brackets after the name, which the label keeps (importers.turns:
    "Berntine (veileder)", "Torill (Kiki)", "Yonas Tesfaye (Gjest)"): a role, a marker, or a name proposed where the
    text says it; with it, the whole label was proposed, and accepted so, its bracket a word of the pseudonym."""
    marker = _MARKER.search(label)
    return label[:marker.start()] if marker is not None and marker.start() > 0 else label


def without_initials(phrase: str) -> str:
    """`phrase` without the initials written in it ("Kari H." as "Kari"): an initial names no one alone, and a
    proposal is decided by its other words."""
    return " ".join(word for word in phrase.split(" ") if INITIAL.fullmatch(word) is None)


def _split_after_initials(doc: Doc, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`runs` cut after an initial before a capitalised word that is no surname: the initial's full stop ends the
    sentence too ("med Kari H. Lars kom også" was proposed as "Kari Lars", which the text does not hold). Before a
    surname it is a middle initial, and the name goes on ("Kari H. Hansen", "Kari H. Foss"). An initial first in its
    run is a given name's before a place or a listed name too (_name_after_a_first_initial)."""
    cut: list[tuple[int, int]] = []
    for start, end in runs:
        for index in range(start, end - 1):
            after = doc[index + 1].lower_
            if _initial(doc[index]) and not _surname_after_an_initial(after) and not (
                    index == start and _name_after_a_first_initial(doc, index)):
                cut.append((start, index + 1))
                start = index + 1
        cut.append((start, end))
    return cut


def _name_after_a_first_initial(doc: Doc, index: int) -> bool:
    """Whether the word after the initial at `index`, first in its run, is the surname it goes with: a place, as many
    surnames are ("med K. Voss", "Ø. Ås"), or a name the lists hold that is rarer than the words sentences begin
    with, however common a word besides ("med K. Li": "li", a hillside, was cut off and left as a word capitalised
    first in its sentence). Not after a number, an abbreviation or a word in capitals, whose letter names a thing
    and whose full stop may end the sentence ("klasse 3 B.", "jf. pkt. A.", "NAV H."); a word no list holds as a name
    begins the next sentence ("A. Bakgrunn", "plan B. Det gikk fint")."""
    if index > 0 and _labels_a_letter(doc[index - 1].text):
        return False
    after = doc[index + 1].lower_
    return _is_place(after) or (after in _names() and zipf(after) < FUNCTION_WORD_MIN_ZIPF) or _short_surname(doc[index + 1])


def _short_surname(token: Token) -> bool:
    """Whether `token` is a surname of two letters (data/east_asian_surnames.txt: "Wu", "Ng", "Xu") and no function
    word a sentence begins with ("Han", "Du", "Ta"), as after an initial ("K. Wu") it is."""
    return token.lower_ in _short_surnames() and not token.is_stop and token.lower_ not in SENTENCE_OPENERS


@lru_cache(maxsize=1)
def _two_letter_names() -> frozenset[str]:
    """Names of two letters that may stand bare as a sentence's subject (_may_stand_bare): the East Asian surnames
    (_short_surnames) and the listed names of two letters, but a word a sentence begins with ("Vi", "Jo"), a dialect's
    pronoun ("Hu", "Ho") or a word said aloud."""
    listed = _short_surnames() | {name for name in _names() if len(name) == 2 and name.isalpha()}
    return frozenset(name for name in listed if name not in SENTENCE_OPENERS and not _said_aloud(name) and zipf(name) < FUNCTION_WORD_MIN_ZIPF)


@lru_cache(maxsize=1)
def _short_surnames() -> frozenset[str]:
    return frozenset(name.casefold() for names in data_lines("east_asian_surnames.txt").values() for name in names)


def _labels_a_letter(word: str) -> bool:
    """Whether `word`, right before a capital and its full stop, makes that letter a label: a number ("3 B."),
    an abbreviation ("pkt. A."), a word in capitals ("NAV H.")."""
    return any(character.isdigit() for character in word) or (len(word) > 1 and word.endswith(".")) or (
        len(word) > 1 and word.isupper())


def _surname_after_an_initial(folded: str) -> bool:
    """Whether a word after an initial is a surname: a listed one, one that is an everyday word too ("Foss", "Vold"),
    or a word that is no given name, place or word a dictionary holds, as the surnames the lists miss are ("H.
    Kvitingen"; not "Lars", "Tromsø", or "Innledning" of "Kapittel I. Innledning")."""
    return folded in surnames() or folded in _surnames_also_words() or (
        folded not in given_names() and not _is_place(folded) and not _common(folded) and not _dictionary_word(folded))


def _before_an_initial(doc: Doc, index: int, end: int) -> bool:
    """Whether the word at `index` is a given name, however common a word, with an initial after it in its run, as a
    name is written ("Per H. kom inn"; "Per" is the word as often where a sentence begins)."""
    return index + 1 < end and doc[index].lower_ in given_names() and _initial(doc[index + 1])


def _names_in_file_name(written: str, at: int, text: str, ignored: set[str], lowered: set[str], context: int) -> list[Proposal]:
    """The parts of a file name at `at` in `text` that are listed names, or read as names where a
    sentence begins would ("Nordmann", "Sivakumar" of "Sivakumar-20240213_100312-Møteopptak"; not
    "Møteopptak", "Meeting" or "D")."""
    found = []
    for match in _LETTERS.finditer(written):
        part = match.group()
        if len(part) < 2 or not part.istitle() or decided(part, ignored) or ordinary(part, [part], lowered):
            continue
        if part.casefold() in _names() or _name_even_first(part, lowered) or _reads_as_name(part, lowered):
            begin, finish = at + match.start(), at + match.end()
            found.append(Proposal(part, begin, finish, _context(text, begin, finish, context),
                                  "place" if _is_place(part.casefold()) else None))
    return found


def _consecutive(indices: Iterable[int]) -> list[tuple[int, int]]:
    """Ascending token indices as runs of consecutive ones, (start, end)."""
    found: list[tuple[int, int]] = []
    start = end = -1
    for index in indices:
        if index != end:
            if end > start:
                found.append((start, end))
            start = index
        end = index + 1
    if end > start:
        found.append((start, end))
    return found


def propose(
    text: str, known: Iterable[str], vocabulary: Iterable[str], speakers: Iterable[str] = (),
    turn_starts: Iterable[int] = (), context: int = 30,
) -> list[Proposal]:
    """Possible identifiers in `text` that are neither in `known` nor in `vocabulary`.

    The first word of a speaker turn starts a sentence, whatever marker came before it.
    """
    starts = set(turn_starts)
    from qualcode.text.sentences import tokenised

    ignored = {word.casefold() for word in known} | {word.casefold() for word in vocabulary}
    # Words written in lower case make a capitalised one ordinary, but not inside an address, which
    # writes a name so ("astrid@firma.no" says nothing of "Astrid"), nor the part of a word after an
    # apostrophe inside it ("jana" of "Tat'jana" was proposed as a given name in lower case).
    unaddressed = _without_addresses(text)
    lowered = {word.casefold() for word in set(_LOWER_WORD.findall(unaddressed)) if word[:1].islower()}
    proposals: dict[str, Proposal] = {}
    read = _as_read_for_names(text)
    for base, doc, starts_sentence in tokenised(read):
        piece = doc.text  # made of the tokens each time it is asked for: once
        file_names = _file_names(doc)
        runs = _split_after_closing_quotes(doc, _without_file_names(doc, _with_names_not_titled(doc, piece, _capitalised_runs()(doc)), file_names))
        if "." in piece:
            runs = _without_references(doc, runs)
        runs = _split_after_initials(doc, runs) if "." in piece else runs
        runs = _with_names_after_kin(doc, runs)
        if " og " in piece:
            runs = _joined_by_and(doc, runs)
        for start, end in runs:
            if _names_a_street(doc, end):
                continue  # the street's name, which the address detector takes whole ("Hans Nielsen Hauges gate 22")
            while end - start > 1 and _title_before_a_name(doc, start):
                start += 1
            # Drop a sentence-initial word, which is capitalised for grammar, not as a name, unless
            # it is a listed name that is not also an everyday word. Most runs are such a word
            # alone: they are looked at by index, and a Proposal is made only for what is left.
            found: list[Proposal | None] = []
            while start < end:
                token = doc[start]
                abbreviation = _abbreviation_before(doc, start)
                if abbreviation is None:
                    first = (
                        starts_sentence(start) or base + token.idx in starts or _after_line_start(text, base + token.idx)
                        or _after_number(doc, start) or _after_file_name(doc, start)
                        or ((opening := _opening_marks_before(doc, start)) is not None and (
                            starts_sentence(opening) or base + doc[opening].idx in starts or _after_line_start(text, base + doc[opening].idx)))
                    )
                else:
                    # Right after an abbreviation, whether or not a sentence ends there: inside the
                    # sentence after one it goes on after ("f.eks."), else where a sentence may begin.
                    first = abbreviation not in CONTINUING_ABBREVIATIONS
                # Where a sentence begins (or may, after "osv."), a word capitalised for grammar is
                # dropped unless it reads as a name ("Marthinsen sa", not "Husleia økte").
                if (not first or _name_even_first(token.text, lowered) or _reads_as_name(token.text, lowered)
                        or _bare_subject(doc, start, lowered) or _answers_who(text, base + token.idx, token.text, lowered)
                        or _genitive_of_a_name(doc, start, lowered) or (token.lower_ in _surnames_also_words() and _acts(doc, start))
                        or _labels_a_turn(text, base + token.idx, token.text)
                        or _first_of_two_named(doc, start) or _before_an_initial(doc, start, end)
                        or (start + 1 < end and _initial(token))  # "K. Haugland kom inn": no word capitalised for grammar
                        or _initials(token)  # "K.N. ringte": nor initials run together
                        or (start + 1 < len(doc) and _after_number(doc, start + 2) and street_before_a_date(text, base + token.idx))
                        or (start + 1 < end and (_before_a_name(token.text, doc[start + 1].text) or _double_surname_apart(doc, start)))):
                    break
                # A first word that is no everyday word, before what is proposed itself, may be a name's
                # first part ("Gunnhild Rasmussen. Hun var ..."), or a word such as "Veilederen" before
                # one: both are proposed, so that dismissing the whole leaves the rest to decide.
                if start + 1 < end and token.text.casefold() not in lowered and not _common(token.text.casefold()):
                    rest = _run_proposal(doc, base, start + 1, end, text, ignored, lowered, context)
                    if rest is not None:
                        found.append(rest)
                        break
                start += 1
            if start < end:
                # A surname that is also an everyday word is someone where it acts as a person does, and, alone and
                # capitalised inside a sentence, where nothing but its name would have it so ("hos Vold", "med Lange").
                named = _acts(doc, start) or (not first and end - start == 1 and not _after_a_name(doc, start)) or (
                    first and _answers_who(text, base + doc[start].idx, doc[start].text, lowered))
                found.append(_run_proposal(doc, base, start, end, text, ignored, lowered, context, named))
            for made in found:
                if made is not None and made.text not in proposals:
                    proposals[made.text] = made
        for index in file_names:
            for made in _names_in_file_name(doc[index].text, base + doc[index].idx, text, ignored, lowered, context):
                proposals.setdefault(made.text, made)
        for start, end in _upper_runs(doc):
            token = doc[start]
            inside = not (starts_sentence(start) or base + token.idx in starts or _after_line_start(text, base + token.idx)
                          or _abbreviation_before(doc, start) is not None or _opening_marks_before(doc, start) is not None)
            # A name in capitals ("TRINE HAUGSTAD", a heading or a form's field) is no capitalised word
            # to the runs above: proposed when a word of it is a listed name or place, and no everyday word.
            words = [token.text for token in doc[start:end]]
            phrase = " ".join(words)
            if phrase in proposals or phrase.casefold() in ignored or all(word.casefold() in ignored for word in words):
                continue
            if (any(_name_in_capitals(word.casefold()) for word in words) or _unlisted_name_in_capitals(words, lowered)
                    or (end - start == 1 and _lone_name_in_capitals(doc, start, lowered, inside))):
                begin, finish = base + doc[start].idx, base + doc[end - 1].idx + len(doc[end - 1].text)
                proposals[phrase] = Proposal(phrase, begin, finish, _context(text, begin, finish, context))
    lower_names = []
    places_said: dict[str, tuple[int, int]] | None = None
    for word in lowered:
        if _lower_place(word) and not decided(word, ignored) and not any(decided(without_initials(phrase), {word}) for phrase in proposals):
            # A place the lists hold, in lower case after a preposition of place ("bodde på holmsbu", "kom fra tysnes"):
            # the place, which no capital shows; where it is no everyday word ("på ski", "i sand", "fra oslo").
            if places_said is None:
                places_said = _after_place_prepositions(unaddressed)
            where = places_said.get(word)
            if where is not None:
                lower_names.append(Proposal(word, *where, _context(text, *where, context), "place"))
                continue
        # A given name of people living in Norway (SSB's list) written only in lower case, as a transcriber
        # in a hurry writes it ("amina", "trond"), and no everyday word ("liv", "sol", "ask" are words):
        # no capital shows it. Faker's lists of other countries' names hold nynorsk and dialect
        # words ("kalla", "orka", "lova", "assa"). So is a surname that no dictionary holds ("hansen ringte",
        # "med marthinsen"; not "haugen", "bakken", "moen", which are words too).
        name = word if _norwegian_given_name(word) or _lower_surname(word) else _lower_genitive_base(word)
        if (name is None or len(name) < 3 or name in ROLE_LABELS or everyday_word(name)
                or _listed(name, _not_identifiers(), definite=False) or decided(name, ignored)
                or any(decided(without_initials(phrase), {name}) for phrase in proposals)):  # "Hansen", "Hansens", "K. Hansen"
            continue
        if name != word:
            # A genitive ("karis mor", "hansens kontor") is proposed as the name, which ends there.
            owned = re.search(rf"(?<!\w)({re.escape(name)})s(?!\w)", unaddressed)
            if owned is not None:
                lower_names.append(Proposal(name, owned.start(1), owned.end(1), _context(text, owned.start(1), owned.end(1), context)))
            continue
        spans = [match.span() for match in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", unaddressed)]
        if spans and _norwegian_word(word):
            # A name that is a word too is the word after an article or a determiner ("en gard ved Nesbyen").
            spans = [span for span in spans if not _after_a_determiner(unaddressed, span[0])]
        if spans:
            # With the name's other words after it where it is said whole ("fatima warsame"): accepted
            # alone, "fatima" left the surname in the text, which nothing proposed.
            start, end = max((_lower_name_after(unaddressed, start, end, ignored) for start, end in spans),
                             key=lambda span: span[1] - span[0])
            lower_names.append(Proposal(unaddressed[start:end], start, end, _context(text, start, end, context)))
    lower_names += _lower_names_after_kin(unaddressed, text, ignored, proposals, lower_names, context)
    # A name inside a whole one proposed ("ali" of "hodan mohamed ali") is decided with it.
    lower_names = [made for made in lower_names if not any(
        other.start <= made.start and made.end <= other.end and other is not made and other.text != made.text for other in lower_names)]
    proposals.update((made.text, made) for made in sorted(lower_names, key=lambda made: made.start))
    if "'" in text or "’" in text or "-" in read or "Mc" in text or "Mac" in text:
        for match in ODD_CAPITALS.finditer(read):
            # What the runs above cannot see: no word of these is capitalised as a whole.
            group = next(name for name in ("possessive", "prefixed", "compound") if match.group(name))
            begin, finish = match.start(group), match.end(group)
            phrase = text[begin:finish]
            folded = phrase.casefold()
            # Norway's commonest surnames are as common as words ("Hansen-familien", "Olsen-saken"): a listed name
            # that is no everyday word heads a compound as a name, where "Dag-tilbudet" is the word.
            common = _common(folded) and not _is_place(folded) and (folded not in _names() or everyday_word(folded))
            if phrase in proposals or folded in ignored or folded in lowered or common:
                continue
            if ordinary(phrase, [phrase], lowered):
                continue
            proposals[phrase] = Proposal(
                phrase, begin, finish, _context(text, begin, finish, context), "place" if _is_place(phrase.casefold()) else None
            )
    if not text.isascii():
        for match in CASELESS_RUN.finditer(text):
            # A word in a script without capitals (Arabic, Hebrew, Ethiopic, the Indic scripts, CJK) in a
            # transcript written in Latin letters is a name or a word said in the speaker's language:
            # the capitalised runs above can never see it, so each run of them is put to the reviewer.
            phrase = match.group()
            words = phrase.split(" ")
            if not any(character.isalpha() for character in phrase):  # a number in Devanagari digits
                continue
            if phrase in proposals or phrase.casefold() in ignored or all(word.casefold() in ignored for word in words):
                continue
            proposals[phrase] = Proposal(phrase, match.start(), match.end(), _context(text, match.start(), match.end(), context))
    for label in speakers:
        # "Yonas Tesfaye (Gjest)": Teams' marker is no part of the name, and accepted with it, it was a word of
        # the pseudonym ("Morten Christensen Jørgensen") or the whole label a place's "(sted)".
        speaker = _named_in_label(label)
        if (speaker.split(" ")[0].casefold().rstrip(".") in ROLE_LABELS or speaker.casefold() in ignored
                or all(_listed(word.casefold(), _labels(), definite=False) for word in speaker.split(" "))):
            continue  # "Gjest:", "Navn:", "Ukjent:", "Unknown Speaker:"
        coded = speaker.isupper() and len(speaker) <= 5  # "DELT", "INT": transcriber's codes, not names
        # A label in lower case is a name where it reads as one ("ragnfrid: Ja."), as a file's name is read.
        named = speaker[:1].isupper() or all(reads_as_a_name_in_lower_case(word) for word in speaker.split(" "))
        if coded or not named or any(ch.isdigit() for ch in speaker) or speaker in proposals:
            continue
        position = text.find(speaker)
        proposals[speaker] = Proposal(speaker, position, position + len(speaker), _context(text, position, position + len(speaker), context))
    for made in _named_fields(text, ignored, proposals, context):
        proposals[made.text] = made
    return _genitives_as_names(_joined_at_line_breaks(proposals, text, context))


# A line that is a form's or a table's field for a name and its value ("Navn: Mercedes", a table's row "Navn | Liv" as
# the .docx importer writes it): whatever the value's words are elsewhere (a car, a country, an everyday word), here
# they name someone.
_NAMED_FIELD = re.compile(
    r"(?im)^[ \t]*(?:navn|namn|name|fornavn|førenamn|etternavn|etternamn|fullt navn|fullt namn|full name)[ \t]*:[ \t]*"
    r"([^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){0,3}?)\.?[ \t]*$"
)


def _named_fields(text: str, ignored: set[str], proposals: dict[str, Proposal], context: int) -> list[Proposal]:
    """The values of the fields for a name (_NAMED_FIELD) proposed as they stand, capitalised, unless decided, a role
    or a label a form writes for no one ("Navn: Deltaker", "Navn: Ukjent"): "Navn: Mercedes", "Navn: Liv" were stored
    as written, a car's make and an everyday word."""
    made: list[Proposal] = []
    for match in _NAMED_FIELD.finditer(text):
        value = match.group(1)
        words = value.split()
        if (value in proposals or not all(word[:1].isupper() for word in words) or any(ch.isdigit() for ch in value)
                or value.casefold() in ignored
                or all(decided(word, ignored) for word in words) or words[0].casefold() in ROLE_LABELS
                or any(_listed(word.casefold(), _labels(), definite=False) for word in words)):
            continue
        made.append(Proposal(value, match.start(1), match.end(1), _context(text, match.start(1), match.end(1), context)))
    return made


# A capitalised word and the hyphen after it, where a line broke, right before a proposal: "Anne-" of "Anne-\nLise".
_BROKEN_BEFORE = re.compile(r"(?<![\w-])([^\W\d_][^\W\d_]*)-[ \t]*\n[ \t]*$")


def _joined_at_line_breaks(proposals: dict[str, Proposal], text: str, context: int) -> dict[str, Proposal]:
    """The proposals, each whose name a line broke at its hyphen joined with the part before the break, as the key
    holds a double name ("Anne-Lise Marthinsen" for "Anne-\nLise Marthinsen", "Vold-Hansen" for "Vold-\nHansen"):
    proposed from the break, accepting "Lise Marthinsen" left "Anne-" beside her pseudonym, and the part before is
    decided with the whole (its own proposal, "Anne", goes)."""
    if "-\n" not in text and not re.search(r"-[ \t]+\n", text):
        return proposals
    joined: dict[str, Proposal] = {}
    for phrase, made in proposals.items():
        before = _BROKEN_BEFORE.search(text, max(0, made.start - 60), made.start)
        if before is None or not before.group(1)[:1].isupper() or not phrase[:1].isupper():
            joined.setdefault(phrase, made)
            continue
        whole, start = f"{before.group(1)}-{phrase}", before.start(1)
        joined[whole] = Proposal(whole, start, made.end, _context(text, start, made.end, context), made.kind)
    spans = [(made.start, made.end) for made in joined.values() if "-" in made.text]
    return {phrase: made for phrase, made in joined.items()
            if not any(start <= made.start and made.end <= end and (start, end) != (made.start, made.end) for start, end in spans)}


# Prepositions a place is named after, capitalised where they begin a sentence: "bodde på holmsbu", "I tysnes var det".
_PLACE_PREPOSITION = r"(?<![^\W_])(?:[Pp]å|[Ii]|[Ff]ra|[Ff]rå|[Tt]il)[ \t]+"


def _lower_place(folded: str) -> bool:
    """Whether `folded`, written in lower case, is a place the lists hold that is no everyday word: "holmsbu",
    "tysnes", "hamar", "moss"; not "ski", "sand", "time", "oslo" (everyday_word)."""
    return len(folded) >= 3 and folded.isalpha() and _is_place(folded) and not everyday_word(folded)


_AFTER_A_PLACE_PREPOSITION = re.compile(rf"{_PLACE_PREPOSITION}([^\W\d_]+)(?![^\W_])")


def _after_place_prepositions(text: str) -> dict[str, tuple[int, int]]:
    """Each word in lower case right after a preposition of place in `text`, with where it first stands so
    (start, end): read once for all the text's places."""
    found: dict[str, tuple[int, int]] = {}
    for match in _AFTER_A_PLACE_PREPOSITION.finditer(text):
        if match.group(1).islower():
            found.setdefault(match.group(1), match.span(1))
    return found


def _lower_genitive_base(folded: str) -> str | None:
    """The name a word in lower case is the genitive of, when it is one of a name proposed in lower case (a given
    name, _lower_surname) and no name, place or word itself: "kari" of "karis", "hansen" of "hansens"; not of "mors",
    "tors", "åsnes"."""
    if len(folded) < 4 or not folded.endswith("s"):
        return None
    name = folded[:-1]
    if not (_norwegian_given_name(name) or _lower_surname(name)):  # most words: the lexicons are asked of the few left
        return None
    return None if folded in _names() or _is_place(folded) or _dictionary_word(folded) or everyday_word(folded) else name


# A surname written in lower case is proposed when at least this long: shorter ones the lists hold are as often
# words of speech no dictionary has ("joa", "goa", "oma").
LOWER_SURNAME_MIN_LENGTH = 5


def _lower_surname(folded: str) -> bool:
    """Whether `folded`, written in lower case, is one of Norway's surnames (surnames) that is no word of the
    dictionaries, or a father's given name and "sen" or "son", which simplemma's lexicons hold among their words
    ("hansen", "johansen", "eriksson"), nor said aloud: "hansen", "marthinsen", "rasmussen"; not "haugen",
    "bakken", "skansen" or "joa"."""
    if len(folded) < LOWER_SURNAME_MIN_LENGTH or folded not in surnames() or everyday_word(folded) or _said_aloud(folded):
        return False
    father = folded[:-3]  # "johan" of "johansen", "eriks" of "eriksson", "han" of "hansen"
    patronymic = folded.endswith(("sen", "son")) and any(
        form in given_names() for form in (father, father + "s", father.removesuffix("s")))
    return patronymic or not _dictionary_word(folded)


# Articles and determiners, after which a word is a noun, not a name ("en gard", "ei rune", "den siv"): bokmål and nynorsk.
DETERMINERS = frozenset((
    "en ei et ein eit den det denne dette disse dei min mi mitt mine din di ditt dine sin si sitt sine vår vårt våre "
    "noen nokon noe noko ingen inga hver kvar annen anna anna hele heile samme same"
).split())
_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")


def _after_a_determiner(text: str, start: int) -> bool:
    """Whether the word right before `start` in `text` is an article or a determiner (DETERMINERS)."""
    before = _WORD_BEFORE.search(text, max(0, start - 12), start)
    return before is not None and before.group(1).casefold() in DETERMINERS


# Who someone is to the speaker and whose, then a word in lower case ("mannen min, cabdi,", "kjæresten min nguyen van
# long"): the name a hasty transcriber wrote so, where no capital and often no list shows it.
_KIN_THEN_LOWER = re.compile(
    rf"(?<!\w)(?:(?:{KIN_WORD.pattern})[ \t]+(?:{'|'.join(sorted(POSSESSIVES))})|(?:{'|'.join(sorted(POSSESSIVES))})[ \t]+"
    rf"(?:{KIN_WORD.pattern}))(?!\w)[ \t]*,?[ \t]+([^\W\d_]+)(?![\w'’-])",
    re.IGNORECASE,
)


# What someone or something is called, then a word in lower case ("hun heter ragnfrid", "han het jo tesfaye", "ho
# heitte sunnvor", "de kaller meg hallgjerd", "han vart kalla for sigvor"): a name
# follows such a verb by what it means; a word after "hos" may be a compound no dictionary holds ("hos jobbkonsulenten"),
# a dialect's pronoun ("hos demm", "hos hænne") or a word for a grandparent ("hos mommo"), and is left to its capital.
_CALLED = (
    r"(?<!\w)(?:heter|heiter|het|hette|heitte|kalles|kallast|(?:kalt|kalla|kalte|kaller|kallar|kall)"
    r"(?:[ \t]+(?:meg|deg|seg|ham|han|henne|ho|hen|oss|dem|dei|dykk|bare|berre))?)[ \t]+"
    r"(?:(?:jo|vel|visst|egentlig|eigentleg|faktisk|bare|berre|for)[ \t]+)?"
)
_NAMED_THEN_LOWER = re.compile(rf"{_CALLED}([^\W\d_]+)(?![\w'’-])", re.IGNORECASE)
_CALLED_BEFORE = re.compile(rf"{_CALLED}$", re.IGNORECASE)


# "het" as "hot", after an article or a word of degree: "en het dag", "ei het sol", "så het sommer".
_HOT_BEFORE = re.compile(r"(?i:(?<!\w)(?:en|ei|et|ein|eit|så|veldig|litt|skikkelig|kjempe|for)[ \t]+het[ \t])")
CALLED_BEFORE_WITHIN = 40  # characters before a name said as what someone is called


def called_before(text: str, start: int) -> bool:
    """Whether the word at `start` in `text` is said as what someone is called ("dattera mi heter liv", "de kaller meg
    per"): where a given name that is an everyday word too is the name, and elsewhere the word ("ein stein", "i dag")."""
    said = _CALLED_BEFORE.search(text, max(0, start - CALLED_BEFORE_WITHIN), start)
    return said is not None and not _HOT_BEFORE.search(text, max(0, said.start() - 12), said.start() + 4)


# A scheme or a course is called by a long compound ("det heiter arbeidsførebuande", "kurset heiter jobbsøkjarkurs"),
# which no dictionary holds whole; a name no list holds is shorter, though it may read as a compound ("hall|gjerd").
CALLED_COMPOUND_MIN_LETTERS = 12


def _lower_names_after_kin(
    unaddressed: str, text: str, ignored: set[str], proposals: dict[str, Proposal], lower_names: list[Proposal], context: int,
) -> list[Proposal]:
    """Words in lower case said as a relative's or a friend's name (_KIN_THEN_LOWER), or as what someone is called
    (_NAMED_THEN_LOWER), that no dictionary holds, no filler, rarer than the names no list holds
    (UNKNOWN_NAME_MAX_ZIPF), with the words of the name after them: "cabdi", a Somali name no list holds, in "mannen
    min, cabdi, jobber på Rema", was stored as said, unproposed, as "ragnfrid" in "hun heter ragnfrid"; not "mannen
    min, altså", "dattera mi, ho", "kona mi sa", "det heter jo noe"."""
    made: list[Proposal] = []
    said = {proposal.text.casefold() for proposal in (*proposals.values(), *lower_names)}
    for match in (*_KIN_THEN_LOWER.finditer(unaddressed), *_NAMED_THEN_LOWER.finditer(unaddressed)):
        word = match.group(1)
        folded = word.casefold()
        if (not word.islower() or len(word) < 2 or folded in said or decided(folded, ignored) or folded in ROLE_LABELS
                or folded in SENTENCE_OPENERS):
            continue
        # A given name that is a word too ("liv", "stein", "per", "dag") is the name after what someone is called
        # ("dattera mi heter liv"), where nothing else shows it; not after "het" as "hot" ("en het dag").
        called = match.re is _NAMED_THEN_LOWER and _norwegian_given_name(folded) and called_before(unaddressed, match.start(1))
        if not called and (zipf(folded) >= UNKNOWN_NAME_MAX_ZIPF or _dictionary_word(folded)
                           or _said_aloud(folded) or _listed(folded, _not_identifiers(), definite=False)
                           or (len(folded) >= CALLED_COMPOUND_MIN_LETTERS and _compound(folded) and folded not in _names())):
            continue
        start, end = _lower_name_after(unaddressed, *match.span(1), ignored)
        said.add(folded)
        made.append(Proposal(unaddressed[start:end], start, end, _context(text, start, end, context)))
    return made


# A lower-case given name is proposed with at most this many words of the name after it ("hodan mohamed ali").
LOWER_NAME_MORE_WORDS = 2
_NEXT_LOWER_WORD = re.compile(r" ([^\W\d_]{3,})(?!\w)")
# Particles of names that are no Norwegian word (known.NAME_PARTICLES holds "de", "den", "av" too), inside a name in lower case.
LOWER_NAME_PARTICLES = frozenset(("van", "văn", "thi", "thị", "bin", "ibn", "bint", "binti", "ould", "von"))


def _lower_name_after(text: str, start: int, end: int, ignored: set[str]) -> tuple[int, int]:
    """The lower-case given name at start..end with the words of a name after it, as speech-to-text writes a
    whole name ("fatima warsame", "hodan mohamed ali"): each a listed name that is no everyday word
    ("warsame", "mohamed", "hansen"; not "jensen"), or a rare word no dictionary holds and no filler
    ("tesfaye"); not "sa", "ringte", "og"."""
    for _ in range(LOWER_NAME_MORE_WORDS):
        following = _NEXT_LOWER_WORD.match(text, end)
        if following is None:
            break
        word = following.group(1)
        if word.casefold() in LOWER_NAME_PARTICLES:
            # A particle goes with the name where a listed name follows it, be that a word too: "nguyen van long"
            # (accepted, "nguyen" left "van long", the given name, as said), "fatima al hassan".
            named = _NEXT_LOWER_WORD.match(text, following.end())
            if named is None or not named.group(1).islower() or decided(named.group(1), ignored) or not (
                    named.group(1) in _names() or named.group(1) in _southeast_asian_names()) or named.group(1) in SENTENCE_OPENERS:
                break
            end = named.end()
            continue
        if not word.islower() or decided(word, ignored) or word in ROLE_LABELS or _listed(word, _not_identifiers(), definite=False):
            break
        listed = (word in _names() or _is_place(word)) and not everyday_word(word)
        if not listed and (zipf(word) >= UNKNOWN_NAME_MAX_ZIPF or _said_aloud(word) or _dictionary_word(word)):
            break
        end = following.end()
    return start, end


GENITIVE_ENDINGS = ("'s", "’s", "'", "’", "s")
_GENITIVE = "|".join(re.escape(ending) for ending in GENITIVE_ENDINGS)


def parts_of_whole_names(text: str, entries: Iterable[KeyEntry], context: int = 30) -> list[Proposal]:
    """Where a word of a name the key replaces only whole stands alone in `text`, in any case and in
    its genitive too ("Fjordkystens"): "Fjordkysten" of the employer "Fjordkysten Regnskap", which
    names it as surely. `propose` finds such a word inside a sentence, but first in its sentence it
    reads as any word capitalised for grammar. An everyday word of the name ("Regnskap", "Skole") is
    not put forward, nor one the dictionaries hold written in lower case ("et bilverksted" beside "Oslo
    Bilverksted"); nor is one inside the whole name, which the caller's replacements take."""
    named = {entry.original: words for entry in entries if (words := _found_only_whole(entry.original, entry.kind))}
    if not named:
        return []
    folded_text = text.casefold()
    # Where a name stands whole ("Fjordkysten Regnskap", "Fjordkysten Regnskaps"): its words there are
    # the whole name's, which the key replaces.
    whole = [match.span() for original in named if original.casefold() in folded_text
             for match in re.finditer(re.escape(original), text, re.IGNORECASE)]
    found: list[Proposal] = []
    for word in {word for words in named.values() for word in words}:
        if word.casefold() not in folded_text:  # most texts hold none of them: a substring search first
            continue
        # In lower case a word the dictionaries hold is that word ("et bilverksted" beside the
        # employer "Oslo Bilverksted"), unless it is a name or a place ("sandnes").
        folded = word.casefold()
        word_in_lower_case = _dictionary_word(folded) and folded not in _names() and not _is_place(folded)
        for match in re.finditer(rf"(?<!\w)({re.escape(word)})(?:{_GENITIVE})?(?!\w)", text, re.IGNORECASE):
            start, end = match.span(1)
            if word_in_lower_case and match.group(1).islower():
                continue
            if not any(begin <= start and end <= finish for begin, finish in whole):
                found.append(Proposal(match.group(1), start, end, _context(text, start, end, context),
                                      "place" if _is_place(word.casefold()) else None))
    return sorted(found, key=lambda made: made.start)


@lru_cache(maxsize=4096)  # asked for every entry of the key at every text an import reads
def _found_only_whole(original: str, kind: str) -> tuple[str, ...]:
    """The words of a listed name of two or more words that the key replaces only inside the whole
    name (an employer's, a school's, a place's; not a person's, each of whose names is found alone,
    nor an address's or an e-mail's, which the detectors add on their own), capitalised, and naming
    it alone."""
    # Imported here: known imports this module.
    from qualcode.anonymise.key import KeyEntry
    from qualcode.anonymise.known import LIST_KINDS, words_found_alone

    words = {match.group() for match in WORD.finditer(original)}
    if len(words) < 2 or kind == "person" or kind not in LIST_KINDS:
        return ()
    alone = words_found_alone(KeyEntry(original, kind, ""))
    return tuple(sorted(
        word for word in words
        if len(word) >= 3 and word[:1].isupper() and word.casefold() not in alone and _names_alone(word.casefold())
    ))


def _names_alone(folded: str) -> bool:
    """Whether a word of a name the key holds names it alone: a listed name or place ("Sandnes" of
    "Sandnes Sparebank"), or a word bokmål hardly knows ("Fjordkysten", "Consult"), not nynorsk's."""
    if folded in _names() or _is_place(folded):
        return True
    return zipf(folded) < NAME_PART_MAX_ZIPF and not nynorsk_word(folded)


def decided(word: str, known: set[str]) -> bool:
    """Whether `word`, or the name it is the genitive of ("Hodans", "Per's"), is in `known` (casefolded).
    A listed name that ends so itself is its own ("Mats" is no genitive of a dismissed "mat")."""
    folded = word.casefold()
    if folded in known:
        return True
    if folded in _names():
        return False
    return any(folded.endswith(ending) and folded[:-len(ending)] in known for ending in GENITIVE_ENDINGS)


def _genitives_as_names(proposals: dict[str, Proposal]) -> list[Proposal]:
    """The proposals, each genitive as the name it is the genitive of: "Hodans" beside "Hodan", or
    "Ingas" for the listed "Inga", is proposed as that name, once. Accepted apart, the genitive got a
    pseudonym of its own ("Hodans direktenummer" as "Kristoffer direktenummer"), and dismissing the
    name left its genitive in the queue. So is a surname that is an everyday word too ("Volds": "Vold"). A name
    that ends so itself ("Lars", "Agnes") stays whole, and so does a place ("Åsnes" was proposed as "Åsne", a given
    name, for the key to learn as the place)."""
    names = _names()
    found: dict[str, Proposal] = {}
    for phrase, made in proposals.items():
        folded = phrase.casefold()
        last = folded.split(" ")[-1]
        if folded.endswith("s") and len(last) > 3 and last not in names and not _is_place(last) and (
                phrase[:-1] in proposals or last[:-1] in names or last[:-1] in _surnames_also_words()):
            made = Proposal(phrase[:-1], made.start, made.end - 1, made.context, made.kind)
        found.setdefault(made.text, made)
    return list(found.values())


# What may close a name's last token: a genitive's apostrophe or a closing single quote, with the full stop after it.
_CLOSING_APOSTROPHE = re.compile(r"['’]\.?$")


def _run_proposal(
    doc: Doc, base: int, start: int, end: int, text: str, ignored: set[str], lowered: set[str], context: int,
    named: bool = False,
) -> Proposal | None:
    """The capitalised run doc[start:end] (of the piece of `text` at `base`) as a proposal, or None
    when it is ignored or ordinary; a surname that is also an everyday word ("Vold", "Nord", "Lange")
    is no ordinary word where what stands around it has it `named` (_acts, or alone inside a sentence)."""
    span = doc[start:end]
    # An initial is part of the name it is written with ("Kari H.", "K. Haugland"): left out, it stayed beside the
    # pseudonym ("Sondre H. kom inn"). It names no one alone, so the name is judged by its other words.
    written = [token.text for token in span if _initial(token) or _initials(token) or not (token.is_upper and len(token.text) <= 5)]
    words = [word for word in written if INITIAL.fullmatch(word) is None and INITIALS.fullmatch(word) is None]
    if not words:
        if any(_initials(token) for token in span) and " ".join(written).casefold() not in ignored:
            # A person's initials run together name them alone ("Jeg ringte K.N. i går"), as one initial does not.
            begin, finish = base + span.start_char, base + span.end_char
            return Proposal(span.text, begin, finish, _context(text, begin, finish, context))
        return None

    # A genitive's apostrophe ("Lars' kontor", "Foss' kontor") is no part of the name, nor a closing quote and the
    # full stop the tokenizer keeps with it ("het 'Kari'."): with them, "Lars'" was read as no listed name, and as
    # common as "Lars", and left in the text, and "Kari'." was proposed so for the key to learn.
    apostrophe = 0
    if written[-1] == span[-1].text and (closing := _CLOSING_APOSTROPHE.search(written[-1])) is not None and closing.start() > 1:
        apostrophe = len(closing.group())
        written[-1] = words[-1] = written[-1][:closing.start()]
    phrase = " ".join(words)
    if " ".join(written).casefold() in ignored or phrase.casefold() in ignored or all(decided(word, ignored) for word in words):
        return None
    # A listed name may begin with a function word the run left out ("Ny Giv").
    before = doc[span.start - 1].text if span.start > 0 and doc[span.start - 1].is_title else ""
    kin = _named_by_kin(doc, span.start) and phrase.casefold() not in _not_identifiers()
    if not (named and words[0].casefold() in _surnames_also_words()) and not kin and ordinary(phrase, words, lowered, before):
        return None
    if written[:len(words)] == words and len(words) < len(written) and all(_a_label_before_a_letter(word.casefold()) for word in words):
        # "Vedlegg A.", "Tabell B.", "Vitamin D.": a word before a letter names a thing, not a person by their
        # initial. Proposed with it, each letter was one more proposal, and dismissing "Vedlegg A." left "Vedlegg B.".
        written = words
        while _initial(span[-1]):
            span = span[:-1]
    begin, finish = base + span.start_char, base + span.end_char - apostrophe
    shown = _as_written(" ".join(written), span.text[:len(span.text) - apostrophe], text[begin:finish])
    return Proposal(shown, begin, finish, _context(text, begin, finish, context), "place" if _is_place(phrase.casefold()) else None)


def _as_written(phrase: str, read: str, written: str) -> str:
    """`phrase`, made of words of `read` (a span of the text as the detector reads it, _as_read_for_names), with each
    word as `written` (the same span as the text has it) writes it: "Eli‑Sofie" with its non-breaking hyphen, read as
    "Eli-Sofie", is proposed as written, so the key learns what the text holds."""
    if read == written:
        return phrase
    shown, at = [], 0
    for word in phrase.split(" "):
        found = read.find(word, at)
        if found < 0:
            return phrase
        shown.append(written[found:found + len(word)])
        at = found + len(word)
    return " ".join(shown)


def _a_label_before_a_letter(folded: str) -> bool:
    """Whether `folded`, written with an initial, is a word a dictionary holds and no name: "vedlegg", "tabell"; not
    "per", "liv" or "vold", which are names as often."""
    return _dictionary_word(folded) and folded not in _names() and folded not in given_names() and folded not in surnames() \
        and folded not in _surnames_also_words()


def _named_by_kin(doc: Doc, start: int) -> bool:
    """Whether the run at `start` follows who someone is to the speaker and whose, as their name does:
    "dottera mi Live", "datteren min Live", "min datter Live" ("live" is a word, and no list holds it); not a word
    that begins the next sentence, run on without its full stop (_opens_a_sentence)."""
    if start < 2:
        return False
    one, two = doc[start - 2].lower_, doc[start - 1].lower_
    kin = (KIN_WORD.fullmatch(one) is not None and two in POSSESSIVES) or (one in POSSESSIVES and KIN_WORD.fullmatch(two) is not None)
    return kin and not _opens_a_sentence(doc[start].lower_)


def _with_names_after_kin(doc: Doc, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`runs` with each capitalised function word that follows who someone is to the speaker and whose, as their
    name does (_named_by_kin: "broren min Andre"), which the runs leave out as a function word."""
    from spacy.attrs import IS_STOP, IS_TITLE

    flags = doc.to_array([IS_TITLE, IS_STOP])
    named = [index for index in ((flags[:, 0] == 1) & (flags[:, 1] == 1)).nonzero()[0].tolist() if _named_by_kin(doc, index)]
    if not named:
        return runs
    return _consecutive(sorted({*(index for start, end in runs for index in range(start, end)), *named}))


def _opens_a_sentence(folded: str) -> bool:
    """Whether `folded`, capitalised after a kin phrase, is a word a sentence begins with rather than the kin's name
    ("mora mi Hver dag gikk hun på jobb", "faren min Det var tungt": speech written down without its full stops):
    one of the small closed classes (SENTENCE_OPENERS), or a word commoner than any name no list holds, unless a
    list holds it as a given name ("Dag", "Liv", "Per", "Vår")."""
    return folded not in given_names() and folded not in _given_names_also_words() and (
        folded in SENTENCE_OPENERS or zipf(folded) >= KIN_NAME_MAX_ZIPF)


def _name_in_capitals(folded: str) -> bool:
    """A listed name no commoner than the names that are also everyday words ("Anne", not "Per"),
    or a listed place that is no everyday word ("Horten", not "Time")."""
    return (folded in _names() and zipf(folded) < SENTENCE_START_NAME_MAX_ZIPF) or (_is_place(folded) and not _common(folded))


def _unlisted_name_in_capitals(words: list[str], lowered: set[str]) -> bool:
    """Two words or more in capitals that no list knows, of which one at least is rare and none an
    everyday word ("TRYGVE SLAGSVOLD", not "JEG VAR LEI" or "NAV KONTOR"): the name lists hold only
    some of the names said in Norway, and in capitals no other sign tells a name."""
    listed = _not_identifiers()
    # Three letters in capitals are an acronym (KVP, IPS) more often than a name the lists miss.
    left = [word.casefold() for word in words if len(word) > 3 and not _listed(word.casefold(), listed)]
    return (
        len(left) >= 2 and any(word not in lowered and not _common(word) for word in left)
        and all(zipf(word) < SENTENCE_START_NAME_MAX_ZIPF for word in left)
    )


# Prepositions a person is named after ("snakket med HOLTESMO", "hos HOLTESMO", "fikk brev fra HOLTESMO").
BEFORE_A_PERSON = frozenset("med hos til fra frå av".split())
# A name the lists lack has two vowels at least; an acronym of four letters or more seldom does ("ADHD", "PTSD",
# "NTNU"), nor an abbreviation a file is named with ("intv", "transkr").
NAME_MIN_VOWELS = 2
_VOWELS = frozenset("aeiouyæøåéèêóòôâäöü")


def _lone_name_in_capitals(doc: Doc, index: int, lowered: set[str], inside: bool) -> bool:
    """Whether the word in capitals at `index`, alone, is a surname no list holds ("HOLTESMO sa ja", "Det står
    HOLTESMO på døra"): four letters or more and two vowels (not "ADHD", "NTNU"), no acronym nor an acronym's definite
    form or genitive (_acronym: "NAV", "FAFO", "AAPEN", "KVPEN"), reading as a name once capitalised (_reads_as_name:
    rare, in no dictionary, no compound; not "JEG", "ALDRI", "NEI", "KJEMPEBRA"), and `inside` its sentence, where
    no capital is grammar's, or, first in it, standing as a person does: the subject of what a person does or says
    (_does_as_a_person), or after a preposition a person is named after (BEFORE_A_PERSON)."""
    word = doc[index].text
    folded = word.casefold()
    if len(word) < 4 or sum(letter in _VOWELS for letter in folded) < NAME_MIN_VOWELS:
        return False
    if _acronym(folded) or not _reads_as_name(word.capitalize(), lowered):
        return False
    after_a_preposition = index > 0 and doc[index - 1].lower_ in BEFORE_A_PERSON
    return inside or after_a_preposition or _does_as_a_person(doc, index)


# What a word written in capitals ends with after an acronym: a definite form ("AAPEN", "NAVET", "KVPA") or a
# genitive ("FAFOS").
_ACRONYM_ENDINGS = ("en", "et", "a", "ene", "s")


def _acronym(folded: str) -> bool:
    """Whether `folded`, written in capitals, is an acronym on the lists of agencies, programmes and bodies (NAV,
    AAP, FAFO, SINTEF), or its definite form or genitive ("aapen", "navet", "fafos"), or an acronym no list holds
    with no vowel before such an ending ("kvpen", "ptsden")."""
    if _listed(folded, _not_identifiers()):
        return True
    return any(folded.endswith(ending) and len(folded) > len(ending) + 1 and not any(
        letter in _VOWELS for letter in folded[:-len(ending)]) for ending in _ACRONYM_ENDINGS)


def reads_as_a_name_in_lower_case(word: str) -> bool:
    """Whether `word`, in lower case where names are written so as often as not (a file's name, a transcript's
    title, the interviewer's field), reads as a name no list holds: four letters or more, two vowels (not "intv",
    "transkr"), on no list of agencies, and capitalised a word that reads as a name (_reads_as_name: rare, in no
    dictionary, no compound, no filler): "ragnfrid", "hestvold", "berntine"; not "intervju", "referat",
    "gruppeintervju", "kvp"."""
    return (word.isalpha() and word.islower() and len(word) >= 4 and sum(letter in _VOWELS for letter in word) >= NAME_MIN_VOWELS
            and not _listed(word, _not_identifiers()) and _reads_as_name(word.capitalize(), set()))


def _upper_runs(doc: Doc) -> list[tuple[int, int]]:
    """Runs of words in capitals of three letters or more, as (start, end) token indices: read from
    the Doc's token arrays, as the capitalised runs are, since few of a text's tokens are such words."""
    from spacy.attrs import IS_ALPHA, IS_UPPER, LENGTH

    flags = doc.to_array([IS_UPPER, IS_ALPHA, LENGTH])
    return _consecutive(((flags[:, 0] == 1) & (flags[:, 1] == 1) & (flags[:, 2] >= 3)).nonzero()[0].tolist())


def ordinary(phrase: str, words: list[str], lowered: set[str], before: str = "") -> bool:
    """Whether a capitalised run names no one: a listed country, agency or programme (alone or
    after the word `before` it), or made of words that are each listed, written in lower case
    elsewhere (`lowered`), or common bokmål."""
    listed = _not_identifiers()
    names, places = _names(), _places()
    whole = phrase.casefold()
    if _listed(whole, listed, whole not in names and whole not in places) or (before and _listed(f"{before} {phrase}".casefold(), listed)):
        return True
    for word in words:
        folded = _without_apostrophes(word).casefold()
        # A role ("Deltakerne", nynorsk "Deltakar"), or a compound's first part before "og" ("Arbeids- og
        # velferdsetaten"): no one's name.
        # A listed name is no definite form of a listed word ("Daria" is not "Dari" the language, "Kian" no "Kia").
        definite = folded not in names and folded not in places
        if _listed(folded, listed, definite) or _role(folded) or (folded.endswith("-") and folded[:-1] not in names and folded[:-1] not in places):
            continue
        if folded in names or folded in places or folded in _given_names_also_words():
            return False
        # Given names joined by a hyphen ("Hans-Petter", "Per-Olav"): wordfreq rates such a word by its
        # parts, as common as the commonest names are.
        if "-" in folded and all(part in names for part in folded.split("-")):
            return False
        # Written in lower case elsewhere, a word is an ordinary one capitalised, unless shaped as the
        # names the lists miss are ("Tesfalem" stays a name when the transcriber also wrote "tesfalem"), or
        # rare and in no dictionary, as read where a sentence begins ("Ragnfrid … ragnfrid", "Mebrahtom …
        # mebrahtom"): capitalised inside a sentence, such a word is a name the transcriber also wrote in lower case.
        if not _common(folded) and (folded not in lowered or _shaped_like_a_name(word) or _reads_as_name(word, set())):
            return False
    return True


def reads_as_a_name(word: str) -> bool:
    """Whether a capitalised word reads as a name wherever it stands, first in a sentence too
    (_name_even_first): "Ole", "Thorvald", but not "Men", "Til", "Per" or "Hans"."""
    return _name_even_first(word, set())


def _name_even_first(word: str, lowered: set[str]) -> bool:
    """Whether a word that begins a sentence is still proposed: a listed given name or surname
    ("Kari ringte meg.") that the text never writes in lower case and that is rarer than the names
    which are also everyday words ("Per", "Dag", "Liv", "Hans", "Andre"). A name only ever said
    first in its sentence would otherwise never be proposed."""
    folded = word.casefold()
    if folded in lowered:
        return False
    if folded in _first_names():
        if zipf(folded) >= SENTENCE_START_NAME_MAX_ZIPF:
            return False
        # A name from Faker's other languages that no one living in Norway has and that is a nynorsk
        # word ("Veit", "Enno", "Bror") begins its sentence as the word. Norway's common given names
        # and surnames are names first, though nynorsk's lexicon knows many as words ("Olav", "Knut",
        # "Hansen", "Lund"): a name missed leaks, while a word proposed costs the researcher one
        # decision in review.
        # So are Vietnamese names, few and shared by most who bear one ("Tran", "Lan", "Hai").
        if _norwegian_given_name(folded) or folded in faker_names().norwegian_surnames or folded in faker_names().vietnamese:
            return True
        # The names of data/southeast_asian_names.txt that are words too ("Trang", "Nok", "Lek", "Tukta") begin
        # their sentences as those words as often: they are proposed where they stand as a person does (_bare_subject).
        if folded in _southeast_asian_names() and folded not in given_names():
            return not _dictionary_word(folded)
        return not nynorsk_word(folded)
    return _shaped_like_a_name(word)


def _shaped_like_a_name(word: str) -> bool:
    """A short word no list holds and bokmål hardly knows, nor its stem: a name from the languages the
    lists miss ("Semhar", "Gosia", "Hodan", "Rattana") more often than not. An inflection the frequency
    list lacks is known by its stem, a Norwegian word ("Veilederes", "Ungane"); a long word is a
    compound ("Handlingsplanen") unless written with letters Norwegian does not use ("Małgorzata")."""
    folded = word.casefold()
    short_or_foreign = len(word) <= UNKNOWN_FIRST_MAX_LENGTH or not NORWEGIAN_ALPHABET.issuperset(folded)
    if folded in ROLE_LABELS or not (word.isalpha() and short_or_foreign and zipf(folded) < UNKNOWN_FIRST_MAX_ZIPF) or _said_aloud(folded):
        return False
    from qualcode.text.tokens import stem

    # Nor a word of the dictionaries, nor its genitive, which the bokmål list holds as rare as a name:
    # nynorsk ("Ærleg", "Byrja", "Truleg"), bokmål's inflections ("Linjenes", "Ulempens") and English
    # ("Approved", "Wealthy"). A stem that is no Norwegian word makes no Norwegian inflection, however
    # often wordfreq meets it: "Rattana" is none of "rattan" (English, 1.5), "Nermina" none of the name "Nermin".
    root = stem(folded)
    return ((zipf(root) < UNKNOWN_FIRST_MAX_ZIPF or not _norwegian_word(root))
            and not any(_dictionary_word(form) for form in _with_genitive_base(folded)))


# The roles' labels as nynorsk writes them, beside ROLE_LABELS' bokmål.
NYNORSK_ROLES = frozenset(("deltakar", "rettleiar", "leiar", "intervjuar", "forskar", "medforskar", "sakshandsamar"))


# How a role's label ends in its other forms: "Deltakeren", "Deltakerne", "Veiledernes", "Deltakarane".
ROLE_ENDINGS = ("", "s", "e", "en", "ens", "ne", "nes", "er", "erne", "ernes", "ar", "ane", "arane")


@lru_cache(maxsize=1)
def _role_forms() -> frozenset[str]:
    labels = [label for label in ROLE_LABELS | NYNORSK_ROLES if len(label) > 3]
    return frozenset(label + ending for label in labels for ending in ROLE_ENDINGS)


def _role(folded: str) -> bool:
    """A role's label in any of its forms ("deltakerne", "veilederen", "deltakar")."""
    return folded in ROLE_LABELS or folded in _role_forms()


@lru_cache(maxsize=4096)  # asked for the codebook's words at every file an import reads
def may_name_someone(word: str) -> bool:
    """Whether `word` is on the lists of given names, surnames or places, or is written as a name
    is (capitalised) and is no everyday word: such a word is looked at in a text even where the
    project uses it otherwise (a code called "Solheim", a signal word "Vibeke")."""
    folded = word.casefold()
    return folded in _names() or _is_place(folded) or (word.istitle() and word.isalpha() and not _common(folded))


# How a listed noun ends in its definite forms ("Kvalifiseringsstønaden", "Påsken", "Bibelen").
DEFINITE_ENDINGS = ("en", "n", "et", "a", "ene", "ane")


def _listed(folded: str, listed: frozenset[str], definite: bool = True) -> bool:
    """`folded`, its genitive ("Norges", "NAVs") or, if `definite`, its definite form ("Påsken") is in `listed`."""
    return (
        folded in listed or (folded.endswith("s") and folded[:-1] in listed)
        or (definite and any(folded.endswith(ending) and folded[:-len(ending)] in listed for ending in DEFINITE_ENDINGS))
    )


def _common(folded: str) -> bool:
    return zipf(folded) >= COMMON_ZIPF


def zipf(folded: str) -> float:
    """How common `folded` is in bokmål, on wordfreq's Zipf scale (7 the commonest, 0 unknown)."""
    # Imported here: wordfreq takes about half a second to load, and only proposing needs it.
    from wordfreq import zipf_frequency

    return float(zipf_frequency(folded, "nb"))


@lru_cache(maxsize=4096)
def nynorsk_word(folded: str) -> bool:
    """Whether `folded` is a nynorsk word form: in simplemma's nynorsk lexicon, or among the
    everyday words it lacks (data/nynorsk.txt). wordfreq's Norwegian list is bokmål, where these
    are rare, so rarity alone took them for names ("Vidare" for Vidar, "leite" for Leite)."""
    if folded in _nynorsk_supplement():
        return True
    # Imported here: its lexicon takes about 0.1 s to load, and only a word near a known name is asked about.
    import simplemma

    return bool(simplemma.is_known(folded, lang="nn"))


@lru_cache(maxsize=4096)
def bokmal_word(folded: str) -> bool:
    """Whether `folded` is a bokmål word form in simplemma's bokmål lexicon, which holds the
    inflections and compounds wordfreq finds rare ("husleia", "strømregningen", "sykepengene")."""
    # Imported here, and its lexicon loaded only when asked (about 0.5 s): only a rare capital after an abbreviation is.
    import simplemma

    return bool(simplemma.is_known(folded, lang="nb"))


# A word of a known name is an everyday word, found in lower case only as that word, when it is at
# least this common in bokmål (wordfreq's Zipf scale) and a word besides a name: in Norsk Ordbank's
# bokmål (data/ordbank.txt: "liv", "sol", "stein", "dag"), an English word (interviews say "will",
# "hope"), or so common that it is a word of the language's small closed classes ("per", "hans").
# Rarer words of a name are found in lower case whatever they are ("fatima", "laksevåg").
EVERYDAY_MIN_ZIPF = 3.5
FUNCTION_WORD_MIN_ZIPF = 5.0


def everyday_word(folded: str) -> bool:
    """Whether `folded`, a word of a name the key holds, is also an everyday word: written in lower
    case, it is that word ("liv", "per", "stein"), where "kari", "trond" or "øystein" is still the
    name. wordfreq counts names as words ("kari" 4.4, "trond" 4.5), so its frequency alone took
    most common first names for everyday words."""
    if folded in _trade_words():
        return True  # "memo" is rare in wordfreq's bokmål, and the word every researcher types
    if folded in _names_not_words():
        return False  # Ordbank lists "hilde" and "ola" in lower case, and no sentence uses them as words
    frequency = zipf(folded)
    if frequency < EVERYDAY_MIN_ZIPF:
        return False
    return (folded in _ordbank() or frequency >= FUNCTION_WORD_MIN_ZIPF or folded in _nynorsk_supplement()
            or english_word(folded))


def ordinary_value(text: str, field: str = "") -> bool:
    """Whether `text`, typed as a value that is a category (an attribute's "Arbeidstaker", a role's "Ufør"),
    is made of ordinary Norwegian words: each at an everyday frequency in bokmål, or a word (or the genitive
    of one) the bokmål or nynorsk dictionary knows, and none on the lists of names and places, nor a surname
    that is a word too where it is more likely the surname (value_surname: "Foss", "Breivik"; in a field
    naming a person, "Vold" and "Nord" too). A value is
    capitalised as a label is, so its capital says nothing of a name, as it does in running text; a listed
    name ("Kari", "Liv") is held back whatever else it is, as a word no dictionary knows is ("Tesfalem"). Each word
    is judged, however they are joined: "Kari–Hansen" or "Kari/Hansen" taken whole is what wordfreq reads as its
    parts ("kari", "hansen": everyday, 4.2), and a stray hyphen ("-Ufør") left an empty word."""
    words = WORD.findall(text.casefold())
    person = names_a_person(field)
    return bool(words) and all(
        word not in _names() and not _is_place(word) and word not in _places() and not value_surname(word, person)
        and (zipf(word) >= EVERYDAY_MIN_ZIPF or any(_norwegian_word(form) for form in _with_genitive_base(word)))
        for word in words
    )


def value_surname(folded: str, person: bool) -> bool:
    """Whether `folded`, a word typed as a value, is taken for one of Norway's surnames that are everyday words
    too (data/names.txt, which lists them apart: no sentence's first word "Foss" or "Vold" is proposed for them):
    in a field naming a person (names_a_person) any of them ("kontaktperson: Vold"), elsewhere one rarer
    than an everyday word (COMMON_ZIPF), where the surname (Foss: 3,144 bearers) is more likely than the word
    as a category ("Foss", "Breivik", "Sandberg"; not "Nord" as a region, "Vold" as a theme or "Glad")."""
    return folded in _surnames_also_words() and (person or zipf(folded) < COMMON_ZIPF)


def decided_as_a_value(text: str, value: str, category: bool) -> bool:
    """Whether `text`, proposed in a typed `value` read as a sentence or as if inside one ("med Nord"), is a surname
    that is also an everyday word, and all of the value or in a `category` (an office, a role): which of those a
    value holds back is value_surname's to say, by the field ("kontaktperson: Nord" is held back, "region: Nord" and
    "office: Kontor A, Nord" are no one), not where a sentence would have it; in free text ("notat: time hos Lange")
    it is the sentence's."""
    return text.casefold() in _surnames_also_words() and (category or text == value.strip())


def surnames_in_value(value: str, field: str = "") -> list[Proposal]:
    """The capitalised words of `value`, typed into `field`, that are surnames and everyday words too
    (value_surname): what `propose` leaves alone as words, where a sentence begins ("Foss" first in a
    participants CSV's office cell) or, as common as "Vold", anywhere."""
    person = names_a_person(field)
    return [
        Proposal(match.group(), match.start(), match.end(), value)
        for match in WORD.finditer(value) if match.group()[:1].isupper() and value_surname(match.group().casefold(), person)
    ]


# The fields and attributes whose values name a person, by a word of their name (NAME_FIELD_WORDS, "kontakt_person",
# "Fastlege", "veileders navn"), the roles' labels (ROLE_LABELS) among them, or its ending ("etternavn",
# "kontaktperson", "contact_name"): there a surname that is also a word ("Vold", "Nord") is the surname.
NAME_FIELD_WORDS = frozenset((
    "navn name names fornavn etternavn person kontakt contact kontaktperson participant participants speaker deltakere "
    "interviewer note_taker intervjuar saksbehandler sakshandsamar caseworker fastlege lege doctor tolk interpreter "
    "kollega colleague sjef boss partner ektefelle samboer kjæreste pårørende verge mor far mamma pappa bror søster "
    "forelder foreldre mother father parent"
).split())
NAME_FIELD_ENDINGS = ("navn", "name", "person")


def names_a_person(field: str) -> bool:
    """Whether a field or attribute named `field` holds a person's name (NAME_FIELD_WORDS): "kontakt",
    "veileder", "etternavn", "interviewer"; not "region", "kontor", "tema" or "status"."""
    folded = field.strip().casefold()
    parts = [part for part in re.split(r"[\s_\-./]+", folded) if part]
    return folded in NAME_FIELD_WORDS or any(
        part in NAME_FIELD_WORDS or (len(part) > 3 and _role(part)) or part.endswith(NAME_FIELD_ENDINGS) for part in parts
    )


@lru_cache(maxsize=1)
def _ordbank() -> frozenset[str]:
    return frozenset(word for words in data_lines("ordbank.txt").values() for word in words)


@lru_cache(maxsize=1)
def _nynorsk_supplement() -> frozenset[str]:
    return frozenset(word.casefold() for words in data_lines("nynorsk.txt").values() for word in words)


@lru_cache(maxsize=1)
def _names_not_words() -> frozenset[str]:
    return frozenset(word.casefold() for words in data_lines("names_not_words.txt").values() for word in words)


@lru_cache(maxsize=1)
def _trade_words() -> frozenset[str]:
    return frozenset(word.casefold() for words in data_lines("trade_words.txt").values() for word in words)


@lru_cache(maxsize=1)
def _dialect_words() -> frozenset[str]:
    return frozenset(word.casefold() for words in data_lines("dialect.txt").values() for word in words)


@lru_cache(maxsize=1)
def _not_identifiers() -> frozenset[str]:
    return frozenset(entry.casefold() for entries in data_lines("not_identifiers.txt").values() for entry in entries)


# The sections of data/not_identifiers.txt that hold what a meeting's export or a table writes in a speaker's place.
LABEL_SECTIONS = (
    'what Teams writes after a name in its transcripts: "Kari Nordmann (Gjest)"',
    'labels of a table\'s fields and a meeting export\'s voices it could not name: "Navn: …", "Kontakt: …", "Ukjent:"',
)


@lru_cache(maxsize=1)
def _labels() -> frozenset[str]:
    """The words of not_identifiers.txt a speaker's label may be instead of a name ("Gjest:", "Ukjent taler:"), casefolded:
    not its others, which are given names too where a speaker is labelled ("Mercedes:", "Kia:", "Asia:", "India:")."""
    listed = data_lines("not_identifiers.txt")
    return frozenset(entry.casefold() for section in LABEL_SECTIONS for entry in listed[section])


def _is_place(folded: str) -> bool:
    """A municipality or county, or a post town that is not also a name ("Lena", "Sander")."""
    return folded in _municipalities() or (folded in _places() and folded not in _names())


@lru_cache(maxsize=1)
def _municipalities() -> frozenset[str]:
    """Municipalities and counties, casefolded."""
    return frozenset(entry.casefold() for entry in data_lines("places.txt").get("kommuner", []))


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Municipalities and counties, and post towns that are not everyday words, casefolded."""
    sections = data_lines("places.txt")
    places = set(_municipalities())
    places.update(
        folded for folded in (entry.casefold() for entry in sections.get("poststeder", []))
        if " " in folded or zipf(folded) < POST_TOWN_MAX_ZIPF
    )
    return frozenset(places)


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """Given names and surnames (given_names, surnames), and Vietnamese and Thai names, casefolded."""
    return given_names() | surnames() | faker_names().vietnamese | _southeast_asian_names()


@lru_cache(maxsize=1)
def _southeast_asian_names() -> frozenset[str]:
    """Vietnamese and Thai given names and nicknames the other lists lack (data/southeast_asian_names.txt):
    "Trang", "Phuong", "Nok", "Lek", "Tukta", "Ploy"."""
    return frozenset(name.casefold() for names in data_lines("southeast_asian_names.txt").values() for name in names)


@lru_cache(maxsize=1)
def _surnames_also_words() -> frozenset[str]:
    """Statistics Norway's surnames that are everyday words too, left off its list (data/names.txt): "foss",
    "vold", "nord", "breivik", casefolded."""
    return frozenset(name.casefold() for name in data_lines("names.txt")["etternavn som også er ord"])


@lru_cache(maxsize=1)
def _given_names_also_words() -> frozenset[str]:
    """Statistics Norway's given names that are everyday words too, left off its list (data/names.txt): "vår", "mai",
    "live", casefolded."""
    return frozenset(name.casefold() for name in data_lines("names.txt")["fornavn som også er ord"])


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """The names a sentence's first word is proposed as (_name_even_first): given names and Faker's
    common surnames, not SSB's 3,457, many of which are also words a sentence begins with in
    nynorsk or dialect ("Heim", "Eng", "Hval", "Ask"); a surname there is still proposed with the
    name before it, and everywhere else."""
    return given_names() | faker_names().norwegian_surnames | faker_names().vietnamese | _southeast_asian_names()


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Faker's Norwegian surnames and SSB's (data/names.txt), casefolded."""
    return faker_names().norwegian_surnames | frozenset(name.casefold() for name in data_lines("names.txt")["etternavn"])


@lru_cache(maxsize=1)
def _resident_given_names() -> frozenset[str]:
    """Statistics Norway's given names (data/names.txt): names of people living in Norway, casefolded."""
    return frozenset(name.casefold() for name in data_lines("names.txt")["fornavn"])


def _norwegian_given_name(folded: str) -> bool:
    """A given name of people living in Norway: SSB's (data/names.txt, which leaves out the commonest,
    "Trond", "Anne", as everyday words at the start of a sentence) or Faker's Norwegian ones."""
    return folded in _resident_given_names() or folded in faker_names().norwegian_given


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Given names from Faker's locales (faker_names.NAME_LOCALES) and SSB's Norwegian ones (data/names.txt), casefolded."""
    return faker_names().given | _resident_given_names()


# What a sentence or a turn may open with before its first word: quotation marks, a dash as a dialogue's line
# begins, a bullet, a bracket ("- Søsteren min er fødd", "«Søsteren min er fødd»").
OPENING_MARKS = frozenset("«\"'“‘„‹-–—•*([")


def _opening_marks_before(doc: Doc, index: int) -> int | None:
    """The index of the first of the opening marks (OPENING_MARKS) right before token `index`, if it has any: where
    they begin a sentence or a turn, the word after them is its first, capitalised for grammar ("- Søsteren min er
    fødd" proposed "Søsteren")."""
    at = index
    while at > 0 and doc[at - 1].text in OPENING_MARKS:
        at -= 1
    return at if at < index else None


def _after_number(doc: Doc, index: int) -> bool:
    """Whether the token before `index` is a number with its full stop ("2024.", "3."), which spaCy's
    tokenizer keeps as one token (a date's day) although it ends a sentence as often ("… i 2024.")."""
    if index == 0:
        return False
    before = doc[index - 1].text
    return len(before) >= 2 and before.endswith(".") and before[:-1].isdigit()


# A date or a recording's number as a title writes it ("20240213", "2024-02-13", "100312").
_DATE_LIKE = re.compile(r"\d{6,}|\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{4}")


def _after_file_name(doc: Doc, index: int) -> bool:
    """Whether the token before `index` is a file name or a date as a title writes them: what follows
    is a heading's next word ("… 20240213 Møteopptak", "…-Meeting Recording"), capitalised as a heading's are."""
    if index == 0:
        return False
    before = doc[index - 1].text
    return bool(FILE_NAME.fullmatch(before) or _DATE_LIKE.fullmatch(before))


def _abbreviation_before(doc: Doc, index: int) -> str | None:
    """The abbreviation directly before token `index`, lower-cased with its full stop: a word the
    tokenizer keeps whole with it ("osv.", "kr.", "f.eks.", "Dvs.", "jfr.", "o.s.v.", and the everyday
    words "jul.", "to.", "no."), or one of CONTINUING_ABBREVIATIONS and SPLIT_ABBREVIATIONS that it
    splits from it (a trained pipeline's tokenizer, which lacks the rule-based pipeline's
    WHOLE_ABBREVIATIONS: "jfr" "."), whose parser may then end a sentence there."""
    if index == 0:
        return None
    before = doc[index - 1]
    if before.text == "." and index >= 2 and not doc[index - 2].whitespace_:
        written = doc[index - 2].lower_ + "."
        return written if written in CONTINUING_ABBREVIATIONS or written in SPLIT_ABBREVIATIONS else None
    if len(before.text) >= 2 and before.text.endswith(".") and any(character.isalpha() for character in before.text):
        return before.lower_
    return None


def _reads_as_name(word: str, lowered: set[str]) -> bool:
    """Whether a capitalised word where a sentence begins or may begin (first in a sentence or a turn,
    or after "osv.", "kr.", "jul.") reads as a name rather than a word capitalised for grammar, the
    text never writing it in lower case: a listed surname or place that bokmål hardly knows
    ("Marthinsen" after "osv.", "Nødland"; not "Heim" or "Eng"), or a word rarer than the words of
    speech the dictionaries lack that is none of theirs (_dictionary_word), nor its genitive's base:
    "Slagsvold", "Brynestad". Not the nouns a sentence begins with, which wordfreq finds as rare
    ("Husleia", "Bydelskontoret", "Forlagets", "Kvardagen"), nor what is said aloud ("Mmm", "Okei")."""
    folded = word.casefold()
    if folded in lowered:
        return False
    if "-" in word:
        return _double_name(word, lowered)
    if _run_together_name(word):
        return True
    if "'" in word or "’" in word:
        # Read by its letters ("Olga" of "Ol'ga", "Cabdiaziz"), which no word of speech run together is ("Va'kke").
        letters = _without_apostrophes(word)
        return letters != word and (letters.casefold() in _names() or _reads_as_name(letters, lowered))
    rarity = zipf(folded)
    listed = folded in surnames() or _is_place(folded)
    if listed and rarity < NAME_PART_MAX_ZIPF:
        return True
    if rarity >= UNKNOWN_NAME_MAX_ZIPF or not word.isalpha() or _said_aloud(folded):
        return False
    forms = _with_genitive_base(folded)
    if any(_dictionary_word(form) for form in forms):
        return False
    if not listed and _definite_of_an_everyday_word(folded):
        return False
    # A word no dictionary holds that splits into two of their words is a compound noun, unless a list
    # holds it as a surname or place (farm names are compounds: "Skjel|bred", "Her|mansen") or English
    # text writes it while bokmål hardly does: a name of the wider world ("Siva|kumar"), where no
    # Norwegian compound is found.
    return listed or any(_named_abroad(form) for form in forms) or not any(_compound(form) for form in forms)


def _definite_of_an_everyday_word(folded: str) -> bool:
    """Whether `folded` is the definite form of a word bokmål writes every day, which the dictionaries lack as
    written: "eposten" (of "epost", 4.2), "smsen", "ipaden"; not "rattana" or "hodan", whose stems are no such words."""
    return any(folded.endswith(ending) and len(folded) - len(ending) >= 2 and zipf(folded[:-len(ending)]) >= EVERYDAY_MIN_ZIPF
               for ending in DEFINITE_ENDINGS)


def _bare_subject(doc: Doc, index: int, lowered: set[str]) -> bool:
    """Whether the capitalised word at `index`, where a sentence begins, is bare the subject of the verb
    after it, as a name is and a noun is not: before a verb said of people (SAID_OF_PEOPLE: "Rodel sa at
    han ville", "Nordmann ringte"), or a modal or "har" and one ("Tam skal ringe meg"), before a copula
    and a role's label ("Nordmann var veilederen min"), or, when bokmål hardly writes it, before any
    verb a subject comes first with ("Aras kom for sent").
    Not when the verb's own subject follows it ("Lovely var det"), nor a role, a kinship word or a
    noun's definite form ("Veilederen sa", "Bestemor sa", "Fastlegen ringte"), nor what is said aloud."""
    if index + 1 >= len(doc):
        return False
    if doc[index + 1].text == ",":
        # Named, and taken up after the comma by who the subject is ("Per, han sa at", "Rodel, altså veilederen, sa").
        return _named_before_a_comma(doc, index) and _may_stand_bare(doc[index].text, lowered)
    word, verb = doc[index].text, doc[index + 1].lower_
    if verb not in SUBJECT_VERBS or not doc[index].whitespace_ or not _may_stand_bare(word, lowered):
        return False
    folded = word.casefold()
    # A listed name that is also a word ("Per", "Liv", "Nok", "Trang") is the word as often where a sentence
    # begins, and written in lower case elsewhere as that word: where it stands says which it is.
    listed = folded in _names() or folded in _surnames_also_words()
    if _subject_after_verb(doc, index + 1, listed):
        return False
    if _says(doc, index, listed):
        return True
    if verb in SAID_OF_PEOPLE:
        return False  # its subject follows it, a role or a noun's definite form ("Innimellom ringte veilederen")
    if verb in COPULAS and _role_after(doc, index + 2):
        return True
    # A noun begins a sentence bare before a modal or a copula ("Lek skal være gøy", "Liv er viktig", "Tro kan
    # hjelpe"), and an adjective before a copula ("Trang var leiligheten"); before the other verbs, or a copula
    # and what is said of a person's state ("Trang var syk"), a listed name that is also a word is someone.
    if listed and (_state_of_a_person_after(doc, index + 2) if verb in COPULAS else verb not in MODALS):
        return True
    return zipf(folded) < NAME_PART_MAX_ZIPF


def _may_stand_bare(word: str, lowered: set[str]) -> bool:
    """Whether `word`, where a sentence begins, may be a name standing bare as a subject (_bare_subject): a listed
    name however common a word, or a word the text never writes in lower case, no everyday word, and as a name is
    (_bare_word); not a word for people, a role, a kinship word, what is said aloud or a noun's definite form."""
    folded = word.casefold()
    if not word.isalpha() or folded in WORDS_FOR_PEOPLE:
        return False
    if len(word) < 3:
        # A name of two letters ("Wu sa ja.", "Li hjalp oss") stands so as any other: "Wu" and "Li" said first were stored.
        return len(word) == 2 and folded in _two_letter_names()
    listed = folded in _names() or folded in _surnames_also_words()
    if not listed and (folded in lowered or _common(folded)):
        return False
    if _role(folded) or folded.endswith(KINSHIP_ENDINGS) or _said_aloud(folded) or _definite_noun(folded):
        return False
    return listed or _bare_word(folded)


# Pronouns for a person, which take up a name said before them and a comma ("Vold, han sa at", nynorsk "Vold, ho sa",
# spoken "Foss, hu ringte"). A bare noun said so is taken up by "det" or "den" ("Vold, det er et problem").
PERSONAL_PRONOUNS = frozenset("han hun ho hu".split())
# What may stand between the comma and a role's label that takes up a name: "Vold, altså saksbehandleren, sa nei".
BEFORE_APPOSITION = frozenset("altså dvs. eller".split())


def _named_before_a_comma(doc: Doc, index: int) -> bool:
    """Whether the word at `index`, before a comma, names the person the sentence goes on about: taken up by a
    pronoun for a person that does what a person does ("Vold, han sa at", "Foss, hun ringte meg", "Lange, han
    kom for sent"), or by a role's label ("Vold, altså saksbehandleren, sa nei", "Foss, saksbehandleren min, ringte").
    A dialect takes up a thing by "han" or "ho" too ("Skogen, han kom nærmere"): a thing's definite form is someone
    only where the pronoun says something."""
    if index + 2 >= len(doc) or doc[index + 1].text != ",":
        return False
    after = index + 2
    if doc[after].lower_ in PERSONAL_PRONOUNS:
        return _does_as_a_person(doc, after) and (_says(doc, after, named=True) or not _a_things_definite_form(doc[index].lower_))
    if doc[after].lower_ in BEFORE_APPOSITION:
        after += 1
    return _role_after(doc, after)


def _acts(doc: Doc, index: int) -> bool:
    """Whether the word at `index` is the subject of a verb said of people right after it, or of a modal or
    "har" and one ("Vold sa at", "Foss sa det", "Nord har ringt"), of a verb saying what a person does
    (DONE_BY_PEOPLE: "Vold kom inn", "Lange kom for sent"), or of a copula and a role or a person's state ("Vold
    er min veileder", "Foss var syk"), or owns what "sin" says it does ("Vold sin sekretær"): there a surname
    that is also an everyday word too common to be taken for a name elsewhere ("Vold", "Nord", "Lange"; "NAV
    Nord", "Vold har økt", "Vold var et tema") is someone."""
    return not _after_a_name(doc, index) and _does_as_a_person(doc, index)


def _does_as_a_person(doc: Doc, index: int) -> bool:
    """Whether the word at `index` is the subject of what follows as a person is (_acts), whatever stands before it,
    alone or with another ("Vold og Foss sa at")."""
    if _named_before_a_comma(doc, index):
        return True
    if index + 1 >= len(doc) or not doc[index].whitespace_:
        return False
    if _says(doc, index, named=True) or _owns(doc, index):
        return True
    if doc[index + 1].lower_ in ("og", "eller") and index + 2 < len(doc) and doc[index + 2].is_title:
        return _does_as_a_person(doc, index + 2)  # the first of two who do it ("Vold og Foss sa at")
    if _subject_after_verb(doc, index + 1, named=True):
        return False
    verb = doc[index + 1].lower_
    if verb in COPULAS:
        return _role_after(doc, index + 2) or _state_of_a_person_after(doc, index + 2)
    # A thing's definite form does as much ("Skogen kom nærmere", "Strømmen kom tilbake", "Broen ble stengt").
    return verb in DONE_BY_PEOPLE and not _a_things_definite_form(doc[index].lower_)


def _a_things_definite_form(folded: str) -> bool:
    """Whether `folded`, a surname that is an everyday word, is a noun's definite form: a word bokmål or nynorsk
    knows with "-en", "-et" or "-a" after it ("skog|en", "strøm|men", "sjø|en", "nakke|n"); not "brun" or "vold", nor a
    word English writes more than bokmål does ("green", which reads as nynorsk's "gre|en")."""
    from wordfreq import zipf_frequency

    if zipf_frequency(folded, "en") > zipf(folded):
        return False  # a name written abroad as at home, such as the English word it is: no Norwegian noun's form
    stems = [folded[:-len(ending)] for ending in ("en", "et", "a") if folded.endswith(ending)]
    stems += [stem[:-1] for stem in stems if len(stem) > 2 and stem[-1] == stem[-2]]  # "strømm" of "strømmen"
    if folded.endswith("en"):
        stems.append(folded[:-1])  # "nakke" of "nakken"
    return any(len(stem) >= COMPOUND_HEAD and _norwegian_word(stem) for stem in stems)


# Words a name is said or written after that are no part of it: titles, greetings, kinship as address, and a
# link's word ("Fru Hansen-Berg", "Rektor Skrøvseth", "Hilsen Ingvild", "Tante Olga", "Linken Sunniva Grøtte").
TITLES_BEFORE_NAMES = frozenset((
    "fru frue herr frk frøken doktor professor rektor lektor pastor prest sogneprest biskop ordfører statsråd "
    "hilsen mvh kjære hei hallo tante onkel bestemor bestefar besteforeldre mormor morfar farmor farfar oldemor oldefar "
    "linken lenken lenka"
).split())
# What a job title ends with, said before a name as a title is ("Fylkesdirektøren Tove Strand", "Avdelingslederen
# Hansen", "Rådgiver Lindqvist"), in bokmål and nynorsk, with its definite form.
JOB_TITLE_ENDINGS = tuple(
    form for title in ("direktør", "sjef", "leder", "leiar", "konsulent", "rådgiver", "rådgjevar", "saksbehandler",
                       "sakshandsamar", "veileder", "rettleiar", "koordinator")
    for form in (title, title + "en"))
# Pronouns a dialect says before a given name ("ho Berit", "han Per", "hu Kari").
PRONOUNS_BEFORE_NAMES = frozenset("ho han hu'n hu a n".split())


def _title_before_a_name(doc: Doc, index: int) -> bool:
    """Whether the capitalised word at `index`, with more of its run after it, is a title, a greeting or a kinship word
    said before a name (TITLES_BEFORE_NAMES), or a dialect's pronoun before a given name ("Ho Berit Øyen"): no part
    of the name. Proposed with it, the whole was one more decision, and what accepting the name left of it another."""
    folded = doc[index].lower_
    if folded in PRONOUNS_BEFORE_NAMES:
        return index + 1 < len(doc) and doc[index + 1].lower_ in given_names()
    return (folded in TITLES_BEFORE_NAMES or _role(folded) or folded.endswith(JOB_TITLE_ENDINGS)) and folded not in _names()


# The words a street's name ends in, written apart after the genitive of whom it is named for ("Kong Oscars gate 3",
# "Hans Nielsen Hauges gate 22", "Sjøkrigsskolens bakke 3"), as the address detector reads them (patterns.STREET).
STREET_WORDS = frozenset((
    "gate gata gaten vei veien veg vegen allé alle alléen alleen plass plassen ring ringvei torg torget bakke bakken "
    "sti stien brygge brygga kai terrasse"
).split())


def _names_a_street(doc: Doc, end: int) -> bool:
    """Whether the capitalised run ending before `end` is the name of a street, a genitive before a street word and a
    house number: "Hans Nielsen Hauges gate 22" proposed "Hans Nielsen Hauge", and "Hans" was stored beside the
    address's placeholder once accepted. The address detector takes the street, its words and its number."""
    if end + 1 >= len(doc) or doc[end].lower_ not in STREET_WORDS or not doc[end + 1].text[:1].isdigit():
        return False
    return doc[end - 1].text.endswith(("s", "'", "’"))


def _joined_by_and(doc: Doc, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`runs`, each followed by "og" and a run of words the dictionaries hold that are no names or places joined
    with it when the run before holds a name or a word no dictionary holds, as a firm is named ("Hamar Kebab og
    Pizza", "Hansen og Sønn"): proposed apart, "Pizza" was one more decision, and named no one. Two names are left
    apart ("Kari og Per", "Oslo og Akershus", "Foss og Vold"), and so are a thing's labels ("Vedlegg A. og Vedlegg B.")."""
    def named(index: int) -> bool:
        folded = doc[index].lower_
        return (folded in _names() or _is_place(folded) or folded in _surnames_also_words() or folded in _short_surnames()
                or not _dictionary_word(folded))

    from qualcode.anonymise.known import COMPOUND_ENDINGS  # here: known imports this module

    joined: list[tuple[int, int]] = []
    for start, end in runs:
        # A name written together with a word for a family or a farm ("Klunglandfamilien og Storfamilien") begins no firm.
        if (joined and joined[-1][1] + 1 == start and doc[start - 1].lower_ == "og"
                and not doc[joined[-1][1] - 1].lower_.endswith(COMPOUND_ENDINGS)
                and any(named(index) and not _initial(doc[index]) for index in range(*joined[-1]))
                and not any(_initial(doc[index]) for index in range(*joined[-1]))
                and not any(named(index) for index in range(start, end))):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _first_of_two_named(doc: Doc, index: int) -> bool:
    """Whether the listed name at `index`, however common a word ("Liv", "Per", "Vold"), is the first of two names who
    do something ("Liv og Dag kom", "Per og Kari sa ja"): only the second was proposed. Not a word for people
    ("Andre og Kari kom")."""
    folded = doc[index].lower_
    if folded in WORDS_FOR_PEOPLE or not (folded in _names() or folded in _surnames_also_words()):
        return False
    return (index + 2 < len(doc) and doc[index + 1].lower_ in ("og", "eller") and doc[index + 2].lower_ in _names()
            and _does_as_a_person(doc, index))


def _after_a_name(doc: Doc, index: int) -> bool:
    """Whether the word at `index` is the last word of another name, an office's or an agency's ("NAV Nord sa",
    "Kontor Nord sa", "hos NAV Nord"): after a word in capitals or capitalised, which is no function word ("Men Vold sa")."""
    before = doc[index - 1] if index > 0 else None
    return before is not None and (before.is_title or before.is_upper) and not before.is_stop


# The reflexive possessive after a name, as speech writes a genitive: "Vold sin sekretær", "Foss sitt kontor".
OWNED_BY = frozenset("sin si sitt sine".split())


def _owns(doc: Doc, index: int) -> bool:
    """Whether the word at `index` is followed by "sin", as a person who owns what comes after ("Vold sin sekretær")."""
    return index + 2 < len(doc) and doc[index].whitespace_ != "" and doc[index + 1].lower_ in OWNED_BY and doc[index + 2].is_alpha


# What people are called by their work in the services an interview is about, bokmål and nynorsk, beside the
# interview's roles (ROLE_LABELS): said of one bare, "var saksbehandleren min", "Foss, fastlegen min, ringte".
PEOPLE_BY_THEIR_WORK = frozenset((
    "saksbehandler sakshandsamar fastlege lege sjef kollega nabo tolk lærer lærar psykolog rådgiver rådgjevar "
    "konsulent jobbkonsulent arbeidsgiver arbeidsgjevar sykepleier sjukepleiar terapeut mentor kontaktperson advokat"
).split())


def _a_persons_label(folded: str) -> bool:
    """Whether `folded` is a role's label (_role) or what a person is called by their work, indefinite or definite
    ("saksbehandler", "saksbehandleren", "legen", "kollegaen")."""
    if _role(folded) or folded in PEOPLE_BY_THEIR_WORK:
        return True
    return (folded.endswith("en") and folded[:-2] in PEOPLE_BY_THEIR_WORK) or (
        folded.endswith("en") and folded[:-1] in PEOPLE_BY_THEIR_WORK)


def _role_after(doc: Doc, index: int) -> bool:
    """Whether a role's label, or what a person is called by their work (_a_persons_label), with a possessive before
    it or none, ends what the copula before `index` says ("var veilederen min", "er min veileder", "var
    saksbehandler."), which it says of a person."""
    if index < len(doc) and doc[index].lower_ in POSSESSIVES:
        index += 1
    return index < len(doc) and _a_persons_label(doc[index].lower_) and _ends_phrase(doc, index + 1)


def _says(doc: Doc, index: int, named: bool = False) -> bool:
    """Whether the verb after the word at `index` is said of people, alone or after a modal or "har" ("sa
    at", "har ringt", "skal ikke si"), and its own subject does not follow it: a pronoun, a capitalised word,
    a role or a noun's definite form ("Heldigvis sa hun", "Innimellom ringte veilederen"). Of a `named` word
    see _subject_after_verb."""
    if index + 1 >= len(doc) or _subject_after_verb(doc, index + 1, named):
        return False
    verb = doc[index + 1].lower_
    after = doc[index + 2] if index + 2 < len(doc) else None
    if verb in SAID_OF_PEOPLE:
        return after is None or not (_role(after.lower_) or _definite_noun(after.lower_))
    return verb in AUXILIARIES and _said_of_people_after(doc, index + 2)


def _subject_after_verb(doc: Doc, index: int, named: bool = False) -> bool:
    """Whether the word after the verb at `index` is that verb's subject, a pronoun or a capitalised word
    ("Lovely var det", "Dela gjorde vi det", "Iblant ringte Kari"), so that the word before the verb is not.
    After a listed name (`named`), "det" after a verb said of people, or of what people write or ask, is its object
    ("Foss sa det", "Vold foreslo det"; not after "kom": "Nok kom det en regning");
    after another word it is as often the subject of a sound ("Pang sa det")."""
    after = doc[index + 1] if index + 1 < len(doc) else None
    if after is None:
        return False
    if named and (doc[index].lower_ in SAID_OF_PEOPLE or doc[index].lower_ in WRITTEN_AND_ASKED) and after.lower_ in OBJECTS_AFTER_SAYING:
        return index + 2 < len(doc) and doc[index + 2].lower_ == "seg"
    return after.lower_ in SUBJECTS_AFTER_VERB or after.is_title


def _genitive_of_a_name(doc: Doc, index: int, lowered: set[str]) -> bool:
    """Whether the capitalised word at `index`, where a sentence begins, is a name's genitive before what it
    owns ("Hansens kontor var lite", "Lars' mor ringte", "Volds sekretær sa"): a listed name read as one even
    there (_name_even_first; a word only shaped like one is not: "Edits", "Processes"), a listed surname, or a
    surname that is also an everyday word, whose bare genitive no sentence begins with as the word's ("Volden"
    owns, not "Vold"); or either before "sin", as speech writes a genitive ("Vold sin sekretær ringte"). Not a
    name ending so itself ("Agnes", "Mats"), nor the genitive of an everyday name ("Dags dato", "Pers" of "Per"),
    nor a word before a verb ("Korleis sa") or a dialect's ("Vårres familie")."""
    word = doc[index].text
    if _owns(doc, index):
        return word.casefold() in _names() or word.casefold() in _surnames_also_words()
    if index + 1 >= len(doc) or len(word) < 4 or word[-1] not in "s'’" or not word[:-1].isalpha():
        return False
    owned = doc[index + 1]
    folded, name = word.casefold(), word[:-1]
    if not (owned.is_alpha and owned.is_lower) or owned.is_stop or folded in lowered or _said_aloud(folded):
        return False
    if folded in _names() or folded in _surnames_also_words():
        return False  # a name, or a surname that is an everyday word, that ends so itself ("Agnes", "Foss var det mye av")
    listed = name.casefold() in _first_names() and _name_even_first(name, lowered)
    return listed or name.casefold() in surnames() or name.casefold() in _surnames_also_words()


def _before_a_name(word: str, following: str) -> bool:
    """Whether `word`, a given name however common a word ("Per", "Liv", "Nok"), begins a whole name with
    the listed name after it ("Per Olav", "Liv Hansen"): left out, the name was proposed without it, and
    accepting "Olav" left "Per" in the text."""
    return word.casefold() in _first_names() and following.casefold() in _names()


def _double_surname_apart(doc: Doc, index: int) -> bool:
    """Whether the surname that is an everyday word at `index` begins a double surname written without its hyphen,
    the two the subject of what follows ("Vold Hansen sa ja", "Lange Nilsen kom inn"): "Hansen" alone was proposed,
    and accepting it left "Vold". Not an imperative before a name ("Ring Hansen i morgen", "Ring Synnøve Engen")."""
    if index + 1 >= len(doc) or doc[index].lower_ not in _surnames_also_words():
        return False
    following = doc[index + 1].lower_
    return following in surnames() and following not in given_names() and _does_as_a_person(doc, index + 1)


def _state_of_a_person_after(doc: Doc, index: int) -> bool:
    """Whether the token at `index`, after a copula, or the one after it when that is an adverb ("veldig",
    "ikke"), says how a person is: "var syk", "er veldig sint", "var gravid"."""
    if index < len(doc) and doc[index].lower_ in ADVERBS_BEFORE_STATE:
        index += 1
    return index < len(doc) and doc[index].lower_ in STATES_OF_PEOPLE


def _said_of_people_after(doc: Doc, index: int) -> bool:
    """Whether the token at `index`, after a modal or "har", or the one after it when that is an adverb
    ("ikke", "også"), is a verb said of people: "skal ringe", "har sagt", "kan ikke si"."""
    if index < len(doc) and doc[index].lower_ in ADVERBS_AFTER_AUXILIARY:
        index += 1
    return index < len(doc) and doc[index].lower_ in SAID_OF_PEOPLE_AFTER_AUXILIARY


def _bare_word(folded: str) -> bool:
    """Whether `folded` may be a bare subject, as a name is: no compound noun ("gruppeintervju"; a
    surname may end in "mann", "Nordmann"), no adjective or adverb by its ending ("eigentleg"), no
    genitive of a word ("tiltakets"), written abroad too (NAMED_ABROAD_MIN_ZIPF), and no English word
    as common as those said aloud ("anyway", "sorry"; not "lovely")."""
    from wordfreq import zipf_frequency

    if folded.endswith(ADJECTIVE_ENDINGS) or any(
        (_compound(form) and not form.endswith("mann")) or (form != folded and len(form) > 3 and _norwegian_word(form))
        for form in _with_genitive_base(folded)
    ):
        return False
    # A name is written abroad as at home, and wordfreq's English list knows it ("rodel", "dela", "aras",
    # "nordmann"); a Norwegian word, inflected as Norwegian inflects ("utslitt", "hauste", "taushet"), it
    # hardly knows: such words are proposed where they stand bare before a verb, which a word seldom does.
    english = zipf_frequency(folded, "en")
    return NAMED_ABROAD_MIN_ZIPF <= english and not (english >= SAID_IN_ENGLISH_MIN_ZIPF and english_word(folded))


# Words that join the names of a firm ("Hansen og Sønn") and begin or end no name alone: where the key replaced the
# name before one, the rest of the proposal is looked at without it.
CONJUNCTIONS = frozenset("og eller samt and".split())


# Question words asking for a person ("Hvem ringte?", nynorsk "Kven", dialect "Kem", "Kæm").
WHO = re.compile(r"(?<!\w)(?:hvem|kven|kem|kæm|kæin)(?!\w)", re.IGNORECASE)
_ANSWER_END = re.compile(r"[.!]?[ \t]*(?:\n|$)")


def _answers_who(text: str, at: int, word: str, lowered: set[str]) -> bool:
    """Whether `word`, at `at` in `text`, is a turn's whole answer to a question asking who ("Hvem
    ringte?" "D1: Rodel."), and none of the words that answer so without naming anyone: a role, a
    kinship word, a definite form, what is said aloud ("Veilederen.", "Bestemor.", "Naboen.")."""
    folded = word.casefold()
    if not _ANSWER_END.match(text, at + len(word)) or not _after_line_start(text, at):
        return False
    asked = text[:text.rfind("\n", 0, at)].rstrip()
    if not asked.endswith("?") or not WHO.search(asked[asked.rfind("\n") + 1:]):
        return False
    # A listed name that is also a word ("Per", "Nok") answers so as a name: no word answers "who" alone.
    listed = folded in _names() or folded in _surnames_also_words()
    return not (len(word) < 3 or not word.isalpha() or (not listed and (folded in lowered or _common(folded))) or _role(folded)
                or folded in WORDS_FOR_PEOPLE or folded.endswith(KINSHIP_ENDINGS) or _said_aloud(folded) or _definite_noun(folded))


def _ends_phrase(doc: Doc, index: int) -> bool:
    """Whether the token at `index` is none, punctuation, or a possessive: what a role's label said of someone ends with."""
    # "min." is one token: the abbreviation for minutes to the tokenizer.
    return index >= len(doc) or doc[index].is_punct or doc[index].lower_.rstrip(".") in POSSESSIVES


def _definite_noun(folded: str) -> bool:
    """Whether `folded` is a noun's definite form: long and ending as one does, the services' compounds
    the lexicons lack ("praksisveilederen", "bostøtta", "arbeidsavklaringspengene"), or as common as a
    noun's is (DEFINITE_MIN_ZIPF), or plural, and a known word with a definite ending ("mora", "fastlegen",
    "ungane"); not the rare short word that ends so ("dela"), nor one the lexicons lack that ends in an
    "n" after another letter than "e" ("loan", a Vietnamese name, is no definite form of the nynorsk "loa")."""
    stems = [folded[:-len(ending)] for ending in DEFINITE_ENDINGS if folded.endswith(ending) and len(folded) - len(ending) >= COMPOUND_HEAD]
    if not stems:
        return False
    if len(folded) >= DEFINITE_MIN_LENGTH:
        return not folded.endswith("n") or folded.endswith("en")  # a lone "n" ends a definite form after an "e" only
    if folded.endswith("n") and not folded.endswith("en") and not _norwegian_word(folded):
        # Nor does it in a short word, which the lexicons still hold where it ends so ("sidan", "korn"),
        # as the words they are: no bare subject either.
        return False
    # A plural's ending ends no name; a singular's ends many ("Dela", "Rattana").
    plural = folded.endswith(("ene", "ane"))
    return (plural or zipf(folded) >= DEFINITE_MIN_ZIPF) and any(_norwegian_word(stem) or _norwegian_word(stem + "e") for stem in stems)


def _named_abroad(folded: str) -> bool:
    """Whether wordfreq's English list knows `folded` and its bokmål list hardly does: a name the
    wider world writes ("sivakumar", "mohamedamin"), which no Norwegian compound is."""
    from wordfreq import zipf_frequency

    return zipf(folded) < UNKNOWN_FIRST_MAX_ZIPF and zipf_frequency(folded, "en") >= NAMED_ABROAD_MIN_ZIPF


def _double_name(word: str, lowered: set[str]) -> bool:
    """Whether a hyphenated word where a sentence begins is a double name ("Liv-Marit", "Hans-Petter",
    "Abdi-Rahman", "Vold-Hansen"): each part capitalised and a listed name, a surname that is also an everyday
    word, or a word that reads as one, at least one of them more than an everyday word. Not "Øst-Europa",
    "Nord-Norge" or "NAV-kontoret"."""
    parts = word.split("-")
    if len(parts) < 2 or not all(part.istitle() and part.isalpha() and len(part) >= 2 for part in parts):
        return False
    names = _names()
    if not all(part.casefold() in names or part.casefold() in _surnames_also_words() or _reads_as_name(part, lowered) for part in parts):
        return False
    return any(_name_even_first(part, lowered) or _reads_as_name(part, lowered) for part in parts)


def _with_genitive_base(folded: str) -> list[str]:
    """`folded`, and the word it would be the genitive of ("kommunens": "kommunen")."""
    return [folded, folded[:-1]] if folded.endswith("s") and len(folded) > 3 else [folded]


def _dictionary_word(folded: str) -> bool:
    """Whether simplemma's bokmål or nynorsk lexicon knows `folded`, or its English one as a word
    rather than a name ("anyway", "remember", "sorry"; not "johnson" or "jenkins", which it holds as
    the names "Johnson" and "Jenkins"): English is said in Norwegian interviews, and wordfreq's
    bokmål list finds it rare."""
    return _norwegian_word(folded) or english_word(folded)


@lru_cache(maxsize=4096)
def english_word(folded: str) -> bool:
    """Whether `folded` is an English word in simplemma's English lexicon whose lemma is written in
    lower case: a word, not a name ("Johnson")."""
    import simplemma  # its English lexicon (about 0.2 s) loads only when a rare capital is met

    return bool(simplemma.is_known(folded, lang="en")) and simplemma.lemmatize(folded, lang="en")[:1].islower()


# What is said aloud and no dictionary holds: fillers of h and m after a vowel or none ("Hmm", "Mhm",
# "Æhm", "Øhm", "Ehh"; not "Åm", a surname), or of no vowel at all ("Pff", "Psst").
FILLER = re.compile(r"[aeiouyæøå]?(?:h[hm]*|m[hm]+)|[bcdfghjklmnpqrstvwxz]{3,}")
# A letter three times or more: a word drawn out ("Neeei", "Jaaa"), which Norwegian writes no word
# with; names write two ("Haaland", "Huuse").
_DRAWN_OUT = re.compile(r"(.)\1\1+")


def _said_aloud(folded: str) -> bool:
    """A filler or interjection: shaped as one (FILLER), listed as one (data/not_identifiers.txt:
    "okei", "nåja"), a dialect's pronoun or question word (data/dialect.txt: "kæm", "hainn"), or a
    word drawn out ("neeei") or said twice ("menmen")."""
    if FILLER.fullmatch(folded) or folded in _not_identifiers() or folded in _dialect_words():
        return True
    collapsed = _DRAWN_OUT.sub(r"\1", folded)
    half = len(folded) // 2
    return (collapsed != folded and (_common(collapsed) or bokmal_word(collapsed) or collapsed in _not_identifiers())) or (
        len(folded) % 2 == 0 and folded[:half] == folded[half:] and _common(folded[:half]))


# Words for land, water and farm that Norway's farm names, and so most of its surnames, end with
# ("Brynestad", "Østhagen", "Ytterland", "Slagsvold", "Øverlier", "Østefjells"): a rare word that
# ends with one, in any of its forms, reads as a name, not as a compound noun ("Bydelskontoret").
FARM_NAME_ENDINGS = frozenset((
    "aker åker ås aas bakk bakke berg bekk botn botten borg bost bråte bråt bu bust by bye bø bøl dal dahl eid eide "
    "eng fjell fjeld fjord flat flate foss gard gård gaard grav hage hamn havn hals haug hauge heim hei hede hol holm "
    "holt horn hov hus jord kil kleiv kvam land leir li lid lie lund lyng løkke mark mo myr nes næs odd odde rud rød "
    "sand set seth sjø skar skjær skog skjold stad sted stein strand stø støl støyl sund svik sæter seter teig toft torp tun "
    "tveit tvedt vang vann vand varp verp vik vold voll våg øy"
).split())
_FARM_NAME_FORMS = frozenset(
    ending + suffix for ending in FARM_NAME_ENDINGS for suffix in ("", "e", "n", "en", "et", "a", "er", "ene", "ane", "s"))
# A compound's parts: the first at least this long (or one more, with a linking "s" or "e": "bydels|",
# "gruppe|"), the last at least COMPOUND_TAIL letters ("|kontoret", "|intervju", "|forskerne").
COMPOUND_HEAD = 3
COMPOUND_TAIL = 4


def _compound(folded: str) -> bool:
    """Whether `folded` is a compound of two words bokmål's or nynorsk's dictionary knows ("bydels|kontoret",
    "gruppe|intervju", "med|forskerne"), which simplemma's lexicon holds only some of, and does not
    end as a farm name does ("øst|hagen", "bryne|stad", "ytre|støyl"): the nouns a sentence begins with.
    A last part that is a given name and no everyday word ("mohamed|amin") makes no compound noun:
    the lexicons hold such names among their words. A word's definite form still does, a name or
    not ("opplærings|lova", of "lov")."""
    if any(folded[cut:] in _FARM_NAME_FORMS and _part_of_compound(folded[:cut], 1) for cut in range(1, len(folded) - 1)):
        return False
    return any(
        _norwegian_word(tail) and _part_of_compound(folded[:cut], COMPOUND_HEAD) and (_word_not_name(tail) or _definite_of_word(tail))
        for cut in range(COMPOUND_HEAD, len(folded) - COMPOUND_TAIL + 1)
        for tail in [folded[cut:]]
    )


def _word_not_name(folded: str) -> bool:
    """Whether `folded` is no given name, or an everyday word besides one ("anna", "stein")."""
    return folded not in given_names() or everyday_word(folded)


def _definite_of_word(folded: str) -> bool:
    """Whether `folded` is a definite form of a word bokmål or nynorsk knows ("lova", "planen")."""
    return any(
        folded.endswith(ending) and len(folded) - len(ending) >= COMPOUND_HEAD and _norwegian_word(folded[:-len(ending)])
        for ending in DEFINITE_ENDINGS
    )


def _part_of_compound(head: str, shortest: int) -> bool:
    """Whether `head` is a word bokmål or nynorsk knows, alone or before a linking "s" or "e" ("bydels", "gruppe")."""
    return _norwegian_word(head) or (head[-1] in "se" and len(head) > shortest and _norwegian_word(head[:-1]))


def _norwegian_word(folded: str) -> bool:
    return bokmal_word(folded) or nynorsk_word(folded)


# What follows a speaker's label: a colon, or a role in brackets and one ("Berntine (veileder):").
_AFTER_A_LABEL = re.compile(r"[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?:")


def _labels_a_turn(text: str, at: int, word: str) -> bool:
    """Whether `word`, at `at` in `text`, is a speaker's label: alone at a line's start before a colon, or before a
    role in brackets and one, whether or not the turns were read so ("Berntine (veileder): Jeg er veilederen.").
    There a rare word no dictionary holds is a name however else the text writes it: the labels of the same
    speaker in lower case ("berntine: Ja.") made it a word the transcriber uses, and it was stored unproposed."""
    if _AFTER_A_LABEL.match(text, at + len(word)) is None:
        return False
    # Back over the spaces before it only, as _after_line_start reads: a memo of one long line is read once.
    before = at - 1
    while before >= 0 and text[before] in " \t":
        before -= 1
    return (before < 0 or text[before] == "\n") and _reads_as_name(word, set())


def _after_line_start(text: str, index: int) -> bool:
    """Whether only a speaker marker or nothing stands between the line start and `index`."""
    # Read back over the spaces before `index` only: the line's text up to it, sliced and
    # stripped, cost the whole line for each capitalised word, and a memo is one line (a pasted
    # 3.6 MB one took minutes to save).
    at = index - 1
    while at >= 0 and text[at] != "\n" and text[at].isspace():
        at -= 1
    return at < 0 or text[at] in "\n:)]"


def _context(text: str, start: int, end: int, width: int) -> str:
    return " ".join(text[max(0, start - width):min(len(text), end + width)].split())
