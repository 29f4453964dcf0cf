"""`qualcode consensus list|decide|reopen`: two coders' disagreements on a transcript, and the team's decision on each.

The same disagreements and decisions as the TUI's compare screen, through the same workspace
methods, so the consensus step can be done or scripted without the TUI. The disagreements are
numbered in text order, decided ones included, so a number stays the same while the team decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.context import AppContext, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.errors import InvalidInput

if TYPE_CHECKING:  # the consensus service loads when a command runs
    from qualcode.analysis.tables import Table
    from qualcode.coding.consensus import Disagreement, Side
    from qualcode.workspace import Workspace

KEEP_CHOICES = ("a", "b", "both", "neither", "edit")


def pair_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The transcript and the two coders compared, as both commands take them."""
    function = click.option(
        "--coders", "coders_text", default=None,
        help="The two coders, as A,B (default: the two who coded the transcript, when there are two).",
    )(function)
    return click.option("--transcript", required=True, help="The transcript whose codings are compared.")(function)


def _pair(workspace: Workspace, transcript: str, coders_text: str | None) -> tuple[str, str]:
    named = [name.strip() for name in (coders_text or "").split(",") if name.strip()]
    if coders_text is not None and not named:  # an empty value (an unset variable in a script) is not "the two who coded it"
        raise InvalidInput("--coders names no coder", 'as in --coders "Forsker 1,Medforsker 1", or leave it out for the two who coded it')
    return workspace.coder_pair(transcript, named)


def _decision(item: Disagreement) -> str:
    # Each as it decided: a decision keeping a coding removed since is no decision to keep neither.
    shown = ", ".join(dict.fromkeys("neither" if decision.neither else decision.what for decision in item.decisions))
    return f"{shown} (stale: {item.stale})" if item.stale else shown


def _side(side: Side | None) -> str:
    return "-" if side is None else ", ".join(f"{start}-{end}" for start, end in side.passages)


