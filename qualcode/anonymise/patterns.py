"""Pattern detectors for identifiers that need no list: numbers, addresses, e-mail, NAV offices."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

_UPPER = "A-ZÆØÅ"
_LOWER = "a-zæøåéü"


@dataclass(frozen=True)
class Found:
    """An identifier found in a text: where, what, and of which kind."""

    start: int
    end: int
    text: str
    kind: str


DIGIT = re.compile(r"\d")  # the same digits as the detectors' \d, which is Unicode's
# Where a number ends: no digit after it, nor a digit after a dot ("12345678901.5" is a decimal,
# "168774019056" a twelve-digit case number), while a dot that ends a sentence may follow. A comma
# may be followed by anything: between digits it lists numbers as often ("91234567,41234567",
# "Storgata 12,3 etasje") as it makes a decimal, and missing an identifier is the worse mistake.
NUMBER_END = r"(?!\d|\.\d)"
# Each detector begins with the character it starts with, and looks behind only after it
# ("\d(?<![\d.]\d)" for "(?<![\d.])\d"): Python's re then skips at C speed to the next such
# character. A pattern that begins with a look-ahead, a look-behind or \b is tried at every
# position of the text, at 1.5 ms more for each pattern over a quote table of 80 KB.
# Its date may be grouped as the date is written (15 03 89, 15.03.89) and its five digits as 3 and 2.
FNR = re.compile(r"(\d(?<![\d.]\d)\d)([ .]?)(\d{2})\2(\d{2})[ .-]?(\d{3}) ?(\d{2})" + NUMBER_END)
# Eleven digits in groups of any size, a space, dot, hyphen, dash or slash between groups, as a number is
# dictated or typed in a hurry ("1 2 0 3 8 0 4 0 1 8 7", "12-03-80-40187", "1203 80 40187"): every
# run of such groups, looked at in windows of whole groups holding eleven digits, each a
# fødselsnummer only when both its check digits and its date hold (about one in 3,000 of other numbers).
DIGIT_GROUPS = re.compile(r"\d(?<![\d.,]\d)\d*(?:(?:[ .]| ?[-–/] ?)\d+)+" + NUMBER_END)  # 120380 – 40187, 120380/40187
FNR_DIGITS = 11
# Eleven digits introduced as a fødselsnummer are one even where their check digits fail ("Personnummeret er
# 12038040188"): a number with a typo in it still names its holder to anyone who tries the digits beside it.
# Up to three words and a colon between ("fødselsnummeret hennes var", "Fnr.:"). Without such a word, the check
# digits decide.
FNR_SAID = re.compile(
    r"(?i:(?:\b(?:fødsels|person|d-)(?:nummer\w*|nr)|\bf\. ?nr|\bfnr|\bpers\. ?nr)\b\.?"
    r"(?:\s+[^\W\d]+){0,3}\s*:?\s*$)"
)
FNR_SAID_WITHIN = 60  # characters before the number
_FNR_SAID_HINTS = ("fødselsn", "personn", "personnr", "d-nummer", "fnr", "f.nr", "f. nr", "pers.")
DIGIT_RUN = re.compile(r"\d(?<![\d.,]\d)\d*(?:(?:[ .]| ?[-–/] ?)\d+)*" + NUMBER_END)  # DIGIT_GROUPS, or one group
# A Norwegian bank account number: 11 digits grouped 4.2.5 (or 4 2 5, or not at all), the last a
# mod-11 check digit. It names its holder as surely as a fødselsnummer does. Hyphens group it too.
ACCOUNT = re.compile(r"(\d(?<![\d.]\d)\d{3})([. -]?)(\d{2})\2(\d{5})" + NUMBER_END)
# The same account as an IBAN: NO, two check digits, then its 11 digits (NO93 8601 1117 947).
IBAN = re.compile(r"(?=N)\bNO\d{2} ?(\d{4}) ?(\d{4}) ?(\d{3})" + NUMBER_END)
# A profile on a social network, which names its owner as surely as an e-mail address does: a link to
# it ("facebook.com/ola.nordmann.7"), a handle written with its @ ("@khansen"), or a user name such as
# "kari.nordmann" or "k_hansen" said beside a word of profiles ("på facebook heter jeg kari.nordmann",
# "brukernavnet mitt er g.rasmussen"). A dotted word elsewhere is left be: "f.eks", "nav.no".
PROFILE_URL = re.compile(
    r"(?<![\w.@/-])(?:https?://)?(?:www\.|m\.|web\.)?(?:(?:facebook|fb|instagram|twitter|x|tiktok|snapchat|linkedin"
    r"|threads|github)\.(?:com|me|net)/|youtube\.com/(?:@|c/|channel/|user/))"  # a YouTube channel, not a video
    r"[^\s,;!()\[\]\"'«»]*[^\s.,;:!?()\[\]\"'«»]",
    re.IGNORECASE,
)
# The @ first, so the search skips to each @ at once; then that no word or address runs up to it.
HANDLE_AT = re.compile(r"@(?<![\w.+@-]@)[^\W_](?:[\w.]*[^\W_])?(?![\w(])")  # not a spreadsheet's @SUM(
PROFILE_WORDS = re.compile(
    r"\b(?:brukernavn\w*|profil\w*|facebook|fb|instagram|insta|snap(?:chat)?|tiktok|skype|twitter|linkedin|discord"
    r"|telegram|kik|youtube)\b",
    re.IGNORECASE,
)
# Read in lower case before the detectors run: most texts hold none of these, and are not searched.
_PROFILE_HINTS = ("brukernavn", "profil", "facebook", "fb", "insta", "snap", "tiktok", "skype", "twitter", "linkedin",
                  "discord", "telegram", "kik", "youtube")
_PROFILE_SITES = (".com/", ".me/", ".net/")
_PROFILE_WORDS_LOWER = re.compile(PROFILE_WORDS.pattern)
PROFILE_WITHIN = 60  # characters on either side of a user name, in its sentence, where a word of profiles is read
# A user name with no dot or underscore, introduced as one: "På snapchat heter jeg maritsol83", "Brukernavnet mitt er
# maritsol83", "på Snap: maritsol83", "brukernavnet mitt på insta er …". Not "jeg er på Snap hele dagen": the word
# of profiles must be followed by "heter jeg", "er" or a colon. What follows is a user name only as one is written
# (_a_user_name); read in lower case, on `lowered`.
PROFILE_SAID = re.compile(
    r"(?=[bdfiklpsty])\b(?P<site>brukernavn\w*|profil\w*|snap\w*|insta\w*|tiktok\w*|discord\w*|facebook\w*|fb|twitter\w*|skype\w*"
    r"|telegram\w*|kik|youtube\w*|linkedin\w*)"
    r"(?: (?:mitt|min|mi|hans|hennes|deres|ditt|din|hennar|hass|sitt|vårt))?(?: på [^\W\d]+)?"
    r"(?P<said> ?: ?| (?:heter|heiter) (?:jeg|eg|hun|ho|han|vi|de|dei) | (?:er|var|blir) )"
    r"(?P<handle>[^\W\d_]\w*)(?![\w@]|[.-]\w)"
)
_CLAUSE_END = re.compile(r"[ \t]*(?:[.,;:!?)»\"”]|\n|$|og\b|men\b)")
_SAID_SITE_HINTS = (" heter ", " heiter ", ":", " er ", " var ", " blir ")
# Shorter than this, a word after "heter jeg" is no one's chosen user name but a name or a word ("Ola", "bare").
_USER_NAME_MIN = 5
USER_NAME = re.compile(r"(?<![\w@./-])[^\W\d_]\w*(?:[._]\w+)+(?![\w@]|\.\w)")
# A website said to be one's own, or one's business's or blog's ("nettsiden vår er www.baanthai-drammen.no",
# "hjemmesida mi: kari-strikk.no", "vår nettside er …"): its address names its owner. Not a public one named without a
# word of owning it ("søkte på nav.no", "la den ut på finn.no"). The whole address: only its first part was taken for a
# user name ("(profil)-drammen.no" kept the town).
_SITE_WORD = r"(?:nett|hjemme|heime)(?:side|sida|sidene|sidane|sider|sidor|siden|sidu)"
_OWNED = r"(?:vår|min|mi|mitt|våre|mine|deres|dykkar|hans|hennes|hennar|sin|si|sitt)"
OWN_SITE = re.compile(
    rf"(?:\b{_SITE_WORD} {_OWNED}|\b{_OWNED} {_SITE_WORD})\b(?:[ \t]+(?:er|var|heter|heiter|finner du på|ligger på))?[ \t]*:?[ \t]*"
    r"(?P<site>(?:https?://)?(?:www\.)?[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[a-z]{2,6}(?:/[^\s,;!?()\[\]\"'«»]*[^\s.,;:!?()\[\]\"'«»])?)"
    r"(?![\w-])",
    re.IGNORECASE,
)
_NOT_USER_NAMES = frozenset({"f.eks", "bl.a", "m.a", "o.l", "m.m", "t.o.m", "f.o.m", "p.t", "e.l", "d.v.s", "o.a", "m.fl"})
_DOMAIN_ENDS = frozenset({"no", "com", "net", "org", "se", "dk", "fi", "eu", "io", "de", "uk"})
# A Norwegian number plate (EL 12345, AB12345): it names the car's owner to anyone who looks it up.
PLATE = re.compile(r"[A-ZÆØÅ](?<![\w-][A-ZÆØÅ])[A-ZÆØÅ] ?\d{5}(?![\w-])" + NUMBER_END)
# A case's number in a public body's archive (NAV's, UDI's, a municipality's): "24/003817", "21/445566-3", "2023-118834".
# Shaped so, it is one wherever it stands (a year or two digits, a slash or a hyphen, five digits or more: no date
# nor fraction is); after a word of cases ("saksnummer", "saksnr.", "vår ref."), any number of four digits or more
# with its slashes, dots and hyphens is. With it, anyone at the office finds the person.
CASE_NUMBER = re.compile(r"\d(?<![\d./-]\d)(?:\d/|(?<=1)9\d{2}[/-]|(?<=2)0\d{2}[/-])\d{5,}(?:-\d{1,3})?(?![\d/-])" + NUMBER_END)
CASE_NUMBER_SAID = re.compile(r"\d(?<![\d./-]\d)(?:[\d/.-]| (?=\d))*\d(?![\d/-])" + NUMBER_END)  # "2021 004567" too
CASE_WORDS_BEFORE = re.compile(
    r"\b(?:saks?(?:nummer\w*|nr\.?|-nr\.?)|saks? nr\.?|sak nummer|ref(?:eranse)?(?:nummer\w*|nr\.?|\.nr\.?)"
    r"|journal(?:nummer\w*|nr\.?|post)|arkiv(?:referanse|sak|nummer)\w*|(?:vår|deres|din) ref\.?|søknadsnummer\w*)\b",
    re.IGNORECASE,
)
CASE_WORDS_WITHIN = 40  # characters before the number
_CASE_HINTS = ("sak", "ref", "journal", "arkiv", "søknadsn")
CASE_NUMBER_MIN_DIGITS = 4
# Norwegian numbers are grouped by spaces (912 34 567, 91 23 45 67, 90 123 456), by hyphens or dots in
# the same groups (912-34-567, 912.34.567, 91.23.45.67), one mark throughout, or not at all, after +47,
# 0047 or (+47), or 47 before four pairs. Other hyphenations and dottings are left out: ISO dates such
# as 2023-09-01, dates (12.10.2009), amounts (2.500.000), times (21.30.45) and versions are no numbers.
# A number read aloud is written digit by digit ("9 1 2 3 4 5 6 7"): eight single digits and no more on
# either side, so a scale ("1 2 3 4 5 6 7 8 9 10") or a fødselsnummer spelt out is none. The digit before
# a run is a lone one (a country code's "7" is not).
PHONE = re.compile(
    r"(?=[(+\d])(?<![\w+-])(?<!\d\.)(?:\(?(?:\+|00)47\)?[ -]?|47 (?=\d{2}(?: \d{2}){3}(?! ?\d)))?"
    r"(?:[2-9]\d{2} ?\d{2} ?\d{3}|[2-9]\d(?: ?\d{2}){3}|[2-9]\d \d{3} \d{3}"
    r"|[2-9]\d{2}(?P<mark>[-.])\d{2}(?P=mark)\d{3}|[2-9]\d(?P<pair_mark>[-.])\d{2}(?P=pair_mark)\d{2}(?P=pair_mark)\d{2}"
    r"|(?<!(?<!\d)\d )[2-9](?: \d){7}(?! \d))(?!-)"
    + NUMBER_END
)
# Four two-digit numbers said one after another and followed by "år" are ages ("de var 22 24 26 28
# år"), not a phone number; the same digits written any other way, or after a country code, are.
AGES = re.compile(r"\d{2}(?: \d{2}){3}")
YEARS_AFTER = re.compile(r" år\b")
# Two years in a row are a span of years ("i 2009 2010 jobbet jeg"), not an Oslo number written
# four and four, unless the words before ask for a number ("ring meg på 2009 2010").
YEAR_PAIR = re.compile(r"(20[0-4]\d) (20[0-4]\d)")
PHONE_WORDS_BEFORE = re.compile(r"\b(?:tlf|telefon\w*|mobil\w*|\w*nummer\w*|nr|ring\w*|sms)\b", re.IGNORECASE)
PHONE_WORDS_WITHIN = 30  # characters before the number
# A number said in words and transcribed so, in bokmål and nynorsk: digit by digit ("ni tre fire fire fem fem seks
# seks"), in pairs ("fire-en, to-tre", "nittito trettifire", "toognitti") or both. A phone number where its eight
# digits are said in eight words or more, or after a word that asks for a number ("ring meg på", "mobilen er"); a
# fødselsnummer where eleven digits are said whose check digits hold. Ordinary counting is none: "to eller tre
# ganger" says no digits in a row, and a count said in order ("to, tre, fire, fem, seks, sju, åtte, ni") is no number.
_DIGIT_WORDS = {"null": "0", "en": "1", "ein": "1", "én": "1", "ett": "1", "eitt": "1", "to": "2", "tre": "3", "fire": "4",
                "fem": "5", "seks": "6", "sju": "7", "syv": "7", "åtte": "8", "ni": "9"}
_TEEN_WORDS = {"ti": "10", "elleve": "11", "tolv": "12", "tretten": "13", "fjorten": "14", "femten": "15", "seksten": "16",
               "sytten": "17", "atten": "18", "nitten": "19"}
_TENS_WORDS = {"tjue": "2", "tyve": "2", "tretti": "3", "tredve": "3", "førti": "4", "femti": "5", "seksti": "6",
               "sytti": "7", "åtti": "8", "nitti": "9"}
_ONES = "|".join(word for word in _DIGIT_WORDS if word != "null")
_TENS = "|".join(_TENS_WORDS)
_PAIR_WORD = rf"(?:{_TENS})(?:{_ONES})?|(?:{_ONES})og(?:{_TENS})|{'|'.join(_TEEN_WORDS)}"
# Three digits said as hundreds ("ni hundre og tolv", "nihundreogtolv", "fire hundre"), as a number's first group
# often is: read as one group of digits, never alone a number ("ni hundre kroner" says three digits).
_HUNDREDS = rf"(?:(?P<hundreds>{_ONES})[ -]?)?hundre(?:[ -]?og[ -]?(?P<and>{_PAIR_WORD}|{_ONES}))?"
_NUMBER_WORD = rf"(?:{_HUNDREDS.replace('?P<hundreds>', '').replace('?P<and>', '')}|{_PAIR_WORD}|null|{_ONES})(?!\w)"
_NUMBER_WORD_ONE = re.compile(rf"(?P<tens>{_TENS})(?P<one>{_ONES})?|(?P<before>{_ONES})og(?P<after>{_TENS})|(?P<word>\w+)")
_HUNDREDS_ONE = re.compile(_HUNDREDS)
# A country code said before the number: "pluss førtisju" (+47), or "null null førtisju" (0047) as its digits.
_PLUS = "pluss"
# Four words at least: eight digits are said in four pairs at the fewest. Its first letter is looked at first.
_NUMBER_WORD_FIRST = f"(?=[{''.join(sorted({word[0] for word in (*_DIGIT_WORDS, *_TEEN_WORDS, *_TENS_WORDS, 'hundre', _PLUS)}))}])"
_SPOKEN_SEPARATOR = r"(?:[ \t]*[,–-]\s*|\s+)"
SPOKEN_NUMBER = re.compile(
    rf"{_NUMBER_WORD_FIRST}\b(?:{_PLUS}\s+)?{_NUMBER_WORD}(?:{_SPOKEN_SEPARATOR}{_NUMBER_WORD}){{3,}}"
)  # read in lower case (find_patterns' `lowered`): a case-blind search costs twice as much
_SPOKEN_TOKEN = re.compile(rf"{_PLUS}|{_NUMBER_WORD}", re.IGNORECASE)  # each group of digits said, in a SPOKEN_NUMBER
_SPOKEN_WORD = re.compile(r"\w+")
PHONE_WORDS_SPOKEN = 8  # number words in a row that make a phone number without a word before them
COUNTRY_CODE = "47"
# A day written in digits, as file names, Teams titles and hurried notes write one: year first
# ("2024 11 18", "20240213"; a file's "2024-11-18" is read so once its name is split into words),
# or grouped with its year last ("23 05 2020"). No Norwegian number begins with 20 (Nkom's plan:
# Oslo's begin with 21 to 24), and no one groups a number two, two and four; a day read so is a
# phone number only where the words before ask for a number, as two years are.
# These, and the postcode's below, are kept as text and compiled on first use (re keeps what it
# compiled): they are asked only of a number already found, which most texts hold none of, and
# compiled with the module they cost every command that loads the detectors a millisecond more.
DAY_YEAR_FIRST = r"20\d{2} ?(\d{2}) ?(\d{2})"
DAY_YEAR_LAST = r"(\d{2}) (\d{2}) (?:19|20)\d{2}"
# An amount grouped in thousands ("kr 25 000 000", "32 500 000 kroner") is grouped as a number may
# be (90 123 456): an amount where a currency stands beside it, or in whole millions ("30 000 000").
AMOUNT = r"\d{2} \d{3} \d{3}"
MONEY_BEFORE = r"(?i:\b(?:kr|kroner|NOK)\.? ?$)"
MONEY_AFTER = r"(?i: ?(?:kr\b|kr\.|kroner\b|NOK\b|,-))"
MONEY_WITHIN = 8  # characters before the amount
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# EMAIL starting where a run of its local part's characters starts. Tried at every character,
# EMAIL reads each run to its end before failing: quadratic in a long run such as a GUID.
EMAIL_AT_RUN = re.compile(r"(?<![\w.+-])" + EMAIL.pattern)
_WRITTEN_AT = re.compile(r"[aA][tT]? ?[)\]]")
_A_FOR_AT = re.compile(r"[(\[][aA][)\]]")
# An address written so that machines miss it: "kari(at)nav.no", "kari [at] nav (dot) no".
EMAIL_WRITTEN_OUT = re.compile(
    r"(?<![\w.+-])[\w.+-]+ ?[(\[](?:at|@|a)[)\]] ?[\w-]+(?:(?:\.| ?[(\[](?:dot|punktum)[)\]] ?)[\w-]+)+", re.IGNORECASE,
)
# An address as it is said and then transcribed: "kari punktum nordmann krøllalfa gmail punktum com",
# "kari.nordmann @ nav.no". Norwegian says @ as "krøllalfa" (or "alfakrøll"). The domain needs a dot
# or "punktum", as any address's has; a part after a spoken "punktum" is in lower case, since
# "punktum Så" is a full stop said before a sentence.
_SPOKEN_AT = re.compile(r" @ |krøll ?alfa|alfa ?krøll|snabel-?a", re.IGNORECASE)  # snabel-a: as Swedes and Danes say it
_DOMAIN_PART = r"(?:\.[\w-]+| (?:punktum|punkt|prikk|dot|\.) (?-i:[a-z0-9æøå][\w-]*))"  # "gmail . com" typed apart too
# The local part may also be joined by words said for "_" and "-" ("trine underscore berg").
_LOCAL_PART = r"(?:[._-][\w+-]+| (?:punktum|punkt|prikk|dot|underscore|understrek|bindestrek) (?-i:[a-z0-9æøå][\w+-]*))"
# A run of parts joined by words said for dots is read only from its start: tried at each of its
# words, a long run cost time quadratic in its length.
_SAID_DOT_BEFORE = "(?<!punktum )(?<!punkt )(?<!prikk )(?<!dot )(?<!underscore )(?<!understrek )(?<!bindestrek )"
EMAIL_SPOKEN = re.compile(
    rf"(?<![\w.+-]){_SAID_DOT_BEFORE}[\w+-]+{_LOCAL_PART}*(?: @ | (?:krøll ?alfa|alfa ?krøll|snabel-?a) )[\w-]+{_DOMAIN_PART}+",
    re.IGNORECASE,
)
# The English way of saying one, "siri at gmail dot com", "siri at nav.no": "at" is a Norwegian word
# too ("jeg tror at nav.no …"), so only before a known top-level domain, and never after a word
# as everyday as "tror" or "sa" (EVERYDAY_ZIPF): a quote must not lose a word of its own. Not with
# "punktum" either: "at nei punktum no er eg ferdig" is nynorsk speech. "punkt" and "prikk", as
# "siri at gmail punkt com" is said, are (only after a local part no everyday word, as above).
_TLD = "com|no|net|org|se|dk|nu|info|io|eu|uk|de|fi|pl"
_AT_DOT = r"(?:\.| dot | punkt | prikk )"
_WRITTEN_ENDINGS = tuple(f".{tld}" for tld in _TLD.split("|"))
# Whether a text holds a top-level domain at all, written or said: one search, where looking for
# each of the 60 endings as a substring read a quote table 60 times over (2.5 ms of 80 KB).
_DOMAIN_ENDING = re.compile(rf"(?:\.| (?:dot|punktum|punkt|prikk) )(?:{_TLD})")
_PAA_ENDING = re.compile(rf"(?:\.| (?:dot|punktum|punkt|prikk) )(?:{_TLD})")
# "punktum" before the ending too ("hbrekkesto at nav punktum no."), where the ending ends what is said, or is no
# word: "no", "se", "de" and "nu" are words of their own ("at nei punktum no er eg ferdig"), "com" is none.
_TLD_WORDS = "no|se|de|nu"
_AT_ENDING = (
    rf"(?:{_AT_DOT}(?:{_TLD})\b| punktum (?:(?!(?:{_TLD_WORDS})\b)(?:{_TLD})\b"
    rf"|(?:{_TLD_WORDS})\b(?=[.,;:!?)»\"”]|[ \t]*(?:\n|$))))"
)
# Where such an address may be: " at " and a domain ending after it.
_AT_DOMAIN = re.compile(rf" at [\w-]+(?:(?:{_AT_DOT}| punktum )[\w-]+)*?{_AT_ENDING}", re.IGNORECASE)
EMAIL_AT_DOT = re.compile(
    rf"(?<![\w.+-])(?P<local>[\w+-]+){_DOMAIN_PART}* at [\w-]+{_DOMAIN_PART}*?{_AT_ENDING}",
    re.IGNORECASE,
)
EVERYDAY_ZIPF = 5.5
# "kari.nordmann på gmail.com": "på" said for "at", only after a local part with a dot (written or
# said) and before a known top-level domain, since "på" is among the commonest words ("vi søkte på finn.no").
# Each part of the local part begins with a letter ("Se punkt 3 på nav.no", "paragraf 4.2 på
# lovdata.no" are no addresses), and a run of parts is read only from its start (_SAID_DOT_BEFORE).
EMAIL_PAA = re.compile(
    rf"(?<![\w.+-]){_SAID_DOT_BEFORE}[^\W\d_][\w+-]*+(?:\.[^\W\d_][\w+-]*+| (?:punktum|punkt|prikk) (?-i:[a-zæøå][\w+-]*+))++"
    rf" på [\w-]+(?:(?:\.| (?:punktum|punkt|prikk|dot) )[\w-]+)*?(?:\.| (?:punktum|punkt|prikk|dot) )(?:{_TLD})\b",
    re.IGNORECASE,
)


def all_emails(text: str, lowered: str | None = None) -> Iterator[re.Match[str]]:
    """Every e-mail address in `text`, however written: plainly, written out ("kari(at)nav.no"), or as
    said ("krøllalfa", "punktum", "at … dot"). Each kind is looked for only where its signs are, found
    first by plain substring search: a case-blind pattern is tried at every character of the text.
    `lowered` is `text.lower()`, where the caller has it already."""
    yield from emails(text)
    lowered = text.lower() if lowered is None else lowered
    if any(sign in lowered for sign in ("at)", "at )", "at]", "at ]", "(a)", "[a]")) and _WRITTEN_AT.search(text) is not None:
        for match in EMAIL_WRITTEN_OUT.finditer(text):
            # "(a)" is a list's first item as often ("Svar (a) 2.5"): an address only before a known domain ending.
            if not _A_FOR_AT.search(match.group()) or match.group().casefold().endswith(_WRITTEN_ENDINGS):
                yield match
    if (" @ " in text or "krøll" in lowered or "alfa" in lowered or "snabel" in lowered) and _SPOKEN_AT.search(text) is not None:
        yield from EMAIL_SPOKEN.finditer(text)
    if " på " in lowered and _PAA_ENDING.search(lowered) is not None:
        for match in EMAIL_PAA.finditer(text):
            local = match.group().casefold().partition(" på ")[0]
            if not (local.startswith("www.") or local.endswith(_WRITTEN_ENDINGS)):  # a web address: "www.nav.no på …"
                yield match
    if " at " in lowered and _DOMAIN_ENDING.search(lowered) is not None and _AT_DOMAIN.search(text) is not None:
        for match in EMAIL_AT_DOT.finditer(text):
            # Imported here: most texts have no such address, and wordfreq loads slowly.
            from wordfreq import zipf_frequency

            if zipf_frequency(match.group("local").casefold(), "nb") < EVERYDAY_ZIPF:
                yield match


# A number followed by one of these counts something ("kjørte motorveien 2 timer"): no house number.
_NOT_A_HOUSE = r"(?! (?:ganger|gang|timer|time|minutter|min|dager|døgn|uker|uke|måneder|mnd|år|km|kilometer|mil|meter|prosent|kr|kroner|stykker|personer|hus|dører|kvartal|kvartaler)\b)"
# The street words a street's name ends in, written on to it ("Parkveien", "Bjerkealleen") or, the
# commonest, apart ("Kongens gate"). An avenue is "allé", "alle" or "allè", and "-alleen" in its definite form.
# "-ringen" ("Kirkeringen 5", "Ringen 3") is read after them, with the street names of hill and farm: a noun of "-ing"
# ends so too ("Opplæringen 4 av oss", "Vurderingen 2"), and is no street (_an_ing_noun).
_STREET_ENDINGS = (
    "veien|vegen|veg|vei|gata|gate|gaten|gt\\.|alléen|alleen|allèen|allé|alle|allè|plass|plassen|stien|bakken|svingen|lia"
    "|tunet|brygga|bryggen|torget|kaia|kaien|veita|grenda|sletta"
)
_STREET_WORDS = "gate|gata|gaten|vei|veien|veg|vegen|allé|alléen|alleen|plass|ring|ringvei"
# Written apart after a genitive only ("Sjøkrigsskolens bakke 3", "Biskop Gunnerus' gate"): after another
# word these say where, not which street ("Hele bakken 3").
_STREET_WORDS_AFTER_A_GENITIVE = "plassen|torg|torget|bakke|bakken|sti|stien|brygge|brygga|kai|terrasse"
# Both kinds begin with a capital at the start of a word, read first (see FNR): "(?:Aa+ )?Aa*" and
# "Aa+ " are "A(?:a+ A)?a*" and "Aa+ " once the first capital is read.
STREET = re.compile(
    rf"[{_UPPER}](?<!\w[{_UPPER}])(?:(?:[{_LOWER}]+ [{_UPPER}])?[{_LOWER}]*"
    rf"(?:{_STREET_ENDINGS}"
    # streets named for the hill, field or farm they run by ("Solhaugen 14", "Granåsen 3B")
    rf"|haugen|åsen|vollen|løkka|jordet|myra|bråten|kroken|lunden|tangen|odden|flata|ringen)"
    rf" \d{{1,4}}(?:[A-Za-z]| [A-Z])?\b{NUMBER_END}{_NOT_A_HOUSE}"
    # the street word alone after a word of where it lies ("Vestre Haugen 23", "Nedre Bakken 4", "Store Torget 2")
    rf"|(?:estre|stre|ordre|øndre|edre|vre|tore|ille|amle|ye|tre|ndre|idtre) (?=[{_UPPER}])(?i:[{_LOWER}]*(?:{_STREET_ENDINGS}"
    rf"|haugen|åsen|vollen|løkka|jordet|myra|bråten|kroken|lunden|tangen|odden|flata|ringen))"
    rf" \d{{1,4}}(?:[A-Za-z]| [A-Z])?\b{NUMBER_END}{_NOT_A_HOUSE}"
    # "Kongens gate 12", "Store Ringvei 4", "Ole Brumms vei 15": the street word on its own, after a
    # genitive more of them (the words of a name before the genitive are added by _named_street_start)
    rf"|(?:[{_LOWER}]+['’]? (?:{_STREET_WORDS})|[{_LOWER}]*(?:s['’]?|['’]) (?:{_STREET_WORDS_AFTER_A_GENITIVE}))"
    rf" \d{{1,4}}(?:[A-Za-z]| [A-Z])?\b{NUMBER_END}{_NOT_A_HOUSE})"
)
# A street named for someone, their genitive before the street word: the words of their name before
# it belong to the street's name ("Ole Brumms vei 15", "Kong Oscars gate 3", "Hans Nielsen Hauges gate 7"),
# each a word that reads as a name even first in a sentence, or a title, never an everyday word that
# begins a sentence ("Til Karl Johans gate 22", "Men Kongens gate 12"). As many as a street's name has.
_GENITIVE_STREET = re.compile(rf"[{_UPPER}][{_LOWER}]*(?:s['’]?|['’]) ")
_WORD_BEFORE_A_STREET = re.compile(rf"(?<![\w.])(?:[{_UPPER}][{_LOWER}]+|St\.|Dr\.) $")
_NAME_WORDS_BEFORE_A_STREET = 3
# A word in lower case and a space right before a word: the word stands inside its sentence.
_INSIDE_A_SENTENCE = re.compile(rf"[{_LOWER}\d,] $")
_TITLES_IN_STREET_NAMES = frozenset((
    "kong", "dronning", "prins", "prinsesse", "kronprins", "kronprinsesse", "sankt", "st.", "dr.", "doktor",
    "professor", "biskop", "general", "admiral", "kaptein", "fru", "frøken", "pastor", "prost", "konsul", "statsråd",
    "oberst", "major", "ingeniør", "lærer", "maler", "ordfører",
))
# A street written in lower case, as a transcriber in a hurry writes it ("bor i storgata 41"): a street
# word with a house number after it, said after a word of dwelling or address. Without one, a road and
# a number are too often a road's number or a count ("riksvegen 7", "nabogata 2 hus bortenfor").
_DWELLING = ("bor", "bur", "bodde", "budde", "flytta", "flyttet", "flytte", "adresse", "adressa", "adressen", "adressa mi",
             "bosatt", "heime", "hjemme")


def _first_letters(words: Iterable[str]) -> str:
    """A look-ahead at the letters `words` begin with, as each detector begins: see FNR."""
    return f"(?=[{''.join(sorted({word[0] for word in words}))}])"


STREET_LOWER = re.compile(
    rf"(?i:{_first_letters(_DWELLING)}\b(?:{'|'.join(_DWELLING)})\b)"
    # a house letter as STREET takes it ("storgata 12B", "12b", "12 B"), but no word in lower case after a space ("12 i")
    rf"[^.!?\n]{{0,20}}?(?<![\w-])(?P<street>[{_LOWER}]{{3,}}(?:veien|vegen|gata|gate|gaten|alleen|alléen|ringen)) \d{{1,4}}(?:[A-Za-z]| [A-Z])?\b"
    rf"{NUMBER_END}{_NOT_A_HOUSE}"
)
_LOWER_STREET_WORDS = ("veien", "vegen", "gata", "gate", "alleen", "alléen", "ringen")  # what STREET_LOWER's streets end in
COMMON_WAYS = frozenset((
    "forveien", "motorveien", "hovedveien", "bakveien", "landeveien", "snarveien", "hjemveien", "riksveien", "fylkesveien",
    "sykkelveien", "gangveien", "bilveien", "midtveien", "omveien", "sideveien", "melkeveien", "silkeveien", "vannveien",
    "grusveien", "skogsveien", "blindgate", "sidegate", "bakgate", "hovedgata", "hovedgaten", "sidegata", "bakgata",
))
# A post box with its number, which names its holder as a street address does: "Postboks 123", "postboks 45", "Pb. 12",
# "Postb. 9", and "Boks 45" before a postcode ("Boks 45, 7600 Levanger"); not a box on a form ("kryss av i boks 3").
# Its first letter is read first (see FNR).
POST_BOX = re.compile(
    r"[PpBb](?<!\w[PpBb])(?:(?i:(?<=[Pp])(?:ostboks|ostb\.|b\.?)) ?\d{1,5}" + NUMBER_END
    + r"|(?<=[Bb])oks \d{1,5}(?=,? ?\n?\d{4} [A-ZÆØÅ]))(?![\w-])"
)
# A property's farm and holding numbers (gårdsnummer, bruksnummer, and a lease's festenummer), which name its owner in
# the land register as a street address names who lives there: "gnr. 45 bnr. 3", "gnr 45/bnr 3", "g.nr. 45, b.nr. 3",
# "gårdsnummer 45 og bruksnummer 3". Not a farm's number alone ("gnr. 45" names a farm of many holdings).
PROPERTY = re.compile(
    r"\b(?:g\.? ?nr\.?|gå?rds?nummer|gardsnummer) ?\d{1,4},?(?: og|/)? ?(?:b\.? ?nr\.?|bruksnummer) ?\d{1,4}"
    r"(?:,?(?: og|/)? ?(?:f\.? ?nr\.?|festenummer) ?\d{1,4})?(?!\d)",
    re.IGNORECASE,
)
# "3183 Horten", and as an address label writes it, "3183 HORTEN" (four capitals or more: no acronym).
POSTCODE = re.compile(
    rf"\d(?<![\d.,]\d)\d{{3}} (?:[{_UPPER}][{_LOWER}]+(?:[ -][{_UPPER}][{_LOWER}]+)?|[{_UPPER}]{{4,}}(?:[ -][{_UPPER}]{{2,}})?)\b"
)
# Postcodes from 1900 to 2099 read as years, and a year often stands before a capitalised word where a
# full stop was lost ("i 2015 Fikk jeg"), or before a place ("Fra 2019 Stavanger-kontoret"). Such a
# number is a postcode before one of the post towns these postcodes belong to (Bring's register),
# or after an address or a word of one ("Storgata 12, 1994 …", "postboks 45, …", "postnummer …").
# A year before one of these towns is taken for a postcode: it may be one, and the town names no one.
YEARS_AS_POSTCODES = range(1900, 2100)
POST_TOWNS_OF_YEARS = frozenset((
    "fetsund", "gan", "enebakkneset", "flateby", "enebakk", "ytre enebakk", "sørumsand", "sørum", "blaker", "rånåsfoss",
    "auli", "aurskog", "bjørkelangen", "rømskog", "setskog", "løken", "fosser", "hemnes", "lillestrøm", "rælingen",
    "løvenstad", "kjeller", "fjerdingby", "nordby", "strømmen", "skjetten", "blystadlia", "leirsund", "frogner",
    "skedsmokorset", "gjerdrum", "nannestad", "maura", "åsgreina", "holter", "kløfta", "jessheim", "mogreina", "nordkisa",
    "algarheim", "sessvollmoen", "gardermoen", "råholt", "dal", "bøn", "eidsvoll verk", "eidsvoll", "hurdal", "minnesund",
    "feiring",
))
# Shop chains whose name holds a number of a postcode's four digits, by that number: after the chain's name it is the
# name's ("Rema 1000 Strandtorget" is a shop, and read "Rema (postnummer og sted)"), not a postcode.
CHAIN_NUMBERS = {"1000": re.compile(r"(?i:(?<!\w)rema[ -]?)$")}
CHAIN_NAME_WITHIN = 6  # characters before the number
ADDRESS_WORDS_BEFORE = (
    r"(?i:\b(?:adresse\w*|adressa|post(?:boks|nummer|nr|adresse\w*)|pb|boks)\.?(?: (?:er|var|mi|min|hans|hennes|deres|hennar)){0,2}"
    r":? ?(?:\d+[A-Za-z]?,? )?$)"
)
ADDRESS_WITHIN = 40  # characters before the postcode, on its line
AFTER_AN_ADDRESS = r"[,;]? ?\n?"  # between a street address and its postcode
# NAV and its office's place: one or two words, or an abbreviated saint's or street's name ("NAV St. Hanshaugen").
# Nav has written its name "Nav" since 2022, and transcripts follow: "Nav Årstad" is an office too. The
# national units after it name no place.
NAV_UNITS = (
    "Kontaktsenter|Klageinstans|Kontroll|Innkreving|Drift|Arbeid|Familie|Pensjon|Utland|Økonomi|Direktoratet|Forvaltning"
    "|Hjelpemiddelsentral|Hjelpemiddelsentralen|Arbeidslivssenter"
    # and the words an unpunctuated transcript runs on with ("på Nav Jeg husker", "til Nav Og der")
    "|Jeg|Eg|Og|Det|Der|Den|De|Dei|Da|Så|Men|Som|Hun|Han|Vi|Du|Er|Var|Har|Hadde|Nå|No|I|På|Til|Fra|Frå|Med|Om|Ja|Nei"
)
NAV_OFFICE = re.compile(
    rf"(?=N)\bN(?:AV|av)[ -](?![Kk]ontor\b|(?:{NAV_UNITS})\b)(?:(?:St|Sk)\. [{_UPPER}][{_LOWER}]+|[{_UPPER}][{_LOWER}]+(?:[ -][{_UPPER}][{_LOWER}]+)?)"
)
MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
FULL_DATE = re.compile(
    rf"(?=\d)\b(?<!\d[.,/-])(?:(?P<d1>\d{{1,2}})\. ?(?P<m1>\d{{1,2}})\. ?(?P<y1>\d{{4}})"  # 12.03.1985, 12. 03. 1985
    # 15. mars 1987, 15 mars 1987 as typed in a hurry, and with the year short: 15. mars -87, '87, or
    # 87 where the date ends ("født 15. mars 87."), not "født 12. mars 20 minutter før midnatt"; a
    # comma may stand before the year, as it does when the date is said ("født 3. mars, 1985")
    rf"|(?P<d2>\d{{1,2}})\.? ?(?P<m2>{MONTHS}),? (?:(?P<y2>\d{{4}})|[-'’](?P<y2m>\d{{2}})|(?P<y2e>\d{{2}})(?=[.,;:!?)]|\s*$))"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{1,2}})-(?P<d3>\d{{1,2}})"  # 1985-03-12, 1985-3-12
    rf"|(?P<d4>\d{{1,2}})\. ?(?P<m4>\d{{1,2}})\. ?(?P<y4>\d{{2}})"
    rf"|(?P<d5>\d{{1,2}})/(?P<m5>\d{{1,2}})[-/](?P<y5>\d{{4}}|\d{{2}})"  # 12/4-1979, 12/4/79
    rf"|(?P<d6>\d{{1,2}}) (?P<m6>\d{{1,2}}) (?P<y6>(?:19|20)\d{{2}})"  # 12 10 1981, as said or typed without dots
    rf"|(?P<y7>\d{{4}})\.(?P<m7>\d{{2}})\.(?P<d7>\d{{2}})"  # 1981.10.12
    rf"|(?P<d8>\d{{1,2}})-(?P<m8>\d{{1,2}})-(?P<y8>\d{{4}}|\d{{2}})"  # 12-03-1985, 12-03-85
    # 08051990, 080590: digits only, as a form's date of birth is written; a date of birth only after a
    # word of birth or where the key knows the day, as every date here is
    rf"|(?P<d9>\d{{2}})(?P<m9>\d{{2}})(?P<y9>(?:19|20)\d{{2}}|\d{{2}}))\b{NUMBER_END}",
    re.IGNORECASE,
)
# A day said as an ordinal, as a date of birth is said aloud, in bokmål and nynorsk: "født den tredje
# mars 1985", "fødd den åttande mars, 1985", "født tolvte mars nittenåttifem", "født den tjuende i femte åttitre".
_FIRST_NINE = {
    "første": 1, "fyrste": 1, "andre": 2, "tredje": 3, "fjerde": 4, "femte": 5, "sjette": 6, "sjuende": 7, "sjuande": 7,
    "syvende": 7, "åttende": 8, "åttande": 8, "niende": 9, "niande": 9,
}
_ORDINAL_MONTHS = {**_FIRST_NINE, "tiende": 10, "tiande": 10, "ellevte": 11, "tolvte": 12}
_ORDINAL_DAY_NUMBERS = {
    **_ORDINAL_MONTHS, "trettende": 13, "trettande": 13, "fjortende": 14, "fjortande": 14, "femtende": 15, "femtande": 15,
    "sekstende": 16, "sekstande": 16, "syttende": 17, "syttande": 17, "attende": 18, "attande": 18, "nittende": 19,
    "nittande": 19, "tjuende": 20, "tjuande": 20, "tyvende": 20, **{f"tjue{day}": 20 + number for day, number in _FIRST_NINE.items()},
    "trettiende": 30, "trettiande": 30, "trettiførste": 31, "trettifyrste": 31,
}
# Longest first, so that "tjueførste" is read whole rather than as "tjue" and no ordinal.
_ORDINAL_DAYS = "|".join(sorted(_ORDINAL_DAY_NUMBERS, key=len, reverse=True))
# A year said in words: "nittenåttifem", "nitten hundre og åttifem", "to tusen og tre", "tjuetjue", or its last two
# digits ("åttitre"), but not a count or a clock's minutes after the date ("født tolvte mars tjue minutter over ni").
_TWO_DIGITS = rf"(?:{_TENS})(?: ?(?:{_ONES})(?!\w))?|(?:{_ONES})og(?:{_TENS})|{'|'.join(_TEEN_WORDS)}"  # "åtti fem" too
_YEAR_WORDS = (
    rf"(?:(?:nitten|atten) ?(?:hundre ?(?:og ?)?)?(?:{_TWO_DIGITS}|null ?(?:{_ONES})|{_ONES})"
    rf"|to ?tusen(?: ?og)?(?: ?(?:{_TWO_DIGITS}|{_ONES}))?|tjue ?(?:{_TWO_DIGITS}|null ?(?:{_ONES}))|{_TWO_DIGITS})(?!\w)"
    r"(?! (?:minutt\w*|min|time\w*|timar|sekund\w*|år|dag\w*|døgn|uke\w*|veke\w*|måned\w*|gang\w*|kr|kron\w*|prosent|over)\b)"
)
_YEAR_WORD = re.compile(rf"(?:{_TENS})(?:{_ONES})?|(?:{_ONES})og(?:{_TENS})|{'|'.join(_TEEN_WORDS)}|hundre|tusen|null|og|{_ONES}")
# The day (an ordinal, or in digits before a year said in words: "12. mars nittenåttifem"), the month (its name, or
# "i femte"), and the year (in words, in digits, or short as FULL_DATE reads it: "-85", "85" where the date ends).
SPOKEN_DATE = re.compile(
    rf"(?=[{''.join(sorted({word[0] for word in _ORDINAL_DAY_NUMBERS}))}\d])\b(?:(?P<day>{_ORDINAL_DAYS})|(?P<digits>\d{{1,2}})\.?)"
    rf" (?:(?P<month>{MONTHS})|i (?:den )?(?P<ordinal_month>{'|'.join(_ORDINAL_MONTHS)}))"
    # a year in digits after a day in words only: a day in digits with one is FULL_DATE's
    rf",? (?:(?(digits)(?!)|(?:(?P<year>\d{{4}})(?!\d)|[-'’](?P<short>\d{{2}})(?!\d)|(?P<end>\d{{2}})(?=[.,;:!?)]|\s*$)))"
    rf"|(?P<words>{_YEAR_WORDS}))",
    re.IGNORECASE,
)


def valid_account(digits: str) -> bool:
    """An account number's mod-11 check digit holds (weights 5 4 3 2 7 6 5 4 3 2)."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    remainder = sum(int(digit) * weight for digit, weight in zip(digits, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=False)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return check != 10 and check == int(digits[10])


