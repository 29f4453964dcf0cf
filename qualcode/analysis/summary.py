"""A project at a glance: what has been imported, who took part, and what has been coded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from qualcode.coding.waves import round_order
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Memo,
    Participant,
    TextVersion,
    Transcript,
    Turn,
)
from qualcode.store.settings import get_setting
from qualcode.store.withdrawals import Withdrawn, withdrawn_participants

NO_WAVE = "(no wave)"


@dataclass(frozen=True)
class ProjectSummary:
    name: str
    codebook: str | None
    transcripts: int
    words: int
    turns: int
    participants_by_role: dict[str, int]
    transcripts_by_wave: dict[str, int]  # in the order the rounds were held, NO_WAVE last
    transcripts_by_fidelity: dict[str, int]
    codes: int
    codings: int
    codings_by_top_code: dict[str, int]
    coders: int
    memos: int
    orphaned: int = 0  # codings a replaced text left no place, kept for review
    withdrawn: Withdrawn | None = None  # participants who withdrew consent, whom none of these counts hold


def project_summary(session: Session, coders: Sequence[str] = ()) -> ProjectSummary:
    """The project at a glance; its codings only `coders`' when named (a blind coder's own)."""
    live: ColumnElement[bool] = Coding.removed_at.is_(None)
    orphaned: ColumnElement[bool] = Coding.orphaned_at.is_not(None)
    if coders:
        live = live & Coding.coder_id.in_(select(Coder.id).where(Coder.name.in_(coders)))
        orphaned = orphaned & Coding.coder_id.in_(select(Coder.id).where(Coder.name.in_(coders)))
    # Every count in one statement: each statement SQLAlchemy compiles costs a start-up of `status` its share.
    counts = session.execute(select(
        select(func.coalesce(func.sum(TextVersion.word_count), 0))
        .join(Transcript, Transcript.current_version_id == TextVersion.id).scalar_subquery(),
        select(func.count()).select_from(Turn)
        .join(Transcript, Transcript.current_version_id == Turn.text_version_id).scalar_subquery(),
        select(func.count()).select_from(Transcript).scalar_subquery(),
        select(func.count()).select_from(Code).scalar_subquery(),
        select(func.count()).select_from(Coding).where(live).scalar_subquery(),
        # Only people who coded count as coders: not a login that merely ran a command, nor a reviewer.
        select(func.count(func.distinct(Coding.coder_id))).where(live).scalar_subquery(),
        # Every memo `memo list` lists (coding/memos.py): free memos, and codings' own.
        select(func.count()).select_from(Memo).where(Memo.removed_at.is_(None)).scalar_subquery(),
        select(func.count()).select_from(Coding)
        .where(Coding.memo.is_not(None), Coding.memo != "", Coding.removed_at.is_(None)).scalar_subquery(),
        select(func.count()).select_from(Coding).where(orphaned).scalar_subquery(),
    )).one()
    words, turns, transcripts, codes, codings, coders_count, free_memos, coding_memos, orphans = (value or 0 for value in counts)
    if coders:  # as `memo list` shows them to a blind coder: counting others' would tell of codings it hides
        # Imported here: `status` for everyone else starts without it.
        from qualcode.coding.memos import list_memos

        free_memos, coding_memos = len(list_memos(session, coders=coders)), 0
    by_role = dict(
        session.execute(
            select(func.coalesce(Participant.role, "(no role)"), func.count()).group_by(Participant.role)
        ).all()
    )
    # Rounds in the order they were held (T2 before T10), as the analysis tables order them; none last.
    by_wave = {
        wave or NO_WAVE: count for wave, count in sorted(
            session.execute(select(Transcript.wave, func.count()).group_by(Transcript.wave)).all(),
            key=lambda item: (item[0] is None, round_order(item[0] or "")),
        )
    }
    by_fidelity = dict(
        session.execute(
            select(func.coalesce(Transcript.fidelity, "(unknown)"), func.count()).group_by(Transcript.fidelity)
        ).all()
    )
    by_top: dict[str, int] = {}
    for path, count in session.execute(
        select(Code.path, func.count()).join(Coding, Coding.code_id == Code.id).where(live).group_by(Code.path)
    ).all():
        top = path.split("/")[0]
        by_top[top] = by_top.get(top, 0) + count
    return ProjectSummary(
        name=get_setting(session, "project.name", "") or "",
        codebook=get_setting(session, "codebook.name"),
        transcripts=transcripts,
        words=int(words),
        turns=turns,
        participants_by_role=by_role,
        transcripts_by_wave=by_wave,
        transcripts_by_fidelity=by_fidelity,
        codes=codes,
        codings=codings,
        codings_by_top_code=dict(sorted(by_top.items())),
        coders=coders_count,
        memos=free_memos + coding_memos,
        orphaned=orphans,
        withdrawn=withdrawn_participants(session),
    )
