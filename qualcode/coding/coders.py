"""Coders: who is coding, remembered by name with a role (researcher or medforsker), and reviewers,
who comment on drafts and code nothing (role reviewer)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qualcode.codebook.model import name_look
from qualcode.errors import Ambiguous, InvalidInput
from qualcode.store.events import EventKind, hold_write_lock, record_event
from qualcode.store.lookup import resolve
from qualcode.store.models import Coder, Event
from qualcode.store.project import clean_typed
from qualcode.store.settings import get_setting, set_setting
from qualcode.store.upsert import insert_unless_present
from qualcode.text.normalise import one_line

CODING_ROLES = ("researcher", "medforsker")  # the roles of the team, who code; blind coding is set per one of these
# Someone whose comments on a draft came back by `review import` and who is no coder the project
# knows: an informant, a caseworker, a reader outside the team (DESIGN.md). They code nothing, so
# they are never blind and never one of the team's medforskere (a .qdpx export counted them so).
REVIEWER = "reviewer"
ROLES = (*CODING_ROLES, REVIEWER)
CODER_NAME_LENGTH = 200  # the store's column (store/models.py): every list shows a coder's name on one line
# The team's decisions are coded under this name (consensus.py); any member may change those codings.
CONSENSUS_CODER = "konsensus"


@dataclass(frozen=True)
class CoderView:
    id: int
    guid: str
    name: str
    role: str


def get_or_create_coder(
    session: Session, name: str, role: str | None = None, *, by: Coder | None = None, origin: str | None = None,
) -> Coder:
    """The coder of that name as stored, else made now in `role` (a researcher unless given) and
    recorded as added by `by` (else by themselves), with where the name came from (`origin`) when
    said. A stored coder's role is never changed here: naming a coder to code as them is not
    deciding their role (`set_coder_role` is)."""
    name = stored_form(session, name)  # a name the key holds is stored as its pseudonym
    if not name:
        raise InvalidInput("a coder needs a name", "pass --coder NAME or set QUALCODE_CODER")
    if role is not None and role not in ROLES:
        raise InvalidInput(f"coder role {role!r} is not one of {', '.join(ROLES)}")
    coder = stored_coder(session, name)
    if coder is None and "," in name:  # --coders takes A,B: a name with a comma could never be chosen there
        raise InvalidInput(f"a coder's name cannot hold a comma ({name!r})", "write it without one, as 'Ola Berg'")
    if coder is None and len(name) > CODER_NAME_LENGTH:
        raise InvalidInput(f"a coder's name is longer than {CODER_NAME_LENGTH} characters ({name[:40]!r}…)", "give a shorter name")
    if coder is None:
        refuse_look_alike(session, name)
    # Another process may create the same coder at this moment: the database keeps one of the two.
    if coder is None and insert_unless_present(session, Coder, {"name": name, "role": role or "researcher"}, ["name"]):
        coder = session.scalar(select(Coder).where(Coder.name == name))
        assert coder is not None
        record_event(
            session, kind=EventKind.CODER_CREATE, coder=by or coder, entity_guid=coder.guid,
            after={"name": coder.name, "role": coder.role, **({"origin": origin} if origin else {})},
            summary=f"new coder {name} ({coder.role})",
        )
        return coder
    if coder is None:
        coder = session.scalar(select(Coder).where(Coder.name == name))
        assert coder is not None
    return coder


def made_reviewer_by_themselves(session: Session, coder: Coder) -> bool:
    """Whether `coder` is a reviewer who made themselves one, as the log keeps it: someone new who imported their
    own comments. They import comments again (the right file, after taking back a wrong one) and step those
    imports as anyone steps their own change; one a colleague's import made a reviewer (an informant), or the
    team made one since, does neither."""
    return coder.role == REVIEWER and session.scalar(select(Event.id).where(
        Event.action == EventKind.CODER_CREATE.value, Event.entity_guid == coder.guid, Event.coder_id == coder.id,
        Event.payload[("after", "role")].as_string() == REVIEWER).limit(1)) is not None


def refuse_consensus_name(name: str, hint: str = "name a coder by their own name; the team decides with `qualcode consensus decide`") -> None:
    """Refuse `name` as a coder's where it is the name the team's decisions are coded under:
    that coder's codings would count as decisions no one made."""
    if one_line(name.strip()).casefold() == CONSENSUS_CODER:
        raise InvalidInput(f"{CONSENSUS_CODER!r} is the name the team's decisions are coded under, not a coder's", hint)