def date_parts(match: re.Match[str]) -> tuple[int, int, int]:
    """A FULL_DATE or SHORT_YEAR_DATE match as (day, month, year); a two-digit year stays two digits (85)."""
    if "ordinal_month" in match.re.groupindex:
        return spoken_date_parts(match)
    if "d" in match.re.groupindex:  # SHORT_YEAR_DATE
        return int(match["d"]), MONTHS.split("|").index(match["m"].lower()) + 1, int(match["y"])
    for number in range(1, 10):
        if match.group(f"d{number}") is not None:
            month = match.group(f"m{number}")
            months = MONTHS.split("|")
            value = months.index(month.lower()) + 1 if month.lower() in months else int(month)
            year = match.group(f"y{number}") or match.group("y2m") or match.group("y2e")
            return int(match.group(f"d{number}")), value, int(year)
    raise ValueError(match.group())


# Where the month of a date said with its day may begin (SPOKEN_DATE): a space after a day said (every ordinal ends in
# "e") or written ("12.", "12"), then a month's first letters or "i " ("i femte"). Begun with the space, so that the
# search skips from space to space (see FNR); the day before it is read backwards (_DAY_BEFORE_A_MONTH).
_SAID_MONTH_START = re.compile(r" (?<=[eE0-9.] )(?:[jJ]an|[fF]eb|[mM]ar|[aA]pr|[mM]ai|[jJ]u[nl]|[aA]ug|[sS]ep|[oO]kt|[nN]ov|[dD]es|i )")
_DAY_BEFORE_A_MONTH = re.compile(rf"\b(?:{_ORDINAL_DAYS}|\d{{1,2}}\.?)$", re.IGNORECASE)
_LONGEST_DAY = max(len(ordinal) for ordinal in _ORDINAL_DAY_NUMBERS)


