"""A .qdpx variable's value longer than a column keeps, or on more than one line: kept, not left out."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.store.models import (
    AttributeDefinition,
    Memo,
    Participant,
    Transcript,
    TranscriptAttribute,
)
from tests.test_exchange_import import Qdpx, guid, run_import
from tests.test_exchange_import_fixes import TEXT, _cut_at_a_word, _over_their_columns

WORDS = " ".join(["deltakeren forteller om oppfølgingen fra veilederen"] * 8)  # 415 characters


def _value(variable: str, text: str) -> str:
    return f'<VariableValue><VariableRef targetGUID="{guid("var:" + variable)}"/><TextValue>{text}</TextValue></VariableValue>'


def _long_values(path: Path) -> Path:
    qdpx = Qdpx(variables="".join(f'<Variable guid="{guid("var:" + name)}" name="{name}" typeOfVariable="Text"/>'
                                  for name in ("bakgrunn", "office", "kommentar", "mode", "linjer")))
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:lang")}" name="lang"><PlainTextContent>{TEXT}</PlainTextContent>'
                        f'{_value("kommentar", WORDS)}{_value("mode", "telefon " * 10)}</TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{_value("bakgrunn", WORDS)}{_value("office", WORDS[:150])}'
                  f'{_value("linjer", "første linje&#10;andre linje")}<SourceRef targetGUID="{guid("source:lang")}"/></Case>')
    return qdpx.write(path)


def test_a_variable_s_value_longer_than_its_column_is_cut_at_a_word_and_kept_whole_as_a_memo(session: Session, tmp_path: Path) -> None:
    """A case's value over 200 characters (an office's over 100) was left out with a problem line, and a
    source's was stored longer than any other path stores one; now each is cut after a whole word, and
    the whole of it kept as a memo: on the project for a case, qualcode keeping no memos on participants."""
    path = _long_values(tmp_path / "verdier.qdpx")
    result = run_import(session, path)
    assert _over_their_columns(session) == []
    participant = session.scalars(select(Participant)).one()
    attributes = {attribute.definition.name: attribute.value for attribute in participant.attributes}
    assert _cut_at_a_word(attributes["bakgrunn"], WORDS) and len(attributes["bakgrunn"]) <= 200
    assert participant.office is not None and _cut_at_a_word(participant.office, WORDS) and len(participant.office) <= 100
    assert attributes["linjer"] == "første linje andre linje"
    transcript = session.scalars(select(Transcript)).one()
    [kommentar] = session.scalars(select(TranscriptAttribute.value)).all()
    assert _cut_at_a_word(kommentar, WORDS) and len(kommentar) <= 200
    assert transcript.mode == "telefon " * 5 + "telefon…"
    memos = {(memo.title, memo.transcript_id): memo.text for memo in session.scalars(select(Memo))}
    assert memos == {
        ("bakgrunn (D1)", None): WORDS, ("office (D1)", None): WORDS[:150], ("linjer (D1)", None): "første linje\nandre linje",
        ("kommentar", transcript.id): WORDS, ("mode", transcript.id): ("telefon " * 10).strip(),
    }
    case = f"Case 'D1' {guid('case:d1')}: variable"
    on_project = "on the project (qualcode keeps no memos on participants)"
    assert f"{case} bakgrunn: its value has 415 characters, more than the 200 qualcode keeps; cut, and kept whole" \
           f" as the memo 'bakgrunn (D1)' {on_project}" in result.problems
    assert f"{case} linjer: its value holds a line break or control character; kept on one line, and kept whole" \
           f" as the memo 'linjer (D1)' {on_project}" in result.problems
    assert "TextSource 'lang': variable kommentar: its value has 415 characters, more than the 200 qualcode keeps; cut," \
           " and kept whole as the memo 'kommentar' on its transcript" in result.problems
    assert not any("skipped" in line for line in result.problems), result.problems
    assert result.memos_added == 5

    again = run_import(session, path)  # the transcript's mode is the project's now: not read again
    assert (again.memos_added, again.memos_present) == (0, 4)
    assert len(session.scalars(select(Memo)).all()) == 5


def test_a_variable_named_with_a_comma_is_stored_with_a_semicolon_and_said(session: Session, tmp_path: Path) -> None:
    """Another program's Variable "Alder, gruppe" made an attribute the form could not save again and
    `analyse matrix --by` split in two; its values are kept under "Alder; gruppe", said, and one that
    another Variable's name becomes is told apart as two Variables of one name are."""
    names = ("Alder, gruppe", "tolk=brukt", "tolk;brukt")
    qdpx = Qdpx(variables="".join(f'<Variable guid="{guid("var:" + name)}" name="{name}" typeOfVariable="Text"/>' for name in names))
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:kort")}" name="kort"><PlainTextContent>{TEXT}</PlainTextContent>'
                        f'{_value("tolk=brukt", "ja")}{_value("tolk;brukt", "nei")}</TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{_value("Alder, gruppe", "30-39")}'
                  f'<SourceRef targetGUID="{guid("source:kort")}"/></Case>')
    result = run_import(session, qdpx.write(tmp_path / "fremmed.qdpx"))
    participant = session.scalars(select(Participant)).one()
    assert {attribute.definition.name: attribute.value for attribute in participant.attributes} == {"Alder; gruppe": "30-39"}
    transcript = session.scalars(select(Transcript)).one()
    assert sorted((attribute.definition.name, attribute.value) for attribute in transcript.attributes) == [
        ("tolk;brukt", "ja"), ("tolk;brukt (2)", "nei")]
    assert ("Variables: attribute 'Alder, gruppe' is stored as 'Alder; gruppe': a comma or \"=\" in an attribute's name is"
            " written as \";\", as lists of attributes and `analyse matrix --by` part names at them") in result.problems
    assert any("two variables are named tolk;brukt; 'nei' kept as tolk;brukt (2)" in line for line in result.problems), result.problems


