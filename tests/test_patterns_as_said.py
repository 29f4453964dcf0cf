"""Identifiers as a red-team probe found them written or said, stored unreplaced and never proposed: a number split
by a line break, a fødselsnummer with a typo introduced as one, a phone number or an e-mail address said in words,
a user name introduced as one. Each through the detector, a real import, the leak check and typed text (memo add)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qualcode.anonymise.patterns import find_patterns
from qualcode.cli import cli

FRONT = "---\nparticipant: D1\nrole: deltaker\nwave: T1\n---\nI: Hei.\n"


def _run(root: Path, *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["--project", str(root), "--coder", "F1", *args], catch_exceptions=False)
    assert result.exit_code == code, (args, result.output)
    return result


def _stored(root: Path, name: str) -> str:
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        row = db.execute("SELECT v.text FROM transcripts t JOIN text_versions v ON v.id = t.current_version_id WHERE t.name = ?",
                         (name,)).fetchone()
    assert row is not None, name
    return str(row[0])


def _memos(root: Path) -> list[str]:
    with sqlite3.connect(root / ".qualcode" / "project.db") as db:
        return [str(text) for (text,) in db.execute("SELECT text FROM memos ORDER BY id")]


def _found(text: str) -> list[tuple[str, str]]:
    return [(found.kind, found.text) for found in find_patterns(text)]


def _import(root: Path, tmp_path: Path, name: str, turn: str) -> str:
    """`turn` imported after FRONT as the transcript `name`; its stored text."""
    (tmp_path / f"{name}.txt").write_text(FRONT + turn, encoding="utf-8")
    _run(root, "import", str(tmp_path / f"{name}.txt"))
    return _stored(root, name)


def _leaks(root: Path, tmp_path: Path, text: str) -> str:
    """What `qualcode leakcheck` says of a text file holding `text` (it must find something)."""
    (tmp_path / "ut.txt").write_text(text, encoding="utf-8")
    return _run(root, "leakcheck", str(tmp_path / "ut.txt"), code=1).output


# 1. A number or a date split by a line break inside a turn (a hard-wrapped .txt, Word's soft line break).

@pytest.mark.parametrize(("text", "expected"), [
    ("D1: Fødselsnummeret er 210595\n10042, mobil 934 45\n667.", [("fnr", "210595 10042"), ("phone", "934 45 667")]),
    ("D1: Jeg er født 21.05.\n1995.", [("birth_date", "21.05. 1995")]),
    ("D1: Ring meg på 93\n44 56 67 i kveld.", [("phone", "93 44 56 67")]),
    ("D1: Fnr 21059\n510042.", [("fnr", "21059 510042")]),
    # A hard-wrapped line that ends in a space, or a next line indented: the white space around the break is one space.
    ("D1: Fødselsnummeret er 210595 \n10042, mobil 934 45   \n  667.", [("fnr", "210595 10042"), ("phone", "934 45 667")]),
    ("D1: Jeg er født 21.05.\t\n1995.", [("birth_date", "21.05. 1995")]),
])
def test_a_number_split_by_a_line_break_is_found_whole(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "I: Intervju 12.10.\n2009, kontor B.",  # an interview's date, however it is wrapped, is no date of birth
    "D1: Det var i 2019\n2020 var det pandemi.",  # two years
    "L1: Vi fikk kr\n25 000 000 i fjor.",  # an amount
    "D1: Jeg var 21059\n\n510042 er et saksnummer.",  # a blank line ends a paragraph: the numbers are two
    "D1: Jeg var 21059 \n \n510042 er et saksnummer.",  # so does a line of spaces
    "I: Intervju 12.10. \n2009, kontor B.",
])
def test_numbers_and_dates_split_by_a_line_break_keep_their_rules(text: str) -> None:
    assert _found(text) == []


def test_a_cell_ending_in_digits_makes_no_number_of_the_next_cells_digits() -> None:
    """A piece (a cell, a paragraph) is read on its own: the line break before it is no white space inside one."""
    text = "210595\n10042"
    assert [found.kind for found in find_patterns(text)] == ["fnr"]
    assert list(find_patterns(text, pieces=[0, 7])) == []


def test_a_wrapped_number_is_replaced_at_import_from_txt_and_docx_found_by_the_leak_check_and_in_a_memo(
        demo: Path, tmp_path: Path) -> None:
    from docx import Document

    stored = _import(demo, tmp_path, "brutt", "D1: Fødselsnummeret er 210595\n10042, mobil 934 45\n667.\nD1: Jeg er født 21.05.\n1995.\n")
    assert stored.endswith("D1: Fødselsnummeret er (fødselsnummer), mobil (telefonnummer).\nD1: Jeg er født (fødselsdato).\n"), stored
    # Wrapped with a space at each line's end, as many editors leave it: the number and what follows it stay apart.
    stored = _import(demo, tmp_path, "mellomrom", "D1: Fødselsnummeret er 180386 \n43254, mobil 934 45   \n  668 og sånn.\n")
    assert stored.endswith("D1: Fødselsnummeret er (fødselsnummer), mobil (telefonnummer) og sånn.\n"), stored
    assert "'180590 42382'" in _leaks(demo, tmp_path, "Hun sa det var 180590 \n42382, tror jeg.\n")
    document = Document()
    document.add_paragraph("I: Hei.")
    paragraph = document.add_paragraph("D2: Det er 180386")
    paragraph.runs[0].add_break()
    paragraph.add_run("43254.")
    document.save(str(tmp_path / "myk.docx"))
    _run(demo, "import", str(tmp_path / "myk.docx"), "--participant", "D2", "--role", "deltaker", "--wave", "T1")
    assert "D2: Det er (fødselsnummer)." in _stored(demo, "myk")
    # A number the key does not hold yet, split so in a file from elsewhere.
    assert "'180590 42382'" in _leaks(demo, tmp_path, "Hun sa det var 180590\n42382, tror jeg.\n")
    _run(demo, "memo", "add", "Hun ga mobilnummeret 48 12\n34 56 i intervjuet.")
    assert _memos(demo)[-1] == "Hun ga mobilnummeret (telefonnummer) i intervjuet."


# 2. Eleven digits introduced as a fødselsnummer, whose check digits fail (a typo still identifies).

@pytest.mark.parametrize(("text", "number"), [
    ("Personnummeret er 12038040188.", "12038040188"), ("Fødselsnummeret mitt er 120380 40188", "120380 40188"),
    ("Fnr.: 12.03.80 40188", "12.03.80 40188"), ("f.nr. 12038040188", "12038040188"), ("personnr 12038040188", "12038040188"),
    ("D-nummeret hennes var 52038040188.", "52038040188"), ("fødselsnummeret er\n12038040188", "12038040188"),
])
def test_eleven_digits_introduced_as_a_fodselsnummer_are_one_whatever_their_check_digits(text: str, number: str) -> None:
    assert _found(text) == [("fnr", number)]


@pytest.mark.parametrize("text", [
    "Medlemsnummeret er 12038040188.",  # no word of a fødselsnummer: the check digits decide, as before
    "Personnummeret har 11 siffer, og 12038040188 er noe annet.",  # too far, past other words
    "Personnummeret er 120380401881.", "Personnummeret er 1203804018.",  # twelve digits, ten
])
def test_eleven_digits_without_a_word_of_a_fodselsnummer_before_them_keep_todays_rule(text: str) -> None:
    assert _found(text) == []


def test_a_mistyped_fodselsnummer_is_replaced_at_import_found_by_the_leak_check_and_in_a_memo(demo: Path, tmp_path: Path) -> None:
    assert _import(demo, tmp_path, "fnr", "D1: Personnummeret er 12038040188.\n").endswith("D1: Personnummeret er (fødselsnummer).\n")
    assert "'13038040188'" in _leaks(demo, tmp_path, "Fødselsnummeret hennes: 13038040188\n")
    _run(demo, "memo", "add", "Fnr. 14038040188 sto på skjemaet.")
    assert _memos(demo)[-1] == "Fnr. (fødselsnummer) sto på skjemaet."


# 4. An e-mail address said with "at" and "punktum" before its ending.

@pytest.mark.parametrize(("text", "address"), [
    ("Mailen er hbrekkesto at nav punktum no.", "hbrekkesto at nav punktum no"),
    ("Skriv til hbrekkesto at online punktum no, sa hun.", "hbrekkesto at online punktum no"),
    ("Mailen er hbrekkesto at nav punktum no\nI: Takk.", "hbrekkesto at nav punktum no"),
    ("hbrekkesto at gmail punktum com og så videre", "hbrekkesto at gmail punktum com"),  # "com" is no word
    ("kari punktum hansen at gmail punktum com", "kari punktum hansen at gmail punktum com"),
])
def test_an_address_said_with_punktum_before_its_ending_is_found(text: str, address: str) -> None:
    assert _found(text) == [("email", address)]


@pytest.mark.parametrize("text", [
    "Eg sa at nei punktum no er eg ferdig.",  # nynorsk "no": the ending does not end what is said
    "Ja, men at nav punktum no, det visste jeg ikke.",  # an everyday word before "at"
    "Jeg tror at nav punktum no er nede.", "Jeg sa at de punktum se.",
])
def test_at_and_punktum_in_speech_are_no_address(text: str) -> None:
    assert _found(text) == []


def test_an_address_said_with_punktum_is_replaced_at_import_found_by_the_leak_check_and_in_a_memo(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "epost", "D1: Mailen er hbrekkesto at nav punktum no.\n")
    assert stored.endswith("D1: Mailen er (e-post).\n"), stored
    assert "'tsolvik at online punktum no'" in _leaks(demo, tmp_path, "Send det til tsolvik at online punktum no.\n")
    _run(demo, "memo", "add", "Adressen var mjohaug at gmail punktum com, sa hun.")
    assert _memos(demo)[-1] == "Adressen var (e-post), sa hun."


# 5. A user name without a dot or underscore, introduced as one.

@pytest.mark.parametrize(("text", "handle"), [
    ("På snapchat heter jeg maritsol83.", "maritsol83"), ("Brukernavnet mitt er maritsol83.", "maritsol83"),
    ("Du finner meg på Snap: maritsol83", "maritsol83"), ("Brukernavnet mitt på insta er Maritsol83, sa hun.", "Maritsol83"),
    ("på TikTok heter hun dansedronninga92", "dansedronninga92"), ("Facebook: maritsol83", "maritsol83"),
    ("På LinkedIn heter jeg maritsol83.", "maritsol83"), ("PÅ SNAP HETER JEG MARITSOL83", "MARITSOL83"),
    # letters alone, in lower case, after "heter jeg" or a word of user names, where no lexicon holds them
    ("På snapchat heter jeg maritsol.", "maritsol"), ("Brukernavnet er trondsolv, tror jeg.", "trondsolv"),
])
def test_a_user_name_introduced_as_one_is_found(text: str, handle: str) -> None:
    assert _found(text) == [("profile", handle)]


@pytest.mark.parametrize("text", [
    "Jeg er på Snap hele dagen.", "På snap er jeg ganske aktiv.", "Brukernavnet mitt er hemmelig.", "Profilen min er privat.",
    "Instagram er kjempeviktig for meg.", "Snap er 2x bedre.", "Brukernavnet er det samme.", "Snap: 15 venner",
    "Discord: gamingkveld hver fredag", "På insta heter jeg ingenting.", "på snap heter jeg kjempemange ting",
    "På snapchat heter jeg Marit.",  # a name, for the names' detectors to find
])
def test_words_after_a_word_of_profiles_are_no_user_name(text: str) -> None:
    assert _found(text) == []


def test_a_user_name_introduced_as_one_is_replaced_at_import_found_by_the_leak_check_and_in_a_memo(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "snap", "D1: På snapchat heter jeg maritsol83.\nD1: Brukernavnet mitt er trondsolv.\n")
    assert stored.endswith("D1: På snapchat heter jeg (profil).\nD1: Brukernavnet mitt er (profil).\n"), stored
    assert "'kjetilbo77'" in _leaks(demo, tmp_path, "Brukernavnet hans er kjetilbo77.\n")
    _run(demo, "memo", "add", "Hun sa at på tiktok heter hun sofiebe04.")
    assert _memos(demo)[-1] == "Hun sa at på tiktok heter hun (profil)."


# The leak check: a transcript's name (qualcode's own label) beside a quote that names a site is no user name.

def test_a_transcripts_name_in_an_export_beside_a_quote_naming_a_site_is_no_user_name(demo: Path, tmp_path: Path) -> None:
    """A probe: a transcript named d7_runde2, coded at "Det er navnet mitt på Snap", had every quote table
    and every report with full attribution refused: "contains profile 'd7_runde2'", the source column read as
    a handle beside the quote's "Snap". A real handle in a quote beside it is still refused."""
    from docx import Document

    _run(demo, "anonymise", "dismiss", "Snap")
    (tmp_path / "d7_runde2.txt").write_text(FRONT.replace("D1", "D7") + "D7: Det er navnet mitt på Snap, sa hun.\n", encoding="utf-8")
    _run(demo, "import", str(tmp_path / "d7_runde2.txt"))
    _run(demo, "coding", "add", "d7_runde2", "empowerment", "--match", "Det er navnet mitt på Snap")
    chosen = ("--transcript", "d7_runde2", "--attribution", "full")
    _run(demo, "export", "quotes", *chosen, "--format", "csv", "--output", str(tmp_path / "q.csv"))
    assert "d7_runde2" in (tmp_path / "q.csv").read_text(encoding="utf-8-sig")
    _run(demo, "export", "report", *chosen, "--output", str(tmp_path / "r.docx"))
    assert any("d7_runde2" in paragraph.text for paragraph in Document(str(tmp_path / "r.docx")).paragraphs)
    checked = _run(demo, "leakcheck", str(tmp_path / "q.csv"), str(tmp_path / "r.docx"))
    assert "'d7_runde2' read as a user name beside a word of profiles, but it is the name of one of the project's transcripts" \
        in checked.output
    (tmp_path / "andre.csv").write_text('kilde,sitat\nd7_runde2,"På snapchat heter jeg kari.nordmann"\n', encoding="utf-8")
    refused = _run(demo, "leakcheck", str(tmp_path / "andre.csv"), code=1).output
    assert "profile 'kari.nordmann'" in refused and "profile 'd7_runde2'" not in refused


