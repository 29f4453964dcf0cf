"""`qualcode framework set|clear|show|cell|export`: the framework matrix, participants by codes, a summary in each cell."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from qualcode.analysis.framework import (
    CAPTION,
    GONE_WORDS,
    FrameworkCell,
    FrameworkMatrix,
    GonePassage,
    framework_cell,
    framework_matrix,
)
from qualcode.cli.context import AppContext, json_option, language_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.errors import InvalidInput
from qualcode.text.counts import counted

WIDTH = 80
LABEL_WIDTH = 12
MIN_CELL_WIDTH = 18
SUMMARY_LINES = 4  # a cell shows this many lines of its summary; `framework cell` shows it all
EDIT_MARK = "# "


def matrix_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Which cells: the columns (codes) and the rows (participants, roles)."""
    options = [
        click.option("--code", "codes", multiple=True,
                     help="A column (its sub-codes rolled up); repeatable. Default: the top-level codes and any code with a summary."),
        click.option("--participant", "participants", multiple=True, help="Only this participant's row; repeatable."),
        click.option("--role", "roles", multiple=True, help="Only participants with this role; repeatable."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group("framework")
def framework_group() -> None:
    """The framework matrix: a summary per participant and code, linked to the passages it summarises."""


@framework_group.command("set")
@click.argument("participant")
@click.argument("code")
@click.argument("text", required=False)
@click.option("--edit", is_flag=True, help="Write the summary in $EDITOR, beside the cell's passages.")
@pass_app
def framework_set(app: AppContext, participant: str, code: str, text: str | None, edit: bool) -> None:
    """Write the summary of a cell (what PARTICIPANT said under CODE); undo takes it back.

    Example: qualcode framework set D1 brukermedvirkning "Opplevde å bli hørt i planen, men ikke i valg av tiltak"
    """
    from qualcode.analysis.framework import set_summary

    if text is not None and edit:
        raise InvalidInput("give the summary as TEXT or write it with --edit, not both", 'as in: qualcode framework set D1 empowerment "…"')
    if text is None and not edit:
        raise InvalidInput("no summary given", 'give it as TEXT, as in: qualcode framework set D1 empowerment "…", or write it with --edit')
    with app.workspace() as workspace:
        if edit:
            with workspace.begin() as session:
                cell = framework_cell(session, participant, code, workspace.mine())
            text = _edited(cell, app.config.editor)
            if text is None:
                note("the summary was not changed")
                return
        assert text is not None
        with workspace.typed() as session:
            change = set_summary(session, participant, code, text, workspace.coder(session))
            if workspace.mine():  # the summary links every coder's passages; a blind coder is told of their own only
                change = replace(change, passages=len(framework_cell(session, participant, code, workspace.mine()).passages))
    verb = "wrote" if change.changed else "unchanged:"
    click.echo(f"{verb} the summary of {change.participant} under {change.code_path} ({_passages(change.passages)})")


def _edited(cell: FrameworkCell, editor: str | None) -> str | None:
    """The summary as written in the editor, the passages shown as comment lines; None if left as it was."""
    lines = [cell.summary or "", "", f"{EDIT_MARK}Summary of {cell.participant} under {cell.code_path}.",
             f"{EDIT_MARK}Lines starting with '#' are left out. {_passages(len(cell.passages))}:"]
    for passage in cell.passages:
        lines.append(f"{EDIT_MARK}[{passage.ref}] {passage.transcript} line {passage.line} ({passage.coder}):")
        lines += [f"{EDIT_MARK}  {line}" for line in textwrap.wrap(" ".join(passage.text.split()), 74)]
    original = "\n".join(lines) + "\n"
    if editor is None and not sys.stdin.isatty():
        # click would start a default editor with no terminal to show it in, and wait for ever.
        raise InvalidInput("--edit needs an editor, and there is no terminal", "set EDITOR, or give the summary as TEXT")
    try:
        written = click.edit(original, editor=editor, extension=".txt")
    except click.ClickException as error:  # the editor named in EDITOR is not there, or failed
        raise InvalidInput(f"the editor could not be used: {error.message}", "set EDITOR to an editor that is installed, or give the summary as TEXT") from None
    if written is None or written == original:
        return None
    return "\n".join(line for line in written.splitlines() if not line.startswith("#")).strip()


@framework_group.command("clear")
@click.argument("participant")
@click.argument("code")
@pass_app
def framework_clear(app: AppContext, participant: str, code: str) -> None:
    """Clear the summary of a cell (kept in the log; `qualcode undo` brings it back).

    Example: qualcode framework clear D1 brukermedvirkning
    """
    from qualcode.analysis.framework import clear_summary

    with app.workspace() as workspace, workspace.begin() as session:
        change = clear_summary(session, participant, code, workspace.coder(session))
    click.echo(f"cleared the summary of {change.participant} under {change.code_path}")


@framework_group.command("show")
@matrix_options
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: one row per cell (participant, role, code, summary, passages …).")
@pass_app
def framework_show(
    app: AppContext, codes: tuple[str, ...], participants: tuple[str, ...], roles: tuple[str, ...], as_json: bool, as_csv: bool,
) -> None:
    """Show the matrix: a row per participant, a column per code, the summary and passage counts in each cell.

    Example: qualcode framework show --code brukermedvirkning --code empowerment --role deltaker
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        matrix = framework_matrix(session, codes, participants, roles, workspace.mine())
    if as_json:
        emit_json(_json(matrix))
    elif as_csv:
        _csv(matrix)
    else:
        click.echo("\n".join(render_matrix(matrix)))


@framework_group.command("cell")
@click.argument("participant")
@click.argument("code")
@json_option
@pass_app
def framework_cell_command(app: AppContext, participant: str, code: str, as_json: bool) -> None:
    """Show one cell: its summary and every passage behind it, those coded after the summary marked "new".

    Example: qualcode framework cell D1 brukermedvirkning
    """
    with app.workspace(read_only=True) as workspace, workspace.begin() as session:
        cell = framework_cell(session, participant, code, workspace.mine())
    if as_json:
        emit_json(cell)
        return
    click.echo(f"{cell.participant} under {cell.code_path}")
    if cell.summary is None:
        click.echo("no summary yet")
    else:
        click.echo(f"summary ({cell.updated_by}, {cell.updated_at}):")
        for line in cell.summary.splitlines():  # wrapped line by line: the summary's paragraphs and lists kept as written
            click.echo(textwrap.fill(line, WIDTH, initial_indent="  ", subsequent_indent="  "))
    click.echo(f"{_passages(len(cell.passages))}:")
    for passage in cell.passages:
        new = "  new" if cell.summary is not None and not passage.linked else ""
        click.echo(f"[{passage.ref}] {passage.transcript} line {passage.line} ({passage.coder}){new}")
        click.echo(textwrap.fill(" ".join(passage.text.split()), WIDTH, initial_indent="  ", subsequent_indent="  "))
    if cell.gone:
        click.echo(f"{cell.gone_note()}:")
        for gone in cell.gone:
            click.echo(f"{gone.transcript or '(transcript deleted)'} ({gone.coder})  gone: {_gone_words(gone)}")
            click.echo(textwrap.fill(" ".join(gone.text.split()), WIDTH, initial_indent="  ", subsequent_indent="  "))


@framework_group.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@matrix_options
@language_option
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@pass_app
def framework_export(
    app: AppContext, path: Path, codes: tuple[str, ...], participants: tuple[str, ...], roles: tuple[str, ...], language: str,
    force: bool,
) -> None:
    """Write the matrix to an .xlsx workbook (summaries wrapped in the cells) with a sheet of the linked passages.

    Example: qualcode framework export rammematrise.xlsx --role deltaker
    """
    from qualcode.anonymise.in_context import cleared_in_project
    from qualcode.anonymise.own_exports import remembering
    from qualcode.exporters.framework import export_framework_workbook

    with app.workspace(read_only=True, keeps=True) as workspace:  # an export only reads the project
        key = workspace.leak_check_key()
        with workspace.begin() as session:
            matrix = framework_matrix(session, codes, participants, roles, workspace.mine())
            written, warnings = export_framework_workbook(path, matrix, key, language=language, force=force,
                                                          cleared=cleared_in_project(session), remember=remembering(session))
    for warning in warnings:
        note(f"warning: {warning}")
    click.echo(f"wrote {written}: {counted(len(matrix.rows), 'participant')} × {counted(len(matrix.codes), 'code')}")


# --- rendering ------------------------------------------------------------------------------------------
def _passages(count: int) -> str:
    return f"{count} passage{'s' if count != 1 else ''}"


def _gone_words(gone: GonePassage) -> str:
    return GONE_WORDS[gone.reason].format(now=gone.now or "no participant")


def shorten(text: str, width: int) -> str:
    """A code path that fits: its end kept, since the last part names the code."""
    return text if len(text) <= width else "…" + text[len(text) - width + 1:]


def _cell_lines(cell: FrameworkCell, width: int) -> list[str]:
    # "–" where the participant has no passages of the code, as the workbook and the report write it; a cell
    # whose passages wait for a summary says so (both showed "–", and "nothing said" read as "not summarised").
    shown = cell.summary if cell.summary is not None else "not summarised" if cell.passages else "–"
    lines = textwrap.wrap(" ".join(shown.split()), width) or [""]
    if len(lines) > SUMMARY_LINES:
        lines = lines[:SUMMARY_LINES]
        lines[-1] = lines[-1][: width - 1] + "…"
    count = _passages(len(cell.passages)) + (f", {cell.new_passages} new" if cell.new_passages else "")
    gone = [f"({cell.gone_passages} summarised gone)"] if cell.gone else []
    return [*lines, f"({count})", *gone]


def render_matrix(matrix: FrameworkMatrix, width: int = WIDTH) -> list[str]:
    """The matrix in `width` columns: as many code columns as fit side by side, the rest on further pages
    with the participant column repeated."""
    per_page = max(1, min(len(matrix.codes), (width - LABEL_WIDTH) // (MIN_CELL_WIDTH + 3)))
    pages = [list(range(first, min(first + per_page, len(matrix.codes)))) for first in range(0, len(matrix.codes), per_page)]
    out = [f"Framework matrix: {counted(len(matrix.rows), 'participant')} × {counted(len(matrix.codes), 'code')}"]
    for number, columns in enumerate(pages, start=1):
        cell_width = (width - LABEL_WIDTH - 3 * len(columns)) // len(columns)
        if len(pages) > 1:
            out.append(f"-- codes {columns[0] + 1}–{columns[-1] + 1} of {len(matrix.codes)} (page {number} of {len(pages)}) --")
        header = "Participant".ljust(LABEL_WIDTH) + "".join(
            " │ " + shorten(matrix.codes[index].path, cell_width).ljust(cell_width) for index in columns
        )
        out += [header.rstrip(), "─" * LABEL_WIDTH + ("─┼─" + "─" * cell_width) * len(columns)]
        for row in matrix.rows:
            blocks = [_cell_lines(row.cells[index], cell_width) for index in columns]
            labels = [shorten(row.participant, LABEL_WIDTH), shorten(row.role or "", LABEL_WIDTH)]
            height = max(len(labels), *(len(block) for block in blocks))
            for line in range(height):
                label = labels[line] if line < len(labels) else ""
                text = label.ljust(LABEL_WIDTH) + "".join(
                    " │ " + (block[line] if line < len(block) else "").ljust(cell_width) for block in blocks
                )
                out.append(text.rstrip())
            out.append("─" * LABEL_WIDTH + ("─┼─" + "─" * cell_width) * len(columns))
    gone = [f"{row.participant} under {cell.code_path}: {cell.gone_note()}" for row in matrix.rows for cell in row.cells if cell.gone]
    if gone:
        out.append("Summaries written on passages that are gone (see `qualcode framework cell`):")
        out += [line for text in gone for line in textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ")]
    out += textwrap.wrap(CAPTION, width)
    return out


def _json(matrix: FrameworkMatrix) -> dict[str, Any]:
    return {
        "codes": [code.path for code in matrix.codes],
        "rows": [
            {
                "participant": row.participant, "role": row.role,
                "cells": [
                    {"code": cell.code_path, "summary": cell.summary, "updated_by": cell.updated_by, "updated_at": cell.updated_at,
                     "passages": len(cell.passages), "new_passages": cell.new_passages,
                     "gone_passages": cell.gone_passages, "gone": cell.gone_note(),
                     "refs": [passage.ref for passage in cell.passages]}
                    for cell in row.cells
                ],
            }
            for row in matrix.rows
        ],
        "caption": CAPTION,
    }


def _csv(matrix: FrameworkMatrix) -> None:
    from qualcode.analysis.tables import csv_text

    rows: list[list[object]] = [["participant", "role", "code", "summary", "passages", "new_passages", "gone_passages", "gone",
                                 "updated_by", "updated_at"]]
    for row in matrix.rows:
        for cell in row.cells:
            rows.append([row.participant, row.role or "", cell.code_path, cell.summary or "", len(cell.passages),
                         cell.new_passages, cell.gone_passages, cell.gone_note(), cell.updated_by or "", cell.updated_at or ""])
    click.echo(csv_text(rows), nl=False)


COMMANDS = [framework_group]