def test_a_date_in_other_digits_than_0_to_9_is_no_date(session: Session, tmp_path: Path) -> None:
    """xs:date is written in 0-9, but the reader's \\d took "２０２４-０１-０２" (full width) and "٢٠٢٤-٠١-٠٢"
    as a case's Date and as a source's interview date, stored as a day the file did not write so."""
    full_width, arabic = "２０２４-０１-０２", "٢٠٢٤-٠١-٠٢"
    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:start")}" name="start" typeOfVariable="Date"/>'
                          f'<Variable guid="{guid("var:interview date")}" name="interview date" typeOfVariable="Text"/>')
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:kort")}" name="kort"><PlainTextContent>{TEXT}</PlainTextContent>'
                        f'{_value("interview date", arabic)}</TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1"><VariableValue><VariableRef targetGUID="{guid("var:start")}"/>'
                  f'<DateValue>{full_width}</DateValue></VariableValue><SourceRef targetGUID="{guid("source:kort")}"/></Case>')
    result = run_import(session, qdpx.write(tmp_path / "datoer.qdpx"))
    assert session.scalars(select(Participant)).one().attributes == []
    assert session.scalars(select(Transcript)).one().interview_date is None
    assert f"Case 'D1' {guid('case:d1')}: variable start: {full_width!r} does not fit its type Date (its digits are not 0-9); skipped" in result.problems
    assert f"TextSource 'kort': variable interview date: {arabic!r} is not a date; skipped" in result.problems


def test_an_age_band_in_other_digits_than_0_to_9_is_skipped_and_said(session: Session, tmp_path: Path) -> None:
    """A case's age band "３０-３９" (full width) was stored as written (\\d took it), a column of its own
    beside 30-39 in every table; it is skipped and said, as a participants CSV and an edit refuse it."""
    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:age_band")}" name="age_band" typeOfVariable="Text"/>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{_value("age_band", "３０-３９")}</Case>'
                  f'<Case guid="{guid("case:d2")}" name="D2">{_value("age_band", "30-39")}</Case>')
    result = run_import(session, qdpx.write(tmp_path / "alder.qdpx"))
    assert {p.name: p.age_band for p in session.scalars(select(Participant))} == {"D1": None, "D2": "30-39"}
    assert (f"Case 'D1' {guid('case:d1')}: variable age_band: the age band '３０-３９' is not written in the digits 0-9;"
            " skipped") in result.problems, result.problems