# 3. A phone number said in words, digit by digit or in pairs, in bokmål and nynorsk.

@pytest.mark.parametrize(("text", "number"), [
    ("Ring meg på ni tre fire fire fem fem seks seks.", "ni tre fire fire fem fem seks seks"),
    ("Nummeret er fire-en, to-tre, fire-fem, seks-sju.", "fire-en, to-tre, fire-fem, seks-sju"),
    ("Det var fire-en, to-tre, fire-fem, seks-sju, tror jeg.", "fire-en, to-tre, fire-fem, seks-sju"),  # eight words
    ("Mobilen min er nittito trettifire femtifem sekstisju.", "nittito trettifire femtifem sekstisju"),
    ("Mobilen er toognitti trettifire femtifem syttisyv.", "toognitti trettifire femtifem syttisyv"),
    ("Ring meg på ni tre fire fire fem fem seks seks, to ganger til.", "ni tre fire fire fem fem seks seks"),
    ("Nummeret mitt er ni ein to tre, fire fem, seks sju.", "ni ein to tre, fire fem, seks sju"),  # nynorsk "ein"
    ("Ring meg på ni tre fire\nfire fem fem seks seks.", "ni tre fire fire fem fem seks seks"),
])
def test_a_phone_number_said_in_words_is_found(text: str, number: str) -> None:
    assert _found(text) == [("phone", number)]


