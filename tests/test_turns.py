"""Turn markers researchers use, found at line starts; offsets select what was said."""

from __future__ import annotations

import pytest

from qualcode.errors import InvalidInput
from qualcode.importers.turns import compile_marker, detect_turns


def spoken(text: str) -> list[tuple[str | None, str, int | None]]:
    return [(t.speaker, text[t.start:t.end], t.timestamp_ms) for t in detect_turns(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I: Hei.\nD3: Hallo.\n", [("I", "Hei.", None), ("D3", "Hallo.", None)]),
        ("Intervjuer: Hei.\nDeltaker 2: Hallo.\n", [("Intervjuer", "Hei.", None), ("Deltaker 2", "Hallo.", None)]),
        ("Kari: Ja.\nOla: Nei.\nKari: Kanskje.\n", [("Kari", "Ja.", None), ("Ola", "Nei.", None), ("Kari", "Kanskje.", None)]),
        ("[00:12:31] Kari: Ja.\n[00:12:40] I: Og?\n", [("Kari", "Ja.", 751000), ("I", "Og?", 760000)]),
        ("Kari (00:12:31): Ja.\nI (00:12:40): Og?\n", [("Kari", "Ja.", 751000), ("I", "Og?", 760000)]),
        ("**I:** Hei.\n**D1:** Hallo.\n", [("I", "Hei.", None), ("D1", "Hallo.", None)]),
    ],
)
def test_marker_styles(text: str, expected: list[tuple[str, str, int | None]]) -> None:
    assert spoken(text) == expected


def test_continuation_lines_belong_to_the_turn_and_header_is_not_a_turn() -> None:
    text = "Intervju 3, kontor B\n\nI: Første linje\nfortsetter her.\n\nD1: Svar.\n"
    assert spoken(text) == [("I", "Første linje\nfortsetter her.", None), ("D1", "Svar.", None)]


def test_a_colon_once_in_notes_is_not_a_speaker() -> None:
    text = "Tema: medvirkning\n\nHun sa at planen var hennes.\n\nNeste avsnitt."
    turns = detect_turns(text)
    assert all(turn.speaker is None for turn in turns)
    assert [text[t.start:t.end] for t in turns] == ["Tema: medvirkning", "Hun sa at planen var hennes.", "Neste avsnitt."]


def test_lowercase_words_before_a_colon_are_not_speakers() -> None:
    text = "I: Hva skjedde?\nD1: Det var sånn: de bestemte alt.\nDet var sånn: ingen spurte.\n"
    assert [s for s, _, _ in spoken(text)] == ["I", "D1"]


def test_custom_pattern() -> None:
    marker = compile_marker(r"(?P<speaker>[A-Z]+) >\s*")
    text = "INT > Hei\nDELT > Hallo\n"
    assert [(t.speaker, text[t.start:t.end]) for t in detect_turns(text, marker)] == [("INT", "Hei"), ("DELT", "Hallo")]


@pytest.mark.parametrize(
    ("pattern", "says"),
    [("(?P<speaker>[A-Z", "is not a valid regular expression"), (r"(\w+):", "has no speaker group")],
)
def test_bad_custom_patterns_are_clear_errors(pattern: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=f"turn pattern .* {says}"):
        compile_marker(pattern)


def test_a_heading_with_a_colon_above_the_first_marker_stays_a_header() -> None:
    text = "Transkripsjon: deltaker D2, runde 1\nIntervjuer: Hei.\nDeltaker 2: Hallo.\n"
    assert [s for s, _, _ in spoken(text)] == ["Intervjuer", "Deltaker 2"]


@pytest.mark.parametrize(
    "text",
    [
        "INTERVJUER : Hvordan var det?\nD1 : Det var fint.\n",
        "[I] Hvordan var det?\n[D1] Det var fint.\n",
        "[I]: Hvordan var det?\n[D1]: Det var fint.\n",
        "I - Hvordan var det?\nD1 – Det var fint.\n",
    ],
)
def test_role_labels_before_a_spaced_colon_in_brackets_or_before_a_dash_are_speakers(text: str) -> None:
    """A probe: each of these transcripts was one turn without a speaker, so neither search nor an
    export could say who spoke, and D1's interview was linked to no participant."""
    assert [(speaker, said) for speaker, said, _ in spoken(text)][1] == ("D1", "Det var fint.")
    assert len(spoken(text)) == 2


def test_a_transcriber_s_note_in_brackets_or_speech_with_a_dash_is_no_speaker() -> None:
    text = "I: Hei.\n[LATTER]\nD1: Ja - det var bra.\nJa - sa hun.\n[LATTER] Ja - igjen.\n[00:01:02] [D1] Jo.\n"
    assert spoken(text) == [
        ("I", "Hei.\n[LATTER]", None), ("D1", "Ja - det var bra.\nJa - sa hun.\n[LATTER] Ja - igjen.", None), ("D1", "Jo.", 62000),
    ]


def test_role_labels_in_lower_case_are_speakers() -> None:
    """A probe: "d1:" and "d2:" were no speakers, so a group interview was one turn of the
    interviewer's, and withdrawing D1 found nothing D1 said."""
    text = "I: Hva tenker dere?\nd1: Planen ble laget over hodet på meg.\nd2: Jeg fikk velge.\ndeltaker 3: Ja.\n[v1] Nei.\n"
    assert [(speaker, said) for speaker, said, _ in spoken(text)] == [
        ("I", "Hva tenker dere?"), ("d1", "Planen ble laget over hodet på meg."), ("d2", "Jeg fikk velge."),
        ("deltaker 3", "Ja."), ("v1", "Nei."),
    ]


