"""Withdrawal of consent: remove every trace of a participant's words, keep only the fact."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qualcode.anonymise.key import KeyEntry, PseudonymKey
from qualcode.anonymise.names import (
    NAMED_BY_KEY,
    first_kept_name,
    kept_name,
    named_under_earlier_keys,
    unrecorded_reviewers,
)
from qualcode.anonymise.rewrite import Span, rewrite_current_text
from qualcode.anonymise.service import replaced_key
from qualcode.anonymise.their_names import TheirNames
from qualcode.coding.transcripts import interviewer_speakers
from qualcode.errors import ImportFailed, InvalidInput, NotFound
from qualcode.search.index import purge_index, unindex_turns
from qualcode.store.attribute_names import rename_in_states
from qualcode.store.bulk import in_values
from qualcode.store.events import EventKind, record_event
from qualcode.store.lookup import LineIndex, find_participant
from qualcode.store.models import (
    AttributeDefinition,
    Code,
    Coder,
    Coding,
    Event,
    FrameworkSummary,
    Memo,
    Participant,
    ParticipantAttribute,
    TextVersion,
    Transcript,
    TranscriptAttribute,
    TranscriptParticipant,
    Turn,
)
from qualcode.store.withdrawals import (
    WITHDRAWN_FROM,
    WITHDRAWN_ID,
    WITHDRAWN_NAMES,
    WITHDRAWN_SAID,
    WITHDRAWN_SOURCES,
    source_hashes,
    withdrawal_records,
)
from qualcode.text.counts import counted
from qualcode.text.speakers import is_interviewer, is_known_label
from qualcode.text.tokens import WORD

WITHDRAWN = "[trukket tilbake]"


@dataclass(frozen=True)
class Withdrawal:
    transcripts_removed: int
    turns_redacted: int
    codings_removed: int
    key_entries_removed: int
    # Transcripts where an edit gave the participant's turns to someone else: kept, for the researcher to check.
    given_to_others: tuple[str, ...] = ()
    # Memos, summaries and log entries where a quote of their words became "[trukket tilbake]".
    quotes_redacted: int = 0
    # Files in the project's folder (exports/, or where an --output put them) that quote them: the project cannot change those.
    files_quoting: tuple[str, ...] = ()
    # Backups deleted because they held their words (by file name), the researcher's own too.
    backups_deleted: tuple[str, ...] = ()
    # Codings removed that held others' words too (a passage over their turn and the next speaker's),
    # each said as "transcript: code by coder, line N", for their coders to code the rest again.
    spanning_others: tuple[str, ...] = ()
    # Not in the project (withdrawn earlier): only the identifiers named became digests.
    already_gone: bool = False
    # Their own comments on drafts, which a review import had brought in under their pseudonym.
    comments_removed: int = 0
    # Texts of the researchers' own where their pseudonym became "[trukket tilbake]": memos (a coding's
    # too), framework summaries and the codebook's texts, and log entries (NAMED_KINDS).
    names_redacted: tuple[tuple[str, int], ...] = ()
    # A part of their pseudonym that is an everyday word too ("Per", "Strand"), kept where a sentence
    # begins with it: there it may be the word. Said, for the researcher to read those texts again.
    names_kept: tuple[str, ...] = ()
    # Their words, to find the files that quote them (Quotes.files_quoting) once the change is committed.
    quotes: Quotes | None = field(default=None, compare=False, repr=False)
    # Their id as the project held it ("D4" for `withdraw d4`), for what is said of them.
    participant: str = ""
    # Withdrawn with no key (`key destroy` took it): the comments on drafts left by reviewers a review
    # import named by the key, which the key alone linked to a participant, as "N by NAME" each.
    comments_unlinked: tuple[str, ...] = ()
    # The day `key destroy` ran, when the withdrawal was done without the key.
    key_destroyed: str = ""
    # Done with a key made in place of an earlier one (`key destroy` or --lost, then `key new`): how that
    # key went ("destroyed on DAY", "lost"); `comments_unlinked` then names the comments under names it gave.
    earlier_key: str = ""
    # Attributes no one held a value of once theirs went (one named for them, "barn_Per"), taken away:
    # left, each was listed and offered in analysis with no values.
    attributes_removed: int = 0

    # Said by `participants withdraw` and by the withdrawal again that a restore of an older backup
    # brings, in the same words.
    def removed(self) -> str:
        """What it removed from the project, in one clause."""
        attributes = f" and {counted(self.attributes_removed, 'attribute')} no one else held" if self.attributes_removed else ""
        return (f"removed {counted(self.transcripts_removed, 'transcript')}, redacted {counted(self.turns_redacted, 'turn')}"
                f" in group interviews, removed {counted(self.codings_removed, 'coding')}{attributes}")

    def names_said(self) -> str:
        """Where their pseudonym was taken out of the researchers' texts, in one clause; empty when nowhere."""
        said = [counted(count, *NAMED_KINDS[kind]) for kind, count in self.names_redacted if count]
        where = " and ".join([", ".join(said[:-1]), said[-1]] if len(said) > 1 else said)
        became = f"their pseudonym became {WITHDRAWN!r} in {where} (the rest of each text is kept)" if said else ""
        if not self.names_kept:
            return became
        kept = (f"{' and '.join(repr(word) for word in self.names_kept)} of their pseudonym"
                f" {'was' if len(self.names_kept) == 1 else 'were'} kept where a sentence begins with it, an everyday word"
                " there too: read your memos and summaries that begin so (`qualcode memo list`)")
        return f"{became}; {kept}" if became else kept

    def backups_said(self) -> str:
        """The backups it deleted (the file rebuilt takes a fresh one then), in one clause; empty when none."""
        if not self.backups_deleted:
            return ""
        return (f"deleted {counted(len(self.backups_deleted), 'backup')} that held their words"
                f" ({', '.join(self.backups_deleted)}); a fresh backup was taken")


def as_digests(count: int) -> str:
    """"1 of their identifiers is kept only as a digest", "2 … are … digests": how many of a withdrawn
    participant's identifiers left the key for one-way digests, as every message says it."""
    return counted(count, "of their identifiers is kept only as a digest", "of their identifiers are kept only as digests")