def spoken_dates(text: str) -> list[re.Match[str]]:
    """Every SPOKEN_DATE in `text`, in order, found from the months after them: SPOKEN_DATE tried at each word of a
    text cost three times what FULL_DATE does (4 ms of 80 KB)."""
    found = []
    for month in _SAID_MONTH_START.finditer(text):
        day = _DAY_BEFORE_A_MONTH.search(text, max(0, month.start() - _LONGEST_DAY), month.start())
        if day is not None and (date := SPOKEN_DATE.match(text, day.start())) is not None:
            found.append(date)
    return found


def spoken_date_parts(match: re.Match[str]) -> tuple[int, int, int]:
    """A SPOKEN_DATE match as (day, month, year), as date_parts gives them: a short year stays two digits."""
    day = _ORDINAL_DAY_NUMBERS[match["day"].lower()] if match["day"] else int(match["digits"])
    month = MONTHS.split("|").index(match["month"].lower()) + 1 if match["month"] else _ORDINAL_MONTHS[match["ordinal_month"].lower()]
    if match["words"] is None:
        return day, month, int(match["year"] or match["short"] or match["end"])
    said = [word.group() for word in _YEAR_WORD.finditer(match["words"].lower().replace(" ", ""))]
    numbers = [int(_spoken_digits(word)) for word in said if word not in ("hundre", "tusen", "og")]
    if "tusen" in said:
        return day, month, 1000 * numbers[0] + sum(numbers[1:])
    return day, month, 100 * numbers[0] + sum(numbers[1:]) if len(numbers) > 1 else numbers[0]