@pytest.mark.parametrize("text", [
    "Det var to eller tre ganger.", "Hun var fem, seks år, kanskje sju.", "Det tok tre fire uker, fem seks dager.",
    "Vi telte en, to, tre, fire, fem, seks, sju, åtte, ni, ti.",  # ten digits
    "to, tre, fire, fem, seks, sju, åtte, ni",  # a count in order
    "Rommet var nummer tjue, tjueen, tjueto, tjuetre.",  # by pairs, after a word that asks for a number
    "Det var nittito trettifire femtifem sekstisju.",  # four pairs, no word asking for a number
    "ein to tre fire fem seks sju åtte",  # no Norwegian number begins with 1
])
def test_number_words_in_ordinary_speech_are_no_phone_number(text: str) -> None:
    assert _found(text) == []


def test_a_phone_number_said_in_words_is_replaced_at_import_found_by_the_leak_check_and_in_a_memo(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "ord", "D1: Ring meg på ni tre fire fire fem fem seks seks.\nD1: To eller tre ganger.\n")
    assert stored.endswith("D1: Ring meg på (telefonnummer).\nD1: To eller tre ganger.\n"), stored
    assert "'fire-en, to-tre, fire-fem, seks-sju'" in _leaks(demo, tmp_path, "Hun sa fire-en, to-tre, fire-fem, seks-sju.\n")
    _run(demo, "memo", "add", "Mobilen hennes er nittito trettifire femtifem sekstisju.")
    assert _memos(demo)[-1] == "Mobilen hennes er (telefonnummer)."