def refuse_reviewer(coder: Coder) -> None:
    """Refuse `coder` as who works now where they are a reviewer: someone who only commented on a draft
    codes and changes nothing, and a typo or another's name must not make them a coder unseen (they
    would then count and be listed as one). Making them a coder is a decision, in the history."""
    if coder.role == REVIEWER:
        raise InvalidInput(
            f"{coder.name} is a reviewer in this project (they commented on a draft), who codes and changes nothing",
            f"to work as them, make them a coder first: qualcode --coder YOUR-NAME coder role {shlex.quote(coder.name)}"
            f" medforsker (or researcher); else give your own name with --coder",
        )


def refuse_look_alike(session: Session, name: str) -> None:
    """Refuse `name`, held by no coder, where it looks like a coder's name or the consensus coder's
    (look_alike_coder): a second coder nobody can tell from the first in a table or report, and a
    blind coder who typed it would see everyone's codings as someone who had coded nothing."""
    alike = look_alike_coder(session, name)
    if alike == CONSENSUS_CODER:  # the first decision makes that coder
        refuse_consensus_name(CONSENSUS_CODER)
    if alike is not None:
        raise InvalidInput(f"coder {name!r} is not {alike!r}, but looks like that name",
                           f"write {alike!r} as `qualcode coder list` shows it, or a name that can be told from it")


def look_alike_coder(session: Session, name: str) -> str | None:
    """The name of a coder that `name`, held by no coder, looks like without being it ("М" with a
    Cyrillic М beside M, "Forsker l" beside Forsker 1, full-width letters), or the consensus coder's
    ("kоnsensus") whether or not anyone has decided yet; None if it looks like no one's. Only for a
    new name: the confusables table takes 20-40 ms to read, which a command by a coder the project
    holds does not pay."""
    look, folded = name_look(name), name.casefold()
    if folded != CONSENSUS_CODER and look == name_look(CONSENSUS_CODER):
        return CONSENSUS_CODER
    return next((other for other in session.scalars(select(Coder.name))
                 if other.casefold() != folded and name_look(other) == look), None)


def stored_form(session: Session, name: str) -> str:
    """`name` as a coder's name is stored: on one line, pseudonymised where the project's guard on
    typed text would pseudonymise it. A coder's name as stored is theirs as it is: cleaned, it was
    refused as naming a word of a name waiting for review (coder Kari, while "Kari Nordmann" waits)."""
    written = one_line(name.strip())
    if written and session.scalar(select(Coder.id).where(Coder.name == written).limit(1)) is not None:
        return written
    return one_line(clean_typed(session, name.strip()))


def set_coder_role(session: Session, coder: Coder, role: str, by: Coder) -> bool:
    """Make `coder` a coder of `role`, recorded as `by`'s change; False when they are one already.
    Their role decides whether they code blind by default (`blind_roles`)."""
    if role not in ROLES:
        raise InvalidInput(f"coder role {role!r} is not one of {', '.join(ROLES)}")
    # Two changes at once must not both find the old role: the second reads it after the first commits.
    hold_write_lock(session)
    session.refresh(coder)
    if coder.role == role:
        return False
    blind_now = blind_roles(session)
    if coder.id == by.id and coder.role in blind_now and role not in blind_now:  # a way out of blindness as `coder blind off` is
        raise InvalidInput(
            f"{coder.name} codes blind as a {coder.role}, and cannot make themselves a {role}, who does not",
            f"a coder who is not blind ({' or '.join(f'a {other}' for other in CODING_ROLES if other not in blind_now)}) can:"
            f" qualcode --coder NAME coder role {shlex.quote(coder.name)} {role}",
        )
    before = {"name": coder.name, "role": coder.role}
    coder.role = role
    record_event(
        session, kind=EventKind.CODER_UPDATE, coder=by, entity_guid=coder.guid,
        before=before, after={"name": coder.name, "role": role}, summary=f"{coder.name} is now {role} (was {before['role']})",
    )
    return True


def stored_coder(session: Session, name: str) -> Coder | None:
    """The coder `name` is, as stored: the same name, else the one coder with it in another case
    ("forsker 1" for Forsker 1, not a second coder beside them); two in other cases (brought in
    from elsewhere) are ambiguous, never settled by taking one or making a third."""
    coder = session.scalar(select(Coder).where(Coder.name == name))
    if coder is not None:
        return coder
    same = [other for other in session.scalars(select(Coder)) if other.name.casefold() == name.casefold()]
    if len(same) > 1:
        raise Ambiguous(f"coder {name!r} could be any of {', '.join(other.name for other in same)}",
                        "write the name exactly as `qualcode coder list` shows it")
    return same[0] if same else None


