"""Exports of the study-comparison views: every format read back with its own reader gives the
rows of comparison_rows, filtered or not; XLSX and Markdown layout; where CSV files go; errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlite_utils

from extractor.comparison import COMPARISON_VIEWS, comparison_rows
from extractor.errors import ConfigError, StoreError
from extractor.evidence import PROVENANCE_FIELDS, find_kind
from extractor.export import COMPARISON_FORMATS, export_comparison, export_table

# The shape of the store's study tables and views (extractor.study_store), with just enough of
# it for the views to behave like the real ones: names joined in, NULLs where nothing was found.
SCHEMA = """
CREATE TABLE endpoints (code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE studies (id TEXT PRIMARY KEY, name TEXT NOT NULL, first_year INTEGER);
CREATE TABLE survival_findings (
  id INTEGER PRIMARY KEY, study_id TEXT, arm TEXT, arm_role TEXT, endpoint TEXT,
  timepoint_months REAL, value_pct REAL, ci_low REAL, ci_high REAL, n INTEGER, year INTEGER,
  sources TEXT, source_count INTEGER, source_kinds TEXT, conflicts TEXT
);
CREATE TABLE dose_findings (
  id INTEGER PRIMARY KEY, study_id TEXT, drug TEXT, amount REAL, amount_max REAL, unit TEXT,
  route TEXT, schedule TEXT, duration_days REAL, year INTEGER, sources TEXT,
  source_count INTEGER, source_kinds TEXT
);
CREATE TABLE cohort_findings (
  id INTEGER PRIMARY KEY, study_id TEXT, arm TEXT, role TEXT, n INTEGER, description TEXT,
  year INTEGER, sources TEXT, source_count INTEGER, source_kinds TEXT
);
CREATE VIEW survival_by_study AS
SELECT f.id AS finding_id, coalesce(s.name, 'unattributed') AS study, f.study_id, f.arm,
  f.arm_role, f.endpoint, e.name AS endpoint_name, f.timepoint_months, f.value_pct, f.ci_low,
  f.ci_high, f.n, f.year, f.sources, f.source_count, f.source_kinds, f.conflicts
FROM survival_findings f
LEFT JOIN studies s ON s.id = f.study_id LEFT JOIN endpoints e ON e.code = f.endpoint;
CREATE VIEW dosing_by_study AS
SELECT f.id AS finding_id, coalesce(s.name, 'unattributed') AS study, f.study_id, f.drug,
  f.amount, f.amount_max, f.unit, f.route, f.schedule, f.duration_days, f.year, f.sources,
  f.source_count, f.source_kinds
FROM dose_findings f LEFT JOIN studies s ON s.id = f.study_id;
CREATE VIEW cohorts_by_study AS
SELECT f.id AS finding_id, coalesce(s.name, 'unattributed') AS study, f.study_id, f.arm,
  f.role, f.n, f.description, f.year, f.sources, f.source_count, f.source_kinds
FROM cohort_findings f LEFT JOIN studies s ON s.id = f.study_id;
"""

BLINA_SOURCES = "pmid:90001008; news:ecancer.org/ac5ffeea8bc1"
MLL10_CONFLICT = "value_pct: 66.2 (pmid:90001011) | 66.0 (news:jco.example/mll10)"
CONTROLS_DESCRIPTION = "Interfant-06 infants\ntreated with chemotherapy alone"

ENDPOINTS = [
    ("DFS", "Disease-free survival"),
    ("OS", "Overall survival"),
    ("EFS", "Event-free survival"),
]
STUDIES = [
    ("interfant-06", "Interfant-06", 2006),
    ("mll-10", "MLL-10", 2011),
    ("augment-101", "AUGMENT-101", 2019),
]
BLINA = ("Interfant-06 + blinatumomab", "experimental")
CONTROLS = ("Interfant-06 historical controls", "historical control")
SURVIVAL = [
    # id, study, arm, role, endpoint, months, value, ci, n, year, sources, count, kinds, conflicts
    (1, "interfant-06", *BLINA, "DFS", 24.0, 81.6, 70.2, 94.9, 30, 2023, BLINA_SOURCES, 2,
     "news, paper", None),
    (2, "interfant-06", *CONTROLS, "DFS", 24.0, 49.4, 42.7, 57.1, 214, 2023, "pmid:90001008", 1,
     "paper", None),
    (3, "interfant-06", *BLINA, "OS", 24.0, 93.3, None, None, 30, 2023, BLINA_SOURCES, 2,
     "news, paper", None),
    (4, "interfant-06", *CONTROLS, "OS", 24.0, 65.8, None, None, 214, 2023, "pmid:90001008", 1,
     "paper", None),
    (5, "mll-10", "MLL-10", "total", "EFS", 36.0, 66.2, None, None, 62, 2021,
     "pmid:90001011; news:jco.example/mll10", 2, "news, paper", MLL10_CONFLICT),
]  # fmt: skip
DOSES = [
    (1, "interfant-06", "blinatumomab", 15.0, None, "μg/m2/day", "intravenous",
     "continuous infusion", 28.0, 2023, BLINA_SOURCES, 2, "news, paper"),
    (2, "augment-101", "revumenib", 95.0, None, "mg/m2", "oral", "every 12 hours", None, 2023,
     "pmid:90001020", 1, "paper"),
]  # fmt: skip
COHORTS = [
    (1, "interfant-06", *BLINA, 30, "infants with newly diagnosed KMT2A-rearranged ALL", 2023,
     BLINA_SOURCES, 2, "news, paper"),
    (2, "interfant-06", *CONTROLS, 214, CONTROLS_DESCRIPTION, 2023, "pmid:90001008", 1, "paper"),
    (3, "mll-10", "MLL-10", "total", 62, "infants with KMT2A-rearranged ALL, all risk groups",
     2021, "pmid:90001011", 1, "paper"),
]  # fmt: skip

# Each filter set, and how many rows it leaves in survival, dosing and cohorts.
FILTERS: list[tuple[dict[str, str], tuple[int, int, int]]] = [
    ({}, (5, 2, 3)),
    ({"study": "interfant-06"}, (4, 1, 2)),
    ({"study": "MLL-10"}, (1, 0, 1)),
    ({"study": "augment-101"}, (0, 1, 0)),
    ({"endpoint": "dfs"}, (2, 2, 3)),
    ({"drug": "BLINATUMOMAB"}, (5, 1, 3)),
    ({"study": "Interfant-06", "endpoint": "OS", "drug": "blinatumomab"}, (2, 1, 2)),
]


def _make_db(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            db.execute(statement)
    with db.conn:
        db.conn.executemany("INSERT INTO endpoints VALUES (?, ?)", ENDPOINTS)
        db.conn.executemany("INSERT INTO studies VALUES (?, ?, ?)", STUDIES)
        db.conn.executemany(f"INSERT INTO survival_findings VALUES ({_marks(15)})", SURVIVAL)
        db.conn.executemany(f"INSERT INTO dose_findings VALUES ({_marks(13)})", DOSES)
        db.conn.executemany(f"INSERT INTO cohort_findings VALUES ({_marks(10)})", COHORTS)
    return db


def _marks(count: int) -> str:
    return ", ".join("?" * count)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return _make_db(tmp_path / "evidence.db")


# --- reading each format back ---------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _as_csv(row: dict[str, Any]) -> dict[str, str]:
    return {key: "" if value is None else str(value) for key, value in row.items()}


def _read_sheet(path: Path, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    sheet = openpyxl.load_workbook(path)[name]
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, values, strict=True))
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]
    return header, rows


def _split_markdown_row(line: str) -> list[str]:
    """Cells of one table line, split on the pipes that are not escaped, then unescaped."""
    assert line.startswith("| ") and line.endswith(" |"), line
    cells, cell = [], ""
    chars = iter(line[1:-1])
    for char in chars:
        if char == "\\":
            cell += char + next(chars)
        elif char == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += char
    cells.append(cell)
    return [re.sub(r"\\(.)", r"\1", cell.strip()) for cell in cells]


def _read_markdown(text: str) -> dict[str, list[list[str]]]:
    """Each ``## view`` section's table lines: header, alignment, then the rows."""
    sections: dict[str, list[list[str]]] = {}
    lines: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            lines = sections.setdefault(line[3:], [])
        elif line.startswith("|"):
            lines.append(_split_markdown_row(line))
        else:
            assert line == "", line
    return sections


def _as_markdown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).replace("\n", "<br>")