def _side_json(side: Side | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {"start": side.start, "end": side.end, "passages": [{"start": start, "end": end} for start, end in side.passages]}


def disagreements_table(
    found: list[Disagreement], numbers: list[int], coder_a: str, coder_b: str, undecided: int, total: int, stale: int = 0,
) -> Table:
    """The numbered disagreements shown (all `total`, or only the `undecided`, `stale` ones among them), one record each."""
    from qualcode.analysis.tables import Cell, Column, Row, Table

    columns = (Column("ref"), Column("line"), Column("code"), Column("A"), Column("B"), Column("decided"), Column("text", wide=True))
    rows = tuple(
        Row(str(number), (Cell(item.ref), Cell(item.line), Cell(item.code_path), Cell(_side(item.a)), Cell(_side(item.b)),
                          Cell(_decision(item)), Cell(item.excerpt)))
        for number, item in zip(numbers, found, strict=True)
    )
    counted = f"{total}, {undecided} undecided" + (f", {stale} stale" if stale else "")
    return Table(
        title=f"Disagreements between {coder_a} (A) and {coder_b} (B) ({counted})",
        caption="A and B: the passages each coded (character offsets), '-' where they did not code it; decided: the "
        "consensus coder's coding of it, or neither; stale: decided on codings that changed since, to be taken back "
        "and decided again. Decide one with `qualcode consensus decide NUMBER --ref REF --keep ...`; take a decision"
        " back with `qualcode consensus reopen NUMBER --ref REF`.",
        row_header="#", columns=columns, rows=rows, records=True,
    )


@click.group("consensus")
def consensus_group() -> None:
    """Two coders' disagreements on a transcript, and the team's decision on each (as the TUI's compare screen).

    Example: qualcode consensus list --transcript veileder_V1 --coders "Forsker 1,Medforsker 1"
    """


@consensus_group.command("list")
@pair_options
@click.option("--undecided", is_flag=True,
              help="Only the disagreements not decided yet, or decided on codings that changed since (numbers stay as in the full list).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")
@pass_app
def consensus_list(app: AppContext, /, transcript: str, coders_text: str | None, undecided: bool, as_json: bool, as_csv: bool) -> None:
    """The numbered disagreements between two coders on a transcript, in text order, each with its decision if made.

    Example: qualcode consensus list --transcript veileder_V1 --coders "Forsker 1,Forsker 2" --undecided
    """
    from qualcode.analysis.tables import render_csv, render_text

    if as_json and as_csv:
        raise InvalidInput("--json and --csv cannot both be printed", "choose one")
    with app.workspace(read_only=True) as workspace:
        coder_a, coder_b = _pair(workspace, transcript, coders_text)
        found = workspace.disagreements(transcript, coder_a, coder_b)
    numbered = [(number, item) for number, item in enumerate(found, 1) if not (undecided and item.settled)]
    if as_json:
        emit_json([
            {
                "number": number, "ref": item.ref, "transcript": item.transcript, "code": item.code_path, "line": item.line,
                "coder_a": item.coder_a, "coder_b": item.coder_b,
                # Each side's passages: usually one; a coder's version may be two or more inside the other's.
                "a": _side_json(item.a), "b": _side_json(item.b),
                "start": item.start, "end": item.end, "excerpt": item.excerpt,
                "decided": "neither" if item.kept_neither else "coded" if item.decisions else None,
                "consensus": _side_json(item.decided),
                "decided_by": item.decisions[0].decided_by if item.decisions else None,
                # Decided on codings that changed since: the decision stands in the project but decides nothing.
                "stale": item.stale or None,
            }
            for number, item in numbered
        ])
        return
    table = disagreements_table([item for _, item in numbered], [number for number, _ in numbered], coder_a, coder_b,
                                sum(not item.settled for item in found), len(found), sum(bool(item.stale) for item in found))
    click.echo(render_csv(table) if as_csv else render_text(table), nl=False)


@consensus_group.command("decide")
@click.argument("number", type=int)
@pair_options
@click.option("--keep", "choice", type=click.Choice(KEEP_CHOICES), required=True,
              help="Keep A's passages, B's, both (one coding over the passage either coded), neither, or an edited span.")
@click.option("--start", type=int, help="With --keep edit: where the consensus coding starts (a character offset).")
@click.option("--end", type=int, help="With --keep edit: where it ends (exclusive).")
@click.option("--ref", "expected_ref",
              help="The ref the list showed for NUMBER: refused if NUMBER is another disagreement now (someone coded meanwhile).")
@pass_app
def consensus_decide(
    app: AppContext, /, number: int, transcript: str, coders_text: str | None, choice: str, start: int | None, end: int | None,
    expected_ref: str | None,
) -> None:
    """Decide disagreement NUMBER (from `consensus list`) under the consensus coder, as your undoable change.

    Example: qualcode --coder "Forsker 1" consensus decide 2 --transcript veileder_V1 --keep b
    """
    span = None
    if choice == "edit":
        if start is None or end is None:
            raise InvalidInput("--keep edit needs the span to code", "give --start and --end (character offsets)")
        span = (start, end)
    elif start is not None or end is not None:
        raise InvalidInput("--start and --end go with --keep edit only", f"leave them out with --keep {choice}")
    with app.workspace() as workspace:
        made, notes = workspace.decide_with_notes(_numbered(workspace, number, transcript, coders_text, expected_ref), choice, span)
    click.echo(f"decided {number}: {made}")
    for line in notes:
        note(line)


@consensus_group.command("reopen")
@click.argument("number", type=int)
@pair_options
@click.option("--ref", "expected_ref",
              help="The ref the list showed for NUMBER: refused if NUMBER is another disagreement now (someone coded meanwhile).")
@pass_app
def consensus_reopen(app: AppContext, /, number: int, transcript: str, coders_text: str | None, expected_ref: str | None) -> None:
    """Take back the decision on disagreement NUMBER (from `consensus list`), whoever made it, as your undoable change.

    The consensus coder's codings it made are removed, so the passage is as before it, and the disagreement can be
    decided again; refused while later work rests on them (a change, a memo, another decision keeping one).

    Example: qualcode --coder "Forsker 1" consensus reopen 2 --ref 7f3a --transcript veileder_V1
    """
    with app.workspace() as workspace:
        taken_back = workspace.reopen(_numbered(workspace, number, transcript, coders_text, expected_ref))
    click.echo(f"reopened {number}: {taken_back}")


def _numbered(workspace: Workspace, number: int, transcript: str, coders_text: str | None, expected_ref: str | None) -> Disagreement:
    """Disagreement NUMBER of the list, refused if the list has changed since it showed `expected_ref` for it."""
    coder_a, coder_b = _pair(workspace, transcript, coders_text)
    found = workspace.disagreements(transcript, coder_a, coder_b)
    if not 1 <= number <= len(found):
        raise InvalidInput(
            f"there is no disagreement {number} between {coder_a} and {coder_b} on {transcript}"
            f" ({len(found)} in all)",
            "list them with `qualcode consensus list`",
        )
    item = found[number - 1]
    if expected_ref is not None and item.ref != expected_ref.strip().lower():
        swapped = replace(item, coder_a=item.coder_b, coder_b=item.coder_a, a=item.b, b=item.a)
        if swapped.ref == expected_ref.strip().lower():
            # The same disagreement, listed with the coders the other way round: A and B would swap.
            raise InvalidInput(
                f"ref {expected_ref} is of a list with {coder_b} as A and {coder_a} as B; here A is {coder_a}",
                f"give the list's order, --coders \"{coder_b},{coder_a}\", so --keep a and b mean what the list showed",
            )
        # A coding added or removed since the list was read renumbers what follows it.
        raise InvalidInput(
            f"disagreement {number} is another one now (ref {item.ref}, not {expected_ref}): the list has changed since",
            "list them again with `qualcode consensus list`",
        )
    return item


COMMANDS = [consensus_group]