def withdraw_participant(
    session: Session, ref: str, key: PseudonymKey | None, coder: Coder | None = None, identifiers: Sequence[str] = (),
) -> Withdrawal:
    """Delete the participant's transcripts, redact their turns in group transcripts, and purge.

    The participant's own identifiers (key entries marked as theirs, and `identifiers` named by
    the researcher) leave the key as salted digests, so a later import that mentions them still
    replaces them; everyone else's entries stay as they are, so no later import is less safe.
    Their sentences quoted in memos, framework summaries or the log become "[trukket tilbake]", and
    so does their pseudonym (TheirNames: whole, and the parts that are theirs alone) written there;
    the result's `quotes` find the files that quote them (Quotes.files_quoting), which the caller
    looks for once the change is committed and the key's lock let go: reading files is slow.
    The caller commits, then calls Project.purge() so no deleted page survives in the file.

    A participant no longer in the project (withdrawn before, without their identifiers named)
    has the `identifiers` named now turned into digests, and nothing else happens.

    With `key` None (`key destroy` took the key, and every identifier of theirs with it) all the
    project holds of them goes as above, and no `identifiers` may be named: there is no key to keep
    their digests in. Their comments on drafts, kept under a pseudonym only the key linked to them,
    cannot be told from other reviewers': those are counted (`comments_unlinked`), not deleted.
    """
    # A key made since an earlier one went holds only what it learned since: the names a review import
    # gave under the earlier key (events before this one) link to no one now, as after `key destroy`.
    earlier_key = replaced_key(session) if key is not None else None
    if key is None and identifiers:
        raise InvalidInput("identifiers cannot be named without the key: there is none to keep their digests in",
                           "withdraw them without --identifier")
    try:
        participant = find_participant(session, ref)
    except NotFound:
        # Only one who did withdraw: an id mistyped turned whatever was named into digests. And only
        # their own identifiers, as when they were here: someone else's would lose their pseudonym for good.
        earlier = [after for after in withdrawal_records(session) if str(after.get(WITHDRAWN_ID) or "").casefold() == ref.strip().casefold()]
        if earlier and not identifiers:  # withdrawn twice: "no participant" sent them looking for a mistyped id
            raise NotFound(
                f"{earlier[0][WITHDRAWN_ID]} withdrew consent earlier: nothing of theirs is left in the project; nothing was changed",
                f"to turn identifiers of theirs the key still holds into digests: `qualcode participants withdraw"
                f" {earlier[0][WITHDRAWN_ID]} --identifier NAME`" if key is not None else None,
            ) from None
        if not identifiers or not earlier or key is None:
            raise
        name = str(earlier[0][WITHDRAWN_ID])
        _refuse_others_identifiers(name, {str(transcript) for after in earlier for transcript in after.get(WITHDRAWN_FROM, ())},
                                   key, identifiers)
        named = {identifier.casefold() for identifier in identifiers}
        their_names = _their_names(session, key, lambda entry: entry.original.casefold() in named, name)
        denied = _deny(key, identifiers, lambda entry: False, earlier_key)
        gone_names = _by_kind(_redact_names(session, key, their_names)[0])
        record_event(session, kind=EventKind.PARTICIPANT_WITHDRAW, coder=coder,
                     summary="identifiers of a participant who withdrew earlier were turned into digests")
        _remember_their_names(key, name, their_names)
        return Withdrawal(0, 0, 0, denied, already_gone=True, participant=name, names_redacted=gone_names,
                          names_kept=tuple(sorted(their_names.kept)))
    named = {identifier.casefold() for identifier in identifiers}
    # Their pseudonym, read before their entries become digests: memos and the rest that name them lose it.
    their_names = _their_names(session, key, lambda entry: entry.participant == participant.name or entry.original.casefold() in named,
                               participant.name) \
        if key is not None else TheirNames((), (), WITHDRAWN)
    if key is not None:
        _refuse_others_identifiers(participant.name, {link.transcript.name for link in session.scalars(
            select(TranscriptParticipant).where(TranscriptParticipant.participant_id == participant.id))}, key, identifiers)
    gone_guids: set[str] = {participant.guid}
    said: list[str] = []  # what they said, held only in memory, to find quotes of it elsewhere
    spanning: list[str] = []  # codings removed that held others' words too
    removed_names: list[str] = []
    redacted = 0
    redacted_in: list[str] = []  # group interviews their turns were taken out of, where their identifiers may have been seen
    codings_removed = 0
    unlinked, given_to_others = _taken_off_by_edits(session, participant)
    links = session.scalars(select(TranscriptParticipant).where(TranscriptParticipant.participant_id == participant.id)).all()
    _refuse_unattributed(session, participant, [link.transcript for link in links], unlinked)
    sources: list[str] = []  # the files their own transcripts came from (each version), so an import never brings them back
    theirs_defined = _attributes_of(session, participant, [link.transcript_id for link in links] + list(unlinked))
    for link in links:
        transcript = link.transcript
        others = [other for other in transcript.participant_links if other.participant_id != participant.id]
        if others:
            count, removed = _redact(session, transcript, participant.id, unlinked.pop(transcript.id, None), gone_guids, said,
                                     spanning)
            redacted += count
            redacted_in.append(transcript.name)
            codings_removed += removed
        else:
            unlinked.pop(transcript.id, None)
            sources += source_hashes(session, transcript.guid, transcript.source_hash)
            codings_removed += _delete_transcript(session, transcript, participant.id, gone_guids, said)
            removed_names.append(transcript.name)
    for transcript_id, once_theirs in unlinked.items():
        transcript = session.get_one(Transcript, transcript_id)
        if once_theirs.alone and not transcript.participant_links:  # their interview, left to no one
            sources += source_hashes(session, transcript.guid, transcript.source_hash)
            codings_removed += _delete_transcript(session, transcript, participant.id, gone_guids, said)
            removed_names.append(transcript.name)
            continue
        count, removed = _redact(session, transcript, participant.id, once_theirs, gone_guids, said, spanning)
        redacted += count
        redacted_in.append(transcript.name)
        codings_removed += removed
    # Their own comments on drafts, brought back by `review import` under their pseudonym as a reviewer's name.
    comments_removed = _delete_their_comments(session, key, participant, identifiers, their_names, gone_guids, said) \
        if key is not None else 0
    # Their framework summaries go with them (the database cascades), and so does the log of them.
    gone_guids.update(session.scalars(select(FrameworkSummary.guid).where(FrameworkSummary.participant_id == participant.id)))
    # A decision recorded as an event of its own (coding/consensus.py) has no row; its event names the deleted transcript.
    gone_guids.update(_decisions_on(session, gone_guids))
    session.execute(delete(Event).where(in_values(Event.entity_guid, gone_guids)))
    session.delete(participant)
    session.flush()
    attributes_removed = _remove_unheld(session, theirs_defined)
    quotes = Quotes(said)
    remaining = session.scalars(select(TextVersion.text).join(Transcript, Transcript.current_version_id == TextVersion.id))
    quotes_redacted = quotes.not_in(remaining).redact_stored(session)
    # Their pseudonym in the researchers' own texts (a memo on the project, on a code, on another's
    # interview) and in the transcripts' names and titles: the text is the researcher's and stays, and
    # only the name goes, as their turns do.
    names_changed, renamed = _redact_names(session, key, their_names)
    names_redacted = _by_kind(names_changed)
    redacted_in = [renamed.get(name, name) for name in redacted_in]
    given_to_others = {renamed.get(name, name) for name in given_to_others}
    spanning = [next((renamed[old] + said[len(old):] for old in renamed if said.startswith(f"{old}: ")), said) for said in spanning]
    purge_index(session)
    # Theirs too: a number, an address or an e-mail the key saw only in interviews of theirs now
    # deleted (their fødselsnummer, where they live) stayed in the key in clear.
    deleted = set(removed_names)
    denied = 0
    if key is not None:
        denied = _deny(key, identifiers, lambda entry: entry.participant == participant.name or (
            entry.kind in OWN_KINDS and bool(entry.seen_in) and set(entry.seen_in) <= deleted), earlier_key)
        for entry in key.entries:
            entry.seen_in = [name for name in entry.seen_in if name not in removed_names]
        _remember_their_names(key, participant.name, their_names)
    record_event(
        session, kind=EventKind.PARTICIPANT_WITHDRAW, coder=coder,
        after={WITHDRAWN_ID: participant.name, WITHDRAWN_SOURCES: sorted(set(sources)), WITHDRAWN_FROM: sorted(set(redacted_in)),
               WITHDRAWN_NAMES: dict(names_redacted), WITHDRAWN_SAID: _said_digests(session, key, said) if key is not None else []},
        summary="a participant withdrew consent; their transcripts, turns, codings and memos were removed",
    )
    return Withdrawal(
        len(removed_names), redacted, codings_removed, denied, tuple(sorted(given_to_others - set(removed_names))), quotes_redacted,
        spanning_others=tuple(spanning), quotes=quotes, comments_removed=comments_removed, participant=participant.name,
        names_redacted=names_redacted, names_kept=tuple(sorted(their_names.kept)),
        comments_unlinked=_comments_named_by_key(session) if key is None else (
            _comments_named_by_key(session, earlier_key[0]) if earlier_key is not None else ()),
        earlier_key=earlier_key[1] if earlier_key is not None else "", attributes_removed=attributes_removed,
    )


