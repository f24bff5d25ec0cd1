"""The study tables and comparison views of the evidence database.

``studies`` and ``document_studies`` say which trials each document reports on or mentions;
``survival_findings``, ``dose_findings`` and ``cohort_findings`` hold each result once however
many documents report it, and ``finding_sources`` lists every fact that reports it, with its
sentence and offsets. They are derived from the evidence tables: ``save_links`` replaces all of
them in one transaction. The views ``survival_by_study``, ``dosing_by_study`` and
``cohorts_by_study`` set them out study by study.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from extractor.errors import StoreError

ENDPOINTS: dict[str, str] = {
    "EFS": "Event-free survival",
    "OS": "Overall survival",
    "DFS": "Disease-free survival",
    "RFS": "Relapse-free survival",
    "PFS": "Progression-free survival",
    "LFS": "Leukaemia-free survival",
    "CIR": "Cumulative incidence of relapse",
}

# Columns of the derived tables, in order; every table also has an integer id.
STUDY_COLUMNS = (
    "id",
    "name",
    "aliases",
    "nct_ids",
    "registry_ids",
    "phase",
    "design",
    "intervention",
    "first_year",
    "documents",
)
DOCUMENT_STUDY_COLUMNS = ("document_id", "study_id", "role", "via", "evidence", "start", "end")
_SHARED = ("year", "sources", "source_count", "source_kinds")
FINDING_COLUMNS: dict[str, tuple[str, ...]] = {
    "survival_findings": (
        "study_id",
        "arm",
        "arm_role",
        "endpoint",
        "timepoint_months",
        "value_pct",
        "ci_low",
        "ci_high",
        "se",
        "n",
        *_SHARED,
        "conflicts",
    ),
    "dose_findings": (
        "study_id",
        "drug",
        "amount",
        "amount_max",
        "unit",
        "route",
        "schedule",
        "duration_days",
        *_SHARED,
    ),
    "cohort_findings": ("study_id", "arm", "role", "n", "description", *_SHARED),
}
# The comparison views and the findings table each sets out.
VIEW_FINDINGS: dict[str, str] = {
    "survival_by_study": "survival_findings",
    "dosing_by_study": "dose_findings",
    "cohorts_by_study": "cohort_findings",
}
# Each view's columns: the finding's id, its study's name and the finding's columns, with the
# survival endpoint's name beside its code.
VIEW_COLUMNS: dict[str, tuple[str, ...]] = {
    view: ("finding_id", "study", *FINDING_COLUMNS[table]) for view, table in VIEW_FINDINGS.items()
}
_SURVIVAL = FINDING_COLUMNS["survival_findings"]
VIEW_COLUMNS["survival_by_study"] = ("finding_id", "study", *_SURVIVAL[:4], "endpoint_name",
                                     *_SURVIVAL[4:])  # fmt: skip
SOURCE_COLUMNS = (
    "finding_table",
    "finding_id",
    "fact_table",
    "fact_id",
    "document_id",
    "attributed_by",
    "text",
    "start",
    "end",
    "sentence",
)

_SCHEMA = """
CREATE TABLE endpoints (code TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE studies (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, aliases TEXT, nct_ids TEXT, registry_ids TEXT,
  phase TEXT, design TEXT, intervention TEXT, first_year INTEGER, documents INTEGER
);
CREATE TABLE document_studies (
  id INTEGER PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  study_id TEXT NOT NULL REFERENCES studies(id),
  role TEXT NOT NULL, via TEXT NOT NULL, evidence TEXT, start INTEGER, [end] INTEGER
);
CREATE INDEX document_studies_study ON document_studies(study_id);
CREATE INDEX document_studies_document ON document_studies(document_id);
CREATE TABLE survival_findings (
  id INTEGER PRIMARY KEY, study_id TEXT REFERENCES studies(id), arm TEXT, arm_role TEXT,
  endpoint TEXT REFERENCES endpoints(code), timepoint_months REAL, value_pct REAL,
  ci_low REAL, ci_high REAL, se REAL, n INTEGER, year INTEGER, sources TEXT,
  source_count INTEGER,
  source_kinds TEXT, conflicts TEXT
);
CREATE TABLE dose_findings (
  id INTEGER PRIMARY KEY, study_id TEXT REFERENCES studies(id), drug TEXT, amount REAL,
  amount_max REAL, unit TEXT, route TEXT, schedule TEXT, duration_days REAL, year INTEGER,
  sources TEXT, source_count INTEGER, source_kinds TEXT
);
CREATE TABLE cohort_findings (
  id INTEGER PRIMARY KEY, study_id TEXT REFERENCES studies(id), arm TEXT, role TEXT,
  n INTEGER, description TEXT, year INTEGER, sources TEXT, source_count INTEGER,
  source_kinds TEXT
);
CREATE TABLE finding_sources (
  id INTEGER PRIMARY KEY, finding_table TEXT NOT NULL, finding_id INTEGER NOT NULL,
  fact_table TEXT NOT NULL, fact_id INTEGER NOT NULL,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  attributed_by TEXT, text TEXT, start INTEGER, [end] INTEGER, sentence TEXT
);
CREATE INDEX finding_sources_finding ON finding_sources(finding_table, finding_id);
CREATE INDEX finding_sources_document ON finding_sources(document_id);

CREATE VIEW survival_by_study AS
SELECT f.id AS finding_id, coalesce(s.name, 'unattributed') AS study, f.study_id, f.arm,
  f.arm_role, f.endpoint, e.name AS endpoint_name, f.timepoint_months, f.value_pct, f.ci_low,
  f.ci_high, f.se, f.n, f.year, f.sources, f.source_count, f.source_kinds, f.conflicts
FROM survival_findings f
LEFT JOIN studies s ON s.id = f.study_id
LEFT JOIN endpoints e ON e.code = f.endpoint;

CREATE VIEW dosing_by_study AS
SELECT f.id AS finding_id, coalesce(s.name, 'unattributed') AS study, f.study_id, f.drug,
  f.amount, f.amount_max, f.unit, f.route, f.schedule, f.duration_days, f.year, f.sources,
  f.source_count, f.source_kinds
FROM dose_findings f
LEFT JOIN studies s ON s.id = f.study_id;

CREATE VIEW cohorts_by_study AS
SELECT f.id AS finding_id, coalesce(s.name, 'unattributed') AS study, f.study_id, f.arm,
  f.role, f.n, f.description, f.year, f.sources, f.source_count, f.source_kinds
FROM cohort_findings f
LEFT JOIN studies s ON s.id = f.study_id;
"""


def add_study_tables(db: sqlite_utils.Database) -> None:
    """Migration 4: the study tables, the findings linked across documents and the views."""
    # One statement at a time: executescript() would commit the migration's transaction.
    for statement in _SCHEMA.split(";\n"):
        if statement.strip():
            db.conn.execute(statement)
    db.conn.executemany("INSERT INTO endpoints VALUES (?, ?)", list(ENDPOINTS.items()))


def save_links(
    db: sqlite_utils.Database,
    studies: Iterable[Mapping[str, Any]],
    document_studies: Iterable[Mapping[str, Any]],
    findings: Mapping[str, Iterable[tuple[Mapping[str, Any], Iterable[Mapping[str, Any]]]]],
) -> dict[str, int]:
    """Replace every study, link and finding in one transaction; rows written per table.

    ``findings`` maps each findings table to (finding, its sources) pairs; a finding's id is
    given here, in the order found, so that re-linking unchanged evidence keeps its ids.
    """
    counts: dict[str, int] = {}
    try:
        with db.conn:
            for table in ("finding_sources", *FINDING_COLUMNS, "document_studies", "studies"):
                db.conn.execute(f"DELETE FROM [{table}]")
            counts["studies"] = _insert(db, "studies", STUDY_COLUMNS, studies)
            counts["document_studies"] = _insert(
                db, "document_studies", DOCUMENT_STUDY_COLUMNS, document_studies
            )
            source_rows: list[dict[str, Any]] = []
            for table, pairs in findings.items():
                rows = []
                for number, (finding, sources) in enumerate(pairs, start=1):
                    rows.append({"id": number, **finding})
                    source_rows += [
                        {**source, "finding_table": table, "finding_id": number}
                        for source in sources
                    ]
                counts[table] = _insert(db, table, ("id", *FINDING_COLUMNS[table]), rows)
            counts["finding_sources"] = _insert(db, "finding_sources", SOURCE_COLUMNS, source_rows)
    except (sqlite3.Error, KeyError) as err:
        raise StoreError(f"could not store the study links: {err}; nothing was changed") from err
    return counts


def _insert(
    db: sqlite_utils.Database,
    table: str,
    columns: tuple[str, ...],
    rows: Iterable[Mapping[str, Any]],
) -> int:
    values = [[row.get(column) for column in columns] for row in rows]
    db.conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})",
        values,
    )
    return len(values)
