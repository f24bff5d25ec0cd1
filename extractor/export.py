"""Exporting evidence to files: one evidence table, or the study-comparison views.

``export_table`` writes one evidence table as CSV, JSON, JSON lines or XLSX, each fact beside
its source. ``export_comparison`` writes the comparison views of ``extractor.comparison``
(survival, dosing and cohorts study by study) as CSV, one JSON object, one XLSX workbook or
Markdown tables. Both go through the same writers: one each for CSV, JSON, XLSX and Markdown.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from extractor.comparison import COMPARISON_VIEWS, comparison_rows
from extractor.errors import ConfigError, StoreError
from extractor.evidence import PROVENANCE_FIELDS, EvidenceKind, find_kind

FORMATS = ("csv", "json", "jsonl", "xlsx")
COMPARISON_FORMATS = ("csv", "json", "xlsx", "md")

Row = dict[str, Any]

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", fgColor="DDEBF7")
_MAX_COLUMN_WIDTH = 60
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class _Table:
    """Rows to write under a name (sheet, Markdown heading, CSV file) with their columns, which
    are known even when there are no rows."""

    name: str
    columns: list[str]
    rows: list[Row]
    numeric: frozenset[str] = frozenset()  # columns declared numeric, for when all are NULL


# --- one evidence table ---------------------------------------------------------------------


def _evidence_columns(kind: EvidenceKind) -> list[str]:
    return [
        "document_id",
        "document_title",
        "document_source",
        *kind.columns,
        *PROVENANCE_FIELDS,
        "extractor_version",
    ]


def evidence_rows(db: sqlite_utils.Database, kind: str | EvidenceKind) -> list[dict[str, Any]]:
    """Rows of one evidence table with their document's title and source, in document order."""
    found = find_kind(kind) if isinstance(kind, str) else kind
    columns = ", ".join(
        f"e.[{c}]" for c in [*found.columns, *PROVENANCE_FIELDS, "extractor_version"]
    )
    sql = (
        f"SELECT e.document_id, d.title AS document_title, d.source AS document_source, "
        f"{columns} FROM [{found.table}] e JOIN documents d ON d.id = e.document_id "
        f"ORDER BY e.document_id, e.start, e.id"
    )
    return [dict(row) for row in db.query(sql)]


def export_table(db: sqlite_utils.Database, kind: str, fmt: str, out: str | Path | TextIO) -> int:
    """Write one evidence table to a file or stream; returns the number of rows written."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    found = find_kind(kind)
    table = _Table(found.table, _evidence_columns(found), evidence_rows(db, found))
    if fmt == "xlsx":
        _write_xlsx([table], _binary_path(out))
        return len(table.rows)
    with _text_output(out) as handle:
        if fmt == "json":
            _write_json(table.rows, handle)
        elif fmt == "jsonl":
            for row in table.rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            _write_csv(table, handle)
    return len(table.rows)


# --- the study-comparison views --------------------------------------------------------------


def export_comparison(
    db: sqlite_utils.Database,
    fmt: str,
    out: str | Path | TextIO,
    *,
    views: Sequence[str] | str = COMPARISON_VIEWS,
    study: str | None = None,
    endpoint: str | None = None,
    drug: str | None = None,
) -> dict[str, int]:
    """Write the study-comparison views; returns the number of rows written per view.

    Rows are those of ``extractor.comparison.comparison_rows``, in its order, with the same
    filters: each filter applies to the views that have its column and leaves the others whole
    (``drug`` narrows ``dosing_by_study`` only, ``endpoint`` ``survival_by_study`` only).
    A view with no matching rows is still written with its header.

    Formats (``COMPARISON_FORMATS``) and what ``out`` must be:

    - ``xlsx``: a file path (not a stream); one workbook with one sheet per view, named after it,
      with a bold, filled header row that stays frozen, an autofilter over the data and fitted
      column widths. Numbers stay numeric cells; text that looks like a formula stays text.
    - ``json``: a file path or a text stream; one object ``{view: [row, ...]}``.
    - ``md``: a file path or a text stream; per view a ``## <view>`` heading and a pipe table
      (numeric columns right-aligned, ``|`` and ``\\`` escaped, line breaks as ``<br>``, NULL as
      an empty cell, floats rounded to six decimals without trailing zeros).
    - ``csv``: one file per view. ``out`` is a directory (created if missing) that receives
      ``<view>.csv`` for each view. When exactly one view is asked for, ``out`` may instead be a
      path ending in ``.csv`` (written as that file) or a text stream. Asking for several views
      with a ``.csv`` path or a stream is a ConfigError.

    Raises ConfigError for an unknown format or view, or an ``out`` the format cannot use, before
    anything is written; StoreError when the database lacks a view (it predates the migration).
    """
    if fmt not in COMPARISON_FORMATS:
        raise ConfigError(
            f"unknown comparison export format {fmt!r}; choose one of "
            f"{', '.join(COMPARISON_FORMATS)}"
        )
    chosen = _chosen_views(views)
    xlsx_path = _binary_path(out) if fmt == "xlsx" else None
    csv_files = _csv_files(out, chosen) if fmt == "csv" else None
    tables = [
        _view_table(db, view, comparison_rows(db, view, study=study, endpoint=endpoint, drug=drug))
        for view in _known_views(db, chosen)
    ]
    if xlsx_path is not None:
        _write_xlsx(tables, xlsx_path)
    elif fmt == "csv":
        if csv_files is None:  # one view, to a stream
            with _text_output(out) as handle:
                _write_csv(tables[0], handle)
        else:
            for table in tables:
                path = csv_files[table.name]
                path.parent.mkdir(parents=True, exist_ok=True)
                with _text_output(path) as handle:
                    _write_csv(table, handle)
    else:
        with _text_output(out) as handle:
            if fmt == "json":
                _write_json({table.name: table.rows for table in tables}, handle)
            else:
                _write_markdown(tables, handle)
    return {table.name: len(table.rows) for table in tables}


def _chosen_views(views: Sequence[str] | str) -> tuple[str, ...]:
    names = (views,) if isinstance(views, str) else tuple(views)
    for name in names:
        if name not in COMPARISON_VIEWS:
            raise ConfigError(
                f"unknown comparison view {name!r}; choose among {', '.join(COMPARISON_VIEWS)}"
            )
    if not names:
        raise ConfigError(f"no comparison view chosen; name one of {', '.join(COMPARISON_VIEWS)}")
    return tuple(dict.fromkeys(names))


def _known_views(db: sqlite_utils.Database, views: tuple[str, ...]) -> tuple[str, ...]:
    present = set(db.view_names())
    for view in views:
        if view not in present:
            raise StoreError(
                f"the evidence database has no {view} view: it was made by an older extractor; "
                f"open it with this one (any command given --db migrates it) and export again"
            )
    return views


def _view_table(db: sqlite_utils.Database, view: str, rows: list[Row]) -> _Table:
    columns = db.view(view).columns
    numeric = frozenset(
        column.name
        for column in columns
        if any(word in column.type.upper() for word in ("INT", "REAL", "FLOA", "DOUB", "NUM"))
    )
    return _Table(view, [column.name for column in columns], rows, numeric)


def _csv_files(out: str | Path | TextIO, views: tuple[str, ...]) -> dict[str, Path] | None:
    """Where each view's CSV goes: None for one view to a stream."""
    if not isinstance(out, (str, Path)):
        if len(views) == 1:
            return None
        raise ConfigError(
            f"CSV writes one file per view and {len(views)} views were asked for: name a "
            f"directory with -o DIR, or choose one view to write it to standard output"
        )
    path = Path(out)
    if path.suffix.lower() == ".csv" and not path.is_dir():
        if len(views) == 1:
            return {views[0]: path}
        raise ConfigError(
            f"{path} names one CSV file but {len(views)} views were asked for: name a directory "
            f"(it receives one <view>.csv per view), or choose one view"
        )
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"{path} is a file: CSV export writes one <view>.csv per view into a directory; "
            f"name a directory, or a .csv file when exporting one view"
        )
    return {view: path / f"{view}.csv" for view in views}