def test_labels_the_metadata_names_are_speakers_in_any_case_and_only_they() -> None:
    """`speakers: {siri: D3, jonas: D4}` named labels the text writes in lower case; its turns were
    the interviewer's. A word before a colon the metadata does not name stays speech."""
    text = "I: Velkommen.\nsiri: Jeg ble aldri spurt.\nJONAS: Jeg fikk velge.\nmerk: ikke sant.\nsiri sa: nei.\n"
    turns = detect_turns(text, named=["Siri", "jonas"])
    assert [(turn.speaker, text[turn.start:turn.end]) for turn in turns] == [
        ("I", "Velkommen."), ("siri", "Jeg ble aldri spurt."), ("JONAS", "Jeg fikk velge.\nmerk: ikke sant.\nsiri sa: nei."),
    ]
    assert [turn.speaker for turn in detect_turns(text)] == ["I", "JONAS"]  # "siri" only as the metadata names it


def test_a_time_with_its_seconds_before_a_label_without_brackets_marks_a_timed_turn() -> None:
    """A probe: "00:01:02 I: Hei." (as transcription tools write it) marked no turn, so the
    interviewer's words were the participant's; a time of day in speech is no marker."""
    text = "00:01:02 I: Hei, velkommen.\n00:01:10 D1: Takk.\n00:01:20,5 I: Fortell.\n"
    assert spoken(text) == [("I", "Hei, velkommen.", 62000), ("D1", "Takk.", 70000), ("I", "Fortell.", 80500)]
    assert all(turn.speaker is None for turn in detect_turns("12:30 Møtet: det var bra.\n\nVi gikk hjem.\n"))


def test_a_role_label_abbreviated_with_a_full_stop_is_that_role() -> None:
    """A probe: "Int.:" was a speaker of its own, "Int.", that no rule knew as the interviewer's,
    so in an individual interview the interviewer's words were the participant's."""
    from qualcode.importers.service import speakers_named

    text = "Int.: Hei.\nD1: Ja.\nINT.: Mer?\n"
    assert spoken(text) == [("Int", "Hei.", None), ("D1", "Ja.", None), ("INT", "Mer?", None)]
    assert speakers_named({"participant": "D1"}, ["Int", "INT", "D1"]) == {"Int": None, "INT": None, "D1": "D1"}
    # A participant's label so written is theirs too: "D1." was a speaker no participant was.
    assert spoken("I: Hei.\nD1.: Ja.\nD2.: Nei.\n") == [("I", "Hei.", None), ("D1", "Ja.", None), ("D2", "Nei.", None)]


def test_a_speaker_and_time_on_a_line_of_their_own_head_a_turn_as_teams_writes_it() -> None:
    """A Teams transcript ("Kari Nordmann   0:03", what was said on the lines after) was read
    without a speaker: every word the participant's, the interviewer's too."""
    text = ("Intervju D1-20240213_100000-Møteopptak\n13. februar 2024, 10:00\n\n"
            "Intervjuer 0:03\nHei, og velkommen.\n\nKari Nordmann   0:10\nTakk.\nJeg er klar.\n\nIntervjuer 1:02:03\nFint.\n")
    turns = detect_turns(text)
    assert [(turn.speaker, text[turn.start:turn.end], turn.timestamp_ms) for turn in turns] == [
        ("Intervjuer", "Hei, og velkommen.", 3000), ("Kari Nordmann", "Takk.\nJeg er klar.", 10000),
        ("Intervjuer", "Fint.", 3723000),
    ]
    # A guest's marker after the name (Teams' "(Gjest)", an organisation's "(NAV)") is kept with the label, as a
    # .vtt's voice keeps it: unread, what the guest said was the interviewer's before.
    guests = "Intervjuer   0:03\nHei.\n\nYonas Tesfaye (Gjest)   0:10\nTakk.\n\nKari Hansen (NAV)   1:02:03\nJa.\n"
    assert [(turn.speaker, guests[turn.start:turn.end]) for turn in detect_turns(guests)] == [
        ("Intervjuer", "Hei."), ("Yonas Tesfaye (Gjest)", "Takk."), ("Kari Hansen (NAV)", "Ja.")]
    # One such line in notes is a line of the notes.
    notes = "Møtet\nKlokka 12:30\nVi snakket om planen.\n"
    assert [text for turn in detect_turns(notes) for text in [notes[turn.start:turn.end]]] == [notes.strip()]


def test_a_word_in_brackets_after_a_speaker_s_name_before_the_colon_is_kept_with_the_label() -> None:
    """"Yonas Tesfaye (Gjest): …", "Berntine (veileder): …" were no markers: what they said was read as the words of
    the turn before, the interviewer's. A role label so written is the role's ("D1 (deltaker)" is D1)."""
    text = ("Intervjuer: Hei.\nYonas Tesfaye (Gjest): Hei, takk.\nIntervjuer: Fint.\nKari Hansen (NAV): Ja.\n"
            "Berntine (veileder): Jeg er veilederen.\nD1 (deltaker): Ja.\nKari (00:12:31): Nei.\n")
    assert [(turn.speaker, text[turn.start:turn.end]) for turn in detect_turns(text)] == [
        ("Intervjuer", "Hei."), ("Yonas Tesfaye (Gjest)", "Hei, takk."), ("Intervjuer", "Fint."), ("Kari Hansen (NAV)", "Ja."),
        ("Berntine (veileder)", "Jeg er veilederen."), ("D1", "Ja."), ("Kari", "Nei."),
    ]
