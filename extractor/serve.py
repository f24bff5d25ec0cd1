"""Serving the evidence database with Datasette, read-only, described by metadata."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import uvicorn
from datasette.app import Datasette

from extractor.errors import ConfigError
from extractor.evidence import EVIDENCE_KINDS

COLUMN_DESCRIPTIONS: dict[str, str] = {
    "document_id": "Document the fact was read from (documents.id)",
    "text": "The exact text of the fact in the document",
    "start": "Character offset where the fact starts in documents.text",
    "end": "Character offset where the fact ends in documents.text",
    "sentence": "The sentence the fact was read from",
    "value_pct": "Value in percent",
    "timepoint_months": "Timepoint of the estimate, in months",
    "ci_low": "Lower bound of the 95% confidence interval (same unit as the value)",
    "ci_high": "Upper bound of the 95% confidence interval (same unit as the value)",
    "se": "Standard error (same unit as the value)",
    "amount": "Dose amount, in the unit of the unit column",
    "amount_max": "Upper end of a dose range, in the unit of the unit column",
    "unit": "Dose unit in one notation (μg/m2/day, mg/kg, IU/m2...)",
    "duration_days": "Duration of the course, in days",
    "n": "Number of patients",
    "median_months": "Median follow-up, in months",
    "grade_min": "Lowest CTCAE grade counted",
    "extractor_version": "Version of the extractor and pipeline that produced the fact",
}
FACETS: dict[str, list[str]] = {
    "survival_estimates": ["endpoint", "timepoint_months", "document_id"],
    "doses": ["drug", "unit", "route"],
    "cohorts": ["role", "document_id"],
    "drug_mentions": ["name", "document_id"],
    "hazard_ratios": ["endpoint"],
    "adverse_events": ["event", "grade_min"],
    "response_rates": ["measure"],
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Titles, descriptions, units, sort orders and facets for every evidence table."""
    tables: dict[str, Any] = {
        "documents": {
            "description": "Documents as read: their text is what offsets index.",
            "sort_desc": "updated_at",
        },
        "extraction_runs": {
            "description": "Each extraction run, its pipeline version and counts.",
            "sort_desc": "id",
        },
        "extraction_errors": {
            "description": "Files that could not be read or extracted, and why.",
            "sort_desc": "id",
        },
    }
    for kind in EVIDENCE_KINDS:
        tables[kind.table] = {
            "description": kind.description,
            "columns": {
                c: d
                for c, d in COLUMN_DESCRIPTIONS.items()
                if c in kind.columns
                or c in ("document_id", "text", "start", "end", "sentence", "extractor_version")
            },
            "facets": FACETS.get(kind.table, []),
            "sort": "document_id",
        }
    return {
        "title": "Infant KMT2A-r ALL evidence",
        "description": "Drugs, doses, cohorts and survival figures, each traced to its sentence.",
        "databases": {database: {"tables": tables}},
    }


def datasette_instance(db_path: str | Path) -> Datasette:
    """A Datasette on the database file, opened immutable (read-only), with our metadata."""
    path = Path(db_path)
    if not path.is_file():
        raise ConfigError(f"no evidence database at {path}; create it with `extractor run`")
    return Datasette(
        immutables=[str(path)],
        metadata=datasette_metadata(path.stem),
        settings={"default_page_size": 100},
    )


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette on the database until interrupted."""
    datasette = datasette_instance(db_path)
    asyncio.run(datasette.invoke_startup())
    uvicorn.run(datasette.app(), host=host, port=port, log_level="info", lifespan="on")
