"""Turning a processed Doc into the evidence JSON of one document."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from extractor.documents import Document
from extractor.evidence import Evidence, Fact
from extractor.nlp.facts import FACT_KEYS

DOCUMENT_FIELDS = ("title", "source", "pmid", "doi", "url", "year")


def doc_to_evidence(
    doc: Doc, document: Document | None = None, version: str | None = None
) -> Evidence:
    """The evidence object of a document: its facts by kind, each with its provenance."""
    doc_id = document.id if document else doc.user_data.get("id", "document")
    meta: dict[str, Any] = {"id": doc_id}
    if document:
        meta.update({"title": document.title, "source": document.source})
        meta.update(
            {
                k: document.metadata.get(k)
                for k in DOCUMENT_FIELDS[2:]
                if document.metadata.get(k) is not None
            }
        )
    evidence: Evidence = {"id": doc_id, "document": meta, "extractor_version": version}
    for key in FACT_KEYS:
        found = list(doc._.get(key) or [])
        evidence[key] = (
            _group_drugs(found) if key == "drugs" else sorted(found, key=lambda f: f["start"])
        )
    return evidence


def _group_drugs(mentions: list[Fact]) -> list[Fact]:
    """One item per drug (first mention's provenance) with all its mentions listed."""
    drugs: dict[str, Fact] = {}
    for mention in sorted(mentions, key=lambda f: f["start"]):
        item = drugs.setdefault(mention["name"], {**mention, "mentions": []})
        item["mentions"].append({k: v for k, v in mention.items() if k not in ("name", "ids")})
    return list(drugs.values())
