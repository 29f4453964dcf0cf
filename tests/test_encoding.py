"""Files in legacy and mixed encodings: every letter read as written, so the key finds the names in them."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import check_file, file_parts, folder_texts
from qualcode.anonymise.service import add_known_identifier
from qualcode.errors import ImportFailed, NeedsReview, UnreadableFile
from qualcode.exchange.qdpx_read import read_qdpx
from qualcode.importers.metadata import import_participants
from qualcode.importers.service import import_file, parse_file
from qualcode.store.models import Participant, Transcript
from tests.test_exchange_import import Qdpx, guid

UTF8_LINES = "I: Hvor bodde du da?\nD1: Jeg bodde på et sted, og så flyttet jeg. Det var både bra og dårlig, og jeg lærte mye på egen hånd.\n"
TOENSBERG_LINE = "D1: Jeg gikk til NAV Tønsberg og snakket med Sissel Bakken i Tønsberg.\n"


def stored_text(session: Session, name: str) -> str:
    transcript = session.scalar(select(Transcript).where(Transcript.name == name))
    assert transcript is not None and transcript.current_version is not None
    return transcript.current_version.text


def toensberg_key() -> PseudonymKey:
    key = PseudonymKey("test")
    add_known_identifier(key, "Sissel Bakken", "person", "f", None)
    add_known_identifier(key, "Tønsberg", "place", None, None)
    add_known_identifier(key, "NAV Tønsberg", "nav_office", None, None)
    return key


def test_a_line_pasted_in_cp1252_into_a_utf8_file_is_read_as_cp1252_and_its_places_pseudonymised(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "blandet.txt"
    path.write_bytes(UTF8_LINES.encode() + TOENSBERG_LINE.encode("cp1252"))
    document = parse_file(path)
    assert document.text == UTF8_LINES + TOENSBERG_LINE
    assert document.encoding == "utf-8"
    assert document.notes == ["line 3 is not UTF-8 and was read as Windows-1252 (cp1252) (the rest of blandet.txt is UTF-8)"]
    import_file(session, path, key=toensberg_key())
    text = stored_text(session, "blandet")
    assert "Tønsberg" not in text and "T\ufffdnsberg" not in text and "Sissel" not in text
    assert text.startswith(UTF8_LINES)


def test_a_file_mostly_in_cp1252_with_a_little_utf8_reads_each_part_in_its_own_and_proposes_its_names(session: Session, tmp_path: Path) -> None:
    """More stray bytes than UTF-8 letters once made the whole file cp1252: "pÃ¥", and "Ã…se" never proposed."""
    path = tmp_path / "mest_gammel.txt"
    legacy = "D1: Det var veilederen min. Hun het Åse, og hun var både snill og flink på kontoret, sånn.\n"
    path.write_bytes("I: Hvem hjalp deg på kontoret?\n".encode() + legacy.encode("cp1252"))
    assert parse_file(path).text == "I: Hvem hjalp deg på kontoret?\n" + legacy
    key = PseudonymKey("test")
    with pytest.raises(NeedsReview, match="Åse"):
        import_file(session, path, key=key)
    assert "Åse" in {candidate.text for candidate in key.pending}
    assert session.scalar(select(Transcript)) is None


@pytest.mark.parametrize(("code_page", "described"), [("cp865", "DOS Nordic (cp865)"), ("mac_roman", "Mac Roman"), ("cp1252", "Windows-1252 (cp1252)")])
def test_a_legacy_file_is_read_in_the_code_page_its_norwegian_letters_read_in(
    session: Session, tmp_path: Path, code_page: str, described: str
) -> None:
    """charset-normalizer alone reads DOS Nordic as Windows-1252 ("T›nsberg", "p†")."""
    path = tmp_path / f"gammel_{code_page.replace('_', '')}.txt"
    text = "I: Og hva gjorde du på dagtid?\nD1: Jeg gikk på kurs ved NAV Tønsberg. Det var både bra og dårlig, og jeg lærte å skrive søknader.\n"
    path.write_bytes(text.encode(code_page))
    document = parse_file(path)
    assert (document.text, document.encoding) == (text, code_page)
    assert document.notes == [f"{path.name} is not UTF-8 and was read as {described}"]
    import_file(session, path, key=toensberg_key())
    assert "Tønsberg" not in stored_text(session, path.stem) and "T›nsberg" not in stored_text(session, path.stem)


def test_a_file_no_code_page_reads_as_norwegian_is_held_back(tmp_path: Path) -> None:
    path = tmp_path / "to_tegnsett.txt"
    # Windows and DOS lines in one file: whichever code page is chosen, one of them is misread.
    path.write_bytes("D1: Jeg bodde i Tønsberg og så på.\n".encode("cp1252") + "D1: Så flyttet jeg til Tønsberg igjen.\n".encode("cp865"))
    with pytest.raises(ImportFailed, match="no encoding reads it as Norwegian") as refused:
        parse_file(path)
    assert refused.value.hint == "open it in a text editor, save it as UTF-8 and import it again"


def test_a_participants_csv_saved_by_excel_in_cp1252_is_read_as_cp1252(session: Session, tmp_path: Path) -> None:
    """A file this short was read as Mac Roman: "kj¯nn" became an attribute and "T¯nsberg-kontoret" no place."""
    path = tmp_path / "deltakere.csv"
    path.write_bytes("participant;role;kjønn;kontor\nD16;deltaker;kvinne;Tønsberg-kontoret\n".encode("cp1252"))
    import_participants(session, path)
    participant = session.scalar(select(Participant).where(Participant.name == "D16"))
    assert participant is not None
    assert (participant.gender, participant.office, participant.attributes) == ("kvinne", "Tønsberg-kontoret", [])


def test_windows_curly_quotes_are_not_read_as_dos_letters() -> None:
    """In DOS's code page Windows' ‘ and ’ are "æ" and "Æ": a cp1252 file with quoted words was read as
    cp865, "Åse" stored as "┼se" (a name the key could not find) and ‘nei’ as "æneiÆ"."""
    from qualcode.text.encoding import decode_text

    windows = "I: Hva sa hun?\nD1: Åse sa ‘nei’, og ‘ja’, og ‘kanskje’.\n"
    assert decode_text(windows.encode("cp1252"), "x.txt").text == windows
    pasted = "I: Hva sa hun?\nD1: Det var fint å være med, og jeg lærte mye på kurset der.\n"
    assert decode_text(pasted.encode() + "D1: Hun sa ‘vent litt’.\n".encode("cp1252"), "y.txt").text == pasted + "D1: Hun sa ‘vent litt’.\n"


@pytest.mark.parametrize("data", [
    pytest.param("I: Hva sa hun?\nD1: Åse sa ‘nei’, og ‘ja’, og så flyttet hun til Tønsberg.\n".encode("cp1252"), id="windows-1252 with curly quotes"),
    pytest.param("I: Hvor bodde du?\nD1: Jeg bodde i Tønsberg, og så flyttet jeg.\n".encode("mac_roman"), id="mac roman"),
    pytest.param("I: Hvor bodde du?\nD1: Hos Sissel Bakken i Tønsberg.\n".encode("utf-16-le"), id="utf-16 without a mark"),
    pytest.param(UTF8_LINES.encode() + "D1: Sissel Bakken i Tønsberg sa ‘vent litt’.\n".encode("cp1252"), id="utf-8 with a windows-1252 line"),
])
def test_the_leak_check_reads_a_text_file_as_the_import_does_and_finds_the_names_it_read(tmp_path: Path, data: bytes) -> None:
    """The leak check had a reader of its own, which took Windows' curly quotes for DOS letters and so
    read "Tønsberg" as "T°nsberg": a name the import read, and would store if the key did not hold it,
    passed the check."""
    path = tmp_path / "sitater.txt"
    path.write_bytes(data)
    imported = parse_file(path).text
    assert "Tønsberg" in imported
    assert [text for _, text in file_parts(path)] == imported.splitlines()
    found = {leak.found for leak in check_file(path, toensberg_key())}
    assert found == {name for name in ("Sissel Bakken", "Tønsberg") if name in imported}


def test_the_leak_check_refuses_in_one_line_a_file_the_import_cannot_read(tmp_path: Path) -> None:
    """A file of two code pages, a UTF-8 mark over Windows-1252 lines, or no text at all was read some
    way and passed; a name in what was read wrong, or packed, passes unseen. The import refuses such a
    file, and the leak check says why it cannot read it; a folder's scan names it; an empty file holds nothing."""
    (tmp_path / "to_tegnsett.txt").write_bytes(
        "D1: Jeg bodde i Tønsberg og så på.\n".encode("cp1252") + "D1: Så flyttet jeg til Tønsberg igjen.\n".encode("cp865")
    )
    (tmp_path / "merket.txt").write_bytes("\ufeffI: Hvem var det?\n".encode() + "D1: Sissel Bakken i Tønsberg.\n".encode("cp1252"))
    (tmp_path / "pakket.txt").write_bytes(b"%PDF-1.4\n" + zlib.compress(("Sissel Bakken i Tønsberg. " * 40).encode("cp1252")))
    (tmp_path / "tom.txt").write_bytes(b"\n")
    refusals = {
        "to_tegnsett.txt": "to_tegnsett.txt: no encoding reads it as Norwegian (for instance 'T›nsberg'); it may mix several, so the leak check cannot read it",
        "merket.txt": "merket.txt starts with a utf-8-sig mark but is not valid utf-8-sig, so the leak check cannot read it",
        "pakket.txt": "pakket.txt looks like a binary file, not text, so the leak check cannot read it",
    }
    for name, message in refusals.items():
        with pytest.raises(ImportFailed):
            parse_file(tmp_path / name)
        with pytest.raises(UnreadableFile) as refused:
            check_file(tmp_path / name, toensberg_key())
        assert refused.value.message == message
        assert refused.value.hint == "open it in the program it came from, save it as UTF-8 text and check it again"
    assert check_file(tmp_path / "tom.txt", toensberg_key()) == []
    assert [(path.name, why) for path, _, why in folder_texts(tmp_path)] == [
        ("merket.txt", "it could not be read"), ("pakket.txt", "it could not be read"),
        ("to_tegnsett.txt", "it could not be read"), ("tom.txt", ""),
    ]


