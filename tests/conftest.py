"""Shared fixtures: one NLP pipeline per test session (building it loads the drug dictionary)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from extractor.corpus import BUNDLED_CORPUS, load_corpus
from extractor.documents import Document
from extractor.evidence import Evidence
from extractor.extract import extract_document
from extractor.nlp.pipeline import build_pipeline
from extractor.runner import run_corpus


@pytest.fixture(scope="session")
def nlp() -> Language:
    return build_pipeline()


@pytest.fixture(scope="session")
def extract(nlp: Language) -> Callable[[str], Evidence]:
    """Evidence of a text, as a document called "case"."""

    def run(text: str) -> Evidence:
        return extract_document(Document("case", "test", "", text), nlp)

    return run


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory: pytest.TempPathFactory, nlp: Language) -> Path:
    """The bundled corpus run offline once (its files, PubMed and news snapshots), linked to
    its studies: the database `make run` builds."""
    path = tmp_path_factory.mktemp("bundled") / "evidence.db"
    run_corpus(load_corpus(BUNDLED_CORPUS), path, nlp, sources="snapshot")
    return path