def test_a_number_the_key_holds_is_found_across_a_line_break_where_no_detector_reads_it(demo: Path, tmp_path: Path) -> None:
    """A mistyped fødselsnummer the key learned (its check digits fail, so only its word made it one) was found
    again only on one line: the key's matcher read a number's groups apart by a space, dot or hyphen, never a
    line break, as the detectors now read one."""
    _import(demo, tmp_path, "forst", "D1: Personnummeret er 12038040188.\n")
    stored = _import(demo, tmp_path, "senere", "D1: Det var 120380\n40188, sa hun.\nD1: Og 120380\n\n40188 er to tall.\n"
                                                "D1: Og 120380 \n 40188 igjen.\n")
    assert stored.endswith("D1: Det var (fødselsnummer), sa hun.\nD1: Og 120380\n\n40188 er to tall.\nD1: Og (fødselsnummer) igjen.\n"), stored
    assert "fnr '120380\\n40188'" in _leaks(demo, tmp_path, "Det var 120380\n40188.\n")


def test_a_date_of_birth_the_key_holds_is_found_across_a_line_break_without_words_of_birth(demo: Path, tmp_path: Path) -> None:
    """A date of birth the key learned is replaced wherever its day is written; split by a line break, it was not."""
    assert _import(demo, tmp_path, "fodt", "D1: Jeg er født 21.05.\n1995.\n").endswith("D1: Jeg er født (fødselsdato).\n")
    stored = _import(demo, tmp_path, "dagen", "D1: Den 21. mai\n1995 var en fin dag.\n")
    assert stored.endswith("D1: Den (fødselsdato) var en fin dag.\n"), stored


