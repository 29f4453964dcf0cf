"""The project's exceptions: each carries a message a researcher understands and a hint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class QualcodeError(Exception):
    """Base for every error a researcher can cause and fix; the CLI prints it as one line."""

    def __init__(self, message: str, hint: str | None = None, *, in_ui: str | None = None) -> None:
        """`hint` says what to do in the command line's terms; `in_ui`, where the terminal UI does it
        another way (a key, not a command to type), in its terms."""
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.in_ui = in_ui

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ProjectError(QualcodeError):
    """The project cannot be found, opened or upgraded."""


class ImportFailed(QualcodeError):
    """A file could not be imported; nothing from it was written."""


class DuplicateContent(ImportFailed):
    """The same text is already in the project."""


class CodebookInvalid(QualcodeError):
    """A codebook file has problems; each names the file and line."""

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems: " + "; ".join(problems), hint)
        self.problems = problems


class NotFound(QualcodeError):
    """A named transcript, participant, code, coding or memo does not exist."""


class WithdrewConsent(NotFound):
    """The participant named (`participant`, their id) withdrew consent: nothing of theirs is left in
    the project, and nothing begun on them (their form, opened before) is saved or kept."""

    def __init__(self, participant: str) -> None:
        super().__init__(f"{participant} withdrew consent: nothing of theirs is left in the project")
        self.participant = participant


class TranscriptGone(NotFound):
    """The transcript a form was opened on (`transcript`, its name as shown) was deleted since, by
    another session (its participant withdrew consent: `withdrew` names them where one did): nothing
    begun on it is saved or kept, as what was typed may be about them."""

    def __init__(self, transcript: str, withdrew: str | None = None) -> None:
        why = f"{withdrew} withdrew consent, and it went with them" if withdrew else "by another session"
        super().__init__(f"{transcript} was deleted meanwhile ({why})")
        self.transcript = transcript
        self.withdrew = withdrew


class Ambiguous(QualcodeError):
    """A name or quoted text matches more than one thing."""


class InvalidInput(QualcodeError):
    """An argument is out of range or malformed."""


class AwaitsReview(InvalidInput):
    """Typed text names a possible identifier nobody has decided about yet: it is stored once that is decided."""


class UndecidedNames(AwaitsReview):
    """Typed text names possible identifiers the review queue does not hold yet: the writer queues
    them (`proposals`) as the text is refused, so the review, in the UI too, lists them."""

    def __init__(self, message: str, hint: str, proposals: Sequence[Any]) -> None:
        super().__init__(message, hint)
        self.proposals = proposals


class ChangedSince(InvalidInput):
    """Someone else changed a text while it was being rewritten here: saving would overwrite their
    version unseen. `now` is what it reads now."""

    def __init__(self, message: str, hint: str | None = None, now: str = "") -> None:
        super().__init__(message, hint)
        self.now = now


class Gone(InvalidInput):
    """What a change was begun on is no longer there (a coding removed, or left without a place, by
    another command meanwhile): what was typed for it is kept elsewhere, not dropped."""


class CodeInUse(InvalidInput):
    """A code asked to be deleted still has codings: a face asks whether to merge them into another
    code or delete them with it. `codings` is how many."""

    def __init__(self, message: str, hint: str, codings: int) -> None:
        super().__init__(message, hint)
        self.codings = codings


class NothingToUndo(QualcodeError):
    """Undo or redo was asked for with nothing left on the stack."""


class ChangedByOthers(QualcodeError):
    """Undo or redo would overwrite a later change someone else made to the same thing."""


class SearchSyntaxError(QualcodeError):
    """A search query cannot be parsed."""


class KeyFileError(QualcodeError):
    """The pseudonym key is missing, unreadable, for another project, or the passphrase is wrong."""


class PassphraseRefused(KeyFileError):
    """The key's passphrase was not given, or does not open the key: asked for again where a face can ask."""


class KeyMissing(KeyFileError):
    """The key file is not where the project (or --key) says: restored from a backup, or named rightly."""


class LeakFound(QualcodeError):
    """A file about to leave the tool contains an original identifier."""


class NeedsReview(ImportFailed):
    """A file holds possible identifiers nobody has decided about yet; nothing was imported."""


class UnreadableFile(QualcodeError):
    """A file from outside is damaged, too large when unpacked, or holds XML that is refused (DTDs, entities)."""


class WriteFailed(QualcodeError):
    """A file could not be written (disk full, no permission); what was there before is unchanged."""


class Interrupted(QualcodeError):
    """Ctrl-C arrived in work the next command finishes: said so, not as a bare "Aborted!"."""