def _columns(db: sqlite_utils.Database, view: str) -> list[str]:
    return [column.name for column in db.view(view).columns]


@pytest.mark.parametrize("fmt", COMPARISON_FORMATS)
@pytest.mark.parametrize(("filters", "counts"), FILTERS, ids=repr)
def test_each_format_reads_back_as_the_view_rows(db, tmp_path, fmt, filters, counts):
    expected = {view: comparison_rows(db, view, **filters) for view in COMPARISON_VIEWS}
    assert tuple(len(rows) for rows in expected.values()) == counts

    out = tmp_path / {"csv": "comparison", "json": "c.json", "xlsx": "c.xlsx", "md": "c.md"}[fmt]
    written = export_comparison(db, fmt, out, **filters)
    assert written == dict(zip(COMPARISON_VIEWS, counts, strict=True))

    if fmt == "csv":
        assert sorted(p.name for p in out.iterdir()) == sorted(f"{v}.csv" for v in expected)
        for view, rows in expected.items():
            with open(out / f"{view}.csv", encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                assert reader.fieldnames == _columns(db, view)
                assert list(reader) == [_as_csv(row) for row in rows]
    elif fmt == "json":
        assert json.loads(out.read_text(encoding="utf-8")) == expected
    elif fmt == "xlsx":
        assert openpyxl.load_workbook(out).sheetnames == list(COMPARISON_VIEWS)
        for view, rows in expected.items():
            header, sheet_rows = _read_sheet(out, view)
            assert header == _columns(db, view)
            assert sheet_rows == rows
    else:
        tables = _read_markdown(out.read_text(encoding="utf-8"))
        assert list(tables) == list(COMPARISON_VIEWS)
        for view, rows in expected.items():
            header, alignment, *body = tables[view]
            assert header == _columns(db, view)
            assert len(alignment) == len(header)
            assert body == [[_as_markdown(row[column]) for column in header] for row in rows]


def test_a_filter_matching_nothing_still_writes_the_headers(db, tmp_path):
    nothing = {"study": "Interfant-99"}
    export_comparison(db, "csv", tmp_path / "csv", **nothing)
    export_comparison(db, "xlsx", tmp_path / "c.xlsx", **nothing)
    export_comparison(db, "md", tmp_path / "c.md", **nothing)
    written = export_comparison(db, "json", tmp_path / "c.json", **nothing)

    assert written == dict.fromkeys(COMPARISON_VIEWS, 0)
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8")) == {
        view: [] for view in COMPARISON_VIEWS
    }
    tables = _read_markdown((tmp_path / "c.md").read_text(encoding="utf-8"))
    for view in COMPARISON_VIEWS:
        columns = _columns(db, view)
        with open(tmp_path / "csv" / f"{view}.csv", encoding="utf-8", newline="") as handle:
            assert list(csv.reader(handle)) == [columns]
        assert _read_sheet(tmp_path / "c.xlsx", view) == (columns, [])
        assert len(tables[view]) == 2 and tables[view][0] == columns
    header, alignment = tables["survival_by_study"]
    aligned = dict(zip(header, alignment, strict=True))
    assert (aligned["value_pct"], aligned["study"]) == ("---:", "---")  # as the view declares


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_one_sheet_per_view_with_a_frozen_bold_filtered_header(db, tmp_path):
    out = tmp_path / "comparison.xlsx"
    export_comparison(db, "xlsx", out)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["survival_by_study", "dosing_by_study", "cohorts_by_study"]

    for name in workbook.sheetnames:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        assert all(cell.fill.fgColor.rgb.endswith("DDEBF7") for cell in sheet[1])
        assert not any(cell.font.bold for cell in sheet[2])
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"

    survival = workbook["survival_by_study"]
    assert survival.auto_filter.ref == "A1:Q6"  # 17 columns, header and 5 rows
    header = [cell.value for cell in survival[1]]
    blina = survival[2 + [r["finding_id"] for r in comparison_rows(db, survival.title)].index(1)]
    value = blina[header.index("value_pct")]
    assert value.data_type == "n" and isinstance(value.value, float) and value.value == 81.6
    n = blina[header.index("n")]
    assert n.data_type == "n" and n.value == 30
    assert blina[header.index("ci_low")].value == 70.2
    assert blina[header.index("sources")].value == BLINA_SOURCES

    widths = {
        header[index]: survival.column_dimensions[cell.column_letter].width
        for index, cell in enumerate(survival[1])
    }
    assert all(width <= 60 for width in widths.values())
    assert widths["sources"] > len(BLINA_SOURCES) and widths["conflicts"] == 60
    assert widths["n"] >= len("n") + 2 and widths["n"] < widths["study"]

    dosing = workbook["dosing_by_study"]
    units = [row[0] for row in dosing.iter_rows(min_row=2, min_col=7, max_col=7, values_only=True)]
    assert dosing["G1"].value == "unit" and "μg/m2/day" in units


