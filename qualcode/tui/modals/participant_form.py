"""ParticipantForm: correct a participant's role, office, gender, age band and attributes."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from qualcode.coding.transcripts import ParticipantView
from qualcode.tui.dismissed_once import Dialog
from qualcode.workspace import attribute_items

# Field, label, placeholder: the names `qualcode participants edit` takes.
FIELDS = (
    ("role", "Role", "deltaker, veileder, leder, medforsker …"),
    ("office", "Office", "kontor A (pseudonymised like all typed text)"),
    ("gender", "Gender", ""),
    ("age_band", "Age band", "30-39"),
    ("attributes", "Attributes", "NAME=VALUE, comma-separated; NAME= removes it"),
)


def current_values(participant: ParticipantView) -> dict[str, str]:
    return {
        "role": participant.role or "",
        "office": participant.office or "",
        "gender": participant.gender or "",
        "age_band": participant.age_band or "",
        "attributes": ", ".join(f"{name}={value}" for name, value in participant.attributes.items()),
    }


def changed_values(initial: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """What the researcher changed in a participant's or a transcript's form; a removed attribute is sent as NAME= so the service removes it.
    A name kept but retyped in another case (Barn for barn) is the same attribute, as the service
    stores it, so it is not also sent as removed. An item left as shown is not sent again: a value
    holding ", x=y" does not part as it was joined, and sent, it was cut to what came before the comma
    and an attribute "x" was made beside it, when only another attribute was edited."""
    changed = {field: value for field, value in values.items() if field != "attributes" and value != initial[field]}
    if values["attributes"] != initial["attributes"]:
        shown = attribute_items(initial["attributes"])
        before = {item.partition("=")[0].strip() for item in shown}
        given = attribute_items(values["attributes"])
        named = {item.partition("=")[0].strip().casefold() for item in given}
        removed = sorted(name for name in before if name.casefold() not in named)
        retyped = [item for item in given if item not in shown]
        if retyped or removed:
            changed["attributes"] = ", ".join([*retyped, *(f"{name}=" for name in removed)])
    return changed


class ParticipantForm(Dialog[dict[str, str] | None]):
    """Returns the fields the researcher changed, or None if dismissed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="participant-form.cancel")]

    def __init__(self, participant: ParticipantView, typed: dict[str, str] | None = None, problem: str = "") -> None:
        """`typed`: what was typed in this form before its save was refused (`problem` says why),
        shown again rather than lost; `self.typed` holds what is typed when it is submitted."""
        super().__init__()
        self.participant = participant
        self.initial = current_values(participant)
        self.typed = dict(typed or self.initial)
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(id="participant-form"):
            yield Label(f"Participant {self.participant.name} (Enter saves, Escape cancels)", markup=False)
            if self.problem:
                yield Label(self.problem, classes="error", markup=False)  # may quote what was typed
            for field, label, placeholder in FIELDS:
                yield Label(label, classes="muted")
                yield Input(value=self.typed[field], placeholder=placeholder, id=f"participant-{field}")

    def on_mount(self) -> None:
        self.query_one("#participant-role", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        values = {field: self.query_one(f"#participant-{field}", Input).value.strip() for field, _, _ in FIELDS}
        self.typed = values
        self.dismiss(changed_values(self.initial, values))

    def action_cancel(self) -> None:
        self.dismiss(None)
