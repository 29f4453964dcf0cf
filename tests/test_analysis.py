"""The project summary: what `status` counts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.analysis.summary import project_summary
from qualcode.codebook.service import list_codes
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.memos import add_memo, list_memos
from qualcode.coding.service import add_coding, set_coding_memo
from qualcode.store.models import Transcript
from tests.conftest import INTERVIEW, make_transcript


def test_only_people_who_coded_are_coders_and_every_memo_counts(session: Session, tmp_path: Path) -> None:
    make_transcript(session, tmp_path, INTERVIEW)
    coder = get_or_create_coder(session, "Forsker 1")
    get_or_create_coder(session, "innlogget")  # a login that only ran a command
    first = add_coding(session, "intervju", "empowerment", coder, match="mer selvtillit")
    add_coding(session, "intervju", "brukermedvirkning", coder, match="være med og bestemme")
    set_coding_memo(session, str(first.id), "Sterkt sitat", coder)  # as the terminal UI writes it
    add_memo(session, "Om koden", coder, code_ref="måltall-press")
    summary = project_summary(session)
    assert (summary.codings, summary.coders, summary.memos) == (2, 1, 2)
    # The other counts, against the stored rows.
    make_transcript(session, tmp_path, INTERVIEW.replace("Veilederen", "Rådgiveren") + "I: Takk.\n", name="andre")
    add_coding(session, "andre", "empowerment", coder, match="mer selvtillit")
    summary = project_summary(session)
    current = [t.current_version for t in session.scalars(select(Transcript))]
    assert (summary.transcripts, summary.codes, summary.codings) == (2, len(list_codes(session)), 3)
    assert summary.words == sum(version.word_count for version in current) > 2 * len(INTERVIEW.split())
    assert summary.turns == sum(len(version.turns) for version in current) == 4 + 5
    listed = list_memos(session)
    assert [(m.kind, m.ref, m.text) for m in listed] == [
        ("code", f"memo {listed[0].id}", "Om koden"), ("coding", f"coding {first.id}", "Sterkt sitat"),
    ]
    assert [m.text for m in list_memos(session, "coding")] == ["Sterkt sitat"]


def test_waves_are_counted_in_the_order_the_rounds_were_held(session: Session, tmp_path: Path) -> None:
    """`status` listed T10 between T1 and T2 (string order), where every analysis table puts it after T2."""
    for name, wave in [("t10", "T10"), ("t2", "T2"), ("ingen", None), ("t1", "T1"), ("t1b", "T1")]:
        text = INTERVIEW.replace("Veilederen", f"Veilederen {name}")
        make_transcript(session, tmp_path, text, name=name, **({"wave": wave} if wave else {}))
    assert list(project_summary(session).transcripts_by_wave.items()) == [("T1", 2), ("T2", 1), ("T10", 1), ("(no wave)", 1)]
