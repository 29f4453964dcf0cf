"""Running an export: choose the path, never overwrite by accident, and publish only what passed the leak guard.

A default name (exports/rapport-2026-12-01.docx) is never overwritten: when it is taken the export
gets the next free number (rapport-2026-12-01-2.docx, -3 ...). The name is claimed by publishing
without overwrite (a hard link, which fails if the name exists), so two exports at once cannot
both take one new name: the one that loses moves on to the next number. --force only ever
overwrites a file named with --output; a named file that exists without --force is refused.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from qualcode.anonymise.attribution import attribution_risks
from qualcode.anonymise.in_context import cleared_in_project
from qualcode.anonymise.key import PseudonymKey
from qualcode.anonymise.leakcheck import Leak, guard
from qualcode.anonymise.own_exports import remembering
from qualcode.anonymise.typed_text import clean_text, looked_up
from qualcode.coding.orphans import left_out_note
from qualcode.coding.passages import (
    Quote,
    QuoteFilter,
    cap_quotes,
    nothing_selected,
    select_quotes,
)
from qualcode.errors import InvalidInput, WriteFailed
from qualcode.exporters.attribution import check_template, group_label
from qualcode.exporters.publish import TargetExists, publish
from qualcode.exporters.quotes import (
    FORMATS,
    render_quote_table,
    too_long_for_a_cell,
)
from qualcode.search.query import query_as_stored
from qualcode.text.counts import counted
from qualcode.text.export_words import LABELS
from qualcode.text.normalise import visible

if TYPE_CHECKING:
    from qualcode.codebook.service import CodeView
    from qualcode.exporters.report_options import ReportOptions

EXPORTS_DIR = "exports"
MAX_NUMBER = 10_000  # rapport-<date>-10000.docx: past this, something is wrong


@dataclass(frozen=True)
class ExportResult:
    path: Path
    quotes: int
    codes: int  # the codes quoted, not the headings above them
    warnings: list[str]

    @property
    def summary(self) -> str:
        """What was written, as the command line and the terminal UI say it: "3 quotes under 2 codes"."""
        return f"{counted(self.quotes, 'quote')} under {counted(self.codes, 'code')}"


def default_stem(kind: str, language: str) -> str:
    """The name an export is given when none is: a report ("rapport", "report") or a quote table ("sitater", "quotes")."""
    if kind == "report":
        return "rapport" if language == "nb" else "report"
    return "sitater" if language == "nb" else "quotes"


def export_path(project_root: Path, given: Path | None, stem: str, suffix: str, force: bool) -> Path:
    """The file to write: as given (refused if it exists, unless force), or the first default name exports/<stem>-<date>.<suffix>."""
    path = given if given is not None else project_root / EXPORTS_DIR / f"{stem}-{date.today().isoformat()}{suffix}"
    if given is not None and given.is_dir():
        raise InvalidInput(f"{given} is a folder", f"name the file to write in it, as {given / (stem + suffix)}")
    if path.suffix.lower() != suffix:
        raise InvalidInput(f"{path.name} should end in {suffix}", f"name the file as {path.with_suffix(suffix).name}")
    if given is not None and not force and os.path.lexists(path):
        raise TargetExists(path)
    exports = (project_root / EXPORTS_DIR).resolve()
    if given is not None and not path.parent.exists() and path.parent.resolve() != exports:
        # As every other command that writes a file: a mistyped folder is not made, at / or anywhere
        # (the project's own exports/ folder is made when first used, whichever way it is named).
        raise InvalidInput(f"no folder {path.parent} to write {path.name} in", "create the folder first, or give another path")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise WriteFailed(f"{path.parent} is a file, not a folder; nothing was written") from None
    except OSError as error:
        raise WriteFailed(f"cannot make the folder {path.parent}: {error.strerror or error}; nothing was written") from None
    return path


def _warnings(session: Session, template: str, quotes: Sequence[Quote], language: str) -> list[str]:
    """Small-group warnings for the labels by role (office, round) that the exported quotes carry, named
    as the export prints them ("En informant, kontor B").

    Internal references name no group. A group's size is counted over the whole project: that is
    how many people a label such as "Veileder, kontor B" could point at; values printed alike (two
    roles that both read "En informant") are one group.
    """
    names = {name for _, name, _, _ in string.Formatter().parse(check_template(template)) if name}
    if "participant" in names:
        return []
    fields = (("role",) if names & {"role", "role_label", "role_name"} else ()) + tuple(
        field for field in ("office", "wave") if field in names
    )
    if not fields:
        return []
    # Only quotes by a known participant carry a group label; the rest read "En informant". A passage
    # that runs on into another participant's turn carries theirs too (in its attribution and lines).
    labelled = [(quote.role, quote.office, quote.wave) for quote in quotes if quote.participant is not None] + [
        (voice.role, voice.office, quote.wave) for quote in quotes for voice in quote.also_spoken_by if voice.participant is not None
    ]
    shown = {tuple(dict(zip(("role", "office", "wave"), group, strict=True))[field] for field in fields) for group in labelled}

    def printed(values: tuple[str | None, ...]) -> str:
        given = dict(zip(fields, values, strict=True))
        return group_label(template, language, given.get("role"), given.get("office"), given.get("wave"))

    generic = LABELS[language]["informant"]
    return [
        f"'{risk.label}' covers {counted(risk.participants, 'participant')} and may identify them; "
        + ("merge groups" if risk.label.startswith(generic) and risk.suggestion.startswith("use a generic") else risk.suggestion)
        for risk in attribution_risks(session, fields, among=shown, label=printed, generic=generic)
    ]


def _taken(path: Path) -> bool:
    return os.path.lexists(path)


def publish_numbered(first: Path, data: bytes, check: Callable[[bytes], None] | None) -> tuple[Path, list[str]]:
    """Publish under `first`, or the first free numbered name after it; the path written and stale temporaries removed."""
    for number in range(1, MAX_NUMBER + 1):
        candidate = first if number == 1 else first.with_name(f"{first.stem}-{number}{first.suffix}")
        if _taken(candidate):
            continue
        try:
            stale = publish(candidate, data, check, overwrite=False)
        except TargetExists:
            check = None  # it passed; another export took this name between our look and our rename
            continue
        return candidate, stale
    raise WriteFailed(f"{first.parent} holds {MAX_NUMBER} exports named {first.stem}-N{first.suffix}; nothing was written",
                      "move older exports away, or pass --output")


def publish_checked(path: Path, data: bytes, key: PseudonymKey | None, *, numbered: bool = False,
                    overwrite: bool = True, cleared: Callable[[Leak], bool] | None = None,
                    remember: Callable[[bytes], None] | None = None) -> tuple[Path, list[str]]:
    """Publish through the leak guard (when there is a key), which lets pass what `cleared` clears and gives
    `remember` what passed with qualcode's own labels; the path written, and warnings for stale temporaries removed."""
    check = (lambda checked: guard(checked, key, path.name, cleared, remember)) if key is not None else None
    if numbered:
        path, stale = publish_numbered(path, data, check)
    else:
        stale = publish(path, data, check, overwrite=overwrite)
    return path, [f"removed {name}, left in {path.parent} by an export that was killed" for name in stale]