def find_coder(session: Session, name: str) -> Coder:
    """The coder a filter names (--by, --coders), found as other names are (resolve): as typed, then
    as the key stores it. A lookup stores nothing, so it refuses nothing: inside a transaction that
    stores typed text, a name waiting for review is looked for too, not refused as typed text is. An
    unknown name is an error rather than an empty list; the hint says the list shows a name the key
    holds as its pseudonym."""
    return resolve(
        session, Coder, name.strip(), kind="coder", names=("name",),
        hint="list them with `qualcode coder list`; a coder whose name the key holds is listed under its pseudonym",
    )


def list_coders(session: Session) -> list[CoderView]:
    return [
        CoderView(coder.id, coder.guid, coder.name, coder.role)
        for coder in session.scalars(select(Coder).order_by(Coder.name))
    ]


DEFAULT_CODER = "default_coder"  # the project setting that names who codes when nobody says


def default_coder_name(session: Session) -> str | None:
    return get_setting(session, DEFAULT_CODER)


def set_default_coder(session: Session, coder: Coder) -> None:
    """`coder` codes from now on in this project whenever --coder and $QUALCODE_CODER are not given."""
    refuse_reviewer(coder)
    set_setting(session, DEFAULT_CODER, coder.name)


BLIND_ROLE = "blind.role."  # a project setting per role, "on" when coders of that role code blind by default


def blind_roles(session: Session) -> list[str]:
    """The roles whose coders see only their own codings unless they choose otherwise."""
    return [role for role in CODING_ROLES if get_setting(session, BLIND_ROLE + role) == "on"]


def set_blind_role(session: Session, role: str, blind: bool, by: Coder) -> bool:
    """Make blind coding the default for coders of `role` (or stop making it so), recorded as
    `by`'s change; False when it is so already. A coder blind by their role cannot end it for
    that role, and no role is made blind that would leave no coder who could end it."""
    if role not in CODING_ROLES:  # a reviewer codes nothing, so has nothing to code blind
        raise InvalidInput(f"coder role {role!r} is not one of {', '.join(CODING_ROLES)}")
    # Two changes at once must not both find the old setting: the second reads it after the first commits.
    hold_write_lock(session)
    session.refresh(by)
    blind_now = blind_roles(session)
    if (role in blind_now) == blind:
        return False
    seeing = [other for other in CODING_ROLES if other not in blind_now and other != role]
    if not blind and by.role == role and seeing:  # with no role left seeing, no one else could end it
        raise InvalidInput(
            f"{by.name} codes blind as a {role}, and cannot end blind coding for {role} coders themselves",
            f"a coder who is not blind ({' or '.join(f'a {other}' for other in seeing)}) can:"
            f" qualcode --coder NAME coder blind off --role {role}",
        )
    if blind and not seeing:
        raise InvalidInput(
            f"making {role} coders blind would leave every role blind, and no coder could end blind coding",
            "keep one role seeing, to end the blind phase; a coder of it may still code blind with `qualcode tui --blind`",
        )
    set_setting(session, BLIND_ROLE + role, "on" if blind else "off")
    record_event(
        session, kind=EventKind.CODER_BLIND, coder=by, before={"role": role, "blind": not blind}, after={"role": role, "blind": blind},
        summary=f"{role} coders code blind by default" if blind else f"{role} coders see every coder's codings by default (blind coding ended)",
    )
    return True


def codes_blind(session: Session, coder: Coder, asked: bool | None) -> bool:
    """Whether `coder` codes blind: as asked (--blind, --no-blind), else as the project says for their
    role. A coder blind by their role is refused --no-blind: they cannot end it for that role, nor
    for one session (`tui --no-blind` showed them everyone's codings)."""
    by_role = get_setting(session, BLIND_ROLE + coder.role) == "on"
    if by_role and asked is False:
        raise InvalidInput(
            f"{coder.name} codes blind as a {coder.role}, and cannot see others' codings with --no-blind",
            f"a coder who is not blind can end the blind phase: qualcode --coder NAME coder blind off --role {coder.role}",
        )
    return asked if asked is not None else by_role
