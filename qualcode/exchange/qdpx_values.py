"""Values as a .qdpx writes them, a variable's typed value and an element's moment, read as what
they say in Project.xsd's types and nothing else."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

# The types of a Variable, each written in a VariableValue as its own element (<IntegerValue>).
VALUE_KINDS = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")


# xs:date and xs:dateTime as Project.xsd lets them be written: a year of four digits or more, a
# zone (Z or +hh:mm / -hh:mm) or none, and a dateTime's seconds with any number of decimals. Read
# liberally, as Python's own reader was: a space for the T, a time without its seconds. In the digits
# 0-9 only, as the schema's are: \d took "２０２４-０１-０２" (full width) as an interview's date.
_XS_MOMENT = re.compile(
    r"(?P<year>[0-9]{4,})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:\.[0-9]+)?)?)?"
    r"(?:Z|[+-](?P<zone_hour>[0-9]{2}):(?P<zone_minute>[0-9]{2}))?"
)


def written_date(text: str) -> date | None:
    """The calendar date an xs:date or xs:dateTime is written with, its zone left unapplied: an
    interview at midnight in Oslo, 2009-10-12T00:00:00+02:00, was on the 12th though UTC was still
    on the 11th. None when `text` is neither, or is a day Python's dates cannot hold."""
    written = _XS_MOMENT.fullmatch(text.strip())
    if written is None:
        return None
    hour, minute, second = (int(written[part] or 0) for part in ("hour", "minute", "second"))
    # 24:00:00 is the schema's end of a day; the day it ends is the one written.
    if not (hour < 24 or (hour, minute, second) == (24, 0, 0)) or minute > 59 or second > 59:
        return None
    if int(written["zone_hour"] or 0) > 14 or int(written["zone_minute"] or 0) > 59:
        return None
    try:
        return date(int(written["year"]), int(written["month"]), int(written["day"]))
    except ValueError:  # 2023-02-30, or a year past 9999
        return None


# xs:integer and xs:decimal (a Float's type in Project.xsd), in the digits 0-9: \\d and int() took "３" (full
# width) and "٣" as 3, and float() "３.５" and "1_000", so a value was stored as a number it was not written as.
# An exponent is read too (1.5E3), as other programs may write a Float as an xs:double.
_XS_INTEGER = re.compile(r"[+-]?[0-9]+")
_XS_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def typed_as(value_type: str, text: str) -> object | None:
    """`text` as a value of the REFI-QDA type `value_type`; None when it is not one.

    Floats and date-times are kept as their text, as qualcode types attributes; a Date written with
    a zone or a time is the calendar date written."""
    try:
        if value_type == "Boolean":
            return {"true": True, "1": True, "false": False, "0": False}[text.lower()]
        if value_type == "Integer":
            return int(text) if _XS_INTEGER.fullmatch(text) else None
        if value_type == "Float":
            return text if _XS_DECIMAL.fullmatch(text) and math.isfinite(float(text)) else None
        if value_type == "Date":
            return written_date(text)
        if value_type == "DateTime":
            return text if written_date(text) is not None else None
    except (KeyError, ValueError):
        return None
    return text


def moment(value: str | None, latest: datetime) -> datetime | None:
    """An xs:dateTime as a moment in UTC (one without a zone taken as UTC), or None where there is
    none, it cannot be read (the schema check has said so already) or it comes after `latest` (another
    machine's clock). A moment in 1970 or before is none: qualcode's own placeholder for an unknown moment
    is the start of 1970, and other programs write zero dates so; no one coded an interview then."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    elif parsed.utcoffset():
        parsed = parsed.astimezone(UTC)
    return None if parsed.year <= 1970 or parsed > latest else parsed
