"""Reading the study-comparison views: survival, dosing and cohorts side by side by study.

The views (``survival_by_study``, ``dosing_by_study``, ``cohorts_by_study``) are built by the
store over the findings that ``extractor.findings`` links across documents; this module is how
exports, plots and notebooks read them, with the same filters everywhere.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from extractor.errors import ConfigError

COMPARISON_VIEWS: tuple[str, ...] = ("survival_by_study", "dosing_by_study", "cohorts_by_study")

_ORDER = {
    "survival_by_study": "endpoint, timepoint_months, study, arm",
    "dosing_by_study": "drug, study, amount",
    "cohorts_by_study": "study, role, n DESC",
}


def comparison_rows(
    db: sqlite_utils.Database,
    view: str,
    *,
    study: str | None = None,
    endpoint: str | None = None,
    drug: str | None = None,
    timepoint_months: float | None = None,
) -> list[dict[str, Any]]:
    """Rows of one comparison view. A filter applies where the view has its column: ``study``
    matches the study's name or id, ``endpoint`` and ``drug`` ignore case."""
    if view not in COMPARISON_VIEWS:
        raise ConfigError(f"unknown comparison view {view!r}; choose one of {COMPARISON_VIEWS}")
    columns = set(db.view(view).columns_dict)
    where: list[str] = []
    params: list[Any] = []
    if study is not None and "study" in columns:
        where.append("(lower(study) = lower(?) OR lower(study_id) = lower(?))")
        params += [study, study]
    if endpoint is not None and "endpoint" in columns:
        where.append("lower(endpoint) = lower(?)")
        params.append(endpoint)
    if drug is not None and "drug" in columns:
        where.append("lower(drug) = lower(?)")
        params.append(drug)
    if timepoint_months is not None and "timepoint_months" in columns:
        where.append("timepoint_months = ?")
        params.append(timepoint_months)
    sql = f"SELECT * FROM [{view}]"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [dict(row) for row in db.query(f"{sql} ORDER BY {_ORDER[view]}", params)]