# --- the writers ---------------------------------------------------------------------------


def _binary_path(out: str | Path | TextIO) -> Path:
    if not isinstance(out, (str, Path)):
        raise ConfigError("XLSX is a binary file: name one with -o FILE.xlsx")
    return Path(out)


@contextmanager
def _text_output(out: str | Path | TextIO) -> Iterator[TextIO]:
    """A path opened for writing UTF-8 text (and closed after), or the stream given."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            yield handle
    else:
        yield out


def _write_csv(table: _Table, handle: TextIO) -> None:
    writer = csv.DictWriter(handle, fieldnames=table.columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(table.rows)


def _write_json(data: Any, handle: TextIO) -> None:
    json.dump(data, handle, ensure_ascii=False, indent=1)
    handle.write("\n")


def _write_xlsx(tables: Iterable[_Table], path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
        for row in table.rows:
            sheet.append([_xlsx_value(row.get(column)) for column in table.columns])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if cell.data_type == "f":  # text starting with "=" is data, not a formula
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        last_column = get_column_letter(len(table.columns))
        sheet.auto_filter.ref = f"A1:{last_column}{len(table.rows) + 1}"
        for index, column in enumerate(table.columns, start=1):
            longest = max(
                [len(column) + 2]  # room for the autofilter button
                + [len(str(row[column])) for row in table.rows if row.get(column) is not None]
            )
            width = min(longest + 2, _MAX_COLUMN_WIDTH)
            sheet.column_dimensions[get_column_letter(index)].width = width
    workbook.save(path)


def _xlsx_value(value: Any) -> Any:
    """Numbers stay numbers; control characters XLSX cannot hold are dropped from text."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_markdown(tables: Iterable[_Table], handle: TextIO) -> None:
    for number, table in enumerate(tables):
        if number:
            handle.write("\n")
        handle.write(f"## {table.name}\n\n")
        handle.write(_markdown_line(_markdown_cell(column) for column in table.columns))
        handle.write(
            _markdown_line(
                "---:" if _is_numeric(table, column) else "---" for column in table.columns
            )
        )
        for row in table.rows:
            handle.write(_markdown_line(_markdown_cell(row.get(c)) for c in table.columns))


def _markdown_line(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


def _is_numeric(table: _Table, column: str) -> bool:
    """Numbers wherever the column has a value; if it has none, as the column is declared."""
    values = [row.get(column) for row in table.rows if row.get(column) is not None]
    if not values:
        return column in table.numeric
    return all(isinstance(value, (int, float)) and not isinstance(value, bool) for value in values)


def _markdown_cell(value: Any) -> str:
    if value is None:
        return ""
    text = _format_float(value) if isinstance(value, float) else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return _NEWLINE.sub("<br>", text)


def _format_float(value: float) -> str:
    """81.6 for 81.60000001, 24 for 24.0; tiny values keep three significant digits."""
    if not math.isfinite(value):
        return str(value)
    rounded = round(value, 6)
    if rounded == 0 and value != 0:
        return f"{value:.3g}"
    if rounded.is_integer() and abs(rounded) < 1e15:
        return str(int(rounded))
    return repr(rounded)
