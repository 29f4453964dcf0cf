"""Importing a folder again: unchanged files are already present, changed ones are refused or replace the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy import text as text_sql

from qualcode.anonymise.rewrite import Span, rewrite_current_text
from qualcode.anonymise.service import KeyAccess
from qualcode.coding.anchoring import LineMap, find_anchor, list_orphaned, same_words
from qualcode.coding.coders import get_or_create_coder
from qualcode.coding.service import add_coding, set_coding_memo
from qualcode.errors import InvalidInput
from qualcode.importers.service import ImportOptions, import_paths
from qualcode.search.service import search
from qualcode.store.models import Coding, Event, TextVersion, Transcript, Turn
from qualcode.store.project import Project

FIRST = """I: Hvordan kom du inn i programmet?
D1: Veilederen foreslo det. Jeg fikk være med og bestemme handlingsplanen.

I: Hva betydde det?
D1: Jeg fikk mer selvtillit 😊 Det var typisk meg å tvile, men nå tror jeg på meg selv.
"""

SECOND = """I: Fortell om møtene på kontoret.
D2: Møtene var korte. Vi snakket mest om måltall og aktivitetsplikt.
"""


def folder(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "intervjuer"
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / f"{name}.txt").write_text(text, encoding="utf-8")
    return directory


def imported(project: Project, key_access: KeyAccess, directory: Path, **options: object):  # type: ignore[no-untyped-def]
    return import_paths(project, [directory], key_access, ImportOptions(**options), "Forsker 1")  # type: ignore[arg-type]


def code(project: Project, transcript: str, code_ref: str, match: str, memo: str | None = None) -> int:
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        view = add_coding(session, transcript, code_ref, coder, match=match)
        if memo:
            set_coding_memo(session, view.id, memo, coder)
        return view.id


def test_an_unchanged_folder_is_already_present_and_its_source_hashes_are_kept(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D1_T1=FIRST, deltaker_D2_T1=SECOND)
    assert len(imported(project, key_access, directory).imported) == 2
    again = imported(project, key_access, directory)
    assert (again.imported, again.failed) == ([], [])
    assert [reason for _, reason in again.skipped] == [
        "deltaker_D1_T1.txt is already present as transcript deltaker_D1_T1 (the same file); nothing added",
        "deltaker_D2_T1.txt is already present as transcript deltaker_D2_T1 (the same file); nothing added",
    ]
    with project.begin() as session:
        hashes = session.scalars(select(Transcript.source_hash)).all()
    assert len(hashes) == 2 and all(len(h or "") == 64 for h in hashes)


def test_a_reimport_says_which_metadata_it_does_not_apply_and_how(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """A probe corrected a date in a file's front matter, or gave --wave and --date, and imported
    again: "same text … nothing added", and the correction was dropped without a word."""
    directory = folder(tmp_path, deltaker_D1_T1="---\ndate: 2024-11-05\nwave: T1\n---\n" + FIRST)
    assert len(imported(project, key_access, directory).imported) == 1
    again = imported(project, key_access, directory, wave="T2", date="2025-01-02")
    assert [reason for _, reason in again.skipped] == [
        "deltaker_D1_T1.txt is already present as transcript deltaker_D1_T1 (the same file); nothing added; its date"
        " 2025-01-02 (the project's: 2024-11-05), wave T2 (the project's: T1) are not applied by importing:"
        " `qualcode transcripts edit deltaker_D1_T1 --date 2025-01-02 --wave T2` applies them",
    ]
    (directory / "deltaker_D1_T1.txt").write_text("---\ndate: 2024-12-24\nwave: t1\n---\n" + FIRST, encoding="utf-8")
    corrected = imported(project, key_access, directory)
    assert [reason for _, reason in corrected.skipped] == [
        "deltaker_D1_T1.txt has the same text as transcript deltaker_D1_T1; nothing added; its date 2024-12-24"
        " (the project's: 2024-11-05) is not applied by importing: `qualcode transcripts edit deltaker_D1_T1 --date 2024-12-24` applies it",
    ]
    with project.begin() as session:
        assert session.scalars(select(Transcript.wave)).all() == ["T1"]  # nothing changed unseen


def test_a_reimport_names_the_transcript_attributes_it_does_not_apply(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """A field trial followed `participants edit`'s advice for a role that changed by round (a transcript
    attribute, role_in_round), added it to an imported file's front matter and imported again, even with
    --replace: "same text … nothing added", and the attribute was dropped without a word."""
    directory = folder(tmp_path, deltaker_D1_T1="---\nwave: T1\nattributes:\n  tolk: nei\n---\n" + FIRST)
    assert len(imported(project, key_access, directory).imported) == 1
    (directory / "deltaker_D1_T1.txt").write_text(
        "---\nwave: T1\nattributes:\n  tolk: nei\n  Role_in_round: arbeidstaker\n---\n" + FIRST, encoding="utf-8")
    for options in ({}, {"replace": True}):
        again = imported(project, key_access, directory, **options)
        assert [reason for _, reason in again.skipped] == [
            "deltaker_D1_T1.txt has the same text as transcript deltaker_D1_T1; nothing added; its attribute role_in_round,"
            " which the transcript does not have, is not applied by importing: `qualcode transcripts edit deltaker_D1_T1"
            " --attribute role_in_round=VALUE` applies it",
        ]


def test_a_file_whose_stored_text_was_rewritten_after_review_is_already_present(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """The trial's failure: the key's re-apply rewrote the stored texts, and importing again said "already exists"."""
    directory = folder(tmp_path, deltaker_D1_T1=FIRST)
    imported(project, key_access, directory)
    with project.begin() as session:
        transcript = session.scalar(select(Transcript).where(Transcript.name == "deltaker_D1_T1"))
        assert transcript is not None and transcript.current_version is not None
        start = transcript.current_version.text.index("Veilederen")
        rewrite_current_text(session, transcript, [Span(start, start + len("Veilederen"), "(veileder)")], "decided in review")
    again = imported(project, key_access, directory)
    assert again.failed == [] and len(again.skipped) == 1
    assert "already present" in again.skipped[0][1]


def test_a_renamed_copy_of_an_imported_file_is_already_present(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D1_T1=FIRST)
    imported(project, key_access, directory)
    (directory / "kopi.txt").write_bytes((directory / "deltaker_D1_T1.txt").read_bytes())
    again = imported(project, key_access, directory / "kopi.txt")
    assert again.skipped[0][1] == "kopi.txt is already present as transcript deltaker_D1_T1 (the same file); nothing added"


def test_a_project_imported_before_source_hashes_knows_its_files_by_their_text(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D1_T1=FIRST)
    imported(project, key_access, directory)
    with project.begin() as session:
        session.execute(update(Transcript).values(source_hash=None))
    again = imported(project, key_access, directory)
    assert again.failed == []
    assert again.skipped[0][1] == "deltaker_D1_T1.txt has the same text as transcript deltaker_D1_T1; nothing added"


def test_a_changed_file_under_a_taken_name_says_what_changed_and_how_to_replace_it(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D1_T1=FIRST)
    imported(project, key_access, directory)
    (directory / "deltaker_D1_T1.txt").write_text(FIRST.replace("Hva betydde det?", "Hva betydde det for deg?"), encoding="utf-8")
    again = imported(project, key_access, directory)
    assert again.imported == [] and len(again.failed) == 1
    reason = again.failed[0][1]
    with project.begin() as session:
        on = session.scalar(select(Transcript.created_at))
    assert on is not None
    assert reason.startswith(f"deltaker_D1_T1.txt differs from the file imported on {on:%Y-%m-%d} as deltaker_D1_T1 (1 line changed: line 4 of its text)")
    assert "--replace" in reason and "\n" not in reason
    with project.begin() as session:
        assert session.scalar(select(func.count()).select_from(TextVersion)) == 1


def test_replace_re_anchors_codings_and_flags_those_it_cannot_place(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D1_T1=FIRST)
    imported(project, key_access, directory)
    exact = code(project, "deltaker_D1_T1", "empowerment", "Jeg fikk mer selvtillit 😊")
    fuzzy = code(project, "deltaker_D1_T1", "brukermedvirkning", "Jeg fikk være med og bestemme handlingsplanen")
    gone = code(project, "deltaker_D1_T1", "tvang og krav", "Det var typisk meg å tvile", memo="Typisk for runde 1")
    changed = (
        "I: Før vi begynner: takk for at du stiller opp.\n\n"
        + FIRST.replace("Jeg fikk være med og bestemme handlingsplanen", "Jeg fikk være med på å bestemme handlingsplanen")
        .replace(" Det var typisk meg å tvile, men", "")
    )
    (directory / "deltaker_D1_T1.txt").write_text(changed, encoding="utf-8")

    again = imported(project, key_access, directory, replace=True)

    assert again.failed == [] and len(again.imported) == 1
    result = again.imported[0]
    assert (result.replaced, result.codings_moved, result.codings_orphaned) == (True, 2, 1)
    with project.begin() as session:
        transcript = session.scalar(select(Transcript).where(Transcript.name == "deltaker_D1_T1"))
        assert transcript is not None and transcript.current_version is not None
        text = transcript.current_version.text
        assert text == changed and transcript.current_version.number == 2
        assert session.scalar(select(func.count()).select_from(TextVersion)) == 1  # the old text is gone
        codings = {c.id: c for c in session.scalars(select(Coding))}
        for coding in codings.values():
            assert coding.text_version_id == transcript.current_version_id
        assert text[codings[exact].start:codings[exact].end] == "Jeg fikk mer selvtillit 😊"
        assert codings[exact].excerpt == "Jeg fikk mer selvtillit 😊"
        assert codings[fuzzy].excerpt.startswith("Jeg fikk være med på å bestemme")
        assert codings[fuzzy].orphaned_at is None and codings[fuzzy].removed_at is None
        orphan = codings[gone]
        assert orphan.orphaned_at is not None and orphan.removed_at is not None
        assert orphan.excerpt == "Det var typisk meg å tvile" and orphan.memo == "Typisk for runde 1"
        assert session.scalar(select(Event.summary).where(Event.action == "coding.orphan", Event.entity_guid == orphan.guid))
        assert session.scalar(select(Event.summary).where(Event.action == "transcript.replace")) == (
            "replaced the text of deltaker_D1_T1 from deltaker_D1_T1.txt (4 lines changed): 2 codings moved, 1 orphaned"
        )
        orphans = list_orphaned(session)
        assert [(o.id, o.transcript, o.code_path, o.excerpt) for o in orphans] == [
            (gone, "deltaker_D1_T1", "brukermedvirkning/tvang og krav", "Det var typisk meg å tvile")
        ]
        assert orphans[0].line == 7  # the line where the passage was, two lines further down now
        with pytest.raises(InvalidInput, match=f"coding {gone} lost its place when its transcript's text was replaced"):
            set_coding_memo(session, gone, "Hvor ble den av?", get_or_create_coder(session, "Forsker 1"))
        # The search index holds the new text's turns only.
        assert session.scalar(select(func.count()).select_from(Turn)) == len(transcript.current_version.turns)
        assert search(session, "takk").hits and not search(session, "tvile").hits
        assert session.scalar(text_sql("SELECT count(*) FROM search_index")) == len(transcript.current_version.turns)
    # The new file is now the one the project knows.
    assert "already present" in imported(project, key_access, directory).skipped[0][1]


def test_replace_with_an_unchanged_file_is_already_present(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D1_T1=FIRST)
    imported(project, key_access, directory)
    again = imported(project, key_access, directory, replace=True)
    assert (again.imported, again.failed, len(again.skipped)) == ([], [], 1)


def test_replace_under_a_new_name_imports_it(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D2_T1=SECOND)
    again = imported(project, key_access, directory, replace=True)
    assert [(item.name, item.replaced) for item in again.imported] == [("deltaker_D2_T1", False)]


def test_replace_with_the_text_of_another_transcript_is_refused_as_a_duplicate(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    directory = folder(tmp_path, deltaker_D1_T1=FIRST, deltaker_D2_T1=SECOND)
    imported(project, key_access, directory)
    (directory / "deltaker_D1_T1.txt").write_text(SECOND + "\n", encoding="utf-8")
    again = imported(project, key_access, directory / "deltaker_D1_T1.txt", replace=True)
    assert again.failed == [] or "same text" in again.failed[0][1]
    with project.begin() as session:
        assert session.scalar(select(func.count()).select_from(TextVersion)) == 2


def test_two_codings_that_would_land_on_one_place_keep_one_and_orphan_the_other(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    text = "I: Hei.\nD1: Jeg likte kurset veldig godt.\nD1: Jeg likte kurset veldig godt, sa jeg.\n"
    directory = folder(tmp_path, kurs=text)
    imported(project, key_access, directory)
    passage = "Jeg likte kurset veldig godt"
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        first, second = (
            add_coding(session, "kurs", "empowerment", coder, start=start, end=start + len(passage)).id
            for start in (text.index(passage), text.rindex(passage))
        )
    (directory / "kurs.txt").write_text("I: Hei.\nD1: Jeg likte kurset veldig godt.\n", encoding="utf-8")
    result = imported(project, key_access, directory, replace=True).imported[0]
    # The first stays where it was; the second would land on it.
    assert (result.codings_moved, result.codings_in_place, result.codings_orphaned) == (0, 1, 1)
    with project.begin() as session:
        kept = session.get(Coding, first)
        other = session.get(Coding, second)
        assert kept is not None and kept.removed_at is None
        assert other is not None and other.orphaned_at is not None


def test_codings_that_move_onto_each_others_old_spans_do_not_collide(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    text = "I: Hei.\nD1: ja ja ja ja ja ja\n"
    directory = folder(tmp_path, ja=text)
    imported(project, key_access, directory)
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        base = text.index("ja")
        ids = [add_coding(session, "ja", "empowerment", coder, start=base + 3 * i, end=base + 3 * i + 2).id for i in range(3)]
    (directory / "ja.txt").write_text("I: Hei.\nD1: ja ja ja ja ja ja ja\n", encoding="utf-8")
    result = imported(project, key_access, directory, replace=True).imported[0]
    assert (result.codings_moved, result.codings_in_place, result.codings_orphaned) == (0, 3, 0)
    with project.begin() as session:
        assert all(session.get(Coding, i).excerpt == "ja" for i in ids)  # type: ignore[union-attr]


def test_an_orphaned_coding_stays_orphaned_through_later_replacements_until_its_words_return(
    project: Project, key_access: KeyAccess, tmp_path: Path,
) -> None:
    """The tester's case: a second replacement put the orphan at an empty span, called that a place,
    and cleared it from review with no record (removed, no longer orphaned). It stays orphaned
    while its words are missing, and is live again, recorded and counted, when they come back."""
    directory = folder(tmp_path, deltaker_D1_T1=FIRST)
    imported(project, key_access, directory)
    gone = code(project, "deltaker_D1_T1", "tvang og krav", "Det var typisk meg å tvile", memo="Typisk for runde 1")
    without = FIRST.replace(" Det var typisk meg å tvile, men", "")
    (directory / "deltaker_D1_T1.txt").write_text(without, encoding="utf-8")
    assert imported(project, key_access, directory, replace=True).imported[0].codings_orphaned == 1

    (directory / "deltaker_D1_T1.txt").write_text("I: Velkommen.\n" + without, encoding="utf-8")
    still = imported(project, key_access, directory, replace=True).imported[0]

    with project.begin() as session:
        assert [(o.id, o.excerpt, o.memo, o.line) for o in list_orphaned(session)] == [
            (gone, "Det var typisk meg å tvile", "Typisk for runde 1", 6),
        ]
        with pytest.raises(InvalidInput, match=f"^coding {gone} lost its place when its transcript's text was replaced"):
            set_coding_memo(session, gone, "Hvor ble den av?", get_or_create_coder(session, "Forsker 1"))
        assert session.scalar(select(Event.summary).where(Event.action == "transcript.replace").order_by(Event.id.desc())) == (
            "replaced the text of deltaker_D1_T1 from deltaker_D1_T1.txt (1 line changed):"
            " 0 codings moved, 0 orphaned, 1 orphaned before still without a place"
        )
    assert (still.codings_moved, still.codings_orphaned, still.codings_found_again, still.codings_still_orphaned) == (0, 0, 0, 1)

    (directory / "deltaker_D1_T1.txt").write_text("I: Velkommen.\n" + FIRST, encoding="utf-8")
    back = imported(project, key_access, directory, replace=True).imported[0]

    with project.begin() as session:
        assert list_orphaned(session) == []
        coding = session.get_one(Coding, gone)
        text = coding.transcript.current_version.text  # type: ignore[union-attr]
        assert (coding.removed_at, coding.orphaned_at, coding.memo) == (None, None, "Typisk for runde 1")
        assert text[coding.start:coding.end] == coding.excerpt == "Det var typisk meg å tvile"
        assert coding.text_hash == coding.transcript.current_version.content_hash  # type: ignore[union-attr]
        found = session.scalar(select(Event.summary).where(Event.action == "coding.reanchor", Event.entity_guid == coding.guid))
        assert found == (f"coding {gone} (brukermedvirkning/tvang og krav), orphaned before, has its place again in the new text"
                         f" of deltaker_D1_T1 at {coding.start}-{coding.end}; live again")
        set_coding_memo(session, gone, "Tilbake igjen", get_or_create_coder(session, "Forsker 1"))
    assert (back.codings_orphaned, back.codings_found_again, back.codings_still_orphaned) == (0, 1, 0)


def test_an_orphaned_coding_comes_back_only_to_its_whole_words_and_never_onto_a_live_one(
    project: Project, key_access: KeyAccess, tmp_path: Path,
) -> None:
    text = "I: Hei.\nD1: Ja, det var kurset.\nD1: Jeg likte kurset veldig godt.\nD1: Jeg likte kurset veldig godt, sa jeg.\n"
    directory = folder(tmp_path, kurs=text)
    imported(project, key_access, directory)
    words = code(project, "kurs", "empowerment", "det var kurset")
    passage = "Jeg likte kurset veldig godt"
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        kept, repeated = (
            add_coding(session, "kurs", "brukermedvirkning", coder, start=start, end=start + len(passage)).id
            for start in (text.index(passage), text.rindex(passage))
        )
    (directory / "kurs.txt").write_text(f"I: Hei.\nD1: Noe annet.\nD1: {passage}.\n", encoding="utf-8")
    assert imported(project, key_access, directory, replace=True).imported[0].codings_orphaned == 2

    (directory / "kurs.txt").write_text(f"I: Hei.\nD1: Ja, hadet var kursets feil.\nD1: {passage}.\n", encoding="utf-8")
    result = imported(project, key_access, directory, replace=True).imported[0]

    # "det var kurset" inside "hadet var kursets" is not its words; the passage is the live coding's place.
    with project.begin() as session:
        assert sorted(o.id for o in list_orphaned(session)) == sorted([words, repeated])
        assert session.get_one(Coding, kept).removed_at is None
    assert (result.codings_moved, result.codings_found_again, result.codings_still_orphaned) == (1, 0, 2)


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        ("abc\nHeisann på deg\nxyz\n", "ny linje\nabc\nHeisann på deg\nxyz\n", "Heisann på deg"),
        ("Han sa: æøå 😊 ble bra\n", "Han sa: æøå 😊 ble veldig bra\n", "æøå 😊"),
        ("en to tre\n", "fire fem seks\n", None),
    ],
)
def test_find_anchor_exact_then_fuzzy_then_none(old: str, new: str, found: str | None) -> None:
    start = old.index(found) if found else 0
    end = start + len(found) if found else len("en to")
    anchor = find_anchor(old, new, start, end, LineMap(old, new))
    assert (new[anchor.start:anchor.end] if anchor else None) == found


@pytest.mark.parametrize(
    ("old", "new", "words", "which", "found"),
    [
        ("abc\nSå gikk vi.\n", "ny linje\nabc\nSå gikk vi.\n", "Så gikk vi.", 0, True),  # on a line left as it was
        ("Hilde 😊 sa ja. Så gikk vi.\n", "Kari Nordmann 😊 sa ja. Så gikk vi.\n", "Så gikk vi.", 0, True),  # a longer name before
        ("Hilde sa ja. Så gikk vi.\n", "Kari sa ja. Så gikk vi.\n", "Hilde sa ja.", 0, False),  # its own words changed
        ("Ja. Hilde sa det. Ja.\n", "Ja. Kari Nordmann sa det. Ja.\n", "Ja.", 1, False),  # which "Ja." it is, a guess
        ("Ja. Hilde sa det. Ja.\n", "Ja. Kari Nordmann sa det. Ja.\n", "Ja.", 0, False),
        ("abc\nSå gikk vi.\nxyz\n", "abc\nxyz\n", "Så gikk vi.", 0, False),  # its line gone
    ],
)
def test_same_words_are_found_only_where_that_is_certain(old: str, new: str, words: str, which: int, found: bool) -> None:
    """What a reader's cursor and selection go by in a rewritten text: a like passage nearest where they were is not enough."""
    start = [index for index in range(len(old)) if old.startswith(words, index)][which]
    place = same_words(old, new, start, start + len(words), LineMap(old, new))
    assert (place is not None and new[place[0]:place[1]] == words and place[0] == new.index(words, start)) if found else place is None


