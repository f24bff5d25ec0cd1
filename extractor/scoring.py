"""Scoring extracted evidence against gold annotations.

The matching is that of the acceptance scorer (../shared/acceptance/score.py), so a figure
here means the same as a figure there: per document, a fact counts once; drugs match by
lower-case generic name, doses by (drug, amount), cohorts by n, survival by (endpoint,
timepoint in months, value within 0.05), hazard ratios by value within 0.005, adverse events
by fuzzy event name and value, response rates by value. Gold items marked ``optional``
count neither as missed nor, when found, as false.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

FIELDS = (
    "drugs",
    "doses",
    "cohorts",
    "survival",
    "hazard_ratios",
    "adverse_events",
    "response_rates",
)
CORE = ("drugs", "doses", "cohorts", "survival")
_ENDPOINT_NAMES = {
    "event-free survival": "EFS",
    "event free survival": "EFS",
    "overall survival": "OS",
    "survival": "OS",
    "disease-free survival": "DFS",
    "disease free survival": "DFS",
    "relapse-free survival": "RFS",
    "relapse free survival": "RFS",
    "progression-free survival": "PFS",
    "leukemia-free survival": "LFS",
    "leukaemia-free survival": "LFS",
    "cumulative incidence of relapse": "CIR",
    "cumulative incidence of relapse (cir)": "CIR",
    "relapse": "CIR",
}


def endpoint(value: Any) -> str:
    text = str(value or "").strip().lower()
    return _ENDPOINT_NAMES.get(text, text.upper() or "OTHER")


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _close(a: Any, b: Any, tolerance: float) -> bool:
    x, y = _number(a), _number(b)
    return x is not None and y is not None and abs(x - y) <= tolerance


def _spelled(name: Any) -> str:
    """Fold British spellings and punctuation so 'anaemia' meets 'anemia'."""
    text = str(name or "").lower().replace("ae", "e").replace("oe", "e")
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _drug_name(item: Any) -> str:
    return str(item.get("name") if isinstance(item, dict) else item or "").strip().lower()


def same(kind: str, gold: Any, pred: Any, strict: bool = False) -> bool:
    """Whether a predicted item states the same fact as a gold item of the same kind."""
    if kind == "drugs":
        return _drug_name(gold) == _drug_name(pred)
    if kind == "doses":
        return _drug_name(gold.get("drug")) == _drug_name(pred.get("drug")) and _close(
            gold.get("amount"), pred.get("amount"), 1e-6
        )
    if kind == "cohorts":
        return _close(gold.get("n"), pred.get("n"), 1e-9)
    if kind == "survival":
        return (
            endpoint(gold.get("endpoint")) == endpoint(pred.get("endpoint"))
            and _number(gold.get("timepoint_months")) == _number(pred.get("timepoint_months"))
            and _close(gold.get("value_pct"), pred.get("value_pct"), 0.05)
        )
    if kind == "hazard_ratios":
        return _close(gold.get("value"), pred.get("value"), 0.005)
    if kind == "adverse_events":
        a, b = _spelled(gold.get("event")), _spelled(pred.get("event"))
        alike = a == b or (
            not strict
            and bool(a)
            and bool(b)
            and (a in b or b in a or difflib.SequenceMatcher(None, a, b).ratio() >= 0.75)
        )
        return alike and _close(gold.get("value_pct"), pred.get("value_pct"), 0.05)
    if kind == "response_rates":
        return _close(gold.get("value_pct"), pred.get("value_pct"), 0.05)
    raise ValueError(f"unknown evidence kind {kind!r}")


@dataclass
class FieldScore:
    """Counts and the items behind them for one kind of fact."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[tuple[str, Any]] = field(default_factory=list)
    false: list[tuple[str, Any]] = field(default_factory=list)
    matched: list[tuple[str, Any, Any]] = field(default_factory=list)  # (document, gold, found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float(not self.fn)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_document(kind: str, gold_items: list[Any], predicted: list[Any]) -> FieldScore:
    """Greedy one-to-one matching of one document's items: exact names first, then fuzzy."""
    kept: list[Any] = []
    for item in predicted:
        if not any(same(kind, k, item, strict=True) for k in kept):
            kept.append(item)
    unmatched = list(range(len(kept)))
    result = FieldScore()
    for gold in gold_items:
        hit = next((i for i in unmatched if same(kind, gold, kept[i], strict=True)), None)
        if hit is None:
            hit = next((i for i in unmatched if same(kind, gold, kept[i])), None)
        optional = isinstance(gold, dict) and gold.get("optional")
        if hit is not None:
            unmatched.remove(hit)
            result.tp += 0 if optional else 1
            result.matched.append(("", gold, kept[hit]))
        elif not optional:
            result.fn += 1
            result.missed.append(("", gold))
    result.false = [("", kept[i]) for i in unmatched]
    result.fp = len(result.false)
    return result