def test_a_date_of_birth_the_key_holds_is_found_wrapped_with_white_space_beside_the_break(demo: Path, tmp_path: Path) -> None:
    """The key's dates were read with a line break as one space, one character for one, while the detectors read the
    white space around it as one space (patterns.unwrapped): a date the key holds, wrapped after a trailing space or
    before an indented line, without words of birth before it, was stored as written and passed the leak check."""
    from qualcode.anonymise.apply import known_birth_dates, pseudonymise
    from qualcode.anonymise.key import PseudonymKey

    key = PseudonymKey("p")
    assert pseudonymise("Jeg er født 21.05.1995.", key, "a").text == "Jeg er født (fødselsdato)."
    text = "Det var 21.05. \n1995, og 21. mai\n   1995; 21.05.\t\n\t95.\nIkke 21.05.\n\n1995."
    assert [(text[seen.start:seen.end], seen.text) for seen in known_birth_dates(text, key)] == [
        ("21.05. \n1995", "21.05. 1995"), ("21. mai\n   1995", "21. mai 1995"), ("21.05.\t\n\t95", "21.05. 95")]
    assert pseudonymise(text, key, "b").text == "Det var (fødselsdato), og (fødselsdato); (fødselsdato).\nIkke 21.05.\n\n1995."
    assert _import(demo, tmp_path, "fodt", "D1: Jeg er født 21.05.1995.\n").endswith("D1: Jeg er født (fødselsdato).\n")
    stored = _import(demo, tmp_path, "dagen", "D1: Den 21.05. \n1995 var en fin dag, og 21. mai\n   1995 også.\n")
    assert stored.endswith("D1: Den (fødselsdato) var en fin dag, og (fødselsdato) også.\n"), stored
    assert "birth_date '21.05.1995'" in _leaks(demo, tmp_path, "Det skjedde 21.05.\n   1995, sa hun.\n")


# 6. A date of birth said in words, as a transcriber writes what was said.

