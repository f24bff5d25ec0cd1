"""Exporting evidence tables as CSV, JSON, JSON lines or XLSX, each fact beside its source."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils
from openpyxl import Workbook
from openpyxl.styles import Font

from extractor.errors import ConfigError
from extractor.evidence import PROVENANCE_FIELDS, EvidenceKind, find_kind

FORMATS = ("csv", "json", "jsonl", "xlsx")


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
    rows = evidence_rows(db, found)
    if fmt == "xlsx":
        if not isinstance(out, (str, Path)):
            raise ConfigError("XLSX is a binary file: name one with -o FILE.xlsx")
        _write_xlsx(found, rows, Path(out))
        return len(rows)
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as handle:
            _write_text(fmt, rows, handle)
    else:
        _write_text(fmt, rows, out)
    return len(rows)


def _write_text(fmt: str, rows: list[dict[str, Any]], handle: TextIO) -> None:
    if fmt == "json":
        json.dump(rows, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    elif fmt == "jsonl":
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)


def _write_xlsx(kind: EvidenceKind, rows: list[dict[str, Any]], path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.table[:31]
    header = list(rows[0]) if rows else ["document_id", *kind.columns, *PROVENANCE_FIELDS]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(header, start=1):
        longest = max([len(str(column))] + [len(str(r.get(column) or "")) for r in rows])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(longest + 2, 60)
    workbook.save(path)
