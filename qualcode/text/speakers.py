"""Speaker labels that name a role, not a person."""

from __future__ import annotations

# Labels that mark the interviewer side of a conversation.
INTERVIEWER_LABELS = frozenset(
    {"i", "int", "intervjuer", "interviewer", "forsker", "f", "moderator", "m", "medforsker", "mf"}
)
ROLE_LABELS = INTERVIEWER_LABELS | {"deltaker", "d", "veileder", "v", "leder", "l", "informant"}