def _attributes_of(session: Session, participant: Participant, transcript_ids: Sequence[int]) -> set[int]:
    """The attribute definitions the participant, or a transcript of theirs, holds a value of."""
    return {*session.scalars(select(ParticipantAttribute.definition_id).where(ParticipantAttribute.participant_id == participant.id)),
            *session.scalars(select(TranscriptAttribute.definition_id).where(in_values(TranscriptAttribute.transcript_id, transcript_ids)))}


def _remove_unheld(session: Session, definition_ids: set[int]) -> int:
    """Delete those of the definitions no participant or transcript holds a value of any longer, as
    undo takes back an attribute its edit defined (coding/history.py); how many. A later undo of an
    edit that set one defines it again, with its type, as that undo does."""
    unheld = [definition_id for definition_id in sorted(definition_ids)
              if session.scalar(select(ParticipantAttribute.id).where(ParticipantAttribute.definition_id == definition_id).limit(1)) is None
              and session.scalar(select(TranscriptAttribute.id).where(TranscriptAttribute.definition_id == definition_id).limit(1)) is None]
    for definition in session.scalars(select(AttributeDefinition).where(in_values(AttributeDefinition.id, unheld))):
        session.delete(definition)
    session.flush()
    return len(unheld)


# The texts of the project's own that may quote or name a withdrawn participant, by what they are
# said as: the kind, and its name in the singular and the plural.
NAMED_KINDS = {"memo": ("memo", "memos"), "summary": ("framework summary", "framework summaries"),
               "code": ("code's definition or example", "codes' definitions and examples"),
               "transcript": ("transcript's name, file name or title", "transcripts' names, file names and titles"),
               "attribute": ("attribute's name", "attributes' names"),
               "log": ("log entry", "log entries")}
_STORED_TEXTS: tuple[tuple[type, tuple[str, ...], str], ...] = (
    (Memo, ("title", "text"), "memo"), (Coding, ("memo",), "memo"), (FrameworkSummary, ("text",), "summary"),
    # A code's example is often a quote, and a definition may quote or name someone too.
    (Code, ("definition", "inclusion", "exclusion", "example"), "code"),
    (Event, ("summary", "payload"), "log"),
)


def redact_stored(session: Session, change: Callable[[str], str]) -> Counter[str]:
    """Apply `change` to the texts people wrote in memos, coding memos, framework summaries, the codebook's
    texts and the log (a log entry's GUIDs, hashes and ids left as they are); rows changed, by NAMED_KINDS."""
    from qualcode.anonymise.typed_text import map_written

    changed: Counter[str] = Counter()
    for model, columns, kind in _STORED_TEXTS:
        row: object
        for row in session.scalars(select(model)):
            row_changed = False
            for column in columns:
                value = getattr(row, column)
                redacted = map_written(value, change)
                if redacted != value:
                    setattr(row, column, redacted)
                    row_changed = True
            changed[kind] += row_changed
    return changed


def _by_kind(changed: Counter[str]) -> tuple[tuple[str, int], ...]:
    """Rows changed, in the order NAMED_KINDS says them, those of no row left out."""
    return tuple((kind, changed[kind]) for kind in NAMED_KINDS if changed[kind])


# Their pseudonym in a transcript's or its file's name, which commands are typed with: joined as a name's words are.
WITHDRAWN_IN_NAMES = "trukket_tilbake"
_NAME_LENGTH = 200  # as long as a transcript's name may be (store.models.Transcript.name)


