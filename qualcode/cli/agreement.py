"""`qualcode agreement [disagreements]`: how well coders agree, per code and overall, and where they differ.

`agreement` is a group that runs by itself (click's invoke_without_command): bare, it prints the
agreement table; `agreement disagreements` lists the units behind it. Both take the same options.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from qualcode.cli.analyse import Output, code_options, output_options, with_withdrawn
from qualcode.cli.context import AppContext, language_option, pass_app
from qualcode.cli.output import emit_json, note
from qualcode.coding.passages import QuoteFilter, parse_attributes, stored_selection
from qualcode.errors import InvalidInput
from qualcode.text.export_words import AGREEMENT_LABELS

if TYPE_CHECKING:  # the agreement modules load when a command runs
    from qualcode.agreement.service import Agreement
    from qualcode.analysis.tables import Table
    from qualcode.workspace import Workspace

UNIT_CHOICES = ("sentence", "turn", "segment", "character")


def agreement_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The unit, the coders and the filters every agreement command takes."""
    options = [
        click.option("--unit", type=click.Choice(UNIT_CHOICES), default="sentence", show_default=True,
                     help="What the coders agree on: sentences, turns, matched segments, or characters."),
        click.option("--min-overlap", type=float, default=None,
                     help="With --unit segment: the share of the longer passage two passages must share to match (default 0.9)."),
        click.option("--coders", "coders_text", default=None,
                     help="The coders to compare, as A,B[,C] (default: everyone who coded the selection)."),
        click.option("--role", "roles", multiple=True, help="Only what speakers of this role said; repeatable."),
        click.option("--wave", "waves", multiple=True, help="Only this interview round; repeatable."),
        click.option("--participant", "participants", multiple=True, help="Only this participant; repeatable."),
        click.option("--transcript", "transcripts", multiple=True, help="Only this transcript; repeatable."),
        click.option("--attribute", "attributes", multiple=True, help="NAME=VALUE on the participant or transcript; 'NAME=(not stated)' for none; repeatable."),
    ]
    for option in reversed(options):
        function = option(function)
    return code_options(function)


def _measure(workspace: Workspace, options: dict[str, Any], listed: bool = True) -> Agreement:
    from qualcode.agreement.service import agreement

    selection = QuoteFilter(
        codes=tuple(options["codes"]), include_subcodes=not options["only"], roles=options["roles"],
        waves=options["waves"], participants=options["participants"], transcripts=options["transcripts"],
        attributes=parse_attributes(options["attributes"]),
    )
    given = options["coders_text"]
    coders = [name for name in (given or "").split(",") if name.strip()]
    if given is not None and not coders:  # an empty value (an unset variable in a script) is not "everyone"
        raise InvalidInput("--coders names no coder", 'as in --coders "Forsker 1,Medforsker 1", or leave it out for everyone')
    workspace.refuse_if_blind("agreement")
    with workspace.begin() as session:
        coders = workspace.stored_coder_names(session, coders)  # as --coder finds a coder the key has renamed
        selection = stored_selection(session, selection)  # a code or value typed with a name the key holds, as stored
        return agreement(session, selection, options["unit"], coders, options["min_overlap"], listed=listed)


def agreement_table(result: Agreement) -> Table:
    """Per code: units, percent agreement, kappa and alpha, each with the units it rests on."""
    from qualcode.agreement.wording import caption, title
    from qualcode.analysis.tables import Cell, Column, Row, Table

    @dataclass(frozen=True)
    class Statistic(Cell):
        """`digits` decimals in the terminal, the number itself in JSON, CSV and .xlsx; "n/a" when undefined."""

        digits: int = 3

        def text(self) -> str:
            return f"{self.value:.{self.digits}f}" if isinstance(self.value, float) else super().text()

    def statistic(value: float | None, digits: int = 3) -> Cell:
        return Statistic(_number(value, digits), digits=digits)

    said = AGREEMENT_LABELS["en"]  # the terminal's words, and the JSON keys scripts read
    columns = tuple(Column(said[name]) for name in ("units", "percent", "kappa", "kappa_units", "alpha", "alpha_units"))

    listed = {code.code_path for code in result.codes}

    def row(code: Any) -> Row:
        # A sub-code under its parent's row by its own name, indented, as every other table names it; its whole
        # path where its parent is not listed (it was its path cut from the left: "…ent/selvbilde og selvtillit").
        # Not indented where its parent is not listed: the indent took the path's first letters.
        parent, _, name = code.code_path.rpartition("/")
        under = parent in listed
        return Row(name if under else code.code_path, (
            Cell(code.percent.units), statistic(code.percent.value, 1), statistic(code.kappa.value),
            Cell(code.kappa.units), statistic(code.alpha.value), Cell(code.alpha.units),
        ), code.depth if under else 0, code.code_path)

    return Table(
        title=title(result, "en"), caption=caption(result, "en"), row_header=said["code"], columns=columns,
        rows=tuple(row(code) for code in result.codes), totals=row(result.overall),
    )


def _number(value: float | None, digits: int = 3) -> float | str:
    """A figure, or "n/a" when it is undefined (never NaN)."""
    return "n/a" if value is None else round(value, digits)