def test_exact_matches_prefer_the_one_nearest_where_the_passage_was() -> None:
    old = "ja\n" + "nei\n" * 50 + "ja takk\n"
    new = "ja\n" + "nei\n" * 49 + "ja takk\n"
    start = old.rindex("ja")
    anchor = find_anchor(old, new, start, start + 2, LineMap(old, new))
    assert anchor is not None and anchor.start == new.rindex("ja")


def test_replace_with_a_corrected_participant_links_that_participant_instead(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """The corrected file names L2 where the first named L1: it was an interview of both."""
    from qualcode.store.models import Participant, TranscriptParticipant

    def linked() -> list[str]:
        with project.begin() as session:
            return sorted(session.scalars(select(Participant.name).join(
                TranscriptParticipant, TranscriptParticipant.participant_id == Participant.id)))

    directory = folder(tmp_path, leder=f"---\nparticipant: L1\nrole: leder\n---\n{SECOND}")
    imported(project, key_access, directory)
    (directory / "leder.txt").write_text(f"---\nparticipant: L2\nrole: leder\n---\n{SECOND}Ja.\n", encoding="utf-8")
    again = imported(project, key_access, directory, replace=True)
    assert [item.participants for item in again.imported] == [["L2"]]
    assert linked() == ["L2"]
    with project.begin() as session:
        summary = session.scalars(select(Event.summary).order_by(Event.id.desc())).first()
    assert summary is not None and summary.endswith("; participants L1 now L2"), summary
    # A file naming nobody keeps who was linked.
    (directory / "leder.txt").write_text(f"{SECOND}Ja. Nei.\n", encoding="utf-8")
    imported(project, key_access, directory, replace=True)
    assert linked() == ["L2"]


def test_an_orphaned_coding_said_in_several_places_of_the_new_text_stays_for_the_review(
    project: Project, key_access: KeyAccess, tmp_path: Path,
) -> None:
    """Its old place says nothing of where it belongs in a text rewritten since: "Ja." came back to
    whichever "Ja." was nearest, in another turn."""
    directory = folder(tmp_path, kort="I: Liker du kurset?\nD1: Ja.\nI: Hvorfor?\nD1: Det er greit.\n")
    imported(project, key_access, directory)
    short = code(project, "kort", "empowerment", "Ja.")
    (directory / "kort.txt").write_text("I: Liker du kurset?\nD1: Nei.\nI: Hvorfor?\nD1: Det er greit.\n", encoding="utf-8")
    assert imported(project, key_access, directory, replace=True).imported[0].codings_orphaned == 1
    (directory / "kort.txt").write_text("I: Liker du kurset?\nD1: Ja.\nI: Er du sikker?\nD1: Ja.\n", encoding="utf-8")
    result = imported(project, key_access, directory, replace=True).imported[0]
    assert (result.codings_found_again, result.codings_still_orphaned) == (0, 1)
    with project.begin() as session:
        assert [o.id for o in list_orphaned(session)] == [short]


def test_codings_before_a_change_are_in_place_and_those_after_it_moved(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """Every placed coding was counted as "moved", also those whose offsets the change never touched."""
    text = "I: Hei.\nD1: Jeg likte kurset.\nI: Og så?\nD1: Jeg fikk jobb.\n"
    directory = folder(tmp_path, kurs=text)
    imported(project, key_access, directory)
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        for passage in ("Jeg likte kurset.", "Jeg fikk jobb."):
            add_coding(session, "kurs", "empowerment", coder, start=text.index(passage), end=text.index(passage) + len(passage))
    (directory / "kurs.txt").write_text(text.replace("Og så?", "Og hva skjedde så?"), encoding="utf-8")
    result = imported(project, key_access, directory, replace=True).imported[0]
    assert (result.codings_moved, result.codings_in_place, result.codings_orphaned) == (1, 1, 0)
    with project.begin() as session:
        summary = session.scalars(select(Event.summary).order_by(Event.id.desc())).first()
    assert summary is not None and "1 coding moved, 1 in place, 0 orphaned" in summary


def test_a_batch_stopped_by_ctrl_c_keeps_what_came_before_says_where_and_goes_on(
    project: Project, key_access: KeyAccess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A probe's Ctrl-C after 126 of 300 files printed only "Aborted!": now the batch keeps what was
    imported, says where it stopped, and the same import again goes on from there."""
    import qualcode.importers.service as service

    directory = folder(tmp_path, a=FIRST, b=SECOND, c=FIRST.replace("programmet", "tiltaket"))
    original = service._import_one
    calls = []

    def interrupted_at_the_second(*args: object, **kwargs: object) -> object:
        calls.append(args[1])
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "_import_one", interrupted_at_the_second)
    stopped = imported(project, key_access, directory)
    assert [item.name for item in stopped.imported] == ["a"]
    assert (stopped.interrupted, stopped.not_reached) == (directory / "b.txt", 1)
    monkeypatch.setattr(service, "_import_one", original)
    again = imported(project, key_access, directory)
    assert [item.name for item in again.imported] == ["b", "c"] and len(again.skipped) == 1


QUESTION_ANSWERS = (
    "Intervjuer: Hvor lenge har du jobbet her?\nL1: Ja. Det er et par år nå.\n"
    "Intervjuer: Er det press på måltall?\nL1: {answer} Det er et stort press fra {who} hver måned.\n"
    "Intervjuer: Hva sier du til veilederne?\nL1: Vi må nå måltallet. Det sier jeg på hvert eneste møte.\n"
    "Intervjuer: Og kommunen?\nL1: Det er et stort press fra kommunen hver måned, det også.\n"
)


@pytest.mark.parametrize(("excerpt", "answer", "who", "placed"), [
    # A probe: "Ja." changed to "Nei." took the "Ja." of the first answer, about years of service.
    ("Ja.", "Nei.", "fylket", None),
    # The same words coded in two answers, the first changed: they took the second's place, and
    # the second coding, its words untouched, was orphaned as a repeat.
    ("Vi må nå måltallet.", "Vi skulle nå måltallet.", "fylket", None),
    # A deleted sentence took a like one in a later answer, its words rewritten to "kommunen".
    ("Det er et stort press fra fylket hver måned.", "(uhørbart)", "", None),
])
def test_a_changed_passage_is_looked_for_where_its_lines_went_not_anywhere(
    excerpt: str, answer: str, who: str, placed: str | None,
) -> None:
    old = QUESTION_ANSWERS.format(answer="Ja." if excerpt == "Ja." else "Vi må nå måltallet.", who="fylket")
    new = QUESTION_ANSWERS.format(answer=answer, who=who) if who else old.replace(
        "Vi må nå måltallet. Det er et stort press fra fylket hver måned.", "(uhørbart)")
    start = old.index(excerpt, old.index("Er det press"))
    anchor = find_anchor(old, new, start, start + len(excerpt), LineMap(old, new))
    assert (new[anchor.start:anchor.end] if anchor else None) == placed


@pytest.mark.parametrize(("old", "excerpt", "new", "found"), [
    # A probe: the last word corrected to a longer one kept its old letters, "nå det|te".
    ("V1: vi skulle nå det.\nI: Ja.\n", "vi skulle nå det", "V1: vi skulle nå dette målet.\nI: Ja.\n", "vi skulle nå dette"),
    # Too unlike once the word is whole: kept for the review, not quoted as "med fravær".
    ("V1: For eksempel med fravær.\n", "For eksempel med fravær", "V1: For eksempel med fraværsreglene.\n", None),
])
def test_a_passage_is_never_placed_to_end_inside_a_longer_word(old: str, excerpt: str, new: str, found: str | None) -> None:
    start = old.index(excerpt)
    anchor = find_anchor(old, new, start, start + len(excerpt), LineMap(old, new))
    assert (new[anchor.start:anchor.end] if anchor else None) == found


def test_a_paragraph_moved_elsewhere_takes_its_coding_with_it() -> None:
    """Its words found far from where they were, with the words around them: a moved passage."""
    moved = "L1: Vi satt sammen og lagde handlingsplanen, og hun spurte hva jeg ville.\n"
    rest = "".join(f"I: Spørsmål {n}?\nL1: Svar nummer {n} om noe helt annet.\n" for n in range(30))
    old, new = moved + rest, rest + moved
    start = old.index("lagde handlingsplanen")
    anchor = find_anchor(old, new, start, start + len("lagde handlingsplanen"), LineMap(old, new))
    assert anchor is not None and anchor.start == new.index("lagde handlingsplanen")


def test_codings_a_replaced_text_left_no_place_are_named_by_status_and_every_export(demo: Path, tmp_path: Path) -> None:
    """A probe: a coding orphaned by a corrected text, its memo with it, left the report, the quote
    table, `status` and `--code`'s refusal without a word; only the .qdpx export named it."""
    from click.testing import CliRunner

    from qualcode.cli import cli
    from tests.conftest import SAMPLES

    def run(*args: str) -> str:
        return CliRunner().invoke(cli, ["--project", str(demo), *args]).output

    sentence = "Det blir litt tilfeldig hva folk får, og det er et problem."
    assert "added coding" in run("coding", "add", "veileder_V1", "skjønn", "--match", sentence, "--memo", "kapittel 5")
    corrected = tmp_path / "veileder_V1.txt"
    corrected.write_text((SAMPLES / "veileder_V1.txt").read_text(encoding="utf-8").replace(" " + sentence, ""), encoding="utf-8")
    assert "1 orphaned" in run("import", "--replace", str(corrected))
    assert "1 coding lost its place in a replaced text, kept for review" in run("status")
    assert "the project has no codings yet (hint: 1 coding of it lost its place in a replaced text" in run(
        "export", "report", "--output", str(tmp_path / "r.docx"))
    run("coding", "add", "leder_L1", "empowerment", "--match", "Jeg har sagt til veilederne at vi må nå måltallet før jul.")
    for export in (["export", "report", "--output", str(tmp_path / "r.docx")],
                   ["export", "quotes", "--format", "csv", "--output", str(tmp_path / "q.csv")]):
        assert "1 coding of this selection is left out: its passage is gone from a replaced text" in run(*export)
    assert "1 coding of it lost its place in a replaced text" in run("export", "report", "--code", "skjønn",
                                                                     "--output", str(tmp_path / "s.docx"))
    assert "left out" not in run("export", "report", "--code", "empowerment", "--output", str(tmp_path / "e.docx"))


def test_a_replace_that_links_other_participants_says_so(demo: Path, tmp_path: Path) -> None:
    """A probe: a typo fixed in a file whose front matter still named D1 undid `transcripts edit
    --participant D2`, and the import said nothing of it (only `history` did)."""
    from click.testing import CliRunner

    from qualcode.cli import cli
    from tests.conftest import SAMPLES

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--project", str(demo), *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("transcripts", "edit", "deltaker_D1_T1", "--participant", "D2")
    corrected = tmp_path / "deltaker_D1_T1.txt"
    corrected.write_text((SAMPLES / "deltaker_D1_T1.txt").read_text(encoding="utf-8").replace("handlingsplanen", "handlingsplan"),
                         encoding="utf-8")
    assert "participants D2 now D1, as the file names them" in run("import", "--replace", str(corrected))
    assert "now" not in run("import", "--replace", str(SAMPLES / "deltaker_D1_T1.txt")).split("moved")[-1]


def test_a_coding_placed_on_changed_words_is_named_with_its_words_before_and_now(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """A probe: codings moved onto like but other words ("fra fylket" now "fra kommunen") were only
    counted, and the log held no more than the count."""
    text = "I: Hei.\nV1: Ledelsen her var opptatt av at vi skulle nå det.\nI: Ja.\n"
    directory = folder(tmp_path, endret=text)
    imported(project, key_access, directory)
    passage = "Ledelsen her var opptatt av at vi skulle nå det"
    with project.begin() as session:
        coder = get_or_create_coder(session, "Forsker 1")
        coding = add_coding(session, "endret", "empowerment", coder, match=passage)
        coding_id, coding_guid = coding.id, coding.guid
    (directory / "endret.txt").write_text(text.replace("nå det.", "nå dette målet."), encoding="utf-8")
    result = imported(project, key_access, directory, replace=True).imported[0]
    assert result.codings_reworded == [(coding_id, passage, "Ledelsen her var opptatt av at vi skulle nå dette")]
    with project.begin() as session:
        logged = session.scalars(select(Event).where(Event.action == "transcript.replace")).all()[-1]
    assert logged.payload["after"]["codings_reworded"] == [
        {"guid": coding_guid, "id": coding_id, "before": passage, "after": result.codings_reworded[0][2]}]


def test_a_passage_coded_inside_a_word_keeps_its_place_when_other_lines_change() -> None:
    """The review of the word-edge rule: a coding made inside a word (--partial, REFI) was orphaned
    by any replace, its own line unchanged, as its ends were held to word edges it never had."""
    old = "A: Jeg fikk ingen hjelp på kontoret.\nB: Nei.\n"
    new = old.replace("B: Nei.", "B: Nei da.")
    for part in ("ngen hj", "kontor"):
        start = old.index(part)
        anchor = find_anchor(old, new, start, start + len(part), LineMap(old, new))
        assert anchor is not None and new[anchor.start:anchor.end] == part and anchor.start == new.index(part)


def test_a_changed_answer_never_takes_the_like_words_of_the_next_line(project: Project, key_access: KeyAccess, tmp_path: Path) -> None:
    """A probe: D5's "Ja." changed to "Nei." moved its coding onto the interviewer's "Ja." on the
    next line, an unchanged line the old text held as it was, and the output said "1 coding moved"."""
    old = "I: Var det bra?\nD5: Ja.\nI: Ja. Fortsett.\nD5: Det var fint.\n"
    directory = folder(tmp_path, deltaker_D5_T1=old)
    imported(project, key_access, directory)
    with project.begin() as session:
        answer = add_coding(session, "deltaker_D5_T1", "empowerment", get_or_create_coder(session, "Forsker 1"),
                            start=old.index("Ja."), end=old.index("Ja.") + 3).id
    (directory / "deltaker_D5_T1.txt").write_text(old.replace("D5: Ja.", "D5: Nei."), encoding="utf-8")

    result = imported(project, key_access, directory, replace=True).imported[0]

    assert (result.codings_moved, result.codings_orphaned) == (0, 1)
    assert [orphan.id for orphan in list_orphaned_in(project)] == [answer]


def list_orphaned_in(project: Project):  # type: ignore[no-untyped-def]
    with project.begin() as session:
        return list_orphaned(session)


def test_a_whole_answer_coded_moves_with_its_paragraph() -> None:
    """A probe: a paragraph moved to the top kept the coding of a few words inside it, and
    orphaned the coding of its whole answer: the words after it, beyond its paragraph, had not moved."""
    answer = "Jeg traff andre i samme situasjon, det ga meg et fellesskap."
    moved = f"I: Og kursene?\nD1: Kursene var bra. {answer}\n\n"
    rest = "".join(f"I: Spørsmål {n}?\nD1: Svar nummer {n} om noe helt annet.\n\n" for n in range(5))
    last = "I: Noe mer?\nD1: Ja. Veilederen ringte meg hver uke, det betydde mye for meg.\n"
    old, new = rest + moved + last, moved + rest + last
    start = old.index(answer)
    anchor = find_anchor(old, new, start, start + len(answer), LineMap(old, new))
    assert anchor is not None and new[anchor.start:anchor.end] == answer and anchor.start == new.index(answer)


def test_ctrl_c_between_two_files_of_a_batch_says_where_it_stopped(
    project: Project, key_access: KeyAccess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python takes Ctrl-C where a loop turns too, between one file's try and the next's: there the
    batch's handling was passed by, and a fresh clone's run of the suite saw a bare "Aborted!"."""
    import qualcode.importers.service as service

    directory = folder(tmp_path, a="I: Hei.\nD1: Første.\n", b="I: Hei.\nD1: Andre.\n", c="I: Hei.\nD1: Tredje.\n")
    listed = service.expand_paths([directory])

    class PressedAfterTwo(list[Path]):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield from listed[:2]
            raise KeyboardInterrupt

    monkeypatch.setattr(service, "expand_paths", lambda paths: PressedAfterTwo(listed))
    result = import_paths(project, [directory], key_access, ImportOptions(), "Forsker 1")
    assert len(result.imported) == 2 and result.interrupted == listed[2] and result.not_reached == 0


SWAPPED = """I: Hvordan kom du inn i programmet?
D1: Mm.
D1: Veilederen foreslo det, og jeg fikk være med og bestemme handlingsplanen.

I: Hva betydde det?
D1: Mm.
D1: Jeg fikk mer selvtillit, og nå tror jeg på meg selv.
"""


def test_a_whole_answer_that_swapped_places_with_the_mm_before_it_keeps_its_coding(
    project: Project, key_access: KeyAccess, tmp_path: Path,
) -> None:
    """The answer and its "Mm." swapped in a corrected transcript: the answer's lines were a deletion
    and an insertion, and its context stopped at its paragraph's end, which the "Mm." now stands
    before; the words, said once in both texts, were there, and the coding was orphaned."""
    directory = folder(tmp_path, deltaker_D1_T1=SWAPPED)
    imported(project, key_access, directory)
    answer = "Veilederen foreslo det, og jeg fikk være med og bestemme handlingsplanen."
    whole = code(project, "deltaker_D1_T1", "empowerment", answer)
    swapped = SWAPPED.replace(f"D1: Mm.\nD1: {answer}\n", f"D1: {answer}\nD1: Mm.\n")
    (directory / "deltaker_D1_T1.txt").write_text(swapped, encoding="utf-8")
    result = imported(project, key_access, directory, replace=True).imported[0]
    assert result.codings_orphaned == 0
    with project.begin() as session:
        kept = session.get(Coding, whole)
        assert kept is not None and kept.orphaned_at is None and kept.excerpt == answer
        assert kept.start == swapped.index(answer) and kept.text_version_id == kept.transcript.current_version_id
