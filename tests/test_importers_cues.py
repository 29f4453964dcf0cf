"""Subtitle cues holding two speakers, WebVTT and SubRip escapes, and an .srt cue without its timing line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qualcode.anonymise.apply import add_identifier
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.service import accept_candidate
from qualcode.errors import ImportFailed, NeedsReview
from qualcode.importers.service import import_file
from qualcode.store.models import Transcript, Turn
from tests.test_importers import turns_of


def test_a_vtt_cue_holding_two_speakers_is_two_turns_and_its_escapes_are_read(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "samtale.vtt"
    path.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nIntervjuer: Fint &amp; flott, &lt;ikke sant&gt;?\nD1: Ja,&nbsp;fint.\n\n"
        "00:00:04.000 --> 00:00:06.000\nDet var bra.\nTema: medvirkning\n",
        encoding="utf-8",
    )
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "samtale") == [
        ("Intervjuer", "Fint & flott, <ikke sant>?"), ("D1", "Ja, fint."), (None, "Det var bra. Tema: medvirkning"),
    ]
    assert [turn.timestamp_ms for turn in session.scalars(select(Turn).order_by(Turn.seq))] == [1000, 1000, 4000]


def test_an_srt_cue_holding_two_speakers_is_two_turns(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "samtale.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nIntervjuer: Fint.\nDeltaker: Ja, fint.\n\n"
        "2\n00:00:04,000 --> 00:00:06,000\n<i>Det var bra.</i>\nD1: Sant.\n",
        encoding="utf-8",
    )
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "samtale") == [
        ("Intervjuer", "Fint."), ("Deltaker", "Ja, fint."), (None, "Det var bra."), ("D1", "Sant."),
    ]


def test_an_srt_cue_s_character_references_are_read_before_names_are_replaced(session: Session, tmp_path: Path) -> None:
    """A probe: "&Oslash;ystein Brekke" kept its first name (only "Brekke" was replaced), "NAV
    Gr&uuml;nerl&oslash;kka" became "(NAV-kontor)&uuml;nerl&oslash;kka", and "Kari&nbsp;Nordmann" was
    neither replaced nor proposed: a .vtt cue's escapes were read, an .srt cue's were not."""
    key = PseudonymKey("test")
    pseudonym = add_identifier(key, "Øystein Brekke", "person", "m").pseudonym
    add_identifier(key, "NAV Grünerløkka", "nav_office")
    path = tmp_path / "deltaker_D21_T1.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nI: Hvem var veilederen din?\n\n"
        "2\n00:00:04,000 --> 00:00:09,000\nD21: Det var &Oslash;ystein Brekke p&aring; NAV Gr&uuml;nerl&oslash;kka.\n\n"
        "3\n00:00:09,000 --> 00:00:12,000\nD21: &#216;ystein var grei. Kari&nbsp;Nordmann ogs&#xE5;.\n",
        encoding="utf-8",
    )
    with pytest.raises(NeedsReview, match="Kari Nordmann"):
        import_file(session, path, key=key)
    kari = accept_candidate(key, "Kari Nordmann", "person", "f").pseudonym
    import_file(session, path, key=key)
    assert turns_of(session, "deltaker_D21_T1") == [
        ("I", "Hvem var veilederen din?"),
        ("D21", f"Det var {pseudonym} på (NAV-kontor). {pseudonym.split()[0]} var grei. {kari} også."),
    ]


def test_an_srt_cue_without_its_timing_line_is_refused_by_its_number(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "samtale.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nIntervjuer: Fint.\n\n2\nDeltaker: Ja, fint.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nIntervjuer: Takk.\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match=r"samtale\.srt line 5: cue 2 has no timing line") as refused:
        import_file(session, path, key=PseudonymKey("test"))
    assert "\n" not in refused.value.message
    assert session.scalar(select(func.count()).select_from(Transcript)) == 0


@pytest.mark.parametrize("block", ["STYLE\n::cue { color: white }", "REGION\nid:fred\nwidth:40%", "NOTE\nLydfil fra runde 2"])
def test_a_vtt_style_region_or_note_block_on_lines_of_its_own_is_no_text_outside_a_cue(
    session: Session, tmp_path: Path, block: str,
) -> None:
    """A probe: WebVTT's STYLE and REGION blocks, the word alone on its first line, were refused as
    "text outside any cue"."""
    path = tmp_path / "samtale.vtt"
    path.write_text(f"WEBVTT\n\n{block}\n\n00:00:01.000 --> 00:00:03.000\n<v Intervjuer>Hvordan går det?\n\n"
                    "00:00:03.000 --> 00:00:05.000\n<v D1>Det går fint.\n", encoding="utf-8")
    import_file(session, path, key=PseudonymKey("test"))
    assert turns_of(session, "samtale") == [("Intervjuer", "Hvordan går det?"), ("D1", "Det går fint.")]