def _redact_transcripts(session: Session, their_names: TheirNames) -> tuple[int, dict[str, str], dict[str, str]]:
    """Take their pseudonym out of the names, file names and titles of the transcripts that stay (a group
    interview of theirs named by it, "gruppe_Malin_Jacobsen", lists, exports and the log named them by it
    still): how many transcripts changed, the names changed (old to new), each unique as names are, and
    the file names changed (old to new), which the log names imports by."""
    from qualcode.anonymise.reapply import renamed_in

    transcripts = session.scalars(select(Transcript).order_by(Transcript.name)).all()
    taken = {transcript.name.casefold() for transcript in transcripts}
    renamed, files = {}, {}
    before = {transcript.id: (transcript.name, transcript.title, transcript.source_filename) for transcript in transcripts}
    for transcript in transcripts:
        if transcript.source_filename:
            source = their_names.redact(transcript.source_filename, WITHDRAWN_IN_NAMES, any_case=True)
            if source != transcript.source_filename:
                files[transcript.source_filename] = transcript.source_filename = source
        name = their_names.redact(transcript.name, WITHDRAWN_IN_NAMES, any_case=True)
        if name != transcript.name:
            taken.discard(transcript.name.casefold())
            suffixes = ("", *(f"-{number}" for number in range(2, len(taken) + 3)))
            unique = next(new for suffix in suffixes if (new := name[:_NAME_LENGTH - len(suffix)] + suffix).casefold() not in taken)
            taken.add(unique.casefold())
            renamed[transcript.name] = transcript.name = unique
    for transcript in transcripts:  # a title naming a transcript renamed names it anew, as a memo does
        if transcript.title:
            transcript.title = their_names.redact(renamed_in(transcript.title, files | renamed))
    changed = sum((transcript.name, transcript.title, transcript.source_filename) != before[transcript.id] for transcript in transcripts)
    session.flush()
    return changed, renamed, files


def _redact_names(session: Session, key: PseudonymKey | None, their_names: TheirNames) -> tuple[Counter[str], dict[str, str]]:
    """Their pseudonym taken out of the researchers' texts (redact_stored) and of the transcripts' names and
    titles, the log and the key naming those transcripts anew first: rows changed by NAMED_KINDS, and the
    transcripts renamed (old name to new)."""
    from qualcode.anonymise.reapply import rename_in_log, renamed_in

    if not their_names:
        return Counter(), {}
    transcripts, renamed, files = _redact_transcripts(session, their_names)
    names = files | renamed
    if names:  # written in lower case, as file names are, the log's text would keep them
        rename_in_log(session, names)
    if renamed:
        if key is not None:  # where the key saw each identifier, which a later withdrawal reads
            key.transcripts_renamed(renamed)
    changed = Counter({"attribute": _redact_attribute_names(session, their_names)})
    # A memo naming a renamed transcript or file names it by its new name, as the log does ("gruppe_trukket_tilbake",
    # not "gruppe_[trukket tilbake]"); the rest of their pseudonym in it becomes the placeholder.
    changed.update(redact_stored(session, lambda text: their_names.redact(renamed_in(text, names))))
    changed["transcript"] += transcripts
    return changed, renamed


_ATTRIBUTE_NAME_LENGTH = 100  # as long as an attribute's name may be (store.models.AttributeDefinition.name)


def _redact_attribute_names(session: Session, their_names: TheirNames) -> int:
    """Take their pseudonym out of the names of the attributes that stay, held by someone else ("notat_"
    and their pseudonym, which D2 holds too), each unique among its kind's as names are, and name them so
    in the log (whose states name attributes, for undo to put back): how many were renamed. Read in any
    case: `participants edit` stores a typed name in lower case."""
    definitions = session.scalars(select(AttributeDefinition).order_by(AttributeDefinition.id)).all()
    renamed: dict[str, dict[str, str]] = {}
    for definition in definitions:
        name = their_names.redact(definition.name, WITHDRAWN_IN_NAMES, any_case=True)
        if name == definition.name:
            continue
        taken = {other.name.casefold() for other in definitions if other.applies_to == definition.applies_to and other is not definition}
        suffixes = ("", *(f" ({number})" for number in range(2, len(taken) + 3)))
        unique = next(new for suffix in suffixes
                      if (new := name[:_ATTRIBUTE_NAME_LENGTH - len(suffix)].strip() + suffix).casefold() not in taken)
        renamed.setdefault(definition.applies_to, {})[definition.name] = definition.name = unique
    if renamed:
        session.flush()
        _rename_attributes_in_log(session, renamed)
    return sum(len(names) for names in renamed.values())


def _rename_attributes_in_log(session: Session, renamed: dict[str, dict[str, str]]) -> None:
    """The log's entries naming attributes by their new names (`renamed`: old to new, by what they apply to):
    in their words, and as the keys of the states a participant's or transcript's change keeps."""
    from qualcode.anonymise.reapply import rename_in_log

    rename_in_log(session, {old: new for names in renamed.values() for old, new in names.items()})
    rename_in_states(session, renamed)


def _their_names(session: Session, key: PseudonymKey, theirs: Callable[[KeyEntry], bool], participant: str = "") -> TheirNames:
    """The withdrawn participant's pseudonyms (the key's entries `theirs` chooses, and those the key kept
    from an earlier withdrawal of `participant`) as texts write them, less what another's pseudonym or a
    colleague's name shares. A reviewer a review import named by the key is no colleague: their name is a
    pseudonym, the key's, and is among the others' when it is not theirs."""
    reviewers = {reviewer.id for reviewer in _reviewers_named_by_key(session)}
    colleagues = [coder.name for coder in session.scalars(select(Coder)) if coder.id not in reviewers]
    others = [entry.pseudonym for entry in key.entries if not theirs(entry) and entry.kind == "person"]
    # A restore of a backup from before they withdrew brings their pseudonym back into memos, and the
    # key's entries that named it are digests by then: the key keeps the pseudonym for this.
    earlier = [KeyEntry("", "person", pseudonym) for pseudonym in key.withdrawn_names.get(participant.casefold(), ())]
    return TheirNames([entry for entry in key.entries if theirs(entry)] + earlier, others + colleagues, WITHDRAWN)


def _remember_their_names(key: PseudonymKey, participant: str, their_names: TheirNames) -> None:
    """Keep in the key the pseudonyms of theirs a withdrawal took out of the project's texts (not who they
    are: the entries that said so are digests now), by participant id, so a withdrawal again takes them too."""
    pseudonyms = their_names.pseudonyms
    if pseudonyms:
        held = key.withdrawn_names.get(participant.casefold(), [])
        key.withdrawn_names[participant.casefold()] = sorted({*held, *pseudonyms})