def score(
    golds: dict[str, dict[str, Any]], predictions: dict[str, dict[str, Any]]
) -> dict[str, FieldScore]:
    """Scores per kind over all gold documents (a document with no prediction scores empty)."""
    totals = {kind: FieldScore() for kind in FIELDS}
    for doc_id, gold in golds.items():
        predicted = predictions.get(doc_id, {})
        for kind in FIELDS:
            found = score_document(kind, gold.get(kind) or [], predicted.get(kind) or [])
            total = totals[kind]
            total.tp += found.tp
            total.fp += found.fp
            total.fn += found.fn
            total.missed += [(doc_id, item) for _, item in found.missed]
            total.false += [(doc_id, item) for _, item in found.false]
            total.matched += [(doc_id, g, p) for _, g, p in found.matched]
    return totals


def core_f1(scores: dict[str, FieldScore]) -> float:
    """Micro-averaged F1 over drugs, doses, cohorts and survival."""
    core = FieldScore(*(sum(getattr(scores[k], c) for k in CORE) for c in ("tp", "fp", "fn")))
    return core.f1


# The context of a matched fact that the acceptance scorer does not score but a reviewer checks:
# the interval, standard error and arm of a survival figure, the unit and duration of a dose,
# the lowest grade an adverse-event rate counts.
DETAILS: dict[str, tuple[str, ...]] = {
    "survival": ("ci", "se", "arm"),
    "doses": ("unit", "duration_days"),
    "adverse_events": ("grade_min",),
}
_ARM_FILLER = frozenset(
    {"the", "a", "an", "with", "and", "or", "of", "on", "in", "for", "among", "those", "alone"}
    | {"patients", "infants", "children", "babies", "arm", "group", "cohort"}
    | {"treated", "given", "receiving", "who", "were"}
)


# Gold arms such as "whole cohort", "all patients", "entire trial": no narrower arm
_WHOLE_COHORT = frozenset({"whole", "entire", "all", "overall", "total", "trial", "study"})


@dataclass
class DetailScore:
    """How often a detail the gold file gives was found the same on a matched fact."""

    agreed: int = 0
    given: int = 0
    # (document, text of the gold fact, gold value, found value)
    disagreements: list[tuple[str, str, Any, Any]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.agreed / self.given if self.given else 1.0

    @property
    def wrong(self) -> int:
        """Disagreements that state another value, not none: worse than a blank."""
        return sum(1 for *_, found in self.disagreements if found not in (None, (None, None)))


def _arm_words(arm: Any) -> set[str]:
    words = "".join(c if c.isalnum() else " " for c in str(arm or "").lower())
    return {w for w in words.split() if w not in _ARM_FILLER}


def _detail(name: str, gold: dict[str, Any], found: dict[str, Any]) -> tuple[Any, Any] | None:
    """(gold, found) values of one detail, or None when the gold file does not give it."""
    if name == "ci":
        wanted = (gold.get("ci_low"), gold.get("ci_high"))
        return (
            None
            if wanted == (None, None)
            else (wanted, (found.get("ci_low"), found.get("ci_high")))
        )
    if name == "unit":
        unit = gold.get("unit")
        return None if unit is None else (_daily_rate(gold), _daily_rate(found))
    given = gold.get(name)
    if name == "arm" and given is not None:
        arm = found.get("arm")
        if arm is not None and _arm_words(arm) <= _WHOLE_COHORT:
            arm = None  # "85.2% for the whole cohort"
        if _arm_words(given) <= _WHOLE_COHORT:
            return given, arm
        # "Interfant-06": a figure of a trial with no narrower arm named is its whole cohort's
        return given, arm or found.get("study")
    return None if given is None else (given, found.get(name))


def _daily_rate(dose: dict[str, Any]) -> str:
    """A dose unit as a daily rate when taken once a day: "mg/m2" daily is "mg/m2/day"."""
    unit = str(dose.get("unit") or "").replace("µ", "μ")
    once_a_day = str(dose.get("frequency") or "").lower() in ("daily", "once daily", "once a day")
    return f"{unit}/day" if once_a_day and not unit.endswith("/day") else unit


def _agrees(name: str, wanted: Any, found: Any) -> bool:
    if name == "ci":
        return all(_close(w, f, 0.05) for w, f in zip(wanted, found, strict=True))
    if name == "arm":
        if _arm_words(wanted) <= _WHOLE_COHORT:  # "whole cohort": right when no arm is named
            return found is None or _arm_words(found) <= _WHOLE_COHORT
        return bool(_arm_words(wanted) & _arm_words(found))
    if name == "unit":
        return bool(wanted == found)
    return _close(wanted, found, 0.05)


def detail_scores(scores: dict[str, FieldScore]) -> dict[str, DetailScore]:
    """Agreement on the details of matched facts, keyed ``"survival.ci"``, ``"doses.unit"``…"""
    details: dict[str, DetailScore] = {}
    for kind, names in DETAILS.items():
        for name in names:
            result = details.setdefault(f"{kind}.{name}", DetailScore())
            for doc_id, gold, found in scores[kind].matched:
                pair = _detail(name, gold, found) if isinstance(gold, dict) else None
                if pair is None or gold.get("optional"):
                    continue
                result.given += 1
                if _agrees(name, *pair):
                    result.agreed += 1
                else:
                    result.disagreements.append((doc_id, str(gold.get("text", "")), *pair))
    return details
