"""`qualcode analyse codes|matrix|cell|compare`: counts, matrices and the passages behind them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qualcode.cli.context import AppContext, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.coding.passages import QuoteFilter, parse_attributes
from qualcode.errors import InvalidInput

if TYPE_CHECKING:  # the analysis modules load when a command runs
    from sqlalchemy.orm import Session

    from qualcode.analysis.tables import Table
    from qualcode.store.withdrawals import Withdrawn
    from qualcode.workspace import Workspace


def filter_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options that choose codings, as `export report` has them (--coder for its --by)."""
    options = [
        click.option("--role", "roles", multiple=True, help="Only what speakers of this role said; repeatable."),
        click.option("--wave", "waves", multiple=True, help="Only this interview round; repeatable."),
        click.option("--participant", "participants", multiple=True, help="Only this participant; repeatable."),
        click.option("--transcript", "transcripts", multiple=True, help="Only this transcript; repeatable."),
        click.option("--coder", "coders", multiple=True, help="Only codings by this coder; repeatable (default: every coder)."),
        click.option("--attribute", "attributes", multiple=True, help="NAME=VALUE on the participant or transcript; 'NAME=(not stated)' for none; repeatable."),
        click.option("--query", help="Only codings holding a hit for this search query."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def code_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--code and --only: the rows of a table."""
    function = click.option("--only", is_flag=True, help="Leave out sub-codes of --code.")(function)
    return click.option("--code", "codes", multiple=True, help="Only this code and its sub-codes as rows; repeatable.")(function)


def output_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--json, --csv and --xlsx PATH (with --force to overwrite it): the outputs every analysis table has."""
    function = click.option("--force", is_flag=True, help="Overwrite the workbook (or document) if it exists.")(function)
    function = click.option("--xlsx", type=click.Path(path_type=Path), help="Write the table to this .xlsx workbook instead of printing it (with --json or --csv, printed as well).")(function)
    function = click.option("--csv", "as_csv", is_flag=True, help="Print CSV instead of a table.")(function)
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(function)


@dataclass(frozen=True)
class Output:
    as_json: bool
    as_csv: bool
    xlsx: Path | None
    force: bool = False  # a file that exists is overwritten only when asked

    @classmethod
    def take(cls, options: dict[str, Any]) -> Output:
        chosen = cls(options.pop("as_json"), options.pop("as_csv"), options.pop("xlsx"), options.pop("force"))
        if chosen.as_json and chosen.as_csv:
            raise InvalidInput("--json and --csv cannot both be printed", "choose one; --xlsx can go with either")
        return chosen


def _selection(options: dict[str, Any], codes: Sequence[str] = (), include_subcodes: bool = True) -> QuoteFilter:
    return QuoteFilter(
        codes=tuple(codes), include_subcodes=include_subcodes, roles=options["roles"], waves=options["waves"],
        participants=options["participants"], transcripts=options["transcripts"], coders=options["coders"],
        attributes=parse_attributes(options["attributes"]), query=options["query"],
    )


def with_withdrawn(data: dict[str, Any], withdrawn: Withdrawn | None) -> dict[str, Any]:
    """A table's JSON with, when participants withdrew, how many and when (`withdrawn`): its counts leave them out."""
    from dataclasses import asdict

    return data if withdrawn is None else {**data, "withdrawn": asdict(withdrawn)}


def _emit(
    workspace: Workspace, session: Session, output: Output, tables: dict[str, Table], csv_table: str, selection: QuoteFilter,
    codes: Sequence[str] = (),
) -> None:
    """Write the workbook (whole, after the leak check) if asked, then print the tables as asked; a
    count that holds the consensus coder's copies beside the coders' own says so, and so does one
    that leaves out codings of the selection (of `codes`, when the table counts only those) a
    replaced text orphaned, as an export does, and one that leaves out participants who withdrew."""
    from qualcode.analysis.tables import render_csv, render_text, table_data, write_xlsx
    from qualcode.coding.consensus import CONSENSUS_CODER, counted_beside_its_coders, counted_note
    from qualcode.coding.orphans import left_out_note

    if counted_beside_its_coders(session, selection):
        note(f"{counted_note()}; --coder {CONSENSUS_CODER} counts the decided passages alone, --coder NAME one coder's")

    if output.xlsx is not None:
        from qualcode.exporters.service import export_guard

        path = output.xlsx
        write_xlsx(list(tables.values()), path, export_guard(session, workspace.leak_check_key(), path.name), overwrite=output.force)
        note(f"wrote {path}")
    withdrawn = workspace.withdrawn(session)
    if output.as_json:
        data = {name: with_withdrawn(table_data(table), withdrawn) for name, table in tables.items()}
        emit_json(next(iter(data.values())) if len(data) == 1 else data)
    elif output.as_csv:
        click.echo(render_csv(tables[csv_table]), nl=False)
    elif output.xlsx is None:
        click.echo("\n".join(render_text(table) for table in tables.values()), nl=False)
    left_out = left_out_note(session, replace(selection, codes=tuple(codes)) if codes else selection)
    if withdrawn is not None:
        note(withdrawn.note)
    for table in tables.values():  # after the tables, where a terminal shows them last
        for warning in table.warnings:
            note(f"warning: {warning}")
    if left_out is not None:
        note(f"warning: {left_out}")


@click.group("analyse")
def analyse_group() -> None:
    """Count codes, cross them with attributes, open the passages behind a count, compare rounds."""


@analyse_group.command("codes")
@code_options
@filter_options
@output_options
@pass_app
def analyse_codes(app: AppContext, /, codes: tuple[str, ...], only: bool, **options: Any) -> None:
    """Code frequencies: passages, participants, transcripts, words coded and passages by coder per code.

    Example: qualcode analyse codes --role deltaker --wave T1
    """
    from qualcode.analysis.frequencies import code_frequencies, frequencies_table

    output = Output.take(options)
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        selection = workspace.only_mine(session, _selection(options, codes, not only))
        table = frequencies_table(code_frequencies(session, selection))
        _emit(workspace, session, output, {"codes": table}, "codes", selection)


@analyse_group.command("matrix")
@click.option("--by", "by", multiple=True, required=True,
              help="The attribute whose values are the columns (role, wave, office, participant, coder, …); twice to cross two.")
@click.option("--count", type=click.Choice(["passages", "participants", "words"]), default="passages", show_default=True,
              help="What each cell counts.")
@click.option("--percent", type=click.Choice(["row", "column"]), help="Show each count's percentage of its row or column total beside it.")
@code_options
@filter_options
@output_options
@pass_app
def analyse_matrix(
    app: AppContext, /, by: tuple[str, ...], count: str, percent: str | None, codes: tuple[str, ...], only: bool, **options: Any,
) -> None:
    """A code × attribute matrix with row and column totals and how many participants and transcripts each column has.

    Example: qualcode analyse matrix --by role --by wave --percent column
    """
    from qualcode.analysis.matrix import code_matrix, matrix_table

    output = Output.take(options)
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        selection = workspace.only_mine(session, _selection(options, codes, not only))
        table = matrix_table(code_matrix(session, selection, by, count), percent)
        _emit(workspace, session, output, {"matrix": table}, "matrix", selection)


@analyse_group.command("cell")
@click.argument("code")
@click.argument("where", nargs=-1, metavar="NAME=VALUE...")
@filter_options
@output_options
@pass_app
def analyse_cell(app: AppContext, /, code: str, where: tuple[str, ...], **options: Any) -> None:
    """The passages behind a matrix cell, with who said them, where, and the turns around them.

    Example: qualcode analyse cell brukermedvirkning role=veileder wave=T1
    """
    from qualcode.analysis.matrix import cell_passages, cell_table, stored_cell

    output = Output.take(options)
    pairs = parse_attributes(where)
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        selection = workspace.only_mine(session, _selection(options))
        code, pairs = stored_cell(session, code, pairs)  # named in the table's title, which names no one
        table = cell_table(code, pairs, cell_passages(session, selection, code, pairs), selection)
        if workspace.blind:  # each passage is keyed by its codings' ids, which count everyone's: by their handles
            shown = workspace.codings_shown(int(coding_id) for row in table.rows for coding_id in row.key.split(",") if coding_id)
            table = replace(table, rows=tuple(
                replace(row, key=",".join(shown[int(coding_id)] for coding_id in row.key.split(",") if coding_id)) for row in table.rows))
        _emit(workspace, session, output, {"passages": table}, "passages", selection, (code,))


@analyse_group.command("compare")
@click.option("--by", required=True, help="The attribute to compare across: wave, office, role, any typed attribute.")
@click.option("--code", required=True, help="The code to compare (with its sub-codes).")
@click.option("--percent", type=click.Choice(["row", "column"]), help="Show each count's percentage of its row or column total beside it.")
@filter_options
@output_options
@pass_app
def analyse_compare(app: AppContext, /, by: str, code: str, percent: str | None, **options: Any) -> None:
    """One code across the values of an attribute: counts per value, and the passages of each participant
    who has passages under more than one value, value by value (--csv prints those passages).

    Example: qualcode analyse compare --by wave --code brukermedvirkning
    """
    from qualcode.analysis.compare import compare, comparison_tables, one_value_note

    output = Output.take(options)
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        selection = workspace.only_mine(session, _selection(options))
        comparison = compare(session, selection, by, code)
        counts, listing = comparison_tables(comparison, percent)
        _emit(workspace, session, output, {"counts": counts, "participants": listing}, "participants", selection, (code,))
    if output.as_csv and comparison.in_one:  # CSV prints no caption, where the other outputs say it
        note(one_value_note(comparison))


@analyse_group.command("cooccur")
@click.option("--within", "within_text", default="overlap", show_default=True,
              help="When two passages co-occur: overlap, turn (a common speaker turn) or sentences:N (within N sentences).")
# Taken as often as given, so that a second --code is refused rather than silently put in place of the first.
@click.option("--code", "codes", multiple=True, help="Rank the codes that co-occur with this code (one code).")
@click.option("--pairs", nargs=2, metavar="CODE CODE", help="List the pairs of passages behind the cell of two codes.")
@filter_options
@output_options
@pass_app
def analyse_cooccur(
    app: AppContext, /, within_text: str, codes: tuple[str, ...], pairs: tuple[str, str] | None, **options: Any,
) -> None:
    """Which codes co-occur: a code × code table of pairs of passages and their c-coefficient.

    Example: qualcode analyse cooccur --within turn --code måltall-press
    """
    from qualcode.analysis import cooccurrence as cooccur

    if len(codes) > 1:
        raise InvalidInput(
            f"--code ranks the partners of one code, and {len(codes)} were given ({', '.join(codes)})",
            "rank one code at a time, or see every pair of codes without --code",
        )
    code = codes[0] if codes else None
    output = Output.take(options)
    within = cooccur.parse_within(within_text)
    if code and pairs:
        raise InvalidInput("--code and --pairs cannot go together", "rank with --code, then open a cell with --pairs CODE CODE")
    with app.workspace(read_only=True, keeps=within.kind == "sentences") as workspace, workspace.begin() as session:
        selection = workspace.only_mine(session, _selection(options))
        if pairs:
            table = cooccur.pairs_table(cooccur.cooccurring_pairs(session, selection, within, *pairs), within)
        else:
            found = cooccur.cooccurrence(session, selection, within)
            if code:
                table = cooccur.ranking_table(cooccur.rank_partners(found, cooccur.find_row(session, found, code)))
            elif (nothing := cooccur.without_pairs(found)) is not None:
                raise nothing
            else:
                table = cooccur.cooccurrence_table(found)
        _emit(workspace, session, output, {"cooccurrence": table}, "cooccurrence", selection, pairs or ())


COMMANDS = [analyse_group]
