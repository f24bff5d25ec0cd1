"""Extraction as library calls: documents in, evidence objects out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from extractor.documents import Document
from extractor.evidence import Evidence, Fact
from extractor.nlp.facts import FACT_KEYS
from extractor.nlp.pipeline import PIPELINE_VERSION, build_pipeline


def extract_document(document: Document, nlp: Language | None = None) -> Evidence:
    """The evidence of one document (builds a pipeline when none is given)."""
    nlp = nlp or build_pipeline()
    return doc_to_evidence(nlp(document.text), document)


def extract_documents(
    documents: Iterable[Document], nlp: Language, batch_size: int = 16
) -> Iterator[tuple[Document, Evidence]]:
    """Evidence for many documents, streamed through ``nlp.pipe``."""
    pending = list(documents)
    docs = nlp.pipe((d.text for d in pending), batch_size=batch_size)
    for document, doc in zip(pending, docs, strict=True):
        yield document, doc_to_evidence(doc, document)


# Document metadata repeated in each evidence object, as the acceptance format lists it.
DOCUMENT_FIELDS = ("pmid", "doi", "url", "year")


def doc_to_evidence(doc: Doc, document: Document, version: str = PIPELINE_VERSION) -> Evidence:
    """The evidence object of a document: its facts by kind, each with its provenance."""
    meta: dict[str, Any] = {"id": document.id, "title": document.title, "source": document.source}
    meta.update({k: document.metadata[k] for k in DOCUMENT_FIELDS if document.metadata.get(k)})
    published = str(document.metadata.get("published") or "")
    if "year" not in meta and published[:4].isdigit():
        meta["year"] = int(published[:4])
    evidence: Evidence = {"id": document.id, "document": meta, "extractor_version": version}
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
