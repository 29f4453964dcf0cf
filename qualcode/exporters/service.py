"""Running an export: choose the path, never overwrite by accident, and publish only what passed the leak guard."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from qualcode.anonymise.attribution import attribution_risks
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import guard
from qualcode.errors import InvalidInput, WriteFailed
from qualcode.exporters.attribution import check_template
from qualcode.exporters.publish import publish
from qualcode.exporters.quotes import FORMATS, render_quote_table
from qualcode.exporters.report import ReportOptions, render_report
from qualcode.exporters.selection import QuoteFilter, select_quotes

EXPORTS_DIR = "exports"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    quotes: int
    codes: int
    warnings: list[str]


def export_path(project_root: Path, given: Path | None, stem: str, suffix: str, force: bool) -> Path:
    """The file to write: as given, or exports/<stem>-<date>.<suffix>; existing files need force."""
    path = given if given is not None else project_root / EXPORTS_DIR / f"{stem}-{date.today().isoformat()}{suffix}"
    if path.suffix.lower() != suffix:
        raise InvalidInput(f"{path.name} should end in {suffix}")
    if path.exists() and not force:
        raise InvalidInput(f"{path} exists", "pass --force to overwrite it, or --output another file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteFailed(f"{path.parent} is a file, not a folder; nothing was written") from None
    except OSError as error:
        raise WriteFailed(f"cannot make the folder {path.parent}: {error.strerror or error}; nothing was written") from None
    return path


def _warnings(session: Session, template: str) -> list[str]:
    """Small-group warnings for labels by role (and office); internal references name no group."""
    names = {name for _, name, _, _ in string.Formatter().parse(check_template(template)) if name}
    if "participant" in names:
        return []
    fields = (("role",) if names & {"role", "role_label", "role_name"} else ()) + (("office",) if "office" in names else ())
    if not fields:
        return []
    return [
        f"'{risk.label}' covers {risk.participants} participants and may identify them; {risk.suggestion}"
        for risk in attribution_risks(session, fields)
    ]


def publish_checked(path: Path, data: bytes, key: PseudonymKey | None) -> list[str]:
    """Publish through the leak guard (when there is a key); warnings for stale temporaries removed."""
    stale = publish(path, data, (lambda checked: guard(checked, key, path.name)) if key is not None else None)
    return [f"removed {name}, left in {path.parent} by an export that was killed" for name in stale]


def export_report(
    session: Session, project_root: Path, selection: QuoteFilter, options: ReportOptions,
    output: Path | None, force: bool, key: PseudonymKey | None,
) -> ExportResult:
    quotes, codes = select_quotes(session, selection)
    path = export_path(project_root, output, "rapport" if options.language == "nb" else "report", ".docx", force)
    notes = publish_checked(path, render_report(session, quotes, codes, selection, options), key)
    return ExportResult(path, len(quotes), len(codes), notes + _warnings(session, options.attribution))


def export_quote_table(
    session: Session, project_root: Path, selection: QuoteFilter, table_format: str, template: str, language: str,
    output: Path | None, force: bool, key: PseudonymKey | None,
) -> ExportResult:
    if table_format not in FORMATS:
        raise InvalidInput(f"format {table_format!r} is not one of {', '.join(FORMATS)}")
    quotes, codes = select_quotes(session, selection)
    path = export_path(project_root, output, "sitater" if language == "nb" else "quotes", f".{table_format}", force)
    notes = publish_checked(path, render_quote_table(quotes, table_format, template, language), key)
    return ExportResult(path, len(quotes), len(codes), notes + _warnings(session, template))