def _decisions_on(session: Session, gone: set[str]) -> set[str]:
    """The entity GUIDs of consensus decisions recorded as events of their own (to keep neither passage, or one
    the consensus coder coded already) on a deleted transcript, or made on a coding that went with the
    participant's words: in a group interview, which stays, such a decision about their passage was left
    behind at its old offsets, and listed as a stale decision on the words of whoever speaks there now."""
    decisions = session.execute(select(Event.entity_guid, Event.payload).where(
        Event.action.in_((EventKind.CONSENSUS_NEITHER.value, EventKind.CONSENSUS_KEEP.value)))).all()
    found = set()
    for guid, payload in decisions:
        after, fields = (payload or {}).get("after") or {}, (payload or {}).get("consensus") or {}
        basis = {*str(fields.get("a_codings") or "").split(), *str(fields.get("b_codings") or "").split()}
        basis.add(str(after.get("coding_guid") or ""))
        if guid is not None and (str(after.get("transcript_guid")) in gone or basis & gone):
            found.add(guid)
    return found


def _reviewers_named_by_key(session: Session, before: int | None = None) -> list[Coder]:
    """Reviewers a review import named so from a name the key replaced (an informant's, by their
    pseudonym), those named before the event `before` alone when given (by a key gone since): a
    colleague on the team whose name a pseudonym happens to be is not among them."""
    made_so = select(Event.entity_guid).where(
        Event.action == EventKind.CODER_CREATE.value, Event.payload[("after", "origin")].as_string() == NAMED_BY_KEY)
    if before is not None:
        made_so = made_so.where(Event.id < before)
    return list(session.scalars(select(Coder).where(Coder.guid.in_(made_so)).order_by(Coder.name)))


def _comments_named_by_key(session: Session, before: int | None = None) -> tuple[str, ...]:
    """The comments on drafts still kept under a name the key gave (a key gone by the event `before`,
    when given), as "N by NAME" for each reviewer."""
    said = []
    for reviewer in _reviewers_named_by_key(session, before):
        comments = len(session.scalars(select(Memo.id).where(
            Memo.author_id == reviewer.id, Memo.source.like("review:%"))).all())  # one removed is still kept, in the log too
        if comments:
            said.append(f"{comments} by {reviewer.name}")
    return tuple(said)


def _delete_their_comments(
    session: Session, key: PseudonymKey, participant: Participant, identifiers: Sequence[str], their_names: TheirNames,
    gone: set[str], said: list[str],
) -> int:
    """Delete the comments the participant wrote on drafts (memos a review import made under their
    name, which the key replaced by their pseudonym); what they said there is looked for elsewhere
    as their other words are. A coder of that name who wrote nothing else is deleted too."""
    named = {identifier.casefold() for identifier in identifiers}
    # The names their comments were kept under: their pseudonym, or an address's placeholder and digits.
    taken = named_under_earlier_keys(session)  # another's, under a key before this one: never taken for theirs
    theirs = [entry.original for entry in key.entries if entry.participant == participant.name or entry.original.casefold() in named]
    names = {kept_name(original, key, "withdrawal", taken)[0] for original in theirs}
    # A reviewer a version that kept none in the key brought in under an address's four digits is theirs too (that
    # version gave every address of those digits that name), until an import finds whose comments they hold.
    unrecorded = unrecorded_reviewers(session, key)
    names |= {first for original in theirs if (first := first_kept_name(original, key, "withdrawal")) in unrecorded}
    if not names and not their_names:
        return 0
    # Only reviewers a review import named so from a name the key replaced: a colleague on the team
    # whose name a pseudonym happens to be (a coder added as "Thor") keeps their comments. Word's
    # author may be a part of their name ("Sissel", kept as "Malin"), or have an initial ("Sissel B."):
    # such a name is theirs when it is no one else's (TheirNames), as it is in a memo.
    reviewers = [coder for coder in _reviewers_named_by_key(session) if coder.name in names or their_names.names(coder.name)]
    memos = list(session.scalars(select(Memo).where(
        Memo.author_id.in_([reviewer.id for reviewer in reviewers]), Memo.source.like("review:%"))))
    for memo in memos:
        gone.add(memo.guid)
        said.append(memo.text)
        session.delete(memo)
    session.flush()
    for reviewer in reviewers:
        wrote = session.scalar(select(Memo.id).where(Memo.author_id == reviewer.id).limit(1))
        coded = session.scalar(select(Coding.id).where(Coding.coder_id == reviewer.id).limit(1))
        summed = session.scalar(select(FrameworkSummary.id).where(FrameworkSummary.updated_by_id == reviewer.id).limit(1))
        if wrote is None and coded is None and summed is None:  # only a reviewer: their name and their log go too
            gone.add(reviewer.guid)
            session.execute(delete(Event).where(Event.coder_id == reviewer.id))
            session.delete(reviewer)
    return len(memos)