# A short year after a month's name wherever it stands ("3 mars 85 og …"): a date of birth only of a
# day the key already holds, as FULL_DATE takes it only where the date ends ("født 12. mars 20 minutter").
SHORT_YEAR_DATE = re.compile(rf"(?=\d)\b(?<!\d[.,/-])(?P<d>\d{{1,2}})\.? ?(?P<m>{MONTHS}) (?P<y>\d{{2}})\b{NUMBER_END}", re.IGNORECASE)


def is_a_day(day: int, month: int) -> bool:
    """Whether a day and month can be a date at all: "12-14-16" is three numbers, not a day."""
    return 1 <= month <= 12 and 1 <= day <= 31


# A date is a date of birth when its words say so ("født 12.10.1980", "fødselsdato:", "f.",
# "DOB"), with where between ("født i Bergen 12.10.1981", "født på Haukeland sykehus"), a
# birthday's ("bursdagen min er"), or when it is the date of a fødselsnummer right beside it; an
# interview date ("Intervju 12.10.2009") is not, however old it is, nor one after other words
# ("født i Bergen og flyttet 12.10.2009", "fødselspermisjon fra", nynorsk "borna byrja").
BORN = re.compile(
    r"(?:\b(?:født|fødd|fødde)(?:\s+(?:i|på|ved)\s+[^\W\d]+(?:\s+[^\W\d]+)?)?"  # født i Bergen, på Haukeland sykehus
    r"|\b(?:bursdag|fødselsdag|fødselsdato)(?:en)?(?:\s+(?:min|mi|hans|hennes|din|di))?(?:\s+(?:er|var|står(?:\s+som)?))?"
    r"|\bf\.|\bfdato|\bf\.dato|\bDOB|\bdate of birth|\bborn\b)"
    r"\s*(?:den\s+|:\s*|on\s+)?$",
    re.IGNORECASE,
)
BORN_BEFORE = 60  # characters before a date that BORN reads
BESIDE_FNR = 25  # characters between a date and a fødselsnummer that make them one person's