@pytest.mark.parametrize(("text", "date"), [
    ("Jeg er født tolvte mars nittenåttifem.", "tolvte mars nittenåttifem"),
    ("Han er født den tjuende i femte åttitre, sier han.", "tjuende i femte åttitre"),
    ("Eg er fødd tolvte mars nittenåttifem.", "tolvte mars nittenåttifem"),  # nynorsk
    ("Eg er fødd den tjueandre i tiande nitten hundre og nittini.", "tjueandre i tiande nitten hundre og nittini"),
    ("Hun er født tjueførste juni to tusen og tre.", "tjueførste juni to tusen og tre"),
    ("Jeg er født 12. mars nittenåttifem, i Bergen.", "12. mars nittenåttifem"),  # a day in digits, the year in words
    ("Bursdagen min er tolvte mars åttifem.", "tolvte mars åttifem"),
    ("Jeg er født tredje mars -85.", "tredje mars -85"),
    ("Jeg er født tolvte mars nittenåtti fem.", "tolvte mars nittenåtti fem"),  # a probe: "fem" was left after the date
    ("Jeg ble født tolvte mars\n   nittenåttifem, sa hun.", "tolvte mars nittenåttifem"),  # wrapped, the next line indented
])
def test_a_date_of_birth_said_in_words_is_found(text: str, date: str) -> None:
    assert _found(text) == [("birth_date", date)]


@pytest.mark.parametrize("text", [
    "Intervjuet var tolvte mars nittenåttifem.",  # no word of birth: an interview's date, however said
    "Vi møttes tolvte mars.", "Det var den tjuende i femte, tror jeg.",
    "Minstemann ble født tolvte mars tjue minutter over ni.",  # minutes, not a year
    "Jeg er født i Bergen og flyttet tolvte mars nittenåttifem.",  # other words between
    "Vi var i andre etasje i femte uke.",
])
def test_a_date_said_in_words_without_a_word_of_birth_stays(text: str) -> None:
    assert _found(text) == []


def test_a_date_of_birth_said_in_words_is_replaced_at_import_found_again_by_its_day_and_by_the_leak_check(
        demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "ordfodt", "D1: Jeg er født tolvte mars nittenåttifem.\nD1: Eg er fødd den tjuende i femte åttitre.\n"
                                                "I: Intervjuet er tolvte mars tjuetjuefire.\n")
    assert stored.endswith("D1: Jeg er født (fødselsdato).\nD1: Eg er fødd den (fødselsdato).\n"
                           "I: Intervjuet er tolvte mars tjuetjuefire.\n"), stored
    # The key knows the days: said or written again, with no word of birth, each is replaced.
    stored = _import(demo, tmp_path, "igjen", "D1: Den 12.03.1985 og tjuende mai nitten åttitre var fine dager.\n")
    assert stored.endswith("D1: Den (fødselsdato) og (fødselsdato) var fine dager.\n"), stored
    assert "birth_date 'tolvte mars nittenåttifem'" in _leaks(demo, tmp_path, "Det var tolvte i tredje åttifem.\n")
    _run(demo, "memo", "add", "Hun sa at hun er født tolvte april nittenåttiåtte.")
    assert _memos(demo)[-1] == "Hun sa at hun er født (fødselsdato)."


# 7. A post box with its number, which names its holder as a street address does.

@pytest.mark.parametrize(("text", "expected"), [
    ("Postboks 123, 7600 Levanger", [("address", "Postboks 123"), ("postcode", "7600 Levanger")]),
    ("Skriv til postboks 45.", [("address", "postboks 45")]),
    ("Pb. 12, 2010 Strømmen", [("address", "Pb. 12"), ("postcode", "2010 Strømmen")]),
    ("Adressen er Boks 45, 7600 Levanger.", [("address", "Boks 45"), ("postcode", "7600 Levanger")]),
    ("Send det til Postb. 9 Sentrum.", [("address", "Postb. 9")]),
    ("Send det til postboks\n123 i Levanger.", [("address", "postboks 123")]),  # wrapped
])
def test_a_post_box_with_its_number_is_an_address(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "Kryss av i boks 3 på skjemaet.", "Har du postboks?", "Det lå i boks 12 i lageret.", "Postboks 123456 er ikke noe.",
])
def test_a_box_that_is_no_post_box_stays(text: str) -> None:
    assert _found(text) == []