@pytest.mark.parametrize(("first", "second", "shown"), [("cp1252", "mac_roman", "pŒ"), ("mac_roman", "cp1252", "pÂ")])
def test_a_file_of_two_code_pages_whose_misreading_is_a_latin_capital_is_refused(tmp_path: Path, first: str, second: str, shown: str) -> None:
    """Å read in the other code page is a Latin capital (Œ, Â), which the misread letters leave out:
    the file was imported and checked as one code page, its second line "pŒ kontoret". A capital beyond
    ASCII after a small letter is refused as any misreading is; one beginning a word is a word."""
    path = tmp_path / "blandet.txt"
    path.write_bytes("I: Var det Kåre i Tønsberg?\n".encode(first) + "D1: Ja, på kontoret.\n".encode(second))
    with pytest.raises(ImportFailed, match=rf"^blandet.txt: no encoding reads it as Norwegian \(for instance '{shown}'\)"):
        parse_file(path)
    with pytest.raises(UnreadableFile, match="so the leak check cannot read it"):
        check_file(path, toensberg_key())
    path.write_bytes("I: Var det Kåre i Tønsberg?\nD1: Ja, på kontoret, sa Ærlige Åse fra Østfold.\n".encode(first))
    assert parse_file(path).text.splitlines()[1] == "D1: Ja, på kontoret, sa Ærlige Åse fra Østfold."


