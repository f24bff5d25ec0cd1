"""Shared fixtures: one NLP pipeline per test session (building it loads the drug dictionary)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.language import Language

from extractor.documents import Document
from extractor.evidence import Evidence
from extractor.extract import extract_document
from extractor.nlp.pipeline import build_pipeline


@pytest.fixture(scope="session")
def nlp() -> Language:
    return build_pipeline()


@pytest.fixture(scope="session")
def extract(nlp: Language) -> Callable[[str], Evidence]:
    """Evidence of a text, as a document called "case"."""

    def run(text: str) -> Evidence:
        return extract_document(Document("case", "test", "", text), nlp)

    return run