def test_xlsx_text_that_looks_like_a_formula_stays_text(db, tmp_path):
    db.execute("UPDATE dose_findings SET schedule = '=1+1' WHERE id = 2")
    db.conn.commit()
    out = tmp_path / "comparison.xlsx"
    export_comparison(db, "xlsx", out, views=["dosing_by_study"])
    sheet = openpyxl.load_workbook(out)["dosing_by_study"]
    cells = [row[8] for row in sheet.iter_rows(min_row=2)]
    assert sheet["I1"].value == "schedule"
    assert [(c.value, c.data_type) for c in cells if c.value == "=1+1"] == [("=1+1", "s")]


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_tables_escape_pipes_and_line_breaks_and_align_numbers(db):
    out = io.StringIO()
    export_comparison(db, "md", out)
    text = out.getvalue()
    assert text.startswith("## survival_by_study\n\n| finding_id | study |")
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        f"## {view}" for view in COMPARISON_VIEWS
    ]

    tables = _read_markdown(text)
    header, alignment, *rows = tables["survival_by_study"]
    aligned = dict(zip(header, alignment, strict=True))
    assert aligned["value_pct"] == aligned["n"] == aligned["timepoint_months"] == "---:"
    assert aligned["study"] == aligned["sources"] == "---"
    assert aligned["ci_low"] == "---:"  # numbers where given, NULL elsewhere
    assert aligned["conflicts"] == "---"  # only text where given
    dose_header, dose_alignment, *_ = tables["dosing_by_study"]
    dose_aligned = dict(zip(dose_header, dose_alignment, strict=True))
    assert dose_aligned["amount_max"] == "---:"  # declared REAL, NULL in every row
    assert len(rows) == 5
    by_value = {row[header.index("value_pct")]: dict(zip(header, row, strict=True)) for row in rows}
    blina = by_value["81.6"]
    assert (blina["endpoint"], blina["timepoint_months"], blina["ci_high"]) == ("DFS", "24", "94.9")
    assert by_value["93.3"]["ci_low"] == ""  # NULL
    assert by_value["66.2"]["conflicts"] == MLL10_CONFLICT
    assert "66.2 (pmid:90001011) \\| 66.0" in text  # the pipe in the cell is escaped

    header, _, *rows = tables["cohorts_by_study"]
    described = [row[header.index("description")] for row in rows]
    assert CONTROLS_DESCRIPTION.replace("\n", "<br>") in described
    assert "infants\ntreated" not in text

    header, _, *rows = tables["dosing_by_study"]
    doses = {row[header.index("drug")]: dict(zip(header, row, strict=True)) for row in rows}
    assert (doses["blinatumomab"]["amount"], doses["blinatumomab"]["unit"]) == ("15", "μg/m2/day")
    assert doses["revumenib"]["schedule"] == "every 12 hours"
    assert doses["revumenib"]["duration_days"] == ""