def valid_fnr(digits: str) -> bool:
    """Fødselsnummer or D-nummer: two mod-11 check digits and a plausible day and month."""
    if len(digits) != 11 or not digits.isdigit():
        return False
    numbers = [int(d) for d in digits]
    first = 11 - sum(w * n for w, n in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), numbers, strict=False)) % 11
    first = 0 if first == 11 else first
    second = 11 - sum(w * n for w, n in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), numbers, strict=False)) % 11
    second = 0 if second == 11 else second
    if first == 10 or second == 10 or first != numbers[9] or second != numbers[10]:
        return False
    day, month, _ = fnr_date(digits)
    return 1 <= day <= 31 and 1 <= month <= 12


def fnr_date(digits: str) -> tuple[int, int, int]:
    """The day, month and two-digit year of birth a fødselsnummer's first six digits give."""
    day, month = int(digits[:2]), int(digits[2:4])
    if day > 40:  # D-nummer: 4 added to the first digit
        day -= 40
    if month > 40:  # H-nummer (given by the health services): 4 added to the month's first digit
        month -= 40
    return day, month, int(digits[4:6])


def spread_fnrs(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, digits) of each fødselsnummer written in groups other than FNR's (DIGIT_GROUPS)."""
    for run in DIGIT_GROUPS.finditer(text):
        written = run.group()
        groups = [(group.start(), group.end()) for group in re.finditer(r"\d+", written)]
        if sum(end - start for start, end in groups) < FNR_DIGITS:
            continue
        first = 0
        while first < len(groups):
            digits, last = "", first
            while last < len(groups) and len(digits) < FNR_DIGITS:
                digits += written[groups[last][0]:groups[last][1]]
                last += 1
            # A dot between a window and the digits beside it makes a decimal of them ("4.15038910083").
            dotted = (first > 0 and written[groups[first][0] - 1] == ".") or (
                last < len(groups) and written[groups[last - 1][1]] == ".")
            if len(digits) == FNR_DIGITS and not dotted and valid_fnr(digits):
                yield run.start() + groups[first][0], run.start() + groups[last - 1][1], digits
                first = last
            else:
                first += 1


def phone_digits(text: str) -> str:
    """A phone number's eight digits, without +47 or 0047."""
    digits = re.sub(r"\D", "", text)
    return digits[2:] if digits.startswith("47") and len(digits) == 10 else digits[4:] if digits.startswith("0047") else digits


def emails(text: str) -> Iterator[re.Match[str]]:
    """What `EMAIL.finditer(text)` finds, in linear time.

    The local part is a whole run of its characters up to "@", so every start inside one run
    matches or fails alike, with the same domain: the leftmost start of a run is the only one to
    try. Only where the previous match ended can a match start inside a run."""
    if "@" not in text:  # every address has one; most transcripts have none, and this finds it at C speed
        return
    position = 0
    while (match := EMAIL.match(text, position) or EMAIL_AT_RUN.search(text, position)) is not None:
        yield match
        position = match.end()