# A quote is found by its sentences, and by the coded passages exports quote whole; shorter ones
# ("Ja, det var bra.") are said by many people.
QUOTED_LENGTH = 20
_PREFIX = 12
_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD_START = re.compile(r"\b\w")
# What a quotation may add or leave off around a sentence: quotation marks, brackets, the final stop.
_AROUND = " \t\n«»\"'“”‘’„.,;:!?…()[]–—-"


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` in lower case with each run of white space one space, and for each of its characters
    the position in `text` it came from: how a quote is found however it was copied."""
    out: list[str] = []
    where: list[int] = []
    for position, character in enumerate(text):
        if character.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(position)
            continue
        lower = character.lower()
        out.append(lower if len(lower) == 1 else character)
        where.append(position)
    return "".join(out), where


class Quotes:
    """Finds a withdrawn participant's words in other text, in one pass over it: their sentences,
    and passages coded on them, in any case and spacing, with or without quotation marks."""

    def __init__(self, said: Iterable[str]) -> None:
        pieces = {_folded(piece.strip(_AROUND))[0] for text in said for piece in [text, *_SENTENCES.split(text)]}
        self._by_start: dict[str, list[str]] = {}
        for piece in sorted((p for p in pieces if len(p) >= QUOTED_LENGTH), key=len, reverse=True):
            self._by_start.setdefault(piece[:_PREFIX], []).append(piece)

    def redact(self, text: str) -> str:
        if not self._by_start:
            return text
        folded, where = _folded(text)
        out: list[str] = []
        position = 0  # in `text`
        reached = 0  # in `folded`
        for match in _WORD_START.finditer(folded):
            start = match.start()
            if start < reached:
                continue
            for piece in self._by_start.get(folded[start:start + _PREFIX], ()):
                if folded.startswith(piece, start):
                    out += [text[position:where[start]], WITHDRAWN]
                    reached = start + len(piece)
                    position = where[reached - 1] + 1
                    break
        return "".join(out) + text[position:] if out else text

    def found_in(self, text: str) -> set[str]:
        """Which of the quotes `text` holds (folded as they are)."""
        folded = _folded(text)[0]
        return {
            piece for match in _WORD_START.finditer(folded)
            for piece in self._by_start.get(folded[match.start():match.start() + _PREFIX], ()) if folded.startswith(piece, match.start())
        }

    def not_in(self, texts: Iterable[str]) -> Quotes:
        """These quotes less those the project's remaining texts still hold (someone else said the same):
        replacing those would hide nothing, and would take from the record of others' work."""
        present: set[str] = set()
        for text in texts:
            present |= self.found_in(text)
        kept = Quotes(())
        for start, pieces in self._by_start.items():
            if left := [piece for piece in pieces if piece not in present]:
                kept._by_start[start] = left
        return kept

    def redact_stored(self, session: Session) -> int:
        """Replace quotes in memos, coding memos, framework summaries, the codebook's texts and the log; rows changed."""
        return sum(redact_stored(session, self.redact).values())

    def files_quoting(self, folder: Path) -> list[str]:
        """The files in `folder` and below (leakcheck.folder_texts) that quote them, and those not
        read, named for the researcher to look at."""
        from qualcode.anonymise.leakcheck import folder_texts

        found = []
        for path, text, why in folder_texts(folder):
            if text is not None and self.redact(text) != text:
                found.append(str(path))
            elif why:  # not read, or not all of it
                found.append(f"{path} ({why}, not read: look at it yourself)")
        return found


# Identifiers that name where or how to reach one person: a name (a caseworker's, a place) may be
# another's too, and is theirs only when the key links it to them or the researcher names it.
OWN_KINDS = frozenset({"fnr", "phone", "email", "address", "postcode", "birth_date", "account", "plate", "profile", "case_number"})


def _refuse_others_identifiers(name: str, theirs: set[str], key: PseudonymKey, identifiers: Sequence[str]) -> None:
    """An identifier named as the participant's (`name`) must not be someone else's: turned into a
    digest, it is gone from the key for good, and a later import of the other's interview gives them
    a new pseudonym ("--identifier 'Sissel Bakken'" for D5 took D1's). Theirs is one the key links to
    them, or one it saw in a transcript of theirs (`theirs`, by name); one it saw only in others' is
    refused."""
    named = {identifier.casefold() for identifier in identifiers}
    for entry in key.entries:
        if entry.original.casefold() not in named or entry.participant == name:
            continue
        if entry.participant is not None or (entry.seen_in and not theirs & set(entry.seen_in)):
            whose = f"the key links it to {entry.participant}" if entry.participant else (
                f"the key saw it only in {', '.join(entry.seen_in[:3])}{' …' if len(entry.seen_in) > 3 else ''}")
            raise InvalidInput(
                f"{entry.original!r} is not {name}'s identifier: {whose}; nothing was changed",
                f"name only {name}'s own identifiers (`qualcode key show` lists where each was first seen)",
            )


def _deny(key: PseudonymKey, identifiers: Sequence[str], theirs: Callable[[KeyEntry], bool],
          earlier_key: tuple[int, str] | None = None) -> int:
    """Turn the participant's entries (`theirs`, and the `identifiers` named) into digests; how many.
    An identifier not in the key is refused, said to have gone with `earlier_key` if this key replaced one."""
    named = {identifier.casefold() for identifier in identifiers}
    chosen = [entry for entry in key.entries if theirs(entry) or entry.original.casefold() in named]
    found = {entry.original.casefold() for entry in chosen}
    unknown = list(dict.fromkeys(identifier for identifier in identifiers if identifier.casefold() not in found))  # as given
    if unknown:
        if earlier_key is not None:
            raise NotFound(
                f"{', '.join(unknown)} is not in the key: it was made in place of one {earlier_key[1]}, which took what"
                " it held with it; nothing was changed",
                "name only identifiers this key holds (`qualcode key show`), or none: there is nothing left to turn into a digest",
            )
        raise NotFound(f"{', '.join(unknown)} is not in the key", "name the identifiers as `qualcode key show` lists them")
    for entry in chosen:
        key.deny(entry, _forms(entry))
    return len(chosen)


def _forms(entry: KeyEntry) -> list[str]:
    """The word sequences a denied entry keeps digests of: the whole, and a person's names one by one."""
    words = [match.group() for match in WORD.finditer(entry.original)]
    return [" ".join(words)] + (words if entry.kind == "person" and len(words) > 1 else [])


def denial_record(key: PseudonymKey, entries: Iterable[KeyEntry]) -> list[list[str]]:
    """What the project records of the entries a withdrawal turns into digests before the key is saved:
    the key's own salted digests of each one's words, never the words."""
    return [[key.digest(word) for word in _forms(entry)[0].split()] for entry in entries]


def deny_recorded(key: PseudonymKey, record: Sequence[Sequence[str]]) -> int:
    """Turn into digests the entries a withdrawal's `denial_record` names (a kill before the key was
    saved left them in clear); how many."""
    wanted = [list(words) for words in record]
    chosen = [entry for entry in key.entries if [key.digest(word) for word in _forms(entry)[0].split()] in wanted]
    for entry in chosen:
        key.deny(entry, _forms(entry))
    return len(chosen)


@dataclass(frozen=True)
class _OnceTheirs:
    """Turns an edit took off the participant and gave to no one: by turn id, and by speaker label."""

    turn_ids: frozenset[int]
    label: str | None
    alone: bool  # the transcript was theirs alone, and the edit left it to no one

    def __call__(self, turn: Turn) -> bool:
        return turn.participant_id is None and (turn.id in self.turn_ids or (self.label is not None and turn.speaker == self.label))


def _taken_off_by_edits(session: Session, participant: Participant) -> tuple[dict[int, _OnceTheirs], set[str]]:
    """Transcripts a `transcripts edit` took the participant off, from the log of those edits.

    Their turns there were attributed to no one, so without this a withdrawal would leave their
    words in place and say it had removed everything. The turn ids hold until the text is
    rewritten; the speaker label the transcript knew them by holds after that. Turns an edit gave
    to another participant are that participant's now, as the researcher said; they are named.
    """
    unlinked: dict[int, _OnceTheirs] = {}
    given: set[str] = set()
    edits = session.execute(
        select(Event.id, Transcript.id, Transcript.name, Event.payload).join(Transcript, Transcript.guid == Event.entity_guid)
        .where(Event.action == EventKind.TRANSCRIPT_EDIT.value).order_by(Event.id)
    ).all()
    # An edit undone (and not redone) took no one off: undo and redo each refer to the edit.
    taken_back = session.execute(
        select(Event.refers_to_id, Event.action)
        .where(Event.refers_to_id.in_([edit[0] for edit in edits]), Event.action.in_([EventKind.UNDO.value, EventKind.REDO.value]))
    ).all()
    balance: Counter[int] = Counter()
    for refers_to, action in taken_back:
        if refers_to is not None:
            balance[refers_to] += 1 if action == EventKind.UNDO.value else -1
    undone = {edit_id for edit_id, count in balance.items() if count > 0}
    for edit_id, transcript_id, transcript_name, payload in edits:
        if edit_id in undone:
            continue
        before, after = payload.get("before") or {}, payload.get("after") or {}
        labels = {name: label for name, label in before.get("participants", [])}
        if participant.name not in labels or participant.name in {name for name, _ in after.get("participants", [])}:
            continue
        successors = dict(after.get("turns", []))
        ids = {turn_id for turn_id, name in before.get("turns", []) if name == participant.name}
        to_no_one = frozenset(turn_id for turn_id in ids if successors.get(turn_id) is None)
        if ids - to_no_one:
            given.add(transcript_name)
        alone = len(labels) == 1 and not after.get("participants")
        if to_no_one or alone:
            earlier = unlinked.get(transcript_id)
            unlinked[transcript_id] = _OnceTheirs(
                to_no_one | (earlier.turn_ids if earlier else frozenset()),
                labels[participant.name] or (earlier.label if earlier else None),
                alone or (earlier is not None and earlier.alone),
            )
    return unlinked, given


def _delete_transcript(session: Session, transcript: Transcript, participant_id: int, gone: set[str], said: list[str]) -> int:
    version = transcript.current_version
    if version is not None:  # their turns; notes (a referat) with no one's turns are about them throughout
        theirs = [version.text[t.start:t.end] for t in version.turns if t.participant_id == participant_id]
        said += theirs or [version.text]
    codings = session.scalars(select(Coding).where(Coding.transcript_id == transcript.id)).all()
    said += [coding.excerpt for coding in codings if coding.excerpt]
    memos = session.scalars(
        select(Memo).where((Memo.transcript_id == transcript.id)
                           | Memo.coding_id.in_(select(Coding.id).where(Coding.transcript_id == transcript.id)))
    ).all()
    gone.update(c.guid for c in codings)
    gone.update(m.guid for m in memos)
    gone.add(transcript.guid)
    turn_ids = [turn.id for version in transcript.versions for turn in version.turns]
    unindex_turns(session, turn_ids)
    for memo in memos:
        session.delete(memo)
    # The memos go first: deleted with their codings in one flush, the database's cascade could
    # take a coding's memo before the memo's own delete, which then finds nothing to delete.
    session.flush()
    for coding in codings:
        session.delete(coding)
    transcript.current_version = None
    session.flush()
    session.delete(transcript)
    session.flush()
    return len(codings)


def refuse_withdrawn_source(session: Session, path: Path, file_hash: str | None) -> None:
    """A file a withdrawn participant's transcript came from is never imported again: importing
    the folder again after a withdrawal brought their interview back whole."""
    if file_hash is not None and any(file_hash in after.get(WITHDRAWN_SOURCES, ()) for after in withdrawal_records(session)):
        raise ImportFailed(
            f"{path.name} is the interview of a participant who withdrew consent; nothing imported",
            "leave it out of the folder (or delete it): their words may not come back into the project",
        )


# A withdrawn participant's sentence (or turn) of this many words or more is theirs: an import that holds it
# again is refused. Shorter ones ("Ja.", "Mm.", "Det var bra.") are said by anyone, and would refuse others' files.
SAID_WORDS = 8


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """`text` whole, and each of its sentences (QUOTED_LENGTH's split), with where each begins in it."""
    yield 0, text
    start = 0
    for separator in _SENTENCES.finditer(text):
        yield start, text[start:separator.start()]
        start = separator.end()
    if start:
        yield start, text[start:]


def said_in(key: PseudonymKey, text: str) -> dict[str, int]:
    """The keyed digests (the key's secret: no one without it can test a guess of what was said) of `text`
    (one turn) whole and of each of its sentences of SAID_WORDS words or more, each to where it begins in
    `text`: its words alone, in any case, spacing and punctuation, so a copy set out anew is found."""
    found: dict[str, int] = {}
    for start, piece in _pieces(text):
        words = WORD.findall(unicodedata.normalize("NFKC", piece).casefold())
        if len(words) >= SAID_WORDS:
            found.setdefault(key.digest(" ".join(words)), start)
    return found


def _said_digests(session: Session, key: PseudonymKey, said: Iterable[str]) -> list[str]:
    """What the withdrawal record keeps of their words (`said`): digests (said_in), less those of words
    someone else in the project said too, each turn of theirs read on its own: their transcripts may be
    imported again."""
    theirs = {digest for text in said for digest in said_in(key, text)}
    if not theirs:
        return []
    versions = session.scalars(select(TextVersion).join(Transcript, Transcript.current_version_id == TextVersion.id))
    for version in versions:
        spans = [(turn.start, turn.end) for turn in version.turns] or [(0, len(version.text))]
        for start, end in spans:
            theirs -= said_in(key, version.text[start:end]).keys()
    return sorted(theirs)


def refuse_withdrawn_words(session: Session, path: Path, said: Mapping[str, int]) -> None:
    """A file holding a withdrawn participant's words (`said`: its digests, said_in, to their lines) is not
    imported: a corrected group interview, their id taken out and their lines left under another label,
    brought them back whole (its hash was new, their id not named)."""
    if not said:
        return
    withdrawn = {str(digest) for after in withdrawal_records(session) for digest in after.get(WITHDRAWN_SAID, ())}
    lines = sorted({line for digest, line in said.items() if digest in withdrawn})
    if lines:
        where = ", ".join(str(line) for line in lines[:5]) + (", …" if len(lines) > 5 else "")
        raise ImportFailed(
            f"{path.name} holds words of a participant who withdrew consent (line{'s' if len(lines) > 1 else ''} {where}"
            " of its text); nothing imported",
            "take their words out of the file, under whatever label they stand, and import it again:"
            " they may not come back into the project",
        )


def refuse_withdrawn_participant(session: Session, *names: str) -> None:
    """Participant ids that withdrew are not made again by an import: it would bring back their words
    under the same ids. All of them named at once, so one correction does."""
    withdrawn = {str(after[WITHDRAWN_ID]).casefold(): str(after[WITHDRAWN_ID]) for after in withdrawal_records(session) if after.get(WITHDRAWN_ID)}
    # In any case, as a speaker label "d5:" is D5's turn.
    again = sorted({withdrawn[name.casefold()] for name in names if name.casefold() in withdrawn})
    if again:
        who = f"participant {again[0]}" if len(again) == 1 else f"participants {', '.join(again)}"
        raise ImportFailed(
            f"{who} withdrew consent; nothing of theirs is imported",
            "leave out what names them (a file, a row, a case); a new person gets an id of their own",
        )


def _refuse_unattributed(
    session: Session, participant: Participant, transcripts: Sequence[Transcript], unlinked: dict[int, _OnceTheirs],
) -> None:
    """Refuse when a group transcript of theirs marks no turn as theirs while some turns are
    no one's but an interviewer's, or while no turn is any participant's (their labels were not
    read, as "d1:" once was not): their words may be among those, and would be left in place
    under a withdrawal that said it had removed them (as after an import that named no speakers)."""
    unsure, unheard = [], []
    named_interviewers = interviewer_speakers(session, [transcript.id for transcript in transcripts])
    for transcript in transcripts:
        version = transcript.current_version
        if version is None or transcript.id in unlinked or len(transcript.participant_links) < 2:
            continue
        turns = version.turns
        if any(turn.participant_id == participant.id for turn in turns):
            continue
        theirs = named_interviewers.get(transcript.id, ())
        if any(turn.participant_id is None and not is_interviewer(turn.speaker, transcript.interviewer, theirs) for turn in turns):
            unsure.append(transcript.name)
        elif all(turn.participant_id is None for turn in turns):
            unheard.append(transcript.name)
    reasons = [f"no turn in {', '.join(unsure)} is marked as {participant.name}'s, and some are no one's: their words there"
               " cannot be told from others' and would stay"] if unsure else []
    reasons += [f"no turn in {', '.join(unheard)} is any participant's: {participant.name}'s words there cannot be told"
                " from the interviewer's and would stay"] if unheard else []
    if reasons:
        raise InvalidInput(
            "; ".join(reasons),
            "import the transcript again with --replace from a file whose front matter maps its speaker labels"
            f" (speakers: {{LABEL: {participant.name}}}), then withdraw",
        )


def _their_labels(text: str, turns: Sequence[Turn], theirs_ids: set[int]) -> list[Span]:
    """Spans replacing the speaker label written before each of their turns ("Odd Haug: …", "[00:12] Odd Haug:",
    a Teams heading "Odd Haug   0:03") where it names them: a label from a `speakers:` map or a .vtt voice is
    their pseudonym, which the withdrawal takes out of every other text. A role label or a participant's id
    ("Informant", "Deltaker 2", "D5") names no one, and stays. Looked for on the turn's line, then on the line
    before (a heading), never in the turn before: a header above the first turn that names them is others' words."""
    spans = []
    previous_end = 0
    for turn in sorted(turns, key=lambda turn: turn.start):
        label = (turn.speaker or "").strip()
        if turn.id in theirs_ids and label and not is_known_label(label):
            pattern = re.compile(rf"(?<![\w.'\-]){re.escape(label)}(?![\w'\-])", re.IGNORECASE)
            line = max(previous_end, text.rfind("\n", 0, turn.start) + 1)
            heading = max(previous_end, text.rfind("\n", 0, max(line - 1, 0)) + 1) if line > previous_end else line
            found = list(pattern.finditer(text, line, turn.start)) or list(pattern.finditer(text, heading, line))
            if found:
                spans.append(Span(found[-1].start(), found[-1].end(), WITHDRAWN))
        previous_end = max(previous_end, turn.end)
    return spans


def _redact(
    session: Session, transcript: Transcript, participant_id: int, once_theirs: _OnceTheirs | None, gone: set[str],
    said: list[str], spanning: list[str],
) -> tuple[int, int]:
    """A new text version with the participant's turns replaced; codings on them removed (those
    that held others' words too named in `spanning`: their coders code the rest again)."""
    old = transcript.current_version
    assert old is not None
    # A turn an edit took off them is theirs unless it is the interviewer's: `transcripts edit --interviewer`
    # takes an older import's questions off them too, and their label (or the turns an edit recorded as
    # theirs before that) may be the interviewer's ("Forsker A", first of their labels).
    asked = interviewer_speakers(session, [transcript.id]).get(transcript.id, ())
    theirs = [turn for turn in old.turns if turn.participant_id == participant_id or (
        once_theirs is not None and once_theirs(turn) and not is_interviewer(turn.speaker, transcript.interviewer, asked))]
    if not theirs:
        return 0, 0
    said += [old.text[turn.start:turn.end] for turn in theirs]
    on_theirs = [coding for coding in session.scalars(select(Coding).where(Coding.text_version_id == old.id, Coding.removed_at.is_(None)))
                 if any(coding.start < t.end and t.start < coding.end for t in theirs)]
    said += [coding.excerpt or "" for coding in on_theirs]  # what exports quote whole
    theirs_ids = {turn.id for turn in theirs}
    others = [turn for turn in old.turns if turn.id not in theirs_ids]
    lines = LineIndex(old.text)
    spanning += [f"{transcript.name}: {coding.code.path} by {coding.coder.name}, line {lines.line(coding.start)}"
                 for coding in on_theirs if any(coding.start < t.end and t.start < coding.end for t in others)]
    spans = [Span(turn.start, turn.end, WITHDRAWN) for turn in theirs] + _their_labels(old.text, old.turns, theirs_ids)
    rewritten = rewrite_current_text(
        session, transcript, sorted(spans, key=lambda span: span.start), "participant withdrew consent",
        drop_coding=lambda coding: any(coding.start < t.end and t.start < coding.end for t in theirs),
        change_turn=lambda turn: {"speaker": None, "participant_id": None} if turn.id in theirs_ids else {},
    )
    gone.update(rewritten.dropped_guids)
    # An orphaned coding (its passage lost in a replaced text) keeps its excerpt; if that text is
    # not in what remains, it may be the withdrawn person's words, so it goes too.
    orphaned = session.scalars(
        select(Coding).where(Coding.transcript_id == transcript.id, Coding.orphaned_at.is_not(None))
    ).all()
    dropped = 0
    for coding in orphaned:
        if coding.excerpt and coding.excerpt not in rewritten.version.text:
            said.append(coding.excerpt)
            gone.add(coding.guid)
            gone.update(memo.guid for memo in session.scalars(select(Memo).where(Memo.coding_id == coding.id)))
            session.delete(coding)
            dropped += 1
    session.flush()
    return len(theirs), rewritten.dropped_codings + dropped
