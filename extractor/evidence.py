"""The evidence schema shared by the pipeline, the store and the exports.

Every extracted fact is a dict with the fields of its kind (below) plus its provenance:
``text`` (the exact substring of the document), ``start``/``end`` (character offsets into
the document text as read) and ``sentence``/``sentence_start``/``sentence_end``.
One document's evidence is the JSON object described in ../shared/acceptance/README.md:
``{"id": ..., "document": {...}, "extractor_version": ..., "drugs": [...], "doses": [...], ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from extractor.errors import ConfigError

Evidence = dict[str, Any]
Fact = dict[str, Any]

PROVENANCE_FIELDS: tuple[str, ...] = (
    "text",
    "start",
    "end",
    "sentence",
    "sentence_start",
    "sentence_end",
)


@dataclass(frozen=True)
class EvidenceKind:
    """One kind of fact: its key in the evidence JSON, its table and its own columns."""

    key: str
    table: str
    columns: dict[str, type]
    description: str


EVIDENCE_KINDS: tuple[EvidenceKind, ...] = (
    EvidenceKind(
        "drugs",
        "drug_mentions",
        {"name": str, "drugbank_id": str, "mesh_id": str, "medline_plus_id": str},
        "Each mention of a drug, normalised to one lower-case generic name with dictionary ids.",
    ),
    EvidenceKind(
        "doses",
        "doses",
        {
            "drug": str,
            "amount": float,
            "amount_max": float,
            "unit": str,
            "route": str,
            "frequency": str,
            "duration_days": float,
            "days": str,
        },
        "Doses: amount (and upper bound of a range) in a normalised unit, route and schedule.",
    ),
    EvidenceKind(
        "cohorts",
        "cohorts",
        {"n": int, "role": str, "description": str},
        "Cohort sizes: role is total, arm, control, subgroup or planned.",
    ),
    EvidenceKind(
        "survival",
        "survival_estimates",
        {
            "endpoint": str,
            "timepoint_months": float,
            "timepoint_inferred": bool,
            "value_pct": float,
            "ci_low": float,
            "ci_high": float,
            "se": float,
            "qualifier": str,
            "arm": str,
            "study": str,
            "n": int,
        },
        "Survival estimates: endpoint (EFS, OS, DFS, RFS, PFS, LFS, CIR), timepoint in months "
        "(inferred when the document states one timepoint for all its figures but not this "
        "one's), value in percent with CI or SE, the trial reporting it and its arm.",
    ),
    EvidenceKind(
        "hazard_ratios",
        "hazard_ratios",
        {
            "value": float,
            "endpoint": str,
            "ci_low": float,
            "ci_high": float,
            "p_value": float,
            "derived_from": str,
        },
        "Hazard ratios, stated or derived from a stated risk reduction (derived_from says so).",
    ),
    EvidenceKind(
        "adverse_events",
        "adverse_events",
        {"event": str, "grade_min": int, "value_pct": float, "n": int},
        "Adverse events with the lowest grade counted and the percentage of patients.",
    ),
    EvidenceKind(
        "response_rates",
        "response_rates",
        {"measure": str, "value_pct": float, "timepoint": str, "n": int},
        "Response rates such as complete remission or MRD negativity, in percent.",
    ),
    EvidenceKind(
        "follow_up",
        "follow_up",
        {"median_months": float, "range_low_months": float, "range_high_months": float},
        "Median follow-up in months, with its range when stated.",
    ),
)

KINDS_BY_KEY: dict[str, EvidenceKind] = {kind.key: kind for kind in EVIDENCE_KINDS}
KINDS_BY_TABLE: dict[str, EvidenceKind] = {kind.table: kind for kind in EVIDENCE_KINDS}


def find_kind(name: str) -> EvidenceKind:
    """Look a kind up by evidence key, table name or a short alias ('survival', 'drugs')."""
    aliases = {
        "drug_mentions": "drugs",
        "survival_estimates": "survival",
        "hr": "hazard_ratios",
        "ae": "adverse_events",
        "responses": "response_rates",
        "followup": "follow_up",
    }
    key = aliases.get(name, name)
    kind = KINDS_BY_KEY.get(key) or KINDS_BY_TABLE.get(key)
    if kind is None:
        choices = ", ".join(k.key for k in EVIDENCE_KINDS)
        raise ConfigError(f"unknown evidence kind {name!r}; choose one of: {choices}")
    return kind