# A digit of another script ("٩١٢٣٤٥٦٧", full-width "９１２"), which the detectors' [2-9] and [0-9] miss.
_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a digit that is not 0-9: one class, tried at C speed
# Digits Unicode gives a digit's value but no decimal digit's, which \d misses too: superscript,
# subscript, circled and parenthesised ones, as "fancy text" sites write a number ("⁹¹²³⁴⁵⁶⁷",
# "⑨①②③④⑤⑥⑦"). A run of them right after a digit is a footnote's or an exponent's mark ("912 34
# 567¹", "10⁶", "kl. 10⁰⁰"), no digit of that number: read so, it made the number too long to be
# one. The run's first character is read first, as each detector's is (see FNR); a second class
# rather than an alternative of _OTHER_DIGIT's, which made its search of every text five times slower.
_STYLED = (
    "\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea"
    "\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792"
)
_STYLED_DIGITS = re.compile(rf"[{_STYLED}](?<![\d{_STYLED}][{_STYLED}])[{_STYLED}]*")
# Spaces of other widths, which Word, web pages and typesetting put between a number's groups
# ("91\u00a023\u00a045\u00a067", "912\u2009345"): the detectors read only a plain space between them.
_OTHER_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def plain_digits(text: str) -> str:
    """`text` with every digit as an ASCII one (of any script, and styled: _STYLED_DIGITS), every space
    as a plain one and a full-width @ as @: one character for one, so every offset holds."""
    if text.isascii():
        return text
    text = _OTHER_DIGIT.sub(lambda digit: str(unicodedata.decimal(digit.group())), text)
    text = _STYLED_DIGITS.sub(lambda run: "".join(str(unicodedata.digit(digit)) for digit in run.group()), text)
    return _OTHER_SPACE.sub(" ", text).replace("\uff20", "@")


# A line break inside a paragraph, as a hard-wrapped .txt or a soft line break in Word puts one: to a number it is
# white space, and a number's groups may be split by one ("210595\n10042", "934 45\n667", "født 21.05.\n1995").
# Not a blank line, which ends a paragraph, nor the line break before a piece (find_patterns), which ends a cell.
_LINE_BREAK = re.compile(r"(?<=[^\n])\n(?=[^\n])")


def breaks_as_spaces(text: str, pieces: Sequence[int] = ()) -> str:
    """`text` with each line break inside a paragraph as a space, but for blank lines and the line break before each
    of `pieces` (in order): one character for one, so every offset holds."""
    if "\n" not in text:
        return text
    ends = [start - 1 for start in pieces if start > 0 and text[start - 1] == "\n"]
    segments = [text[begin + 1:end] for begin, end in zip([-1, *ends], [*ends, len(text)], strict=True)]
    # A plain replace where a segment has no blank line, as most have: the pattern took 8 % of a 4 MB check.
    return "\n".join(_LINE_BREAK.sub(" ", segment) if "\n\n" in segment else segment.replace("\n", " ") for segment in segments)


# The white space around a line break inside a paragraph, where there is more than the break: a hard-wrapped line
# often ends in a space ("210595 \n10042") and the next may be indented. A run holding exactly one line break.
_WRAP = re.compile(r"(?<![ \t\n])(?:[ \t]+\n[ \t]*|\n[ \t]+)(?![ \t\n])")


@dataclass(frozen=True)
class Unwrapped:
    """A text as numbers and dates are read in it (`unwrapped`), and how to find a find's place in the text read."""

    text: str
    pieces: Sequence[int]  # where each piece begins in `text`
    _at: tuple[int, ...] = (0,)  # offsets in `text` from which ...
    _shift: tuple[int, ...] = (0,)  # ... this many more characters stand before them in the text read

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Where `text[start:end]` stands in the text read."""
        return start + self._shift[bisect_right(self._at, start) - 1], end + self._shift[bisect_right(self._at, end - 1) - 1]


def unwrapped(text: str, pieces: Sequence[int] = ()) -> Unwrapped:
    """`text` with each line break inside a paragraph, and the spaces and tabs around it, as one space, but for blank
    lines and the line break before each of `pieces` (breaks_as_spaces): "210595 \n10042" is one number. One character
    for one where no space or tab stands beside a line break, as in most texts."""
    spaced = breaks_as_spaces(text, pieces)
    if not any(pair in text for pair in (" \n", "\t\n", "\n ", "\n\t")):
        return Unwrapped(spaced, pieces)
    piece_breaks = {start - 1 for start in pieces}
    parts: list[str] = []
    at, shift, ends = [0], [0], [0]
    position = removed = 0
    for run in _WRAP.finditer(text):
        if run.start() + run.group().index("\n") in piece_breaks:
            continue
        parts += [spaced[position:run.start()], " "]
        removed += len(run.group()) - 1
        at.append(run.start() - (removed - len(run.group()) + 1) + 1)
        shift.append(removed)
        ends.append(run.end())
        position = run.end()
    parts.append(spaced[position:])
    # A piece begins after a line break left as it is: no run before it was read as one space.
    moved = [start - shift[bisect_right(ends, start) - 1] for start in pieces]
    return Unwrapped("".join(parts), moved, tuple(at), tuple(shift))


def _years_or_a_day(text: str, match: re.Match[str]) -> bool:
    """Whether a phone-shaped match is two years, the later second, or a day (DAY_YEAR_FIRST,
    DAY_YEAR_LAST), with no word of a phone before it."""
    written = match.group()
    if written.startswith("20"):
        pair = YEAR_PAIR.fullmatch(written)
        year_first = re.fullmatch(DAY_YEAR_FIRST, written)
        read_so = (pair is not None and int(pair[1]) < int(pair[2])) or (
            year_first is not None and is_a_day(int(year_first[2]), int(year_first[1])))
    else:
        year_last = re.fullmatch(DAY_YEAR_LAST, written) if len(written) == len("23 05 2020") else None
        read_so = year_last is not None and is_a_day(int(year_last[1]), int(year_last[2]))
    return read_so and PHONE_WORDS_BEFORE.search(text, max(0, match.start() - PHONE_WORDS_WITHIN), match.start()) is None


def _an_amount(text: str, match: re.Match[str], piece_start: int = 0) -> bool:
    """Whether a phone-shaped match is an amount (AMOUNT): a currency beside it, in its piece of text
    (which begins at `piece_start`), or whole millions."""
    written = match.group()
    if len(written) != len("25 000 000") or re.fullmatch(AMOUNT, written) is None:
        return False
    before = max(piece_start, match.start() - MONEY_WITHIN)
    return (written.endswith("000 000") or re.compile(MONEY_AFTER).match(text, match.end()) is not None
            or re.compile(MONEY_BEFORE).search(text, before, match.start()) is not None)


def _piece_start(pieces: Sequence[int], at: int) -> int:
    """Where the piece of text holding `at` begins, of those `pieces` begin (find_patterns); 0 if none does before it."""
    index = bisect_right(pieces, at)
    return pieces[index - 1] if index else 0


def _a_postcode(text: str, match: re.Match[str], address_ends: set[int]) -> bool:
    """Whether a POSTCODE match is a postcode with its place, not a year before a word (YEARS_AS_POSTCODES) nor a
    number of a chain's name (CHAIN_NUMBERS); `address_ends`: where each street address found in `text` ends."""
    start = match.start()
    chain = CHAIN_NUMBERS.get(match.group()[:4])
    if chain is not None and chain.search(text, max(0, start - CHAIN_NAME_WITHIN), start) is not None:
        return False
    if int(match.group()[:4]) not in YEARS_AS_POSTCODES:
        return True
    place = match.group()[5:].casefold()
    if place in POST_TOWNS_OF_YEARS or place.replace("-", " ").partition(" ")[0] in POST_TOWNS_OF_YEARS:
        return True
    before = text.rfind("\n", max(0, start - ADDRESS_WITHIN), start) + 1 or max(0, start - ADDRESS_WITHIN)
    # Looked for only where one of its words is: most years stand after none, and the pattern is slow to compile.
    words_before = text[before:start].lower()
    if any(word in words_before for word in ("adress", "post", "pb", "boks")) and (
            re.compile(ADDRESS_WORDS_BEFORE).search(text, before, start) is not None):
        return True
    # Where a street address ends just before it, with a comma or a line end between them.
    return any(end in address_ends and re.fullmatch(AFTER_AN_ADDRESS, text[end:start]) for end in range(start - 3, start + 1))


def _born_before(text: str, start: int) -> bool:
    """Whether the words just before `start` say that what stands there is a date of birth (BORN)."""
    return BORN.search(text, max(0, start - BORN_BEFORE), start) is not None


_BORN_HINTS = ("født", "fødd", "fødsel", "bursdag", "dob", "born", "f.")  # a word BORN reads, as a text holds it in lower case
# Where such a word stands, to look for a date said after it: a date said in words is searched for only there.
_BORN_WORD = re.compile(r"(?i:født|fødd|fødsel|bursdag|dob|born|f\.|date of birth)")
_SPOKEN_DATE_LONGEST = 80  # characters: no date said in words is longer ("trettifyrste i den tolvte nitten hundre og åttifem")


def _spoken_births(read: Unwrapped) -> Iterator[Found]:
    """Dates of birth said in words (SPOKEN_DATE) after a word of birth (BORN), in a text read as numbers are."""
    spaced, found_end = read.text, 0
    for word in _BORN_WORD.finditer(spaced):
        last_start = word.end() + BORN_BEFORE
        match = SPOKEN_DATE.search(spaced, max(word.end(), found_end), min(len(spaced), last_start + _SPOKEN_DATE_LONGEST))
        if match is not None and match.start() <= last_start and _born_before(spaced, match.start()):
            found_end = match.end()
            yield Found(*read.span(*match.span()), match.group(), "birth_date")


def _birth_date_as_phone(text: str, match: re.Match[str]) -> bool:
    """Whether a phone-shaped match is a date of birth written in digits ("født 23051990", "23 05 1990")."""
    date = FULL_DATE.fullmatch(match.group())
    return date is not None and is_a_day(*date_parts(date)[:2]) and _born_before(text, match.start())