def export_guard(session: Session, key: PseudonymKey, name: str) -> Callable[[bytes], None]:
    """The leak guard an export of this project called `name` passes, as every export passes it: a number a
    quote's cut left bare is read where it stands in the transcript, and bytes that pass only with qualcode's
    own labels are remembered (anonymise.own_exports)."""
    cleared, remember = cleared_in_project(session), remembering(session)
    return lambda data: guard(data, key, name, cleared, remember)


def _publish_export(session: Session, path: Path, data: bytes, key: PseudonymKey | None,
                    output: Path | None, force: bool) -> tuple[Path, list[str]]:
    """Publish an export of quotes: a number their cut left without the words that made it an amount is no leak."""
    return publish_checked(path, data, key, numbered=output is None, overwrite=force, cleared=cleared_in_project(session),
                           remember=remembering(session))


# Called as progress(done, total) while quotes are written: once per batch of quotes.
Progress = Callable[[int, int], None]


def render_report(
    session: Session, quotes: list[Quote], codes: list[CodeView], selection: QuoteFilter, options: ReportOptions,
    progress: Progress | None = None, everything: list[Quote] | None = None,
) -> bytes:
    """The report's .docx bytes, from exporters.report, imported only here: it loads python-docx,
    which quote tables do not need."""
    from qualcode.exporters import report

    return report.render_report(session, quotes, codes, selection, options, progress, everything=everything)