def disagreements_table(result: Agreement) -> Table:
    from qualcode.agreement.wording import disagreements_caption
    from qualcode.analysis.tables import Cell, Column, Row, Table

    columns = (Column("line"), Column("code"), Column("applied by"), Column("not by"), Column("text", wide=True))
    rows = tuple(
        Row(entry.transcript, (Cell(entry.line), Cell(entry.code_path), Cell(", ".join(entry.applied_by)),
                               Cell(", ".join(entry.not_by)), Cell(entry.text)))
        for entry in result.disagreements
    )
    return Table(
        title=f"Disagreements by {result.unit} ({len(rows)})",
        caption=disagreements_caption(result, "en"),
        row_header="Transcript", columns=columns, rows=rows, records=True,
    )


def _emit(workspace: Workspace, output: Output, docx: Path | None, result: Agreement, tables: dict[str, Table],
          printed: str, language: str = "nb") -> None:
    """Write the workbook and the document (whole, after the leak check) if asked, then print as asked,
    saying when participants withdrew: the figures leave their words out."""
    from qualcode.analysis.tables import render_csv, render_text, table_data, write_xlsx

    if output.xlsx is not None or docx is not None:
        from qualcode.exporters.service import export_guard

        key = workspace.leak_check_key()
        if docx is not None and docx.suffix.lower() != ".docx":
            raise InvalidInput(f"{docx} does not end in .docx", "name the document like enighet.docx")
        # Both refused before either is written: a workbook was left beside a document that exists.
        for taken in [path for path in (output.xlsx, docx) if path is not None and os.path.lexists(path)]:
            if not output.force:
                raise InvalidInput(f"{taken} exists; nothing was written", "pass --force to overwrite it, or give another file name")
        with workspace.begin() as session:  # a passage cut after "kr " is read where it stands, as the report reads it
            if output.xlsx is not None:
                path = output.xlsx
                write_xlsx(list(tables.values()), path, export_guard(session, key, path.name), overwrite=output.force)
                note(f"wrote {path}")
            if docx is not None:
                from qualcode.agreement.document import docx_bytes
                from qualcode.exporters.publish import publish

                # The document words the agreement itself, in `language`: the tables are the terminal's, in English.
                publish(docx, docx_bytes(result, language), export_guard(session, key, docx.name), overwrite=output.force)
                note(f"wrote {docx}")
    with workspace.begin() as session:
        withdrawn = workspace.withdrawn(session)
    if output.as_json:
        emit_json(with_withdrawn(table_data(tables[printed]), withdrawn))
    elif output.as_csv:
        click.echo(render_csv(tables[printed]), nl=False)
    elif output.xlsx is None and docx is None:
        click.echo(render_text(tables[printed]), nl=False)
    if withdrawn is not None:
        note(withdrawn.note)


def _docx_option(function: Callable[..., Any]) -> Callable[..., Any]:
    function = language_option(function)
    return click.option("--docx", type=click.Path(path_type=Path),
                        help="Write the table and the disagreements to this Word document (labels in bokmål; --lang en for English) "
                             "instead of printing them (with --json or --csv, printed as well).")(function)


@click.group("agreement", invoke_without_command=True)
@agreement_options
@output_options
@_docx_option
@click.pass_context
def agreement_group(context: click.Context, /, **options: Any) -> None:
    """Intercoder agreement per code and overall: percent, Cohen's/Fleiss' kappa, Krippendorff's alpha.

    Example: qualcode agreement --unit sentence --coders "Forsker 1,Medforsker 1"
    """
    if context.invoked_subcommand is not None:  # the subcommand takes its own options
        return
    app = context.find_object(AppContext)
    assert app is not None
    output = Output.take(options)
    docx, language = options.pop("docx"), options.pop("language")
    if docx is None and context.get_parameter_source("language") is not ParameterSource.DEFAULT:
        raise InvalidInput("--lang applies to the Word document (--docx), not the terminal's table", "add --docx FILE, or leave --lang out")
    with app.workspace(read_only=True, keeps=options["unit"] == "sentence") as workspace:
        # The disagreements go into the workbook and the document; a printed table does without them.
        result = _measure(workspace, options, listed=output.xlsx is not None or docx is not None)
        tables = {"agreement": agreement_table(result)}
        if output.xlsx is not None or docx is not None:
            tables["disagreements"] = disagreements_table(result)
        _emit(workspace, output, docx, result, tables, "agreement", language)


@agreement_group.command("disagreements")
@agreement_options
@click.option("--coder", "coder_filter", multiple=True, help="Only units where this coder differs from another; repeatable.")
@output_options
@pass_app
def agreement_disagreements(app: AppContext, /, coder_filter: tuple[str, ...], **options: Any) -> None:
    """Each unit where coders differ: transcript, line, the text, who applied which code (--code, --coder filter).

    Example: qualcode agreement disagreements --unit turn --code brukermedvirkning
    """
    from dataclasses import replace

    output = Output.take(options)
    with app.workspace(read_only=True, keeps=options["unit"] == "sentence") as workspace:
        result = _measure(workspace, options)
        with workspace.begin() as session:  # named as --coders and --coder find a coder: in another case, as the key renamed them
            coder_filter = tuple(workspace.stored_coder_names(session, coder_filter))
        unknown = [name for name in coder_filter if name not in result.coders]
        if unknown:
            raise InvalidInput(f"--coder {unknown[0]} is not one of the coders compared", f"coders: {', '.join(result.coders)}")
        if coder_filter:
            kept = tuple(entry for entry in result.disagreements
                         if any(name in entry.applied_by or name in entry.not_by for name in coder_filter))
            result = replace(result, disagreements=kept)
        _emit(workspace, output, None, result, {"disagreements": disagreements_table(result)}, "disagreements")


COMMANDS = [agreement_group]