def _named_street_start(text: str, street: re.Match[str]) -> int:
    """Where a STREET match begins with the words of the name whose genitive it begins with (_GENITIVE_STREET):
    "Ole" of "Ole Brumms vei 15" was left standing, and proposed as a name on its own."""
    start = street.start()
    if _GENITIVE_STREET.match(street.group()) is None:
        return start
    # Imported here: the name lists are read only where a street is named for someone.
    from qualcode.anonymise.candidates import everyday_word, given_names, reads_as_a_name

    for _ in range(_NAME_WORDS_BEFORE_A_STREET):
        word = _WORD_BEFORE_A_STREET.search(text, max(0, start - 40), start)
        if word is None:
            break
        written = word.group().strip()
        # Inside a sentence, a capitalised word no everyday one is the name's too, listed or not: "Bjørnstjerne" of
        # "i Bjørnstjerne Bjørnsons gate 7" was left before "(adresse)".
        inside = _INSIDE_A_SENTENCE.search(text, max(0, word.start() - 40), word.start()) is not None
        # A given name that is a word too, capitalised before the street's name, is the name's: "Hans" of "Hans Nielsen
        # Hauges gate 22" was left before it, proposed, and stored "Hans (adresse)".
        if not (written.casefold() in _TITLES_IN_STREET_NAMES or reads_as_a_name(written) or written.casefold() in given_names()
                or (inside and not everyday_word(written.casefold()))):
            break
        start = word.start()
    return start


# A house number with a full stop and a month's name after it is a date's day ("Storgata 17. mai", "Karl Johans
# gate 3. mars 2020"): the street is named without a number, and the date is no part of an address.
_MONTH_AFTER_A_DAY = re.compile(rf"\. (?:{MONTHS})\b")
# The shortest noun of "-ing" whose last part ends in "ring" ("læring", "føring", "endring"): shorter ends
# are no words ("kering" of "Kirkeringen").
_ING_NOUN_MIN_LENGTH = 6


def _a_day_not_a_house(text: str, street: re.Match[str]) -> bool:
    """Whether the number a STREET match ends with is the day of a date written after the street ("Storgata 17.
    mai"): a day of the month with its full stop, and a month's name in lower case, which begins no sentence."""
    number = street.group().rsplit(" ", 1)[-1]
    return number.isdigit() and 1 <= int(number) <= 31 and _MONTH_AFTER_A_DAY.match(text, street.end()) is not None


def street_before_a_date(text: str, at: int) -> bool:
    """Whether a street's name begins at `at` in `text` before a day and a month's name ("Storgata 17. mai"), which
    find_patterns leaves as the date it is: the street is then named without its number, and proposed as a name is,
    first in its sentence too. Not a noun of "-ing" nor an everyday way ("Opplæringen 17. mai", "Motorveien 3. mars")."""
    street = STREET.match(text, at)
    return (street is not None and _a_day_not_a_house(text, street) and not _an_ing_noun(street)
            and street.group().rsplit(" ", 1)[0].casefold() not in COMMON_WAYS)


def _an_ing_noun(street: re.Match[str]) -> bool:
    """Whether a STREET match ending in "-ringen" is a noun of "-ing" in its definite form before a count
    ("Opplæringen 4 av oss", "Arbeidsavklaringen 2"): its indefinite form, or a last part of it that ends in "ring"
    and is longer than "ring" itself, is a word bokmål or nynorsk knows. A street is a ring ("Kirkeringen 5",
    "Fjellringen 2"), or the ring alone ("Ringen 3"), as a street is a "bakken" or a "svingen"."""
    word = next((word for word in street.group().casefold().split() if word.endswith("ringen")), "")
    if not word or word == "ringen":
        return False
    # Imported here: the lexicons are read only where a "-ringen" stands before a number.
    from qualcode.anonymise.candidates import bokmal_word, nynorsk_word

    indefinite = word[:-2]
    return any(bokmal_word(indefinite[cut:]) or nynorsk_word(indefinite[cut:])
               for cut in range(len(indefinite) - _ING_NOUN_MIN_LENGTH + 1))


def find_patterns(text: str, pieces: Sequence[int] = ()) -> Iterator[Found]:
    """Every pattern identifier in `text`; callers resolve overlaps.

    `pieces`: where each piece of `text` read on its own begins, in order (the cells and paragraphs of
    a file the leak check reads as one text). No word before a piece makes a number in it an amount:
    a transcript's line may end in the currency of the amount on the next, as a line is wrapped
    ("Jeg fikk kr\n41 234 567 i erstatning", MONEY_BEFORE's `$` reads past its line feed), but a cell
    ending "Jeg fikk kr" says nothing of the phone number in the next. Words in another piece that
    make a number an identifier ("mobil:") are read still: missing one is the worse mistake. Numbers
    and dates are read with a line break inside a paragraph as a space (breaks_as_spaces)."""
    text = plain_digits(text)
    lowered = text.lower()  # once, for the detectors that search in lower case
    # Every detector but the e-mail's and the NAV office's needs a digit (a street address its
    # number): a text with none, as most turns of an interview are, is not scanned by them at all.
    digits = DIGIT.search(text) is not None
    numbers = []
    births: list[tuple[int, int, tuple[int, int, int]]] = []  # each fødselsnummer's span and date
    # Numbers and dates are read across a line break inside a paragraph, and reported as so read, where they stand.
    read = unwrapped(text, pieces) if digits else Unwrapped(text, pieces)
    spaced, span = read.text, read.span
    if digits:
        for match in FNR.finditer(spaced):
            if valid_fnr(number := "".join(match.group(1, 3, 4, 5, 6))):
                numbers.append(match.span())
                births.append((*match.span(), fnr_date(number)))
                yield Found(*span(*match.span()), match.group(), "fnr")
        for start, end, number in spread_fnrs(spaced):
            if not any(start < taken_end and taken_start < end for taken_start, taken_end in numbers):
                numbers.append((start, end))
                births.append((start, end, fnr_date(number)))
                yield Found(*span(start, end), spaced[start:end], "fnr")
        if any(hint in lowered for hint in _FNR_SAID_HINTS):
            for start, end in _said_fnrs(spaced, numbers):
                numbers.append((start, end))
                yield Found(*span(start, end), spaced[start:end], "fnr")
        for match in IBAN.finditer(spaced):
            if valid_account("".join(match.groups())):
                numbers.append(match.span())
                yield Found(*span(*match.span()), match.group(), "account")
        for match in PLATE.finditer(text):
            yield Found(match.start(), match.end(), match.group(), "plate")
        for match in ACCOUNT.finditer(spaced):
            number = match.group(1) + match.group(3) + match.group(4)
            # A number that is a valid fødselsnummer too is taken for one, however it is grouped.
            if valid_account(number) and not valid_fnr(number) and not any(start <= match.start() < end for start, end in numbers):
                numbers.append(match.span())
                yield Found(*span(*match.span()), match.group(), "account")
        yield from _case_numbers(spaced, lowered, span, numbers)
        for match in PHONE.finditer(spaced):
            ages = AGES.fullmatch(match.group()) is not None and YEARS_AFTER.match(spaced, match.end()) is not None
            if (len(phone_digits(match.group())) == 8 and not ages and not _years_or_a_day(spaced, match)
                    and not _an_amount(spaced, match, _piece_start(read.pieces, match.start()))
                    and not _birth_date_as_phone(spaced, match)):
                said = _SAID_COUNTRY_CODE.search(spaced, max(0, match.start() - _SAID_COUNTRY_CODE_LONGEST), match.start())
                start = said.start() if said is not None else match.start()
                yield Found(*span(start, match.end()), spaced[start:match.end()], "phone")
    yield from _spoken_numbers(text, lowered)
    for match in all_emails(text, lowered):
        yield Found(match.start(), match.end(), match.group(), "email")
    if digits:
        address_ends: set[int] = set()  # where each street address ends, for the postcodes after them
        for match in STREET.finditer(text):
            if _a_day_not_a_house(text, match) or _an_ing_noun(match):
                continue
            address_ends.add(match.end())
            start = _named_street_start(text, match)
            yield Found(start, match.end(), text[start:match.end()], "address")
        # Looked for only where a street word is: tried at every word, the pattern costs the import 10 %.
        for match in STREET_LOWER.finditer(text) if any(way in text for way in _LOWER_STREET_WORDS) else ():
            if match.group("street") not in COMMON_WAYS and not _a_day_not_a_house(text, match) and not _an_ing_noun(match):
                address_ends.add(match.end())
                yield Found(match.start("street"), match.end(), text[match.start("street"):match.end()], "address")
        # Read as numbers are (`spaced`): "Postboks\n123" wrapped is one.
        for match in POST_BOX.finditer(spaced) if any(box in lowered for box in ("pb", "postb", "boks")) else ():
            start, end = span(*match.span())
            address_ends.add(end)
            yield Found(start, end, match.group(), "address")
        for match in PROPERTY.finditer(spaced) if "bnr" in lowered or "b.nr" in lowered or "bruksnummer" in lowered else ():
            start, end = span(*match.span())
            yield Found(start, end, match.group(), "address")
        for match in POSTCODE.finditer(text):
            if _a_postcode(text, match, address_ends):
                yield Found(match.start(), match.end(), match.group(), "postcode")
    yield from _profiles(text, lowered)
    if "NAV" in text or "Nav" in text:
        for match in NAV_OFFICE.finditer(text):
            yield Found(match.start(), match.end(), match.group(), "nav_office")
    if any(word in lowered for word in _BORN_HINTS):
        yield from _spoken_births(read if digits else unwrapped(text, pieces))
    if not digits:
        return
    for match in FULL_DATE.finditer(spaced):
        if any(start <= match.start() and match.end() <= end for start, end in numbers):
            continue  # a fødselsnummer's own date, written as a date is ("15.03.89 10083")
        day, month, year = date_parts(match)
        if not is_a_day(day, month):
            continue
        born = _born_before(spaced, match.start())
        beside = any(
            (0 <= match.start() - end <= BESIDE_FNR or 0 <= start - match.end() <= BESIDE_FNR) and (day, month, year % 100) == date
            for start, end, date in births
        )
        if born or beside:
            yield Found(*span(*match.span()), match.group(), "birth_date")


# The country code said before a number written in digits ("telefon pluss 47 912 34 567"): part of the number, else
# "pluss 47" was left before "(telefonnummer)".
_SAID_COUNTRY_CODE = re.compile(r"(?i:\b(?:pluss|plus) ?(?:47|førtisju|førtisyv|førtisjau)[ \t]*)$")
_SAID_COUNTRY_CODE_LONGEST = 20


def _case_numbers(
    text: str, lowered: str, span: Callable[[int, int], tuple[int, int]], taken: list[tuple[int, int]],
) -> Iterator[Found]:
    """Case numbers in `text` (CASE_NUMBER, or CASE_NUMBER_SAID after a word of cases), of the spans not `taken` by a
    fødselsnummer or an account number; each added to `taken`."""
    spans = [match.span() for match in CASE_NUMBER.finditer(text)]
    if any(hint in lowered for hint in _CASE_HINTS):
        spans += [
            match.span() for match in CASE_NUMBER_SAID.finditer(text)
            if sum(character.isdigit() for character in match.group()) >= CASE_NUMBER_MIN_DIGITS
            and CASE_WORDS_BEFORE.search(text, max(0, match.start() - CASE_WORDS_WITHIN), match.start()) is not None
        ]
    for start, end in sorted(set(spans)):
        if not any(start < taken_end and taken_start < end for taken_start, taken_end in taken):
            taken.append((start, end))
            yield Found(*span(start, end), text[start:end], "case_number")


