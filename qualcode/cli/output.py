"""Rendering for the terminal: JSON for scripts, aligned tables for people."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

import click


def emit_json(data: Any) -> None:
    def default(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        return str(value)

    click.echo(json.dumps(data, default=default, ensure_ascii=False, indent=2))


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[("" if value is None else str(value)) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    click.echo("  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def note(message: str) -> None:
    """A diagnostic for the person at the terminal, on stderr so stdout stays data; a character that would not show
    as itself there (a right-to-left override in a file's name, a zero-width space) shown as its escape."""
    if not message.isprintable():  # seldom: the module that judges each character (14 ms) is loaded only then
        from qualcode.text.normalise import escaped_unseen

        message = escaped_unseen(message)
    click.echo(message, err=True)


def error(line: str) -> None:
    """An error for the person at the terminal: a note on one line, whatever the message holds."""
    note(" ".join(line.split()))
