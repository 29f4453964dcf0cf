"""`qualcode exchange validate`: check REFI-QDA files (.qdc codebooks, .qdpx projects) as other programs will read them."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.context import json_option
from qualcode.cli.output import emit_json
from qualcode.errors import InvalidInput


@click.group("exchange")
def exchange_group() -> None:
    """Exchange with other QDA programs through REFI-QDA (.qdc, .qdpx)."""


@exchange_group.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
def exchange_validate(file: Path, as_json: bool) -> None:
    """Check a .qdc or .qdpx file against the REFI-QDA schemas and print each problem as FILE:line: message.

    Example: qualcode exchange validate exports/prosjekt-2026-12-01.qdpx
    """
    from qualcode.exchange.validate import validate_exchange_file

    findings = validate_exchange_file(file)
    if as_json:
        emit_json(findings)
    else:
        for finding in findings:
            click.echo(str(finding))
    if findings:
        raise InvalidInput(f"{file} is not valid REFI-QDA: {len(findings)} problem{'s' if len(findings) > 1 else ''}")
    if not as_json:
        click.echo(f"{file}: valid")


COMMANDS = [exchange_group]
