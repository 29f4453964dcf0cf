"""What a .qdpx says that a column cannot hold as written: kept whole as a memo, and what is stored passes the column's check."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import dismiss
from qualcode.errors import InvalidInput
from qualcode.store.models import Memo, Participant, Transcript, TranscriptParticipant
from qualcode.text.normalise import check_one_line
from tests.test_exchange_import import Qdpx, guid, run_import
from tests.test_exchange_import_fixes import TEXT, _cut_at_a_word, _over_their_columns

WORDS = " ".join(["deltakeren forteller om oppfølgingen fra veilederen"] * 8)  # 415 characters

# Emoji joined by a zero-width joiner, and a flag of tag characters: text as written, on one line.
JOINED = [
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # 👩‍👩‍👧
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # 🏳️‍🌈
    "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f",  # 🏳️‍⚧️
    "\U0001f468\U0001f3fd\u200d\U0001f4bb",  # 👨🏽‍💻
    "\u2764\ufe0f\u200d\U0001f525",  # ❤️‍🔥
    "\U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1",  # 🧑‍🤝‍🧑
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # 🏴 of Scotland
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian می‌خواهم: the non-joiner is spelling
]


@pytest.mark.parametrize("joined", JOINED)
def test_an_emoji_joined_by_a_zero_width_joiner_is_one_line_of_text(joined: str) -> None:
    """Refused as "a line break or control character (U+200D ZERO WIDTH JOINER)": every format
    character was, though the joiner within an emoji is what was written, and kept by `one_line`."""
    check_one_line("value of attribute familie", f"Familien {joined} i dag", 200)


@pytest.mark.parametrize("hidden", [
    "\u200d",  # a joiner alone joins nothing
    "Ka\u200dri",  # between Latin letters it spells nothing, and would hide a name from the key
    "\U0001f469\u200dKari",  # an emoji's joiner before a letter
    "Kari\u200d\U0001f469",
    "Ka\u202eri",  # a right-to-left override
    "Ka\u2066ri",  # a bidi isolate
    "Ka\u200bri",  # a zero-width space
    "linje\nto", "linje\u2028to", "tab\there", "null\x00", "privat\ue000",
    "\u0600tall",  # a format character `one_line` leaves: it is still nothing a list shows
])
def test_what_the_one_line_check_exists_to_refuse_it_still_refuses(hidden: str) -> None:
    with pytest.raises(InvalidInput, match="holds a line break or control character"):
        check_one_line("value of attribute notat", hidden, 200)


def _value(variable: str, text: str) -> str:
    return f'<VariableValue><VariableRef targetGUID="{guid("var:" + variable)}"/><TextValue>{text}</TextValue></VariableValue>'


def test_case_and_source_names_longer_than_their_columns_are_cut_and_kept_whole_as_memos(session: Session, tmp_path: Path) -> None:
    """A source's name over 200 characters and a case's over 100 were cut after a word, and the rest
    of them kept nowhere; now each is kept whole as a memo, as a long variable's value is."""
    source_name, case_name = WORDS[:300].strip(), WORDS[:150].strip()
    qdpx = Qdpx()
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:lang")}" name="{source_name}"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    qdpx.cases = f'<Case guid="{guid("case:lang")}" name="{case_name}"><SourceRef targetGUID="{guid("source:lang")}"/></Case>'
    path = qdpx.write(tmp_path / "navn.qdpx")
    result = run_import(session, path)
    assert _over_their_columns(session) == []
    transcript = session.scalars(select(Transcript)).one()
    participant = session.scalars(select(Participant)).one()
    assert _cut_at_a_word(transcript.name, WORDS) and len(transcript.name) <= 200
    assert _cut_at_a_word(participant.name, WORDS) and len(participant.name) <= 100
    memos = {(memo.title, memo.transcript_id): memo.text for memo in session.scalars(select(Memo))}
    assert memos == {("name", transcript.id): source_name, (f"name ({participant.name})", None): case_name}
    assert (f"TextSource {guid('source:lang')}: its name has {len(source_name)} characters, more than the 200 qualcode keeps;"
            " cut, and kept whole as the memo 'name' on its transcript") in result.problems
    assert (f"Case {guid('case:lang')}: its name has {len(case_name)} characters, more than the 100 qualcode keeps; cut,"
            f" and kept whole as the memo 'name ({participant.name})' on the project (qualcode keeps no memos on participants)"
            ) in result.problems
    assert result.memos_added == 2

    again = run_import(session, path)  # the same file again adds nothing
    assert again.memos_added == 0 and len(session.scalars(select(Memo)).all()) == 2


