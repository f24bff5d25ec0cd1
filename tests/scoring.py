"""The acceptance scorer (../shared/acceptance/score.py), loaded as a module for the tests."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS_DOCUMENTS = REPO / "corpora" / "infant-kmt2a-all" / "documents"
CORPUS_GOLD = REPO / "corpora" / "gold"


def load_scorer() -> ModuleType:
    path = SHARED / "acceptance" / "score.py"
    if not path.exists():
        pytest.skip(f"{path} is not beside the repository")
    spec = importlib.util.spec_from_file_location("acceptance_score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_gold(folder: Path) -> dict[str, dict[str, Any]]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
    }


def score(golds: dict[str, dict], predictions: dict[str, dict]) -> dict[str, Any]:
    """Per-field (tp, fp, fn) and core micro-F1, exactly as score.py computes them."""
    scorer = load_scorer()
    totals = {field: [0, 0, 0] for field in scorer.FIELDS}
    misses: list[str] = []
    for doc_id, gold in golds.items():
        predicted = predictions.get(doc_id, {})
        for field in scorer.FIELDS:
            tp, fp, fn, missed, false = scorer.score_field(
                field, gold.get(field, []), predicted.get(field) or []
            )
            for i, value in enumerate((tp, fp, fn)):
                totals[field][i] += value
            misses += [f"missed {doc_id} {field}: {m}" for m in missed]
            misses += [
                f"false {doc_id} {field}: {f.get('text') if isinstance(f, dict) else f}"
                for f in false
            ]
    core = [sum(totals[f][i] for f in scorer.CORE) for i in range(3)]
    return {
        "fields": totals,
        "core_f1": scorer.prf(*core)[2],
        "errors": misses,
        "f1": {f: scorer.prf(*totals[f])[2] for f in scorer.FIELDS},
    }