def test_a_post_box_is_replaced_at_import_found_by_the_leak_check_and_in_a_memo(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "postboks", "D1: Skriv til Postboks 123, 7600 Levanger, eller pb. 45.\n")
    assert stored.endswith("D1: Skriv til (adresse), (postnummer og sted), eller (adresse).\n"), stored
    assert "'Postboks 77'" in _leaks(demo, tmp_path, "Brevet kom fra Postboks 77 i fjor.\n")
    _run(demo, "memo", "add", "Hun leier postboks 318, sa hun.")
    assert _memos(demo)[-1] == "Hun leier (adresse), sa hun."


# 8. A phone number said with hundreds, or after a country code said.

@pytest.mark.parametrize(("text", "number"), [
    ("Ring meg på ni hundre og tolv, tre fire fem, seks sju åtte.", "ni hundre og tolv, tre fire fem, seks sju åtte"),
    ("Mobilen er ni hundre og tolv, trettifire, fem seks sju.", "ni hundre og tolv, trettifire, fem seks sju"),
    ("Ring meg på nihundreogtolv trettifire femtiseks sju.", "nihundreogtolv trettifire femtiseks sju"),
    ("Hun sa ni hundre og tolv, tre fire, fem fem seks.", "ni hundre og tolv, tre fire, fem fem seks"),  # the rest one by one
    ("Det er pluss førtisju ni tre fire fire fem fem seks seks.", "pluss førtisju ni tre fire fire fem fem seks seks"),
    ("Det er null null førtisju nittito trettifire femtifem sekstisju.", "null null førtisju nittito trettifire femtifem sekstisju"),
    ("Eg sa pluss fire sju ni hundre og tolv, trettifire, femtiseks, sju.",
     "pluss fire sju ni hundre og tolv, trettifire, femtiseks, sju"),
])
def test_a_phone_number_said_with_hundreds_or_a_country_code_is_found(text: str, number: str) -> None:
    assert _found(text) == [("phone", number)]


@pytest.mark.parametrize("text", [
    "Det kostet ni hundre kroner.", "Det var tre hundre og femti deltakere.", "Vi gikk to hundre meter.",
    "Vi var to hundre og femti, tre hundre og tjue og fire hundre i fjor.",
    "Det var fem hundre og femti, seks hundre, sju hundre og ti.",  # amounts, said in hundreds throughout
    "Det var fem hundre, en to tre fire fem.",  # a count after an amount
    "Det kosta ni hundre og tolv kroner, og tre fire fem gonger.",
])
def test_hundreds_in_ordinary_speech_are_no_phone_number(text: str) -> None:
    assert _found(text) == []


def test_a_phone_number_said_with_hundreds_is_replaced_at_import_found_by_the_leak_check_and_in_a_memo(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "hundre", "D1: Ring meg på ni hundre og tolv, tre fire fem, seks sju åtte.\n"
                                               "D1: Eller pluss førtisju ni tre fire fire fem fem seks seks.\nD1: Det kostet ni hundre kroner.\n")
    assert stored.endswith("D1: Ring meg på (telefonnummer).\nD1: Eller (telefonnummer).\nD1: Det kostet ni hundre kroner.\n"), stored
    assert "'null null førtisju nittito trettifire femtifem sekstisju'" in _leaks(
        demo, tmp_path, "Hun sa null null førtisju nittito trettifire femtifem sekstisju.\n")
    _run(demo, "memo", "add", "Mobilen hennes er fire hundre og tolv, trettifire, femtiseks, sju.")
    assert _memos(demo)[-1] == "Mobilen hennes er (telefonnummer)."


# 6. A country code said before a number written in digits.

@pytest.mark.parametrize(("text", "number"), [
    ("Telefon pluss 47 912 34 567, sa hun.", "pluss 47 912 34 567"), ("Ring pluss førtisju 91234567 nå.", "pluss førtisju 91234567"),
])
def test_a_country_code_said_before_a_number_is_part_of_it(text: str, number: str) -> None:
    assert _found(text) == [("phone", number)]


