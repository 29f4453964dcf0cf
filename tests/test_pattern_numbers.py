"""Numbers interviews are full of (years, days, date ranges, amounts) are no phone numbers or postcodes,
while every phone number and postcode with its place is still found: the detector itself, a real
import, a codebook through the CLI, and the leak check that guards every export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import clean_name
from qualcode.anonymise.key import KeyEntry, PseudonymKey
from qualcode.anonymise.leakcheck import check_file, guard, scan_text
from qualcode.anonymise.patterns import find_patterns
from qualcode.anonymise.typed_text import clean_text
from qualcode.errors import LeakFound
from qualcode.store.models import Transcript
from tests.conftest import make_transcript
from tests.test_cli import run

CORPUS = Path(__file__).parent / "data" / "ordinary_numbers.txt"


def _corpus() -> tuple[str, list[str]]:
    """The corpus's text without its comment lines and braces, and the identifiers it braced."""
    source = "\n".join(line for line in CORPUS.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    return re.sub(r"[{}]", "", source) + "\n", re.findall(r"\{([^}]+)\}", source)


def _numbers(text: str) -> list[tuple[str, str]]:
    return [(found.kind, found.text) for found in find_patterns(text) if found.kind in ("phone", "postcode")]


def test_in_a_transcript_full_of_numbers_only_the_phone_numbers_and_postcodes_are_found() -> None:
    """tests/data/ordinary_numbers.txt: 21 of its years, days and amounts were found as phone numbers
    ("2024 11 18", "20240213", "23 05 2020", "kr 25 000 000") or postcodes ("2015 Fikk", "2019 Stavanger",
    "2010 Deretter", "1994 Diet"), and replaced in the stored text."""
    text, planted = _corpus()
    found = sorted((item.start, item.text) for item in find_patterns(text) if item.kind in ("phone", "postcode"))
    assert [number for _, number in found] == planted


@pytest.mark.parametrize("text", [
    # A day, year first, as file names, Teams titles and notes write it; grouped with its year last.
    "Intervjuene ble gjort 2024 11 18 og 2024 11 19.", "Intervju D1 20240213 Møteopptak", "opptaket 2024 1118 var kort",
    "referatet 23 05 2020 var på to sider", "Møtet var 31 12 2019, rett før nyttår.",
    # An amount in thousands beside its currency, or in whole millions.
    "Kontoret fikk kr 25 000 000 i fjor.", "Det var 32 500 000 kroner i år.", "altså rundt 30 000 000 til sammen",
    "NOK 45 250 000 i alt", "prislappen var 45 250 000,-", "kr. 45 250 500 er mye",
])
def test_a_day_or_an_amount_written_in_digits_is_no_phone_number(text: str) -> None:
    assert _numbers(text) == []


@pytest.mark.parametrize(("text", "number"), [
    ("Ring meg på 912 34 567.", "912 34 567"), ("Ring 91 23 45 67 i kveld.", "91 23 45 67"),
    ("Hun har +47 912 34 567.", "+47 912 34 567"), ("Nummeret er 91234567.", "91234567"), ("ring 90 123 456", "90 123 456"),
    ("Oslo-nummeret 2233 4455 gikk ut.", "2233 4455"), ("Han ringte 22242628 hele tiden.", "22242628"),
    # Digits that read as a day, said as a number: the words before ask for one.
    ("ring meg på 2024 11 18", "2024 11 18"), ("Tlf. 20240213.", "20240213"), ("mobilnummeret 23 05 2020", "23 05 2020"),
    # A day with a country code is a number; digits no day has are one; a day grouped two by two is one.
    ("Ring +47 2024 11 18.", "+47 2024 11 18"), ("Det var 20241340 den gangen.", "20241340"),
    ("Den står som 23 05 19 90.", "23 05 19 90"),
    # Grouped as an amount, with no currency beside it and not in whole millions: a number.
    ("Nummeret er 45 250 000.", "45 250 000"),
])
def test_a_phone_number_is_still_found_in_each_way_it_is_written(text: str, number: str) -> None:
    assert _numbers(text) == [("phone", number)]


@pytest.mark.parametrize("text", [
    "Det var i 2015 Fikk jeg beskjed om at jeg kunne søke.", "Fra 2019 Stavanger-kontoret tok over saken min.",
    "2010 Deretter kom reformen.", "Jeg flytta i 1994 Diet var det første jeg la om.", "Studie 2024 Oslo, første runde",
    "Det var vel rundt 2000 Folk i kø.", "på konferansen i 2025 TROMSØ",
])
def test_a_year_before_a_capitalised_word_or_a_place_is_no_postcode(text: str) -> None:
    assert _numbers(text) == []


@pytest.mark.parametrize(("text", "postcode"), [
    ("Hun bor i 0150 Oslo.", "0150 Oslo"), ("Han bor i 5003 Bergen.", "5003 Bergen"), ("Vi bor i 3183 HORTEN.", "3183 HORTEN"),
    # Postcodes that read as years: before one of their post towns, in any case, of one word or two ...
    ("Hun bor i 2000 Lillestrøm.", "2000 Lillestrøm"), ("på 2019 Skedsmokorset nå", "2019 Skedsmokorset"),
    ("Konvolutten sa 2040 KLØFTA.", "2040 KLØFTA"), ("Hun bor på 1914 Ytre Enebakk.", "1914 Ytre Enebakk"),
    ("Adresse: 2074 Eidsvoll Verk", "2074 Eidsvoll Verk"), ("i 2000 Lillestrøm-området", "2000 Lillestrøm"),
    # ... or after an address, or a word of one, before any place.
    ("Storgata 12, 1994 Diet.", "1994 Diet"), ("Fjellveien 3B 2013 Skjetten", "2013 Skjetten"),
    ("bor i storgata 41, 1999 Nyby", "1999 Nyby"), ("Storgata 12\n2010 Sted", "2010 Sted"),
    ("Postboks 45, 2001 Nyby", "2001 Nyby"), ("Postnummer 1955 Nyby", "1955 Nyby"), ("Adressen er 1987 Nyby.", "1987 Nyby"),
    # The number of a chain's name, where no chain's name stands before it, or another number after one.
    ("Hun bor i 1000 Oslo.", "1000 Oslo"), ("Remaveien 5, 1000 Oslo", "1000 Oslo"), ("jobber på Rema, 1000 Oslo", "1000 Oslo"),
    ("Extrema 1000 Oslo", "1000 Oslo"), ("Rema 1001 Oslo", "1001 Oslo"), ("Rema 1000 i 3183 Horten", "3183 Horten"),
])
def test_a_postcode_with_its_place_is_still_found(text: str, postcode: str) -> None:
    assert [found for found in _numbers(text) if found[0] == "postcode"] == [("postcode", postcode)]


@pytest.mark.parametrize("text", [
    "Vi handlet på Rema 1000 Strandtorget etterpå.", "REMA 1000 Strandtorget", "på Rema1000 Sandvika", "Rema-1000 Sandvika",
    "Hun jobbet på Rema 1000 Ski i tre år.",
])
def test_a_chain_s_number_before_a_place_is_no_postcode(text: str) -> None:
    """The last session's notes: "Rema 1000 Strandtorget", a shop, became "Rema (postnummer og sted)"."""
    assert _numbers(text) == []
    assert clean_text(text, PseudonymKey("test")) == text


@pytest.mark.parametrize("name", ["ICLS 2024 11-18", "intervju 2024-11-18.txt", "intervju_2023_09_01.txt",
                                  "referat_23_05_2020.docx", "1994 Diet.txt"])
def test_a_file_name_holding_a_day_or_a_year_keeps_it(name: str) -> None:
    """Read word by word ("2024 11 18", "23 05 2020"), a file name's day was a phone number: a probe's
    code "ICLS 2024 11-18" came back as "ICLS (telefonnummer)"."""
    assert clean_name(name, PseudonymKey("test")) == name


def test_a_phone_number_in_a_file_name_is_still_replaced() -> None:
    assert clean_name("kari_912_34_567.txt", PseudonymKey("test")) == "kari_(telefonnummer).txt"


def test_an_imported_transcript_keeps_its_years_and_days_and_loses_its_number_and_postcode(session: Session, tmp_path: Path) -> None:
    text = ("I: Når begynte du?\nD1: Det var i 2015 Fikk jeg plass. 2010 Deretter kom reformen, og intervjuet 2024 11 18.\n"
            "D1: Ring meg på 912 34 567, jeg bor i 2000 Lillestrøm.\n")
    imported = make_transcript(session, tmp_path, text, name="intervju 2024-11-18")
    assert imported.name == "intervju 2024-11-18"
    stored = session.scalar(select(Transcript).where(Transcript.name == imported.name))
    assert stored is not None and stored.current_version is not None
    assert stored.current_version.text == text.replace("912 34 567", "(telefonnummer)").replace("2000 Lillestrøm", "(postnummer og sted)")


def test_a_codebook_with_a_conference_and_a_year_is_stored_as_written(demo: Path, tmp_path: Path) -> None:
    """A probe: "ICLS 2024 11-18" and "Siden 1994 Diet" in a codebook came back with a phone number's
    and a postcode's placeholders. "Diet" is now a capitalised word to decide about, as any is."""
    assert run("--project", str(demo), "anonymise", "dismiss", "Diet").exit_code == 0
    source = tmp_path / "kodebok.yaml"
    source.write_text("name: Kodebok\ncodes:\n  - name: ICLS 2024 11-18\n"
                      "    definition: Presentert på ICLS 2024 11-18. Siden 1994 Diet har vi sett på dette.\n", encoding="utf-8")
    imported = run("--project", str(demo), "codebook", "import", str(source))
    assert imported.exit_code == 0, imported.output
    exported = tmp_path / "ut.yaml"
    assert run("--project", str(demo), "codebook", "export", str(exported)).exit_code == 0
    written = exported.read_text(encoding="utf-8")
    assert "- name: ICLS 2024 11-18\n" in written and "Presentert på ICLS 2024 11-18. Siden 1994 Diet har vi sett på dette." in written


def test_the_leak_check_passes_an_export_full_of_numbers_and_refuses_one_with_a_phone_number(tmp_path: Path) -> None:
    """Every export is checked before it is written: a year before a capitalised word, a day or an
    amount in a quote refused the export."""
    text, planted = _corpus()
    ordinary = "\n".join(line for line in text.splitlines() if not any(found in line for found in planted))
    table = "kode,sitat\n" + "".join(f'tema,"{line}"\n' for line in ordinary.splitlines())
    guard(table.encode("utf-8"), PseudonymKey("test"), "sitater.csv")
    with_number = table + 'tema,"Hun sa: ring meg på 912 34 567."\n'
    with pytest.raises(LeakFound, match="912 34 567"):
        guard(with_number.encode("utf-8"), PseudonymKey("test"), "sitater.csv")
    path = tmp_path / "sitater.csv"
    path.write_text(text, encoding="utf-8")
    leaks = check_file(path, PseudonymKey("test"))
    assert sorted(leak.found for leak in leaks if leak.kind in ("phone", "postcode")) == sorted(planted)



def imported(demo: Path, tmp_path: Path, file: str, text: str) -> list[str]:
    """`text` imported into the demo project as the transcript file `file`; the CLI's --project option for it."""
    folder = tmp_path / "nye"
    folder.mkdir()
    (folder / file).write_text(text, encoding="utf-8")
    project = ["--project", str(demo)]
    assert run(*project, "import", str(folder)).exit_code == 0
    return project

def test_a_quote_cut_right_after_its_currency_is_exported_and_passes_the_leak_check_unless_its_text_reads_a_phone_there(demo: Path, tmp_path: Path) -> None:
    """A quote coded from right after "kr " begins with the bare amount ("41 234 567 i erstatning"): the
    leak guard, reading the export alone, took it for a phone number and refused every export of it.
    It is read in the stored text around it, as the import read it; a number that reads as a phone
    number there too (a text kept from before a rule) is still refused."""
    from docx import Document

    project = imported(demo, tmp_path, "deltaker_D9_T1.txt", "Intervjuer: Hva skjedde?\nDeltaker: Jeg fikk kr 41 234 567 i erstatning etter ulykken.\n")
    coded = run(*project, "coding", "add", "deltaker_D9_T1", "empowerment", "--match", "41 234 567 i erstatning")
    assert coded.exit_code == 0, coded.output
    chosen = ("--transcript", "deltaker_D9_T1")
    table = run(*project, "export", "quotes", *chosen, "--format", "csv", "--output", str(tmp_path / "q.csv"))
    assert table.exit_code == 0, table.output
    assert "41 234 567 i erstatning" in (tmp_path / "q.csv").read_text(encoding="utf-8")
    report = run(*project, "export", "report", *chosen, "--output", str(tmp_path / "r.docx"))
    assert report.exit_code == 0, report.output
    assert any("41 234 567 i erstatning" in paragraph.text for paragraph in Document(str(tmp_path / "r.docx")).paragraphs)
    cell = run(*project, "analyse", "cell", "empowerment", "--xlsx", str(tmp_path / "celle.xlsx"))  # as the report
    assert cell.exit_code == 0, cell.output
    checked = run(*project, "leakcheck", str(tmp_path / "q.csv"), str(tmp_path / "r.docx"))
    assert checked.exit_code == 0 and "'41 234 567' read as phone alone" in checked.output, checked.output

    from qualcode.store.models import TextVersion
    from qualcode.store.project import Project

    # A text as an earlier rule left it: "fikk kr" -> "ring på", the same length, past the trigger that keeps
    # a version's text as it is.
    with Project.open(demo) as opened, opened.begin() as session:
        session.execute(sql("DROP TRIGGER text_versions_immutable"))
        version = session.scalar(select(TextVersion).join(Transcript, Transcript.current_version_id == TextVersion.id)
                                 .where(Transcript.name == "deltaker_D9_T1"))
        assert version is not None
        version.text = version.text.replace("fikk kr 41", "ring på 41")
    refused = run(*project, "export", "quotes", *chosen, "--format", "csv", "--output", str(tmp_path / "q2.csv"))
    assert refused.exit_code != 0 and "41 234 567" in refused.output and not (tmp_path / "q2.csv").exists()
    assert run(*project, "leakcheck", str(tmp_path / "q.csv")).exit_code == 1


def test_a_number_the_transcripts_hold_as_an_amount_is_still_refused_where_a_file_says_it_in_words_of_its_own(demo: Path, tmp_path: Path) -> None:
    """A file that holds the number a transcript holds as an amount, in words of its own (a note
    from elsewhere, a phone list), says a phone number: reading it as the transcript's amount let
    "Kari: 41 234 567" through the leak check. Only where the file quotes the transcript's words
    beside the number is it read as they read it."""
    project = imported(demo, tmp_path, "deltaker_D9_T1.txt", "Intervjuer: Hva skjedde?\nDeltaker: Jeg fikk kr 41 234 567 i erstatning etter ulykken.\n")
    quoted = tmp_path / "sitat.txt"
    quoted.write_text("«41 234 567 i erstatning etter ulykken»\n", encoding="utf-8")
    passed = run(*project, "leakcheck", str(quoted))
    assert passed.exit_code == 0, passed.output
    for said in ("Mobilen til Kari: 41 234 567\n", "41 234 567\n", "Kari 41 234 567 i kveld\n", "Ring 41 234 567 i\n",
                 # the quote and her number in one line: each is read where it stands
                 "«41 234 567 i erstatning» tlf 41 234 567\n"):
        note = tmp_path / "notat.txt"
        note.write_text(said, encoding="utf-8")
        refused = run(*project, "leakcheck", str(note))
        assert refused.exit_code == 1 and "phone '41 234 567'" in refused.output, (said, refused.output)


def test_a_passage_cut_right_after_its_currency_is_exported_in_the_framework_workbook(demo: Path, tmp_path: Path) -> None:
    """The framework workbook's sheet of passages is checked as the report is: a passage coded from right
    after "kr " was refused there after the report passed it."""
    import openpyxl

    project = imported(demo, tmp_path, "deltaker_D1_T9.txt", "Intervjuer: Hva skjedde?\nD1: Jeg fikk kr 41 234 567 i erstatning etter ulykken.\n")
    coded = run(*project, "coding", "add", "deltaker_D1_T9", "empowerment", "--match", "41 234 567 i erstatning")
    assert coded.exit_code == 0, coded.output
    written = run(*project, "framework", "export", str(tmp_path / "ramme.xlsx"), "--code", "empowerment")
    assert written.exit_code == 0, written.output
    passages = [cell.value for row in openpyxl.load_workbook(tmp_path / "ramme.xlsx")["Passasjer"].iter_rows() for cell in row]
    assert "41 234 567 i erstatning" in passages


def test_a_number_quoted_with_the_text_s_words_on_one_side_and_the_file_s_own_on_the_other_is_refused(demo: Path, tmp_path: Path) -> None:
    """The words after a number the transcript holds as an amount ("kr 41 234 567 i erstatning"),
    copied after the same number in a file that says before it what the number is ("mobil: 41 234 567
    i erstatning etter ulykken"), cleared it as the transcript's amount: one side agreeing was enough.
    The other side must be the quote's cut (its cell's or paragraph's edge, a quotation mark, a
    separator), not words of the file's own, and a line of a text file is no cell."""
    import openpyxl
    from docx import Document

    project = imported(demo, tmp_path, "deltaker_D9_T1.txt", "Intervjuer: Hva skjedde?\nDeltaker: Jeg fikk kr 41 234 567 i erstatning etter ulykken.\n")
    after = "41 234 567 i erstatning etter ulykken"
    cells, paragraphs = openpyxl.Workbook(), Document()
    sheet = cells.active
    assert sheet is not None
    sheet.append(["sitat"])
    sheet.append([after])
    paragraphs.add_paragraph("Sitatet:")
    paragraphs.add_paragraph(after)
    cells.save(str(tmp_path / "sitat.xlsx"))
    paragraphs.save(str(tmp_path / "sitat.docx"))
    (tmp_path / "sitat.csv").write_text(f'kode,sitat\ntema,"{after}"\n', encoding="utf-8")
    (tmp_path / "utelatt.txt").write_text(f"(…) {after}\n", encoding="utf-8")
    for quoted in ("sitat.xlsx", "sitat.docx", "sitat.csv", "utelatt.txt"):
        passed = run(*project, "leakcheck", str(tmp_path / quoted))
        assert passed.exit_code == 0, (quoted, passed.output)
    own = {"mobil.txt": f"mobil: {after}\n", "tlf.txt": f"Kari, tlf {after}\n", "linjer.txt": f"mobil:\n{after}\n",
           "parentes.txt": f"Telefon ({after})\n"}
    for name, said in own.items():
        (tmp_path / name).write_text(said, encoding="utf-8")
    listed, document = openpyxl.Workbook(), Document()
    sheet = listed.active
    assert sheet is not None
    sheet.append(["telefon"])
    sheet.append([f"tlf {after}"])
    document.add_paragraph(f"Ring mobil {after}")
    listed.save(str(tmp_path / "liste.xlsx"))
    document.save(str(tmp_path / "brev.docx"))
    for name in [*own, "liste.xlsx", "brev.docx"]:
        refused = run(*project, "leakcheck", str(tmp_path / name))
        assert refused.exit_code == 1 and "phone '41 234 567'" in refused.output, (name, refused.output)


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u2007", "\u3000"])
def test_a_phone_number_spaced_with_a_non_breaking_or_thin_space_is_pseudonymised_and_found(demo: Path, tmp_path: Path, space: str) -> None:
    """Word and web pages space a number's groups with non-breaking or thin spaces: the detectors read
    only a plain space between them, so a memo typed "Ring henne på 91 23 45 67" with U+00A0 was
    stored with the number, the report that printed it passed the leak guard, and so did a file
    holding it to `qualcode leakcheck`. (A transcript's non-breaking spaces are plain ones from its import.)"""
    number = space.join(["91", "23", "45", "67"])
    note = tmp_path / "notat.txt"
    note.write_text(f"Ring henne på {number} i morgen.\n", encoding="utf-8")
    assert [leak.kind for leak in check_file(note, PseudonymKey("test"))] == ["phone"]
    coded = run("--project", str(demo), "coding", "add", "leder_L1", "måltall-press", "--match", "vi må nå måltallet før jul",
                "--memo", f"Ring henne på {number} i morgen")
    assert coded.exit_code == 0, coded.output
    report = tmp_path / "rapport.docx"
    written = run("--project", str(demo), "export", "report", "--memos", "--output", str(report))
    assert written.exit_code == 0, written.output
    from docx import Document

    memo = next(paragraph.text for paragraph in Document(str(report)).paragraphs if "Ring henne" in paragraph.text)
    assert "45" not in memo and "67" not in memo, memo


def test_a_number_that_is_part_of_a_longer_amount_in_the_transcript_is_not_its_amount(demo: Path, tmp_path: Path) -> None:
    """A transcript's "kr 141 234 567 i erstatning" holds "41 234 567" inside its amount: a file's
    «41 234 567 i erstatning til slutt» was cleared as the transcript's amount, though no quote of
    the transcript says that number."""
    project = imported(demo, tmp_path, "deltaker_D9_T1.txt", "Intervjuer: Hva fikk du?\nDeltaker: Jeg fikk kr 141 234 567 i erstatning til slutt.\n")
    whole, part = tmp_path / "hele.txt", tmp_path / "del.txt"
    whole.write_text("«141 234 567 i erstatning til slutt»\n", encoding="utf-8")
    part.write_text("«41 234 567 i erstatning til slutt»\n", encoding="utf-8")
    assert run(*project, "leakcheck", str(whole)).exit_code == 0
    refused = run(*project, "leakcheck", str(part))
    assert refused.exit_code == 1 and "phone '41 234 567'" in refused.output, refused.output


@pytest.mark.parametrize(("text", "number"), [
    ("Ring meg på 912.34.567 i kveld.", "912.34.567"), ("Ring meg på 91.23.45.67 i kveld.", "91.23.45.67"),
    ("Nummeret er +47 912.34.567.", "+47 912.34.567"), ("Kontoret: 22.33.44.55.", "22.33.44.55"),
    ("Nummeret er 0047 41.23.45.67", "0047 41.23.45.67"),
])
def test_a_phone_number_grouped_by_dots_is_found(text: str, number: str) -> None:
    """Dots group a number as spaces and hyphens do, in the same groups (912.34.567, 91.23.45.67):
    each was stored as it was written and passed the leak check."""
    assert _numbers(text) == [("phone", number)]


@pytest.mark.parametrize("text", [
    # dates, amounts, clock times, versions, sections and addresses dots group too, in other groups
    "Intervju 12.10.2009 kl. 10.30.", "Det var 22.12.2019, rett før jul.", "Det kostet 12.500 kroner.",
    "Boet var på 2.500.000 kr.", "beløpet 912.345.678 kr", "klokka 21.30.45 ringte det", "versjon 2.3.4.5 av programmet",
    "se punkt 4.2.1.3 i loven", "IP-adressen 192.168.10.100", "datoen 2024.11.18", "side 12.34.56.78",
    "paragraf 22.33.44.55.6", "nummer 3.22.33.44.55", "12.34.567 er ingen", "1234.56.789 heller ikke",
])
def test_numbers_grouped_by_dots_otherwise_are_no_phone_numbers(text: str) -> None:
    assert _numbers(text) == []


def test_a_dotted_phone_number_is_replaced_at_import_and_refused_by_the_leak_check(session: Session, tmp_path: Path) -> None:
    text = "I: Hvordan når jeg deg?\nD1: Ring meg på 912.34.567 eller 91.23.45.67, intervjuet var 12.10.2009.\n"
    imported = make_transcript(session, tmp_path, text)
    stored = session.scalar(select(Transcript).where(Transcript.name == imported.name))
    assert stored is not None and stored.current_version is not None
    assert stored.current_version.text == text.replace("912.34.567", "(telefonnummer)").replace("91.23.45.67", "(telefonnummer)")
    note = tmp_path / "notat.txt"
    note.write_text(text, encoding="utf-8")
    assert [(leak.kind, leak.found) for leak in check_file(note, PseudonymKey("test"))] == [
        ("phone", "912.34.567"), ("phone", "91.23.45.67")]


@pytest.mark.parametrize(("text", "number"), [
    ("Nummeret er 9 1 2 3 4 5 6 7 sa hun.", "9 1 2 3 4 5 6 7"), ("Ring +47 9 1 2 3 4 5 6 7.", "+47 9 1 2 3 4 5 6 7"),
    ("Ring 0047 4 1 2 3 4 5 6 7", "0047 4 1 2 3 4 5 6 7"), ("nummer: 2 2 3 3 4 4 5 5", "2 2 3 3 4 4 5 5"),
])
def test_a_phone_number_written_digit_by_digit_as_it_is_read_aloud_is_found(text: str, number: str) -> None:
    """A transcriber writes a number read aloud digit by digit ("9 1 2 3 4 5 6 7"): it was stored as it
    was written and passed the leak check."""
    assert _numbers(text) == [("phone", number)]


@pytest.mark.parametrize("text", [
    # a scale, a count, a longer or shorter run of single digits, a year spelt out
    "På en skala 1 2 3 4 5 6 7 8 9 10 svarte hun 7.", "skalaen 1 2 3 4 5 6 7 8", "svarene 3 4 5 6 7 8 9 var spredt",
    "tallene 2 3 4 5 6 7 8 9 1", "det var 1 9 8 5 den gangen", "første 1 9 1 2 3 4 5 6 7",
])
def test_other_runs_of_single_digits_are_no_phone_numbers(text: str) -> None:
    assert _numbers(text) == []


def test_a_phone_number_read_aloud_is_replaced_at_import_and_refused_by_the_leak_check(session: Session, tmp_path: Path) -> None:
    text = "I: Hva er nummeret?\nD1: Det er 9 1 2 3 4 5 6 7, og jeg svarte 4 på skalaen 1 2 3 4 5.\n"
    imported = make_transcript(session, tmp_path, text)
    stored = session.scalar(select(Transcript).where(Transcript.name == imported.name))
    assert stored is not None and stored.current_version is not None
    assert stored.current_version.text == text.replace("9 1 2 3 4 5 6 7", "(telefonnummer)")
    note = tmp_path / "notat.txt"
    note.write_text(text, encoding="utf-8")
    assert [(leak.kind, leak.found) for leak in check_file(note, PseudonymKey("test"))] == [("phone", "9 1 2 3 4 5 6 7")]


@pytest.mark.parametrize(("text", "number"), [
    ("Nummeret er ⁹¹²³⁴⁵⁶⁷ sa hun.", "⁹¹²³⁴⁵⁶⁷"), ("Ring ⁹¹² ³⁴ ⁵⁶⁷.", "⁹¹² ³⁴ ⁵⁶⁷"), ("Ring ₉₁₂₃₄₅₆₇.", "₉₁₂₃₄₅₆₇"),
    ("Ring ⑨①②③④⑤⑥⑦ i kveld", "⑨①②③④⑤⑥⑦"), ("Ring ９１２ ３４ ５６７.", "９１２ ３４ ５６７"), ("Ring ٩١٢٣٤٥٦٧.", "٩١٢٣٤٥٦٧"),
    # a footnote's or an exponent's mark after a number is no digit of it
    ("Ring meg på 912 34 567¹ i kveld.", "912 34 567"),
])
def test_a_phone_number_in_other_digits_is_found_as_the_digits_it_is(text: str, number: str) -> None:
    """Superscript, subscript and circled digits, as "fancy text" sites write a number, were no digits to
    the detectors (Unicode gives them a digit's value, not a decimal digit's): "⁹¹²³⁴⁵⁶⁷" was stored as
    written and passed the leak check."""
    found = [item for item in find_patterns(text) if item.kind == "phone"]
    assert [text[item.start:item.end] for item in found] == [number]


@pytest.mark.parametrize("text", ["Møtet er kl. 10⁰⁰ i morgen.", "Leiligheten er 50 m² stor.", "Det er 10⁶ kroner.",
                                  "Hun sa det i 2019² og i 2020³.", "Se punkt ① og ② i brevet."])
def test_superscripts_after_a_number_or_a_word_stay_what_they_are(text: str) -> None:
    assert _numbers(text) == []


@pytest.mark.parametrize("written", ["９１２ ３４５ ６７", "٩١٢ ٣٤٥ ٦٧", "⁹¹² ³⁴⁵ ⁶⁷"])
def test_a_number_the_key_holds_in_other_digits_is_found_and_replaced(session: Session, tmp_path: Path, written: str) -> None:
    """The key's numbers are found however they are grouped ("912 345 67", as no detector reads it), but
    only in the digits 0-9: the same number in full-width or Arabic-Indic digits was stored as written at
    import and passed the leak check."""
    key = PseudonymKey("test", entries=[KeyEntry("912 34 567", "phone", "(telefonnummer)")])
    assert [(leak.found, leak.known) for leak in scan_text(f"Ring {written} i kveld.", key, "notat.txt", "line 1")] == [
        (written, True)]
    text = f"I: Nummeret?\nD1: Ring {written} i kveld.\n"
    imported = make_transcript(session, tmp_path, text, key=key)
    stored = session.scalar(select(Transcript).where(Transcript.name == imported.name))
    assert stored is not None and stored.current_version is not None
    assert stored.current_version.text == text.replace(written, "(telefonnummer)")


def test_a_number_the_key_holds_as_written_in_other_digits_is_found_in_any_digits() -> None:
    key = PseudonymKey("test", entries=[KeyEntry("９１２ ３４ ５６７", "phone", "(telefonnummer)")])
    for written in ("912 345 67", "９１２ ３４５ ６７"):
        assert [leak.found for leak in scan_text(f"Ring {written} i kveld.", key, "notat.txt", "line 1")] == [written]


def test_a_number_in_a_cell_or_paragraph_of_its_own_is_no_amount_for_the_currency_ending_the_one_before(tmp_path: Path) -> None:
    """The leak check reads a file's pieces as one text, a line break between them: a cell ending "Jeg
    fikk kr" made the phone number in the next cell an amount, and the workbook, a report's paragraphs
    and an export's guard passed it. A number in a cell or paragraph of its own is read on its own;
    the currency in its own cell still makes an amount of it, and a text file's line before still
    does, as the import reads a transcript's wrapped line ("Jeg fikk kr\\n41 234 567 i erstatning")."""
    import openpyxl
    from docx import Document

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["sitat", "notat"])
    sheet.append(["Jeg fikk kr", "41 234 567"])
    sheet.append(["Hun fikk kroner"])
    sheet.append(["90 123 456"])
    sheet.append(["Han fikk kr 45 250 500 i erstatning"])
    book.save(str(tmp_path / "celler.xlsx"))
    document = Document()
    for paragraph in ("Jeg fikk kr", "41 234 567", "Han fikk kr 45 250 500 i erstatning"):
        document.add_paragraph(paragraph)
    document.save(str(tmp_path / "avsnitt.docx"))
    for name in ("celler.xlsx", "avsnitt.docx"):
        found = [leak.found for leak in check_file(tmp_path / name, PseudonymKey("test")) if leak.kind == "phone"]
        assert found == (["41 234 567", "90 123 456"] if name == "celler.xlsx" else ["41 234 567"]), name
        with pytest.raises(LeakFound, match="41 234 567"):
            guard((tmp_path / name).read_bytes(), PseudonymKey("test"), name)
    wrapped = tmp_path / "linjer.txt"
    wrapped.write_text("Jeg fikk kr\n41 234 567 i erstatning etter ulykken.\n", encoding="utf-8")
    assert check_file(wrapped, PseudonymKey("test")) == []