@pytest.mark.parametrize("source", [
    pytest.param("I: Hvor var du?\r\nD1: Hos NAV Tønsberg, og så hos <Sissel Bakken>.\r\n".encode("cp1252"), id="windows-1252"),
    pytest.param("\ufeffI: Hvor var du?\nD1: Hos NAV Tønsberg, og så hos <Sissel Bakken>.\n".encode(), id="utf-8 with a mark"),
])
def test_the_leak_check_reads_a_qdpx_source_as_the_project_import_does(tmp_path: Path, source: bytes) -> None:
    """A .qdpx's source text was read as UTF-8 with what is not UTF-8 replaced, and anything in angle
    brackets left out: "NAV Tønsberg" written in Windows-1252, and "<Sissel Bakken>", passed the check
    though importing the project reads both."""
    qdpx = Qdpx()
    qdpx.members[f"sources/{guid('source:en')}.txt"] = source
    qdpx.sources.append(f'<TextSource guid="{guid("source:en")}" name="D1" plainTextPath="internal://{guid("source:en")}.txt"/>')
    path = qdpx.write(tmp_path / "prosjekt.qdpx")
    imported = read_qdpx(path).sources[0].text
    assert "NAV Tønsberg" in imported and "<Sissel Bakken>" in imported
    assert [text for where, text in file_parts(path) if where.startswith("sources/")] == imported.splitlines()
    assert {leak.found for leak in check_file(path, toensberg_key())} == {"NAV Tønsberg", "Sissel Bakken"}


@pytest.mark.parametrize(("written", "code_page", "described", "kind"), [
    pytest.param("Kåre", "cp1252", "Windows-1252 (cp1252)", "person", id="windows-1252"),
    pytest.param("Tønsberg", "mac_roman", "Mac Roman", "place", id="mac roman"),
    pytest.param("Bø", "cp865", "DOS Nordic (cp865)", "place", id="dos nordic"),
    pytest.param("Bærum\n", "cp1252", "Windows-1252 (cp1252)", "place", id="windows-1252 with a line end"),
])
def test_a_word_in_a_code_page_is_read_in_it_not_as_utf16(session: Session, tmp_path: Path, written: str, code_page: str, described: str, kind: str) -> None:
    """Any even number of bytes decodes as UTF-16, and a file of one word in a code page, with no NUL
    byte, was read as UTF-16 without a mark: "Kåre" became "䯥牥", was stored so, and the leak check
    passed the file though the key held "Kåre"."""
    path = tmp_path / "navn.txt"
    path.write_bytes(written.encode(code_page))
    word = written.strip()
    document = parse_file(path)
    assert (document.text.strip(), document.encoding) == (word, code_page)
    assert document.notes == [f"navn.txt is not UTF-8 and was read as {described}"]
    key = PseudonymKey("test")
    entry = add_known_identifier(key, word, kind)
    assert [text for _, text in file_parts(path)] == [word]
    assert [(leak.found, leak.where) for leak in check_file(path, key)] == [(word, "line 1")]
    import_file(session, path, key=key)
    stored = stored_text(session, "navn")
    assert word not in stored and stored.strip() == entry.pseudonym