def test_markdown_prints_floats_without_noise_and_escapes_backslashes(db):
    db.execute("UPDATE survival_findings SET value_pct = 81.60000001, ci_low = 0.1 + 0.2")
    db.execute(r"UPDATE survival_findings SET arm = 'a\|b' WHERE id = 5")
    db.conn.commit()
    out = io.StringIO()
    export_comparison(db, "md", out, views="survival_by_study", endpoint="DFS")
    assert "81.6 |" in out.getvalue() and "81.60000001" not in out.getvalue()
    header, _, first, _ = _read_markdown(out.getvalue())["survival_by_study"]
    assert (first[header.index("value_pct")], first[header.index("ci_low")]) == ("81.6", "0.3")

    out = io.StringIO()
    export_comparison(db, "md", out, views=["survival_by_study"], study="mll-10")
    header, _, row = _read_markdown(out.getvalue())["survival_by_study"]
    assert row[header.index("arm")] == "a\\|b" and len(row) == len(header)


# --- CSV layout, streams, views -------------------------------------------------------------


def test_csv_goes_to_a_directory_made_if_missing(db, tmp_path):
    out = tmp_path / "exports" / "comparison"
    written = export_comparison(db, "csv", out, drug="revumenib")
    assert written == {"survival_by_study": 5, "dosing_by_study": 1, "cohorts_by_study": 3}
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{v}.csv" for v in COMPARISON_VIEWS)
    (dose,) = _read_csv(out / "dosing_by_study.csv")
    assert (dose["drug"], dose["amount"], dose["unit"], dose["schedule"]) == (
        "revumenib",
        "95.0",
        "mg/m2",
        "every 12 hours",
    )
    assert dose["duration_days"] == "" and dose["study"] == "AUGMENT-101"


