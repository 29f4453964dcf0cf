"""TranscriptForm: correct a transcript's date, wave, participants, fidelity, interviewer, title and attributes."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from qualcode.coding.transcripts import TranscriptView
from qualcode.tui.dismissed_once import Dialog
from qualcode.tui.modals.participant_form import changed_values

# Field, label, placeholder: the same names the service and `qualcode transcripts edit` use.
FIELDS = (
    ("date", "Date", "YYYY-MM-DD"),
    ("wave", "Round", "T1, T2 …"),
    ("participants", "Participants", "D1, or D4, D5 for a group"),
    ("fidelity", "Kind", "transcript, referat, fieldnotes or comments"),
    ("interviewer", "Interviewer", ""),
    ("title", "Title", ""),
    ("attributes", "Attributes", "NAME=VALUE, comma-separated, as role_in_round=deltaker; NAME= removes it"),
)


def current_values(transcript: TranscriptView) -> dict[str, str]:
    """What the form shows at first: the transcript's metadata as text."""
    return {
        "date": transcript.interview_date or "",
        "wave": transcript.wave or "",
        "participants": ", ".join(transcript.participants),
        "fidelity": transcript.fidelity or "",
        "interviewer": transcript.interviewer or "",
        "title": transcript.title or "",
        "attributes": ", ".join(f"{name}={value}" for name, value in transcript.attributes.items()),
    }


class TranscriptForm(Dialog[dict[str, str] | None]):
    """Returns the fields the researcher changed (an emptied field as ""), or None if dismissed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="transcript-form.cancel")]

    def __init__(self, transcript: TranscriptView, typed: dict[str, str] | None = None, problem: str = "") -> None:
        """`typed`: what was typed in this form before its save was refused (`problem` says why),
        shown again rather than lost, as the participant form does; `self.typed` holds what is
        typed when it is submitted."""
        super().__init__()
        self.transcript = transcript
        self.initial = current_values(transcript)
        self.typed = dict(typed or self.initial)
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="transcript-form"):
            yield Label(f"Metadata of {self.transcript.name} (Enter saves, Escape cancels)", markup=False)
            if self.problem:
                yield Label(self.problem, classes="error", markup=False)  # may quote what was typed
            for field, label, placeholder in FIELDS:
                yield Label(label, classes="muted")
                yield Input(value=self.typed[field], placeholder=placeholder, id=f"form-{field}")

    def on_mount(self) -> None:
        self.query_one("#form-date", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        values = {field: self.query_one(f"#form-{field}", Input).value.strip() for field, _, _ in FIELDS}
        self.typed = values
        self.dismiss(changed_values(self.initial, values))  # an attribute left out is sent as NAME=, so it is removed

    def action_cancel(self) -> None:
        self.dismiss(None)
