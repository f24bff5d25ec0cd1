"""Extraction as library calls: documents in, evidence objects out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language

from extractor.documents import Document
from extractor.evidence import Evidence
from extractor.nlp.evidence import doc_to_evidence
from extractor.nlp.pipeline import PIPELINE_VERSION, build_pipeline


def extract_document(document: Document, nlp: Language | None = None) -> Evidence:
    """The evidence of one document (builds a pipeline when none is given)."""
    nlp = nlp or build_pipeline()
    return doc_to_evidence(nlp(document.text), document, PIPELINE_VERSION)


def extract_documents(
    documents: Iterable[Document], nlp: Language, batch_size: int = 16
) -> Iterator[tuple[Document, Evidence]]:
    """Evidence for many documents, streamed through ``nlp.pipe``."""
    pending = list(documents)
    docs = nlp.pipe((d.text for d in pending), batch_size=batch_size)
    for document, doc in zip(pending, docs, strict=True):
        yield document, doc_to_evidence(doc, document, PIPELINE_VERSION)
