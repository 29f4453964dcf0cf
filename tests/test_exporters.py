"""Word reports and quote tables read back with python-docx and openpyxl; comments round-trip."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.passages import QuoteFilter, quote_ref, select_quotes
from qualcode.coding.service import add_coding, remove_coding
from qualcode.errors import InvalidInput, LeakFound
from qualcode.exporters.report import ReportOptions
from qualcode.exporters.review import import_review, review_memos
from qualcode.exporters.service import export_quote_table, export_report
from qualcode.importers.metadata import import_participants
from qualcode.importers.service import import_file
from qualcode.store.models import Coder, Coding, Memo
from qualcode.store.project import Project
from tests.conftest import SAMPLES, sample_key

CODINGS = [
    ("leder_L1", "måltall-press/inntakspress", "Jeg har sagt til veilederne at vi må nå måltallet før jul."),
    ("veileder_V1", "måltall-press/inntakspress",
     "Vi hadde et måltall fra fylket på førti deltakere innen sommeren, og vi lå langt under. Så da ble det sånn at vi tok inn nesten alle som kom."),
    ("veileder_V1", "måltall-press/kvantitet mot kvalitet", "Det ble mer om antall enn om hva folk faktisk trengte."),
    ("veileder_V2", "måltall-press", "Måltallet blir et tak."),
    ("deltaker_D1_T1", "empowerment/selvbilde og selvtillit", "Jeg har begynt å tro at jeg faktisk kan noe."),
    ("deltaker_D1_T1", "empowerment/avmakt", "Jeg følte meg som en snylter, ærlig talt."),
    ("deltaker_D1_T2", "empowerment/håp og motivasjon", "Det er en ny start."),
    ("deltaker_D2_T1", "brukermedvirkning/tvang og krav", "Det var KVP eller redusert sosialhjelp. Det er ikke noe valg."),
    ("gruppeintervju_G1", "brukermedvirkning/tvang og krav", "Jeg ble ikke spurt om jeg ville."),
    ("gruppeintervju_G1", "brukermedvirkning/tvang og krav", "Så det er ikke frivillig, selv om de kaller det det."),
]


@pytest.fixture
def coded(project: Project) -> tuple[Project, PseudonymKey]:
    return code_the_samples(project)


def code_the_samples(project: Project) -> tuple[Project, PseudonymKey]:
    """The sample transcripts and participants imported, and CODINGS made by Forsker 1."""
    key = sample_key(PseudonymKey("test"))
    with project.begin() as session:
        import_participants(session, SAMPLES / "participants.csv")
        for path in sorted(SAMPLES.iterdir()):
            if path.suffix in {".txt", ".md", ".docx", ".odt", ".vtt"}:
                import_file(session, path, key=key)
        coder = get_or_create_coder(session, "Forsker 1")
        for transcript, code, quote in CODINGS:
            add_coding(session, transcript, code, coder, match=quote, memo="Kjernesitat" if "tak" in quote else None)
    return project, key


def paragraphs(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name if p.style is not None else "", p.text) for p in docx.Document(str(path)).paragraphs]


def report(session: Session, project: Project, key: PseudonymKey, selection: QuoteFilter | None = None, **options: object) -> Path:
    result = export_report(
        session, project.root, selection or QuoteFilter(), ReportOptions(**options), None, True, key  # type: ignore[arg-type]
    )
    return result.path


def test_headings_follow_the_code_tree_and_quotes_appear_once_verbatim(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key)
        quotes, _ = select_quotes(session, QuoteFilter())
    assert path.parent == project.root / "exports"
    content = paragraphs(path)
    chapters = [text for style, text in content if style == "Heading 1"]
    assert chapters == ["Om materialet og utvalget", "Kodebok", "empowerment", "brukermedvirkning", "måltall-press"]
    sections = [text for style, text in content if style == "Heading 2"]
    assert sections == ["selvbilde og selvtillit", "håp og motivasjon", "avmakt", "tvang og krav", "inntakspress", "kvantitet mot kvalitet"]
    body = "\n".join(text for _, text in content)
    for _, _, excerpt in CODINGS:
        assert body.count(excerpt.rstrip(".")) == 1, excerpt
    for quote in quotes:
        assert body.count(f"[{quote.ref}]") == 1
    assert "En leder" in body and "En deltaker" in body


def test_long_quotes_are_block_quotes_short_ones_inline(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key)
    content = paragraphs(path)
    long_quote = next(text for style, text in content if "førti deltakere" in text)
    assert ("Quote", long_quote) in content and "\n— En veileder [S-" in long_quote
    assert docx.Document(str(path)).styles["Quote"].paragraph_format.left_indent > 0
    short = next(text for style, text in content if "Måltallet blir et tak" in text)
    assert short.startswith("”Måltallet blir et tak.”") and ("Normal", short) in content
    cut = next(text for _, text in content if "måltallet før jul" in text)
    assert "før jul.”" in cut


def test_trimmed_quotes_show_omissions(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        add_coding(session, "veileder_V2", "tett oppfølging", get_or_create_coder(session, "Forsker 1"),
                   match="ringer jeg kanskje hver dag")
        path = report(session, project, key, QuoteFilter(codes=("tett oppfølging",)))
    assert any("”(…) ringer jeg kanskje hver dag (…)”" in text for _, text in paragraphs(path))


def test_counts_match_the_database(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key, QuoteFilter(codes=("brukermedvirkning",)))
        stored = session.scalar(select(func.count()).select_from(Coding).where(Coding.code.has(name="tvang og krav")))
    tables = docx.Document(str(path)).tables
    counts = {row.cells[0].text.strip(): row.cells[1].text for row in tables[1].rows}  # the chapter's table
    assert counts["Utsagn"] == str(stored) == "3"
    assert counts["Deltakere"] == "2"  # D2, and D5 twice in the group interview: people, not passages
    assert counts["deltaker"] == "2"


def test_filters_and_caps_hold(coded: tuple[Project, PseudonymKey]) -> None:
    project, _ = coded
    with project.begin() as session:
        veiledere, _ = select_quotes(session, QuoteFilter(roles=("veileder",)))
        assert {q.role for q in veiledere} == {"veileder"} and len(veiledere) == 3
        capped, _ = select_quotes(session, QuoteFilter(codes=("måltall-press",), cap_per_participant=1))
        assert len(capped) == 4  # one per participant under each code
        only, _ = select_quotes(session, QuoteFilter(codes=("måltall-press",), include_subcodes=False))
        assert [q.excerpt for q in only] == ["Måltallet blir et tak."]
        wave, _ = select_quotes(session, QuoteFilter(waves=("T2",)))
        assert [q.transcript for q in wave] == ["deltaker_D1_T2"]
        by_attribute, _ = select_quotes(session, QuoteFilter(attributes=(("office", "kontor B"),)))
        assert {q.office for q in by_attribute} == {"kontor B"}
        by_query, _ = select_quotes(session, QuoteFilter(query="sosialhjelp"))
        assert [q.transcript for q in by_query] == ["deltaker_D2_T1"]
        by_date, _ = select_quotes(session, QuoteFilter(codes=("empowerment",), order="date"))
        assert [q.interview_date.isoformat() for q in by_date if q.interview_date] == ["2024-02-13", "2024-11-05", "2024-02-13"]


def test_attribution_templates_and_english(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        full = report(session, project, key, attribution="full", language="en")
        custom = report(session, project, key, attribution="{role_name}, {wave}")
        with pytest.raises(InvalidInput, match="unknown field 'name'"):
            report(session, project, key, attribution="{name}")
    english = "\n".join(text for _, text in paragraphs(full))
    assert "About the material and the selection" in english and "D1, T1, deltaker_D1_T1, line " in english
    assert "(Leder, T1 [S-" in "\n".join(text for _, text in paragraphs(custom))


def test_toc_page_numbers_bookmarks_and_styles(coded: tuple[Project, PseudonymKey]) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key, context=True, memos=True)
        quotes, _ = select_quotes(session, QuoteFilter())
    document = docx.Document(str(path))
    xml = document.element.xml
    assert 'TOC \\o "1-3"' in xml
    assert "PAGE" in document.sections[0].footer._element.xml
    assert xml.count("<w:bookmarkStart") == len(quotes)
    assert any(text.startswith("Notat: Kjernesitat") for _, text in paragraphs(path))
    assert any(text.startswith("Før: ") for _, text in paragraphs(path))


def test_no_overwrite_without_force(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = coded
    target = tmp_path / "r.docx"
    with project.begin() as session:
        export_report(session, project.root, QuoteFilter(), ReportOptions(), target, False, key)
        with pytest.raises(InvalidInput, match="exists"):
            export_report(session, project.root, QuoteFilter(), ReportOptions(), target, False, key)
        export_report(session, project.root, QuoteFilter(), ReportOptions(), target, True, key)


def test_export_refuses_to_leak_an_identifier_the_key_learned_later(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    from qualcode.anonymise.service import add_known_identifier

    project, key = coded
    add_known_identifier(key, "KVP", "other")  # as if it were a name, learned without re-applying the key
    target = tmp_path / "lekk.docx"
    with project.begin() as session, pytest.raises(LeakFound, match="refused to write lekk.docx"):
        export_report(session, project.root, QuoteFilter(), ReportOptions(), target, False, key)
    assert not target.exists()


@pytest.mark.parametrize("table_format", ["csv", "xlsx"])
def test_quote_tables(coded: tuple[Project, PseudonymKey], table_format: str) -> None:
    project, key = coded
    with project.begin() as session:
        result = export_quote_table(session, project.root, QuoteFilter(), table_format, "role-office", "nb", None, True, key)
    if table_format == "csv":
        with result.path.open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    else:
        sheet = openpyxl.load_workbook(result.path).active
        values = list(sheet.iter_rows(values_only=True))
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert len(rows) == len(CODINGS)
    first = next(row for row in rows if "førti" in str(row["quote"]))
    assert first["code_level_1"] == "måltall-press" and first["code_level_2"] == "inntakspress"
    assert first["attribution"] == "Veileder, kontor A" and first["role"] == "veileder"
    assert str(first["kvp_start"] or "") == ""  # a participant attribute column, empty for caseworkers


def _comment(document: docx.document.Document, contains: str, text: str, author: str) -> None:
    paragraph = next(p for p in document.paragraphs if contains in p.text)
    document.add_comment(paragraph.runs, text=text, author=author, initials=author[:2])


def test_review_comments_come_back_as_memos_once(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key, context=True)
    reviewed = docx.Document(str(path))
    _comment(reviewed, "førti deltakere", "Dette kjenner jeg igjen fra mitt kontor.", "Medforsker Anne")
    _comment(reviewed, "Etter: I: Hva betydde det", "Spørsmålet er ledende.", "Medforsker Anne")  # context of the quote
    _comment(reviewed, "Press for å fylle plasser", "Definisjonen er for snever.", "Veileder Per")
    _comment(reviewed, "Sitatsamling", "Fin rapport!", "Medforsker Anne")
    commented = tmp_path / "kommentert.docx"
    reviewed.save(str(commented))
    with project.begin() as session:
        result = import_review(session, commented, key)
        assert sorted(p.attached_to.split()[0] for p in result.placed) == ["code", "coding", "coding", "project"]
        assert result.unplaced == []
        target = session.scalar(select(Coding).where(Coding.excerpt.contains("førti deltakere")))
        assert target is not None
        on_quote = session.scalars(select(Memo).where(Memo.coding_id == target.id)).all()
        assert {m.text for m in on_quote} == {"Dette kjenner jeg igjen fra mitt kontor.", "Spørsmålet er ledende."}
        assert {m.author.name for m in on_quote} == {"Medforsker Anne"} and on_quote[0].author.role == "medforsker"
        grouped = review_memos(session)
        assert [m.text for m in grouped["måltall-press/inntakspress"]][-1] == "Definisjonen er for snever."
    with project.begin() as session:
        again = import_review(session, commented, key)
        assert not any(p.new for p in again.placed)
        assert session.scalar(select(func.count()).select_from(Memo)) == 4


def test_comments_on_removed_quotes_are_reported_not_lost(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key)
        target = session.scalar(select(Coding).where(Coding.excerpt.contains("ny start")))
        assert target is not None
        ref = quote_ref(target.guid)
        remove_coding(session, target.id, get_or_create_coder(session, "Forsker 1"))
    reviewed = docx.Document(str(path))
    _comment(reviewed, ref, "Hvorfor er dette med?", "Medforsker Anne")
    commented = tmp_path / "k.docx"
    reviewed.save(str(commented))
    with project.begin() as session:
        result = import_review(session, commented, key)
    assert result.placed == []
    assert "has been removed from the project" in result.unplaced[0][2]


def test_review_of_a_broken_file_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    from qualcode.errors import ImportFailed

    broken = tmp_path / "x.docx"
    broken.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(ImportFailed, match="not a readable .docx"):
        import_review(session, broken, None)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed here (apt-get install libreoffice-writer-nogui)")
def test_libreoffice_converts_the_report_to_pdf(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key, context=True, memos=True)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    assert (tmp_path / (path.stem + ".pdf")).stat().st_size > 1000


def test_a_reviewer_the_key_knows_is_kept_by_pseudonym(coded: tuple[Project, PseudonymKey], tmp_path: Path) -> None:
    project, key = coded
    with project.begin() as session:
        path = report(session, project, key)
    original = key.entries[0]
    reviewed = docx.Document(str(path))
    _comment(reviewed, "førti deltakere", "Dette stemmer.", original.original)
    commented = tmp_path / "kommentert.docx"
    reviewed.save(str(commented))
    with project.begin() as session:
        import_review(session, commented, key)
        names = [row[0] for row in session.execute(select(Coder.name))]
        titles = [row[0] for row in session.execute(select(Memo.title))]
    assert original.original not in names and original.original not in " ".join(t or "" for t in titles)
    assert original.pseudonym in names