def test_a_value_cut_or_put_on_one_line_is_stored_as_its_column_s_check_takes_it(session: Session, tmp_path: Path) -> None:
    """A value put on one line kept an emoji's joiner, a private-use or format character, or a cut
    left a Persian letter's joiner before "…": the column's check then refused what the import had
    made of it, and the value was skipped though its memo said it was kept, cut."""
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    values = {
        "familie": f"Familien {JOINED[0]}&#10;andre linje",  # on two lines, with a joined emoji
        "privat": "linje\ue000&#10;to",  # a private-use character
        "format": "\u0600tall&#10;to",  # a format character `one_line` leaves
        "persisk": "x" * 196 + persian,  # cut after the non-joiner, inside the word
        "office": f"Kontor {JOINED[1]} " + "a" * 40 + "&#10;" + "b" * 60,  # an office: its column's check
    }
    qdpx = Qdpx(variables="".join(f'<Variable guid="{guid("var:" + name)}" name="{name}" typeOfVariable="Text"/>' for name in values))
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:s")}" name="s"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    qdpx.cases = (f'<Case guid="{guid("case:d1")}" name="D1">{"".join(_value(name, value) for name, value in values.items())}'
                  f'<SourceRef targetGUID="{guid("source:s")}"/></Case>')
    key = PseudonymKey("test")
    dismiss(key, persian)  # a word nobody knows: not a name
    result = run_import(session, qdpx.write(tmp_path / "verdier.qdpx"), key)
    assert not any("skipped" in line for line in result.problems), result.problems
    participant = session.scalars(select(Participant)).one()
    stored = {attribute.definition.name: attribute.value for attribute in participant.attributes}
    assert stored == {
        "familie": f"Familien {JOINED[0]} andre linje", "privat": "linje to", "format": "tall to",
        "persisk": "x" * 196 + "\u0645\u06cc…",
    }
    assert participant.office == f"Kontor {JOINED[1]} " + "a" * 40 + "…"
    for value in stored.values():
        check_one_line("value", value, 200)
    assert len(session.scalars(select(Memo)).all()) == 5  # each whole


def test_a_value_no_cut_can_make_fit_is_left_out_in_one_line_that_says_where_it_is_kept(session: Session, tmp_path: Path) -> None:
    """A case's age band of 60 characters was cut and said to be kept, cut, and then refused as no
    range of ages in a second line ending "skipped"; now one line says it is left out, and where it is whole."""
    band = "30-39 (oppgitt av deltakeren selv ved det første intervjuet)"
    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:age_band")}" name="age_band" typeOfVariable="Text"/>')
    qdpx.user("Anne Forsker")
    qdpx.sources.append(f'<TextSource guid="{guid("source:s")}" name="s"><PlainTextContent>{TEXT}</PlainTextContent></TextSource>')
    qdpx.cases = f'<Case guid="{guid("case:d1")}" name="D1">{_value("age_band", band)}<SourceRef targetGUID="{guid("source:s")}"/></Case>'
    result = run_import(session, qdpx.write(tmp_path / "alder.qdpx"))
    assert session.scalars(select(Participant.age_band)).one() is None
    assert session.scalars(select(Memo.text)).all() == [band]
    [said] = [line for line in result.problems if "age_band" in line]
    assert said == (f"Case 'D1' {guid('case:d1')}: variable age_band: its value has {len(band)} characters, more than the 20"
                    " qualcode keeps; once cut it is refused (the age band '30-39 (oppgitt av…' is not a range of ages), so it is"
                    " left out, and kept whole as the memo 'age_band (D1)' on the project (qualcode keeps no memos on participants)")


def test_two_cases_whose_names_cut_to_the_same_are_two_participants(session: Session, tmp_path: Path) -> None:
    """Two cases of their own GUIDs, named alike for their first 100 characters, were cut to one name
    and so merged into one participant: the second's transcript and values went to the first person."""
    first, second = WORDS[:120].strip() + " i første runde", WORDS[:120].strip() + " i andre runde"
    qdpx = Qdpx(variables=f'<Variable guid="{guid("var:notat")}" name="notat" typeOfVariable="Text"/>')
    qdpx.user("Anne Forsker")
    for name, text in (("en", TEXT), ("to", TEXT.replace("Hvordan", "Hvorfor"))):
        qdpx.sources.append(f'<TextSource guid="{guid("source:" + name)}" name="{name}"><PlainTextContent>{text}</PlainTextContent></TextSource>')
    qdpx.cases = "".join(
        f'<Case guid="{guid("case:" + name)}" name="{written}">{_value("notat", name)}<SourceRef targetGUID="{guid("source:" + name)}"/></Case>'
        for name, written in (("en", first), ("to", second)))
    path = qdpx.write(tmp_path / "like.qdpx")
    run_import(session, path)
    participants = session.scalars(select(Participant).order_by(Participant.id)).all()
    assert [participant.guid for participant in participants] == [guid("case:en"), guid("case:to")]
    assert participants[0].name != participants[1].name and all(len(participant.name) <= 100 for participant in participants)
    for participant, name in zip(participants, ("en", "to"), strict=True):
        linked = session.scalars(select(Transcript.name).join(TranscriptParticipant)
                                 .where(TranscriptParticipant.participant_id == participant.id)).all()
        assert linked == [name]
        assert {attribute.definition.name: attribute.value for attribute in participant.attributes} == {"notat": name}
    kept = {memo.title: memo.text for memo in session.scalars(select(Memo))}
    assert kept == {f"name ({participants[0].name})": first, f"name ({participants[1].name})": second}

    again = run_import(session, path)  # each case is found again by its GUID
    assert again.participants_created == [] and again.memos_added == 0
    assert len(session.scalars(select(Participant)).all()) == 2 and len(session.scalars(select(Memo)).all()) == 2
