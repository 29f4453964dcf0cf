"""What a count or an export of a selection leaves out: codings a replaced text left without a place."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qualcode.coding.passages import QuoteFilter, orphaned_codings
from qualcode.text.counts import counted


def left_out_note(session: Session, selection: QuoteFilter) -> str | None:
    """The note every export and analysis table gives of the selection's orphaned codings (None when
    there are none): they are in no count and no quote, and a table that leaves them out unsaid
    reads as if they had never been coded."""
    orphaned = orphaned_codings(session, selection)
    if not orphaned:
        return None
    return (f"{counted(orphaned, 'coding')} of this selection {'are' if orphaned > 1 else 'is'} left out: "
            f"{'their passages are' if orphaned > 1 else 'its passage is'} gone from a replaced text; "
            f"`qualcode coding list --orphaned` lists {'them' if orphaned > 1 else 'it'} for review")
