"""A report as rows of figures, this period beside the last: CSV for a spreadsheet, an aligned
table for the terminal (``parley reports``). Both come from the JSON shape, so they agree."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Any


def _flat(figures: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in figures.items():
        if isinstance(value, Mapping):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def compared_rows(report: Mapping[str, Any]) -> list[list[str]]:
    """A header and ``metric, current, previous`` rows of a report from ``overview.compared``."""
    period, before = report["period"], report["previous_period"]
    rows = [["metric", f"{period['from']}..{period['to']}", f"{before['from']}..{before['to']}"]]
    previous = dict(_flat(report["previous"]))
    for metric, value in _flat(report["current"]):
        rows.append([metric, _cell(value), _cell(previous[metric])])
    return rows


def compared_csv(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(compared_rows(report))
    return out.getvalue()


def compared_text(report: Mapping[str, Any]) -> str:
    rows = compared_rows(report)
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def records_csv(records: Sequence[Mapping[str, Any]]) -> str:
    """A list of flat records (a report's table) as CSV with a header from the first one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if records:
        writer.writerow(list(records[0]))
        writer.writerows([_cell(value) for value in record.values()] for record in records)
    return out.getvalue()
