"""`qualcode coder add|role|list|blind`: who codes, and in which role."""

from __future__ import annotations

import click

from qualcode.cli.context import AppContext, json_option, pass_app
from qualcode.cli.output import emit_json, emit_table
from qualcode.coding.coders import (
    CODING_ROLES,
    ROLES,
    blind_roles,
    list_coders,
    set_blind_role,
    set_coder_role,
    set_default_coder,
)


@click.group("coder")
def coder_group() -> None:
    """Add coders, change their roles, and list them."""


@coder_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), help="The new coder's role (default: researcher).")
@click.option("--default", "make_default", is_flag=True, help="Use this coder when --coder is not given.")
@pass_app
def coder_add(app: AppContext, name: str, role: str | None, make_default: bool) -> None:
    """Add a coder, recorded in the history as added by you; a coder the project holds is left as they are.

    `qualcode coder role` changes a coder's role.

    Example: qualcode coder add "Medforsker 1" --role medforsker
    """
    with app.workspace() as workspace, workspace.begin() as session:
        coder, added = workspace.add_coder(session, name, role)
        if make_default:
            set_default_coder(session, coder)
    click.echo(
        f"coder {coder.name} ({coder.role})" + ("" if added else ", already in the project")
        + (", the default" if make_default else "")
    )


@coder_group.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@pass_app
def coder_role(app: AppContext, name: str, role: str) -> None:
    """Change a coder's role, recorded in the history as your change; the role decides whether they code blind by default.

    A reviewer (someone who only commented on a draft) is no coder: never blind, never counted as one.

    Example: qualcode coder role "Medforsker 1" medforsker
    """
    with app.workspace() as workspace, workspace.begin() as session:
        by = workspace.coder(session)
        coder = workspace.held_coder(session, name)
        changed = set_coder_role(session, coder, role, by)
    click.echo(f"coder {coder.name} is now {role}" if changed else f"coder {coder.name} is {role} already")


@coder_group.command("list")
@json_option
@pass_app
def coder_list(app: AppContext, as_json: bool) -> None:
    """List coders.

    Example: qualcode coder list
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        coders = list_coders(session)
    if as_json:
        emit_json(coders)
        return
    emit_table(["name", "role"], [[c.name, c.role] for c in coders])


@coder_group.command("blind")
@click.argument("state", type=click.Choice(["on", "off"]), required=False)
@click.option("--role", type=click.Choice(CODING_ROLES), default="medforsker", show_default=True,
              help="The role whose coders code blind (a reviewer codes nothing).")
@pass_app
def coder_blind(app: AppContext, state: str | None, role: str) -> None:
    """Make coders of a role code blind by default: each sees and counts only their own codings, in the terminal UI and on the command line.

    Without on or off, say which roles code blind. Recorded in the history as your change (undo does not
    take it back: run it again). A coder blind by their role cannot end it, for that role or with
    `qualcode tui --no-blind`; anyone may code blind for one session with `qualcode tui --blind`.

    Example: qualcode coder blind on --role medforsker
    """
    if state is None:
        with app.workspace(read_only=True) as workspace, workspace.begin() as session:
            roles = blind_roles(session)
        click.echo(f"blind by default: {', '.join(roles) or 'no role'}")
        return
    with app.workspace() as workspace, workspace.begin() as session:
        changed = set_blind_role(session, role, state == "on", workspace.coder(session))
    already = "" if changed else " already"
    click.echo(f"{role} coders code blind by default{already}" if state == "on" else f"{role} coders see every coder's codings by default{already}")


COMMANDS = [coder_group]