def _spoken_digits(word: str) -> str:
    """The digits a number word says ("ni" 9, "tolv" 12, "nittito" 92, "toognitti" 92, "ni hundre og tolv" 912, a
    pair said apart, "tretti fire", 34)."""
    word = "".join(word.casefold().split())
    if word in _DIGIT_WORDS:
        return _DIGIT_WORDS[word]
    if word in _TEEN_WORDS:
        return _TEEN_WORDS[word]
    if (hundreds := _HUNDREDS_ONE.fullmatch(word)) is not None:
        rest = _spoken_digits(hundreds["and"]) if hundreds["and"] else "0"
        return (_DIGIT_WORDS[hundreds["hundreds"]] if hundreds["hundreds"] else "1") + rest.zfill(2)
    parts = _NUMBER_WORD_ONE.fullmatch(word)
    if parts is None or parts["word"] is not None:
        return ""
    if parts["tens"] is not None:
        return _TENS_WORDS[parts["tens"]] + (_DIGIT_WORDS[parts["one"]] if parts["one"] else "0")
    return _TENS_WORDS[parts["after"]] + _DIGIT_WORDS[parts["before"]]


def _counting(said: list[str]) -> bool:
    """Whether groups of digits said are a count in order, by ones or by pairs ("to, tre, fire …", "tjue, tjueen,
    tjueto, tjuetre"), which is no number."""
    values = [int(digits) for digits in said]
    return len({len(digits) for digits in said}) == 1 and all(
        abs(later - earlier) == 1 and later - earlier == values[1] - values[0] for earlier, later in zip(values, values[1:], strict=False))


def _country_code(said: list[str], plus: bool) -> int:
    """How many of the groups `said` say a country code before a number: "47" after "pluss", or "0047"."""
    digits = ""
    for count, group in enumerate(said, 1):
        digits += group
        if digits == ("" if plus else "00") + COUNTRY_CODE:
            return count
        if len(digits) >= len("0047"):
            break
    return 0


@dataclass(frozen=True)
class _Said:
    """A group of digits said, where it stands in what was said."""

    start: int
    end: int
    text: str


def _spoken_groups(said: str) -> list[_Said]:
    """The groups of digits in `said` (a SPOKEN_NUMBER), a tens word and a ones word apart by a space one group, as a
    transcriber writes a pair said as one word: "tretti fire" is 34, not 30 and 4 ("ni hundre og tolv tretti fire fem
    seks sju" left "sju" after the eight digits it was read as)."""
    groups: list[_Said] = []
    for word in _SPOKEN_TOKEN.finditer(said):
        before = groups[-1] if groups else None
        if (before is not None and before.text.casefold() in _TENS_WORDS and word.group().casefold() in _DIGIT_WORDS
                and word.group().casefold() != "null" and not said[before.end:word.start()].strip()):
            groups[-1] = _Said(before.start, word.end(), said[before.start:word.end()])
        else:
            groups.append(_Said(word.start(), word.end(), word.group()))
    return groups


def _spoken_numbers(text: str, lowered: str) -> Iterator[Found]:
    """Phone numbers and fødselsnumre said in words (SPOKEN_NUMBER) in `text`, `lowered` its lower case. Each is
    reported with a line break inside it as a space, as find_patterns reports a number."""
    source = lowered if len(lowered) == len(text) else text  # lowering keeps every offset but for a few letters ("İ")
    pattern = SPOKEN_NUMBER if source is lowered else re.compile(SPOKEN_NUMBER.pattern, re.IGNORECASE)
    for run in pattern.finditer(source):
        said_as = run.group()
        words = _spoken_groups(said_as)
        plus = words[0].text.casefold() == _PLUS
        said = [_spoken_digits(word.text) for word in words[plus:]]
        # Eleven digits are a fødselsnummer by their check digits, or after a word of one whatever they are (FNR_SAID).
        if len(digits := "".join(said)) == FNR_DIGITS and (
                valid_fnr(digits) or FNR_SAID.search(text, max(0, run.start() - FNR_SAID_WITHIN), run.start()) is not None):
            start, end = run.start() + words[0].start, run.end()
            yield Found(start, end, text[start:end].replace("\n", " "), "fnr")
            continue
        # A country code makes what follows a phone number, as a word asking for one does.
        country = _country_code(said, plus)
        numbered, said = words[plus + country:], said[country:]
        asked = country > 0 or PHONE_WORDS_BEFORE.search(text, max(0, run.start() - PHONE_WORDS_WITHIN), run.start()) is not None
        if asked:  # the number is what follows the word that asks for it: "ni tre … seks seks, to ganger"
            end = next((count for count in range(1, len(said) + 1) if len("".join(said[:count])) >= 8), len(said))
            # Said in groups, its eighth digit inside one, the whole group is said as the number's: "ni hundre og
            # tolv, tre fire fem, seks sju åtte".
            while "," in said_as and end < len(said) and "," not in said_as[numbered[end - 1].end:numbered[end].start]:
                end += 1
            numbered, said = numbered[:end], said[:end]
        digits = "".join(said)
        counting = _counting(said)
        start, end = run.start() + words[0].start, run.start() + numbered[-1].end
        # Unasked, a number is said digit by digit, or its first three as hundreds and the rest so ("ni hundre og
        # tolv, tre fire, fem seks sju"): amounts and counts are said in hundreds throughout.
        one_by_one = len(numbered) >= PHONE_WORDS_SPOKEN or (
            len(said[0]) == 3 and all(len(digit) == 1 for digit in said[1:]) and "hundre" in numbered[0].text
            and not _counting(said[1:]))
        if digits[:1] in tuple("23456789") and not counting and (
                (asked and len(digits) >= 8) or (len(digits) == 8 and one_by_one)):
            yield Found(start, end, text[start:end].replace("\n", " "), "phone")


def _said_fnrs(text: str, taken: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Where a run of eleven digits stands after a word of fødselsnummer (FNR_SAID), whatever its check digits,
    of the runs not `taken` already."""
    for run in DIGIT_RUN.finditer(text):
        start, end = run.span()
        if (sum(character.isdigit() for character in run.group()) == FNR_DIGITS
                and not any(start < taken_end and taken_start < end for taken_start, taken_end in taken)
                and FNR_SAID.search(text, max(0, start - FNR_SAID_WITHIN), start) is not None):
            yield start, end


def _profiles(text: str, lowered: str) -> Iterator[Found]:
    """Links to profiles, handles with their @, websites said to be one's own, and user names said beside a word of
    profiles (`lowered`: `text.lower()`)."""
    owned: list[tuple[int, int]] = []
    if "side" in lowered or "sida" in lowered:
        for match in OWN_SITE.finditer(text):
            owned.append(match.span("site"))
            yield Found(match.start("site"), match.end("site"), match.group("site"), "profile")
    if any(site in lowered for site in _PROFILE_SITES):
        for match in PROFILE_URL.finditer(text):
            yield Found(match.start(), match.end(), match.group(), "profile")
    if "@" in text:
        for match in HANDLE_AT.finditer(text):
            yield Found(match.start(), match.end(), match.group(), "profile")
    if any(hint in lowered for hint in _PROFILE_HINTS) and any(said in lowered for said in _SAID_SITE_HINTS):
        # Read in lower case where lowering keeps every offset, as it does but for a few letters ("İ").
        said_in = PROFILE_SAID if len(lowered) == len(text) else re.compile(PROFILE_SAID.pattern, re.IGNORECASE)
        for match in said_in.finditer(lowered if said_in is PROFILE_SAID else text):
            if _a_user_name(text[match.start("handle"):match.end("handle")], match):
                yield Found(match.start("handle"), match.end("handle"), text[match.start("handle"):match.end("handle")], "profile")
    # Searched in lower case: a case-blind search of a long text costs more than lowering it.
    if ("." in text or "_" in text) and any(hint in lowered for hint in _PROFILE_HINTS) and _PROFILE_WORDS_LOWER.search(lowered):
        for match in USER_NAME.finditer(text):
            name = match.group()
            if any(start <= match.start() < end for start, end in owned):
                continue  # part of a website said to be one's own, found whole above
            parts = re.split(r"[._]", name)
            if (name.casefold() in _NOT_USER_NAMES or parts[-1].casefold() in _DOMAIN_ENDS
                    or not any(ch.isalpha() for part in parts[1:] for ch in part)  # a time: "kl.10"
                    or max(len(part) for part in parts) < 4  # an abbreviation: "p.g.a", "m.a.o", "pkt.a", "i.e"
                    or any(part[:1].isupper() for part in parts[1:])):  # a sentence after a full stop: "snap.Men"
                continue
            # Its sentence, as far as PROFILE_WITHIN on either side.
            before = text[max(0, match.start() - PROFILE_WITHIN):match.start()]
            before = re.split(r"[.!?]\s|\n", before)[-1]
            after = re.split(r"[.!?](?:\s|$)|\n", text[match.end():match.end() + PROFILE_WITHIN])[0]
            if PROFILE_WORDS.search(before) or PROFILE_WORDS.search(after):
                yield Found(match.start(), match.end(), name, "profile")


def _a_user_name(written: str, said: re.Match[str]) -> bool:
    """Whether `written`, said after a word of profiles as PROFILE_SAID reads it, is a user name: letters and
    digits in one word ("maritsol83", "Kari1990"), or, after "heter jeg" or a word of user names, a word in lower
    case that no lexicon holds and that ends what is said ("maritsol."). A capitalised word without digits is a name, and the names'
    detectors' to find; an everyday word ("privat", "jeg", "hemmelig") is a word."""
    if len(written) < _USER_NAME_MIN - 1:
        return False
    if any(character.isdigit() for character in written):
        return True
    if not written.islower() or len(written) < _USER_NAME_MIN:
        return False
    if not (said.group("said").strip().startswith(("heter", "heiter")) or said.group("site").startswith("brukernavn")):
        return False
    if _CLAUSE_END.match(said.string, said.end()) is None:  # "heter jeg kjempemange ting": a word of a longer clause
        return False
    # Imported here: the lexicons are read only where a word follows "heter jeg" after a word of profiles.
    from qualcode.anonymise.candidates import bokmal_word, everyday_word, nynorsk_word

    return not (everyday_word(written) or bokmal_word(written) or nynorsk_word(written))