def as_typed(text: str | None, key: PseudonymKey | None) -> str | None:
    """What a researcher typed for an export (a title, an attribution template) as typed text is
    stored: no control characters (a Word file cannot hold them), and the names the key holds
    replaced by their pseudonyms, so "Rapport om Kari Nordmann" is written, not refused."""
    if text is None:
        return None
    return clean_text(text, key) if key is not None else visible(text)


def query_as_typed(query: str | None, key: PseudonymKey | None) -> str | None:
    """An export's search query as every search reads it (search.service.stored_query), with the
    export's key: the words naming someone the key holds as their pseudonyms, its syntax kept, so
    the title page names no one and "Hilde OR planen" finds her pseudonym or "planen" as a search does."""
    typed = as_typed(query, None)
    if typed is None or key is None:
        return typed
    found = looked_up(typed, key)
    return query_as_stored(typed, found.replaced)[0] if found.replaced else typed


def export_report(
    session: Session, project_root: Path, selection: QuoteFilter, options: ReportOptions,
    output: Path | None, force: bool, key: PseudonymKey | None, progress: Progress | None = None,
) -> ExportResult:
    """Write the Word report; an empty selection is refused and writes nothing."""
    options = replace(options, title=as_typed(options.title, key), attribution=as_typed(options.attribution, key) or "")
    # The query is printed on the title page, and searches texts that hold pseudonyms.
    selection = replace(selection, query=query_as_typed(selection.query, key))
    # Selected whole, then capped: a section's counts are of every passage, not only those shown.
    everything, codes = select_quotes(session, replace(selection, cap_per_participant=None), per_passage=True)
    if not everything:
        raise nothing_selected(session, selection)
    cap = selection.cap_per_participant
    quotes = cap_quotes(everything, cap) if cap is not None else everything
    path = export_path(project_root, output, default_stem("report", options.language), ".docx", force)
    rendered = render_report(session, quotes, codes, selection, options, progress, everything=everything)
    path, notes = _publish_export(session, path, rendered, key, output, force)
    tables = [warning for table in options.matrices for warning in table.warnings]
    return ExportResult(path, len(quotes), _quoted(quotes), notes + _left_out(session, selection)
                        + _warnings(session, options.attribution, quotes, options.language) + tables)


def _left_out(session: Session, selection: QuoteFilter) -> list[str]:
    """The selection's codings an export leaves out, with no place in a replaced text, named as a
    .qdpx export names them: a probe's report quietly lost a coding and its memo."""
    note = left_out_note(session, selection)
    return [note] if note is not None else []


def _quoted(quotes: list[Quote]) -> int:
    """How many codes the quotes are under (select_quotes' codes hold their parents too, for headings)."""
    return len({quote.code_path for quote in quotes})


def export_quote_table(
    session: Session, project_root: Path, selection: QuoteFilter, table_format: str, template: str, language: str,
    output: Path | None, force: bool, key: PseudonymKey | None, progress: Progress | None = None,
) -> ExportResult:
    """Write a quote table (csv or xlsx); an empty selection is refused and writes nothing."""
    template = as_typed(template, key) or ""
    selection = replace(selection, query=query_as_typed(selection.query, key))  # as a report's is
    if table_format not in FORMATS:
        raise InvalidInput(f"format {table_format!r} is not one of {', '.join(FORMATS)}")
    quotes, codes = select_quotes(session, selection, per_passage=True)
    if not quotes:
        raise nothing_selected(session, selection)
    path = export_path(project_root, output, default_stem(table_format, language), f".{table_format}", force)
    path, notes = _publish_export(session, path, render_quote_table(quotes, table_format, template, language, progress), key,
                                  output, force)
    if table_format == "xlsx":
        notes += too_long_for_a_cell(quotes)
    return ExportResult(path, len(quotes), _quoted(quotes), notes + _left_out(session, selection) + _warnings(session, template, quotes, language))
