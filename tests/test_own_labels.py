"""qualcode's own labels in an export are no one's name: a nickname that is also a label ("Memo", a
common nickname for Mehmet) is pseudonymised in the texts, and the exports' labels still pass the guard."""

from __future__ import annotations

from pathlib import Path

import docx

from tests.test_cli import run


def _with_memo_in_the_key(demo: Path) -> None:
    """The demo with "Memo" in the key as a person, said in a transcript, and a coding with a memo."""
    added = run("--project", str(demo), "identifiers", "add", "Memo", "--kind", "person", "--gender", "m")
    assert added.exit_code == 0, added.output
    coded = run("--project", str(demo), "coding", "add", "leder_L1", "måltall-press", "--match",
                "vi må nå måltallet før jul", "--memo", "Sterkt sitat, Memo sa det samme")
    assert coded.exit_code == 0, coded.output


def test_a_nickname_that_is_an_export_label_leaves_every_export_possible(demo: Path, tmp_path: Path) -> None:
    _with_memo_in_the_key(demo)
    written = {
        "sitater.csv": ["export", "quotes", "--format", "csv", "--output", str(tmp_path / "sitater.csv")],
        "sitater.xlsx": ["export", "quotes", "--format", "xlsx", "--output", str(tmp_path / "sitater.xlsx")],
        "report.docx": ["export", "report", "--lang", "en", "--memos", "--output", str(tmp_path / "report.docx")],
        "prosjekt.qdpx": ["export", "qdpx", str(tmp_path / "prosjekt.qdpx")],
    }
    for name, arguments in written.items():
        result = run("--project", str(demo), *arguments)
        assert result.exit_code == 0, (name, result.output)
        assert (tmp_path / name).is_file()
        checked = run("--project", str(demo), "leakcheck", str(tmp_path / name))
        assert checked.exit_code == 0, (name, checked.output)
    # The memo's own "Memo" is the pseudonym's, and the label stands as written.
    paragraphs = [paragraph.text for paragraph in docx.Document(str(tmp_path / "report.docx")).paragraphs]
    memo = next(text for text in paragraphs if text.startswith("Memo: "))
    assert "Memo sa" not in memo and memo.startswith("Memo: Sterkt sitat, ")


def test_the_name_itself_in_an_export_is_still_refused(demo: Path, tmp_path: Path) -> None:
    """Only the label as qualcode writes it passes: the nickname where a label never stands is a leak."""
    _with_memo_in_the_key(demo)
    for text in ("Memo", "Memo sa det samme", "Memo: han sa det", "Hei, Memo!"):
        planted = tmp_path / "planted.csv"
        planted.write_text("ref,quote\nS-1," + text.replace("\n", " ") + "\n", encoding="utf-8")
        result = run("--project", str(demo), "leakcheck", str(planted))
        assert result.exit_code == 1, (text, result.output)
        assert "memo" in result.output.casefold()
    document = docx.Document()
    document.add_paragraph("Han heter Memo.")
    document.save(str(tmp_path / "planted.docx"))
    result = run("--project", str(demo), "leakcheck", str(tmp_path / "planted.docx"))
    assert result.exit_code == 1 and "Han heter Memo" in result.output, result.output