def test_a_number_in_other_digits_than_0_to_9_is_skipped_and_said(session: Session, tmp_path: Path) -> None:
    """xs:integer and xs:decimal are written in 0-9, but an Integer "３" (full width) was read as 3 unsaid
    (\\d and int() take it), and a Float "３.５" or "1_000" was taken as one (float() reads them); each is
    skipped and said now, as a Date in those digits is, and the project exports valid."""
    from qualcode.exchange.project_export import build_qdpx

    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:antall")}" name="antall" typeOfVariable="Integer"/>'
                          f'<Variable guid="{guid("var:vekt")}" name="vekt" typeOfVariable="Float"/>')
    qdpx.user("Anne Forsker")

    def number(variable: str, kind: str, text: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{guid("var:" + variable)}"/><{kind}Value>{text}</{kind}Value></VariableValue>'

    qdpx.sources.append(f'<TextSource guid="{guid("source:kort")}" name="kort"><PlainTextContent>{TEXT}</PlainTextContent>'
                        f'{number("antall", "Integer", "٣")}{number("vekt", "Float", "1_000")}</TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{number("antall", "Integer", "３")}{number("vekt", "Float", "３.５")}'
                  f'<SourceRef targetGUID="{guid("source:kort")}"/></Case>'
                  f'<Case guid="{guid("case:d2")}" name="D2">{number("antall", "Integer", "+4")}{number("vekt", "Float", "2.5")}</Case>')
    result = run_import(session, qdpx.write(tmp_path / "tall.qdpx"))
    stored = {p.name: {a.definition.name: a.value for a in p.attributes} for p in session.scalars(select(Participant))}
    assert stored == {"D1": {}, "D2": {"antall": "4", "vekt": "2.5"}}
    assert session.scalars(select(TranscriptAttribute)).all() == []
    other_digits = "does not fit its type {} (its digits are not 0-9); skipped"
    assert f"Case 'D1' {guid('case:d1')}: variable antall: '３' {other_digits.format('Integer')}" in result.problems, result.problems
    assert f"Case 'D1' {guid('case:d1')}: variable vekt: '３.５' {other_digits.format('Float')}" in result.problems
    assert f"TextSource 'kort' {guid('source:kort')}: variable antall: '٣' {other_digits.format('Integer')}" in result.problems
    assert f"TextSource 'kort' {guid('source:kort')}: variable vekt: '1_000' does not fit its type Float; skipped" in result.problems
    build_qdpx(session, "prosjekt")  # valid: it raises where it is not


def test_a_value_refused_leaves_no_attribute_behind(session: Session, tmp_path: Path) -> None:
    """A Text value written as a date that is no day ("2024-13-45") made a date attribute, and was then
    refused: the attribute stayed, empty, listed by every form and table with no value. The value is
    checked first now; one refused is said, and no attribute is made for it."""
    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:oppstart")}" name="oppstart" typeOfVariable="Text"/>'
                          f'<Variable guid="{guid("var:levert")}" name="levert" typeOfVariable="Text"/>')
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:kort")}" name="kort"><PlainTextContent>{TEXT}</PlainTextContent>'
                        f'{_value("levert", "2024-02-30")}</TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{_value("oppstart", "2024-13-45")}'
                  f'<SourceRef targetGUID="{guid("source:kort")}"/></Case>')
    result = run_import(session, qdpx.write(tmp_path / "datoer.qdpx"))
    assert session.scalars(select(AttributeDefinition.name)).all() == []
    assert session.scalars(select(Participant)).one().attributes == []
    assert session.scalars(select(Transcript)).one().attributes == []
    assert any(f"Case 'D1' {guid('case:d1')}: variable oppstart: " in line and "'2024-13-45' is not a date" in line
               and line.endswith("; skipped") for line in result.problems), result.problems
    assert any("variable levert: " in line and "'2024-02-30' is not a date" in line for line in result.problems), result.problems
