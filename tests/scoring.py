"""Paths of the shared acceptance material, and its scorer loaded as a module."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = REPO / "corpora"
CORPUS_DOCUMENTS = CORPORA / "infant-kmt2a-all" / "documents"
CORPUS_GOLD = CORPORA / "gold"


def load_scorer() -> ModuleType:
    """../shared/acceptance/score.py, the reference our own scoring must agree with."""
    path = SHARED / "acceptance" / "score.py"
    if not path.exists():
        pytest.skip(f"{path} is not beside the repository")
    spec = importlib.util.spec_from_file_location("acceptance_score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
