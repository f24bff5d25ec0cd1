"""Hazard ratios, stated or derived from a risk reduction."""

from __future__ import annotations

import pytest

CASES = [
    (
        "This was a 78% reduction in the risk of relapse or death.",
        0.22,
        "DFS",
        "78% risk reduction",
    ),
    ("Blinatumomab gave an 85% lower risk of death.", 0.15, "OS", "85% risk reduction"),
    ("The hazard ratio for an event was 0.45 (95% CI 0.30 to 0.68; P < .001).", 0.45, "EFS", None),
    (
        "Age under 90 days (hazard ratio [HR], 2.35; 95% CI, 1.52-3.63) predicted events.",
        2.35,
        "EFS",
        None,
    ),
    ("Myeloid-type blocks did not help (HR 1.01, 95% CI 0.72–1.41).", 1.01, None, None),
    (
        "Against the controls, the risk of progression or death was reduced by 78%.",
        0.22,
        "DFS",
        "78% risk reduction",
    ),
    ("The drug cut the risk of dying by 85 per cent.", 0.15, "OS", "85% risk reduction"),
    ("Against the controls the risk of death was 85% lower.", 0.15, "OS", "85% risk reduction"),
    (
        "There was a reduction of 78% in the hazard of relapse or death.",
        0.22,
        "DFS",
        "78% risk reduction",
    ),
    ("Progression or death: risk reduced by 78%.", 0.22, "DFS", "78% risk reduction"),
    ("Risk reduction versus controls: 85% for death.", 0.15, "OS", "85% risk reduction"),
    ("Compared with controls, the risk of death fell by 85%.", 0.15, "OS", "85% risk reduction"),
    ("Risk of death down 85% vs controls.", 0.15, "OS", "85% risk reduction"),
    ("OS @24 mo 93% vs 66%; risk of death −85%.", 0.15, "OS", "85% risk reduction"),
    ("The risk of relapse or death came down by 78 per cent.", 0.22, "DFS", "78% risk reduction"),
    ("It slashed the risk of death by a massive 85 per cent.", 0.15, "OS", "85% risk reduction"),
    ("For progression or death the reduction was 78%.", 0.22, "DFS", "78% risk reduction"),
    ("Highlights: progression-or-death risk down 78%.", 0.22, "DFS", "78% risk reduction"),
    (
        "DFS rose to 78%, and the risk of progression or death was lowered by 78 per cent.",
        0.22,
        "DFS",
        "78% risk reduction",
    ),
    (
        "The risk of relapse or death fell by seventy-eight per cent.",
        0.22,
        "DFS",
        "78% risk reduction",
    ),
]


@pytest.mark.parametrize(
    "text",
    [
        "The risk of progression or death was 78% lower and the risk of death 85% lower.",
        "The hazard of progression or death was reduced by 78%, and that of death by 85%.",
    ],
)
def test_a_second_reduction_with_its_verb_left_out(extract, text):
    found = [(h["value"], h["endpoint"]) for h in extract(text)["hazard_ratios"]]
    assert found == [(0.22, "DFS"), (0.15, "OS")]


@pytest.mark.parametrize(("text", "value", "endpoint", "derived"), CASES)
def test_hazard_ratio(extract, text, value, endpoint, derived):
    (hr,) = extract(text)["hazard_ratios"]
    assert (hr["value"], hr["endpoint"], hr["derived_from"]) == (value, endpoint, derived)


def test_a_percentage_for_an_outcome_is_a_reduction_only_after_one_is_named(extract):
    assert extract("MRD negativity was 93% for infants after the infusion.")["hazard_ratios"] == []


def test_interval_and_p_value(extract):
    (hr,) = extract("The hazard ratio for an event was 0.45 (95% CI 0.30 to 0.68; P < .001).")[
        "hazard_ratios"
    ]
    assert (hr["ci_low"], hr["ci_high"], hr["p_value"]) == (0.30, 0.68, 0.001)


def test_risk_reduction_is_not_a_survival_figure(extract):
    evidence = extract("This was a 78% reduction in the risk of relapse or death.")
    assert evidence["survival"] == []


def test_an_unlabelled_interval_in_brackets(extract):
    (hr,) = extract("A very high white cell count predicted events (HR, 1.82 [1.20-2.76]).")[
        "hazard_ratios"
    ]
    assert (hr["value"], hr["ci_low"], hr["ci_high"]) == (1.82, 1.20, 2.76)