def test_a_country_code_said_before_a_number_is_replaced_with_it_and_the_number_alone_found_later(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "pluss", "D1: Telefon pluss 47 912 34 567, eller skriv.\n")
    assert stored.endswith("D1: Telefon (telefonnummer), eller skriv.\n"), stored
    assert "'912 34 567'" in _leaks(demo, tmp_path, "Nummeret 912 34 567 sto der.\n")


# 9. A property's farm and holding numbers, and a website said to be one's own: a red-team probe's corpus kept both
# ("gnr. 45 bnr. 3" as said; "www.baanthai-drammen.no" as "(profil)-drammen.no", the business's town left).

@pytest.mark.parametrize(("text", "expected"), [
    ("Vi eier gnr. 45 bnr. 3 i kommunen.", [("address", "gnr. 45 bnr. 3")]),
    ("Gården har gnr 45, bnr 3.", [("address", "gnr 45, bnr 3")]),
    ("Det var gårdsnummer 45 og bruksnummer 3 i Lier.", [("address", "gårdsnummer 45 og bruksnummer 3")]),
    ("Tomta, g.nr. 45, b.nr. 3, f.nr. 2, ble solgt.", [("address", "g.nr. 45, b.nr. 3, f.nr. 2")]),
    ("Skjøtet sier GNR 45/BNR 3.", [("address", "GNR 45/BNR 3")]),
    ("Vi eier gnr.\n45 bnr. 3 der.", [("address", "gnr. 45 bnr. 3")]),  # wrapped, read as numbers are
])
def test_a_propertys_farm_and_holding_numbers_are_an_address(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Nettsiden vår er www.baanthai-drammen.no og facebook.com/malee.srisuk.",
     [("profile", "www.baanthai-drammen.no"), ("profile", "facebook.com/malee.srisuk")]),
    ("Hjemmesida mi: kari-strikk.no", [("profile", "kari-strikk.no")]),
    ("Vår nettside er https://www.hansens-bakeri.no/om-oss.", [("profile", "https://www.hansens-bakeri.no/om-oss")]),
    ("Heimesida hennar heiter solstrand-gard.no.", [("profile", "solstrand-gard.no")]),
])
def test_a_website_said_to_be_ones_own_is_found_whole(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "Jeg søkte på nav.no og finn.no.", "Nettsiden min er nede.", "Se nettsiden vår.", "Gården er gnr. 45 i matrikkelen.",
    "Vi har 45 bnr. av dem.", "Les mer på nettsiden til NAV, nav.no.",
])
def test_a_public_website_or_a_farms_number_alone_stays(text: str) -> None:
    assert _found(text) == []


def test_a_property_and_an_own_website_are_replaced_at_import_and_found_by_the_leak_check(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "eiendom", "D1: Vi kjøpte gnr. 45 bnr. 3. Nettsiden vår er www.baanthai-drammen.no nå.\n")
    assert stored.endswith("D1: Vi kjøpte (adresse). Nettsiden vår er (profil) nå.\n"), stored
    assert "drammen" not in stored
    assert "'gnr 12 bnr 7'" in _leaks(demo, tmp_path, "Hun bor på gnr 12 bnr 7 nå.\n")


@pytest.mark.parametrize(("text", "number"), [
    # A pair said as one word, written apart by the transcriber: "tretti fire" is 34, not 30 and 4 (the number was
    # read as eight digits one word short, and "sju" was stored after "(telefonnummer)").
    ("Mobilnummeret er ni hundre og tolv tretti fire fem seks sju.", "ni hundre og tolv tretti fire fem seks sju"),
    ("Ring meg på nitti to tretti fire femti seks sju åtte.", "nitti to tretti fire femti seks sju åtte"),
    ("Ring meg på nittito trettifire femtiseks sytti åtte.", "nittito trettifire femtiseks sytti åtte"),
])
def test_a_pair_said_apart_is_one_group_of_a_phone_number(text: str, number: str) -> None:
    assert _found(text) == [("phone", number)]


def test_a_pair_said_apart_leaves_nothing_of_the_number_at_import(demo: Path, tmp_path: Path) -> None:
    stored = _import(demo, tmp_path, "mobil", "D1: Mobilnummeret er ni hundre og tolv tretti fire fem seks sju.\n")
    assert stored.endswith("D1: Mobilnummeret er (telefonnummer).\n"), stored