def test_csv_of_one_view_may_be_a_csv_file_or_a_stream(db, tmp_path):
    out = tmp_path / "dosing.csv"
    assert export_comparison(db, "csv", out, views=["dosing_by_study"]) == {"dosing_by_study": 2}
    assert out.is_file()
    rows = _read_csv(out)
    assert [r["drug"] for r in rows] == ["blinatumomab", "revumenib"]
    assert rows[0]["unit"] == "μg/m2/day" and rows[0]["sources"] == BLINA_SOURCES

    stream = io.StringIO()
    export_comparison(db, "csv", stream, views="cohorts_by_study", study="interfant-06")
    rows = list(csv.DictReader(io.StringIO(stream.getvalue())))
    assert {r["arm"] for r in rows} == {BLINA[0], CONTROLS[0]}
    assert CONTROLS_DESCRIPTION in {r["description"] for r in rows}


def test_json_and_markdown_go_to_streams_and_views_are_chosen(db):
    stream = io.StringIO()
    written = export_comparison(
        db, "json", stream, views=["cohorts_by_study", "survival_by_study", "cohorts_by_study"]
    )
    assert written == {"cohorts_by_study": 3, "survival_by_study": 5}
    data = json.loads(stream.getvalue())
    assert list(data) == ["cohorts_by_study", "survival_by_study"]
    assert data["survival_by_study"] == comparison_rows(db, "survival_by_study")

    stream = io.StringIO()
    export_comparison(db, "md", stream, views=("dosing_by_study",))
    assert list(_read_markdown(stream.getvalue())) == ["dosing_by_study"]


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "out", "options", "message"),
    [
        ("pdf", "c.pdf", {}, "csv, json, xlsx, md"),
        ("jsonl", "c.jsonl", {}, "choose one of"),
        ("json", "c.json", {"views": ["survival"]}, "survival_by_study"),
        ("json", "c.json", {"views": []}, "name one of"),
        ("xlsx", io.StringIO(), {}, "-o FILE.xlsx"),
        ("csv", io.StringIO(), {}, "name a directory"),
        ("csv", "c.csv", {}, "name a directory"),
        ("csv", "c.csv", {"views": ["dosing_by_study", "cohorts_by_study"]}, "choose one view"),
    ],
)
def test_bad_requests_are_config_errors_and_write_nothing(db, tmp_path, fmt, out, options, message):
    target = tmp_path / out if isinstance(out, str) else out
    with pytest.raises(ConfigError, match=re.escape(message)):
        export_comparison(db, fmt, target, **options)
    if isinstance(target, Path):
        assert not target.exists()
    else:
        assert target.getvalue() == ""


def test_csv_into_an_existing_file_is_a_config_error(db, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ConfigError, match="name a directory"):
        export_comparison(db, "csv", tmp_path / "notes.txt")
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_database_without_the_views_is_a_store_error(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    db["documents"].insert({"id": "pmid:1", "title": "t"})
    with pytest.raises(StoreError, match="migrates it"):
        export_comparison(db, "json", tmp_path / "c.json")
    assert not (tmp_path / "c.json").exists()


# --- the evidence-table export shares the writers -----------------------------------------


def test_an_empty_evidence_table_exports_its_header(tmp_path):
    kind = find_kind("doses")
    db = sqlite_utils.Database(tmp_path / "evidence.db")
    db["documents"].create({"id": str, "title": str, "source": str}, pk="id")
    db[kind.table].create(
        {
            "id": int,
            "document_id": str,
            **kind.columns,
            **dict.fromkeys(PROVENANCE_FIELDS, str),
            "extractor_version": str,
        },
        pk="id",
    )
    columns = [
        "document_id",
        "document_title",
        "document_source",
        *kind.columns,
        *PROVENANCE_FIELDS,
        "extractor_version",
    ]
    stream = io.StringIO()
    assert export_table(db, "doses", "csv", stream) == 0
    assert list(csv.reader(io.StringIO(stream.getvalue()))) == [columns]

    assert export_table(db, "doses", "xlsx", tmp_path / "doses.xlsx") == 0
    sheet = openpyxl.load_workbook(tmp_path / "doses.xlsx").active
    assert sheet.title == kind.table and [c.value for c in sheet[1]] == columns
    assert sheet.max_row == 1 and sheet.freeze_panes == "A2" and sheet["A1"].font.bold