def test_the_name_standing_alone_where_qualcode_writes_no_label_is_still_refused(demo: Path, tmp_path: Path) -> None:
    """A label stands whole only as a column's name, and as a lead word only in a Word paragraph: the
    nickname alone as a letter's signature, in a cell below a list's header, or leading a note's line
    passed the leak check as if qualcode had written it."""
    import openpyxl

    _with_memo_in_the_key(demo)
    letter = docx.Document()
    letter.add_paragraph("Hilsen")
    letter.add_paragraph("Memo")
    letter.save(str(tmp_path / "brev.docx"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["navn", "telefon"])
    sheet.append(["Memo", "x"])
    workbook.save(str(tmp_path / "liste.xlsx"))
    (tmp_path / "notat.csv").write_text("Memo: ringte i går\n", encoding="utf-8")
    (tmp_path / "notat.txt").write_text("Memo\nMemo: ringte i går\n", encoding="utf-8")
    for name in ("brev.docx", "liste.xlsx", "notat.csv", "notat.txt"):
        result = run("--project", str(demo), "leakcheck", str(tmp_path / name))
        assert result.exit_code == 1 and "person 'Memo'" in result.output, (name, result.output)


def test_a_quote_that_begins_with_the_name_as_a_label_does_is_still_refused(demo: Path, tmp_path: Path) -> None:
    """A report's long quote is a plain paragraph that begins with the passage itself: a text kept
    from before the key learned "Memo" ("Memo: jeg tror …", a speaker's label) passed the guard
    there as if it were the report's label "Memo: " before a memo."""
    from sqlalchemy import select
    from sqlalchemy import text as sql

    from qualcode.store.models import TextVersion, Transcript
    from qualcode.store.project import Project

    folder = tmp_path / "nye"
    folder.mkdir()
    said = "memo: jeg tror vi alle sammen kjente på presset hele tiden, og det ble bare verre og verre utover høsten for oss."
    (folder / "deltaker_D9_T1.txt").write_text(f"Intervjuer: Hva skjedde?\nDeltaker: {said}\n", encoding="utf-8")
    assert run("--project", str(demo), "import", str(folder)).exit_code == 0
    _with_memo_in_the_key(demo)
    with Project.open(demo) as opened, opened.begin() as session:  # as a copy from before the key learned it
        session.execute(sql("DROP TRIGGER text_versions_immutable"))
        version = session.scalar(select(TextVersion).join(Transcript, Transcript.current_version_id == TextVersion.id)
                                 .where(Transcript.name == "deltaker_D9_T1"))
        assert version is not None
        version.text = version.text.replace("memo:", "Memo:")
    coded = run("--project", str(demo), "coding", "add", "deltaker_D9_T1", "empowerment", "--match", "Memo" + said[4:said.index(" for oss")])
    assert coded.exit_code == 0, coded.output
    report = tmp_path / "rapport.docx"
    result = run("--project", str(demo), "export", "report", "--lang", "en", "--transcript", "deltaker_D9_T1", "--output", str(report))
    assert result.exit_code == 1 and "'Memo'" in result.output and not report.exists(), result.output

# The trade's own word: "memo" is what a researcher writes about their memos, whatever a nickname is.


def test_memo_in_lower_case_stays_a_word_beside_a_nickname_memo() -> None:
    from qualcode.anonymise.apply import add_identifier, pseudonymise
    from qualcode.anonymise.key import PseudonymKey

    key = PseudonymKey("prosjekt")
    entry = add_identifier(key, "Memo", "person", "m")
    said = pseudonymise("Alle kaller meg Memo. Memos bror kom også.", key, "t.txt").text
    assert "Memo" not in said and entry.pseudonym in said
    typed = "Se memo 2 og memoet om dette; memoene er mange."
    assert pseudonymise(typed, key, "memo").text == typed
    # A key saved under the earlier rule, its lower-case words kept, reads the same.
    entry.lower_words, entry.lower_words_rule = ["memo"], 2
    assert pseudonymise(typed, key, "memo").text == typed


def test_a_file_from_elsewhere_laid_out_as_an_export_gets_no_label_reading(demo: Path, tmp_path: Path) -> None:
    """`qualcode leakcheck` read a list of names whose first line, first row or a bold paragraph held a
    name that is also a label ("Memo", "Page") as qualcode's labels, and found nothing: a file from
    elsewhere, or an export's layout copied with other lines below, is read as any file is. Only an
    export the project wrote, as it wrote it, reads its labels as labels."""
    import openpyxl

    _with_memo_in_the_key(demo)
    (tmp_path / "liste.csv").write_text("Page,Memo\n1,2\n", encoding="utf-8")
    letter = docx.Document()
    letter.add_heading("Page", 1)
    letter.add_paragraph().add_run("Memo").bold = True
    letter.save(str(tmp_path / "brev.docx"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Memo", "Page"])
    workbook.save(str(tmp_path / "liste.xlsx"))
    report = tmp_path / "rapport.docx"
    written = run("--project", str(demo), "export", "report", "--lang", "en", "--memos", "--output", str(report))
    assert written.exit_code == 0, written.output
    assert run("--project", str(demo), "leakcheck", str(report)).exit_code == 0
    # A surname that is the English footer's word, learned after the report was written.
    assert run("--project", str(demo), "identifiers", "add", "Page", "--kind", "person", "--gender", "m").exit_code == 0
    copied = docx.Document(str(report))  # the export's layout, with a line of someone else's below
    copied.add_paragraph("Lagt til etterpå.")
    copied.save(str(tmp_path / "kopi.docx"))
    for name in ("liste.csv", "brev.docx", "liste.xlsx", "kopi.docx"):
        result = run("--project", str(demo), "leakcheck", str(tmp_path / name))
        assert result.exit_code == 1, (name, result.output)
        assert "person 'Memo'" in result.output and (name == "kopi.docx" or "person 'Page'" in result.output), (name, result.output)


def test_a_surname_that_is_the_footer_s_word_leaves_the_english_report_possible(demo: Path, tmp_path: Path) -> None:
    """An informant called Page refused every English report: its footer's "Page " before the page
    number, and the number's field PAGE, were taken for her. The label in qualcode's footer is its
    own, and the field's name is Word's; her name in the report's text is still refused."""
    assert run("--project", str(demo), "identifiers", "add", "Page", "--kind", "person", "--gender", "f").exit_code == 0
    coded = run("--project", str(demo), "coding", "add", "leder_L1", "måltall-press", "--match", "vi må nå måltallet før jul")
    assert coded.exit_code == 0, coded.output
    report = tmp_path / "report.docx"
    written = run("--project", str(demo), "export", "report", "--lang", "en", "--output", str(report))
    assert written.exit_code == 0, written.output
    assert "Page " in [paragraph.text for paragraph in docx.Document(str(report)).sections[0].footer.paragraphs][0]
    checked = run("--project", str(demo), "leakcheck", str(report))
    assert checked.exit_code == 0, checked.output
    letter = docx.Document()
    letter.sections[0].footer.paragraphs[0].text = "Page"
    letter.save(str(tmp_path / "brev.docx"))
    result = run("--project", str(demo), "leakcheck", str(tmp_path / "brev.docx"))
    assert result.exit_code == 1 and "person 'Page'" in result.output, result.output
