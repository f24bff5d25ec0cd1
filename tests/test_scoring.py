"""Our scoring agrees with the acceptance scorer, figure for figure."""

from __future__ import annotations

import copy
import random

import pytest

from extractor.evaluate import read_gold
from extractor.scoring import FIELDS, FieldScore, core_f1, detail_scores, score
from tests.scoring import CORPUS_GOLD, SHARED, load_scorer


def _perturbed(gold: dict, seed: int) -> dict:
    """A prediction made from a gold file: some facts dropped, some changed, some invented."""
    rng = random.Random(seed)
    predicted = copy.deepcopy(gold)
    for field in FIELDS:
        items = [i for i in predicted.get(field, []) if rng.random() > 0.25]
        for item in items:
            if isinstance(item, dict) and rng.random() < 0.2:
                for key in ("value_pct", "n", "amount", "value"):
                    if isinstance(item.get(key), (int, float)):
                        item[key] = item[key] + rng.choice([0.01, 1, 10])
            if isinstance(item, dict) and field == "adverse_events" and rng.random() < 0.5:
                item["event"] = str(item["event"]).replace("anemia", "anaemia").upper()
        if rng.random() < 0.3:
            items.append(
                "imatinib"
                if field == "drugs"
                else {"n": 7, "value_pct": 12.5, "value": 0.5, "amount": 3}
            )
        predicted[field] = items
    return predicted


@pytest.mark.parametrize("seed", range(12))
def test_same_figures_as_score_py(seed):
    scorer = load_scorer()
    golds = {**read_gold(CORPUS_GOLD), **read_gold(SHARED / "acceptance" / "gold")}
    predictions = {
        doc_id: _perturbed(gold, seed * 100 + i)
        for i, (doc_id, gold) in enumerate(sorted(golds.items()))
    }
    ours = score(golds, predictions)
    for field in FIELDS:
        theirs = [0, 0, 0]
        for doc_id, gold in golds.items():
            tp, fp, fn, _, _ = scorer.score_field(
                field, gold.get(field, []), predictions[doc_id].get(field) or []
            )
            theirs = [theirs[0] + tp, theirs[1] + fp, theirs[2] + fn]
        assert [ours[field].tp, ours[field].fp, ours[field].fn] == theirs, field
        assert round(ours[field].f1, 6) == round(scorer.prf(*theirs)[2], 6)


def test_core_f1_is_micro_averaged():
    scores = {field: FieldScore() for field in FIELDS}
    scores["drugs"] = FieldScore(tp=9, fp=1, fn=0)
    scores["survival"] = FieldScore(tp=1, fp=0, fn=9)
    assert core_f1(scores) == pytest.approx(2 * (10 / 11) * (10 / 19) / (10 / 11 + 10 / 19))


def _arm_detail(gold_arm: str, **found: str | None) -> tuple[int, int]:
    """(agreed, wrong) of the arm detail for one matched survival figure."""
    gold = {"endpoint": "OS", "timepoint_months": 24, "value_pct": 93.3, "arm": gold_arm}
    matched = FieldScore(tp=1, matched=[("doc", gold, {**gold, "arm": None, **found})])
    arm = detail_scores({**{f: FieldScore() for f in FIELDS}, "survival": matched})["survival.arm"]
    return arm.agreed, arm.wrong


@pytest.mark.parametrize(
    ("gold_arm", "found", "expected"),
    [
        ("blinatumomab + Interfant-06", {"arm": "blinatumomab cohort"}, (1, 0)),
        ("historical controls", {"arm": "blinatumomab cohort"}, (0, 1)),
        ("historical controls", {}, (0, 0)),  # left blank: not found, not wrong
        # a trial's figure with no narrower arm is its whole cohort's
        ("MLL-10", {"study": "MLL-10"}, (1, 0)),
        ("MLL-10", {"arm": "whole cohort", "study": "MLL-10"}, (1, 0)),
        ("Interfant-06 historical controls", {"arm": "controls", "study": None}, (1, 0)),
        ("whole cohort", {"study": "Interfant-06"}, (1, 0)),
        ("all patients", {"arm": "lestaurtinib arm"}, (0, 1)),
    ],
)
def test_arm_agreement(gold_arm, found, expected):
    assert _arm_detail(gold_arm, **found) == expected
