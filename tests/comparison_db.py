"""A small evidence database with studies and findings linked across a paper and a news article.

``build_comparison_db(path)`` writes three documents (the blinatumomab paper, a news article on
it and the MLL-10 paper, plus a revumenib paper that names no study), their evidence with exact
offsets, three studies and the survival, dose and cohort findings with their sources, through
``open_store`` and ``save_links`` as the extractor itself does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from extractor.documents import Document
from extractor.store import open_store, save_document_evidence
from extractor.study_store import save_links

PAPER_ID = "pmid:90001008"
NEWS_ID = "news:ecancer.org/ac5ffeea8bc1"
MLL10_ID = "pmid:90001010"
REVUMENIB_ID = "pmid:90001012"

PAPER_TITLE = "Blinatumomab added to chemotherapy in infant lymphoblastic leukemia"
PAPER_TEXT = (
    f"{PAPER_TITLE}\n\n"
    "BACKGROUND: Infants with KMT2A-rearranged acute lymphoblastic leukemia (ALL) have poor "
    "outcomes. METHODS: In this phase 2 study, 30 infants received one course of blinatumomab "
    "(15 μg/m2/day as a 28-day continuous infusion) after induction chemotherapy of the "
    "Interfant-06 protocol. Historical controls were 214 infants treated in the Interfant-06 "
    "trial. RESULTS: At a median follow-up of 26.3 months, the 2-year disease-free survival was "
    "81.6% (95% CI, 70.2 to 94.9) and the 2-year overall survival was 93.3% (95% CI, 84.9 to "
    "100). In the historical controls the 2-year disease-free survival was 49.4% (95% CI, 42.7 "
    "to 57.1) and the 2-year overall survival was 65.8% (95% CI, 59.5 to 72.8). CONCLUSIONS: "
    "Blinatumomab added to chemotherapy was safe and highly effective in infants with "
    "KMT2A-rearranged ALL."
)
NEWS_TITLE = "Blinatumomab improves survival in infants with KMT2A-rearranged ALL"
NEWS_TEXT = (
    f"{NEWS_TITLE}\n\n"
    "Adding one course of blinatumomab to Interfant-06 chemotherapy improved outcomes for "
    "infants with KMT2A-rearranged leukaemia, investigators reported. The 2-year disease-free "
    "survival was 81.6% with blinatumomab, compared with 49.4% among 214 historical controls "
    "from the Interfant-06 trial. Overall survival at 2 years was 93.3% versus 65.8%. The 30 "
    "infants tolerated the infusion well."
)
MLL10_TITLE = "Outcome of the MLL-10 trial for infants with KMT2A-rearranged ALL"
MLL10_TEXT = (
    f"{MLL10_TITLE}\n\n"
    "The MLL-10 trial enrolled 100 infants with KMT2A-rearranged ALL. The 3-year event-free "
    "survival was 66.2% (95% CI, 56.1 to 74.5) and the 3-year overall survival was 85.2% "
    "(95% CI, 76.5 to 90.9)."
)
REVUMENIB_TITLE = "Revumenib in relapsed KMT2A-rearranged acute leukemia"
REVUMENIB_TEXT = (
    f"{REVUMENIB_TITLE}\n\n"
    "Patients received revumenib 95 mg/m2 orally every 12 hours in 28-day cycles. "
    "Complete remission was seen in a third of patients."
)


def _fact(text: str, snippet: str, after: str = "", **columns: Any) -> dict[str, Any]:
    """A fact on ``snippet`` (its first occurrence after ``after``), with its sentence."""
    start = text.index(snippet, text.index(after) if after else 0)
    end = start + len(snippet)
    boundaries = [m.end() for m in re.finditer(r"(?<=[.:])\s+|\n+", text)]
    sentence_start = max([b for b in boundaries if b <= start], default=0)
    sentence_end = min([b for b in boundaries if b >= end], default=len(text))
    sentence = text[sentence_start:sentence_end].rstrip()
    return {
        **columns,
        "text": snippet,
        "start": start,
        "end": end,
        "sentence": sentence,
        "sentence_start": sentence_start,
        "sentence_end": sentence_start + len(sentence),
    }


def _survival(
    text: str, snippet: str, endpoint: str, months: float, after: str = "", **more: Any
) -> dict[str, Any]:
    return _fact(
        text,
        snippet,
        after,
        endpoint=endpoint,
        timepoint_months=months,
        value_pct=float(snippet.rstrip("%")),
        **more,
    )


def _documents() -> dict[str, tuple[Document, dict[str, Any]]]:
    controls = "In the historical controls"
    return {
        PAPER_ID: (
            Document(
                PAPER_ID,
                "https://pubmed.ncbi.nlm.nih.gov/90001008/",
                PAPER_TITLE,
                PAPER_TEXT,
                {"pmid": "90001008", "year": 2023, "journal": "N Engl J Med"},
                "pubmed-xml",
            ),
            {
                "survival": [
                    _survival(PAPER_TEXT, "81.6%", "DFS", 24, ci_low=70.2, ci_high=94.9),
                    _survival(PAPER_TEXT, "93.3%", "OS", 24, ci_low=84.9, ci_high=100.0),
                    _survival(PAPER_TEXT, "49.4%", "DFS", 24, controls, ci_low=42.7, ci_high=57.1),
                    _survival(PAPER_TEXT, "65.8%", "OS", 24, controls, ci_low=59.5, ci_high=72.8),
                ],
                "doses": [
                    _fact(
                        PAPER_TEXT,
                        "15 μg/m2/day as a 28-day continuous infusion",
                        drug="blinatumomab",
                        amount=15.0,
                        unit="μg/m2/day",
                        route="continuous infusion",
                        duration_days=28.0,
                    )
                ],
                "cohorts": [
                    _fact(PAPER_TEXT, "30 infants", n=30, role="arm"),
                    _fact(PAPER_TEXT, "214 infants", n=214, role="control"),
                ],
            },
        ),
        NEWS_ID: (
            Document(
                NEWS_ID,
                "https://ecancer.org/en/news/blinatumomab-infants",
                NEWS_TITLE,
                NEWS_TEXT,
                {"url": "https://ecancer.org/en/news/blinatumomab-infants", "site": "ecancer"},
                "html",
            ),
            {
                "survival": [
                    _survival(NEWS_TEXT, "81.6%", "DFS", 24),
                    _survival(NEWS_TEXT, "49.4%", "DFS", 24),
                    _survival(NEWS_TEXT, "93.3%", "OS", 24),
                    _survival(NEWS_TEXT, "65.8%", "OS", 24),
                ],
                "cohorts": [
                    _fact(NEWS_TEXT, "214 historical controls", n=214, role="control"),
                    _fact(NEWS_TEXT, "30 infants", n=30, role="arm"),
                ],
            },
        ),
        MLL10_ID: (
            Document(
                MLL10_ID,
                "https://pubmed.ncbi.nlm.nih.gov/90001010/",
                MLL10_TITLE,
                MLL10_TEXT,
                {"pmid": "90001010", "year": 2022},
                "pubmed-xml",
            ),
            {
                "survival": [
                    _survival(MLL10_TEXT, "66.2%", "EFS", 36, ci_low=56.1, ci_high=74.5),
                    _survival(MLL10_TEXT, "85.2%", "OS", 36, ci_low=76.5, ci_high=90.9),
                ],
                "cohorts": [_fact(MLL10_TEXT, "100 infants", n=100, role="total")],
            },
        ),
        REVUMENIB_ID: (
            Document(
                REVUMENIB_ID,
                "https://pubmed.ncbi.nlm.nih.gov/90001012/",
                REVUMENIB_TITLE,
                REVUMENIB_TEXT,
                {"pmid": "90001012", "year": 2024},
                "pubmed-xml",
            ),
            {
                "doses": [
                    _fact(
                        REVUMENIB_TEXT,
                        "95 mg/m2 orally every 12 hours",
                        drug="revumenib",
                        amount=95.0,
                        unit="mg/m2",
                        route="oral",
                        frequency="every 12 hours",
                    )
                ]
            },
        ),
    }


STUDIES = [
    {
        "id": "interfant-06",
        "name": "Interfant-06",
        "aliases": json.dumps(["Interfant06"]),
        "nct_ids": json.dumps(["NCT00550992"]),
        "registry_ids": json.dumps([]),
        "phase": "3",
        "design": "randomised",
        "intervention": "lymphoid- versus myeloid-style consolidation",
        "first_year": 2006,
        "documents": 2,
    },
    {
        "id": "blinatumomab-interfant-06",
        "name": "Interfant-06 + blinatumomab",
        "aliases": json.dumps(["Interfant-21"]),
        "nct_ids": json.dumps([]),
        "registry_ids": json.dumps(["EudraCT 2016-004674-17"]),
        "phase": "2",
        "design": "single-arm",
        "intervention": "blinatumomab after Interfant-06 induction",
        "first_year": 2017,
        "documents": 2,
    },
    {
        "id": "mll-10",
        "name": "MLL-10",
        "aliases": json.dumps([]),
        "nct_ids": json.dumps([]),
        "registry_ids": json.dumps([]),
        "phase": "2",
        "design": "single-arm",
        "intervention": "risk-stratified chemotherapy and stem-cell transplantation",
        "first_year": 2011,
        "documents": 1,
    },
]


def _link(document_id: str, text: str, study_id: str, role: str, via: str, evidence: str) -> dict:
    start = text.index(evidence)
    return {
        "document_id": document_id,
        "study_id": study_id,
        "role": role,
        "via": via,
        "evidence": evidence,
        "start": start,
        "end": start + len(evidence),
    }


DOCUMENT_STUDIES = [
    _link(PAPER_ID, PAPER_TEXT, "blinatumomab-interfant-06", "reports", "text", "blinatumomab"),
    _link(PAPER_ID, PAPER_TEXT, "interfant-06", "reports", "text", "Interfant-06"),
    _link(NEWS_ID, NEWS_TEXT, "blinatumomab-interfant-06", "reports", "text", "Interfant-06"),
    _link(NEWS_ID, NEWS_TEXT, "interfant-06", "mentions", "text", "Interfant-06 trial"),
    _link(MLL10_ID, MLL10_TEXT, "mll-10", "reports", "title", "MLL-10"),
]


def build_comparison_db(path: str | Path) -> Path:
    """Write the database at ``path`` (replacing nothing else) and return its path."""
    path = Path(path)
    db = open_store(path)
    documents = _documents()
    for document, evidence in documents.values():
        save_document_evidence(db, document, {**evidence, "extractor_version": "test"})
    facts = {
        table: {
            (row["document_id"], row["text"], row["start"]): row
            for row in db.query(f"SELECT * FROM [{table}]")
        }
        for table in ("survival_estimates", "doses", "cohorts")
    }

    def sources(table: str, snippet: str, *where: tuple[str, str]) -> list[dict[str, Any]]:
        """Sources of a finding: the fact ``snippet`` in each (document id, after) given."""
        found = []
        for document_id, after in where:
            text = documents[document_id][0].text
            start = text.index(snippet, text.index(after) if after else 0)
            fact = facts[table][(document_id, snippet, start)]
            found.append(
                {
                    "fact_table": table,
                    "fact_id": fact["id"],
                    "document_id": document_id,
                    "attributed_by": "text" if document_id == PAPER_ID else "cited paper",
                    "text": fact["text"],
                    "start": fact["start"],
                    "end": fact["end"],
                    "sentence": fact["sentence"],
                }
            )
        return found

    both = ((NEWS_ID, ""), (PAPER_ID, ""))
    controls = ((NEWS_ID, ""), (PAPER_ID, "In the historical controls"))
    two = {"sources": f"{NEWS_ID}; {PAPER_ID}", "source_count": 2, "source_kinds": "news, paper"}
    blina = {"study_id": "blinatumomab-interfant-06", "arm": "blinatumomab"}
    blina |= {"arm_role": "experimental", "n": 30, "year": 2023}
    control = {"study_id": "interfant-06", "arm": "historical controls"}
    control |= {"arm_role": "control", "n": 214, "year": 2023}
    mll10 = {"study_id": "mll-10", "arm": None, "arm_role": "overall", "n": 100, "year": 2022}
    one_mll10 = {"sources": MLL10_ID, "source_count": 1, "source_kinds": "paper"}

    def survival(base: dict, endpoint: str, months: int, value: float, low: float, high: float):
        return {
            **base,
            "endpoint": endpoint,
            "timepoint_months": float(months),
            "value_pct": value,
            "ci_low": low,
            "ci_high": high,
        }

    survival_findings = [
        (
            {**survival(blina, "DFS", 24, 81.6, 70.2, 94.9), **two},
            sources("survival_estimates", "81.6%", *both),
        ),
        (
            {**survival(blina, "OS", 24, 93.3, 84.9, 100.0), **two},
            sources("survival_estimates", "93.3%", *both),
        ),
        (
            {**survival(control, "DFS", 24, 49.4, 42.7, 57.1), **two},
            sources("survival_estimates", "49.4%", *controls),
        ),
        (
            {**survival(control, "OS", 24, 65.8, 59.5, 72.8), **two},
            sources("survival_estimates", "65.8%", *controls),
        ),
        (
            {**survival(mll10, "EFS", 36, 66.2, 56.1, 74.5), **one_mll10},
            sources("survival_estimates", "66.2%", (MLL10_ID, "")),
        ),
        (
            {**survival(mll10, "OS", 36, 85.2, 76.5, 90.9), **one_mll10},
            sources("survival_estimates", "85.2%", (MLL10_ID, "")),
        ),
    ]
    dose_findings = [
        (
            {
                "study_id": "blinatumomab-interfant-06",
                "drug": "blinatumomab",
                "amount": 15.0,
                "unit": "μg/m2/day",
                "route": "continuous infusion",
                "schedule": "one 28-day course",
                "duration_days": 28.0,
                "year": 2023,
                "sources": PAPER_ID,
                "source_count": 1,
                "source_kinds": "paper",
            },
            sources("doses", "15 μg/m2/day as a 28-day continuous infusion", (PAPER_ID, "")),
        ),
        (
            {
                "study_id": None,
                "drug": "revumenib",
                "amount": 95.0,
                "unit": "mg/m2",
                "route": "oral",
                "schedule": "every 12 hours",
                "year": 2024,
                "sources": REVUMENIB_ID,
                "source_count": 1,
                "source_kinds": "paper",
            },
            sources("doses", "95 mg/m2 orally every 12 hours", (REVUMENIB_ID, "")),
        ),
    ]
    cohort_findings = [
        (
            {**blina, "role": "arm", "description": "infants given blinatumomab", **two},
            sources("cohorts", "30 infants", *both),
        ),
        (
            {**control, "role": "control", "description": "Interfant-06 historical controls"} | two,
            sources("cohorts", "214 historical controls", (NEWS_ID, ""))
            + sources("cohorts", "214 infants", (PAPER_ID, "")),
        ),
        (
            {**mll10, "role": "total", "description": "infants enrolled", **one_mll10},
            sources("cohorts", "100 infants", (MLL10_ID, "")),
        ),
    ]
    for finding, _ in cohort_findings:
        finding.pop("arm_role", None)
    save_links(
        db,
        STUDIES,
        DOCUMENT_STUDIES,
        {
            "survival_findings": survival_findings,
            "dose_findings": dose_findings,
            "cohort_findings": cohort_findings,
        },
    )
    db.close()
    return path
