"""Arm attribution of survival figures: named arms are kept, unnamed ones stay None."""

from __future__ import annotations

import pytest

CASES = [
    # (text, arm of each survival figure in order)
    (
        "The 4-year EFS rates were 53.8% (SE, 4.3%) vs 41.5% (SE, 3.6%) (P = .02) in the HR and "
        "MR groups.",
        ["HR groups", "MR groups"],
    ),
    (
        "The 5-year EFS and OS were 42% and 55% in the HSCT group and 35% and 48% in the "
        "chemotherapy group, respectively.",
        ["HSCT group", "HSCT group", "chemotherapy group", "chemotherapy group"],
    ),
    (
        "EFS at 4 years was better for infants who received HSCT (64.4%) compared to "
        "chemotherapy alone (48.8%).",
        ["infants who received HSCT", "chemotherapy alone"],
    ),
    (
        "EFS rates at 5 years were 74.6% for standard risk, 60.1% for intermediate risk and "
        "30.5% for high-risk patients.",
        ["standard risk", "intermediate risk", "high-risk patients"],
    ),
    ("5-yr EFS: 55% (SR), 38% (HR).", ["SR", "HR"]),
    ("5-yr EFS: 55% (SE 2.1) and OS 60% (CI 50-70).", [None, None]),
    (
        "The 5-year EFS was 36.1% for infants with KMT2A-r and 65.2% for those without.",
        ["infants with KMT2A-r", "those without"],
    ),
    # "younger than 6 months" is an age, not a comparison: the later group is not the first's
    (
        "Infants younger than 6 months had a 5-year EFS of 28% compared with 51% for older "
        "infants.",
        [None, "older infants"],
    ),
    (
        "The 6-y pEFS for MR and HR patients was 39.1% (SE, 3.0) and 20.9% (SE, 4.3), "
        "respectively.",
        ["MR patients", "HR patients"],
    ),
    (
        "2-yr DFS: blinatumomab 81.6% (95% CI 70.2 to 94.9) vs controls 49.4% (95% CI 42.7 to "
        "57.1).",
        ["blinatumomab", "controls"],
    ),
    (
        "Three-year EFS: lestaurtinib arm 36%, chemotherapy-only arm 39%.",
        ["lestaurtinib arm", "chemotherapy-only arm"],
    ),
    (
        "The 3-year EFS was 36% and 39% with and without lestaurtinib, respectively.",
        ["with lestaurtinib", "without lestaurtinib"],
    ),
    (
        "Two-year OS was 93.3% and 65.8% with blinatumomab and in the historical controls, "
        "respectively.",
        ["blinatumomab", "historical controls"],
    ),
    (
        "At two years, DFS was 81.6% vs 49.4% in 214 historical controls, and OS was 93.3% as "
        "against 65.8%.",
        [None, "historical controls", None, "historical controls"],
    ),
    (
        "The 3-year EFS was 36% with lestaurtinib, compared with 39% for chemotherapy alone.",
        ["lestaurtinib", "chemotherapy alone"],
    ),
    (
        "DFS was 81.6%, compared with 49.4% among 214 similar infants treated earlier on "
        "Interfant-06.",
        [None, "similar infants treated earlier on Interfant-06"],
    ),
    (
        "For the whole cohort, the 3-year EFS and OS were 66.2% and 85.2%, respectively.",
        ["whole cohort", "whole cohort"],
    ),
    ("Interfant-06 then enrolled 651 infants: 6-year EFS was 46.1%.", ["Interfant-06"]),
    (
        "The 3-year EFS was 36 percent for infants given lestaurtinib and 39 percent for those "
        "on chemotherapy alone.",
        ["infants given lestaurtinib", "those on chemotherapy alone"],
    ),
    (
        "The 3-year EFS for patients with KMT2A-r ALL was 38.7% vs 88.4% for those with "
        "germline KMT2A (P < .001).",
        ["patients with KMT2A-r ALL", "those with germline KMT2A"],
    ),
    (
        "Blincyto for infants\n2-year DFS was 81.6% (95% CI, 70.2-94.9), as compared with the "
        "historical controls (DFS 49.4% [95% CI 42.7-57.1]; OS 65.8% [95% CI 59.5-72.8]).",
        ["blinatumomab", "historical controls", "historical controls"],
    ),
    (
        "Blincyto for infants\nAt two years, DFS was 81.6%, compared with 49.4% among 214 "
        "controls. Overall survival was 93.3% as against 65.8%.",
        ["blinatumomab", "controls", "blinatumomab", "controls"],
    ),
    # nothing names an arm: None, not a guess
    ("The 2-year DFS was 81.6% and the 2-year OS 93.3%.", [None, None]),
    ("In MLL-10 and Interfant-06, 3-year EFS was 66.2%.", [None]),
    # a ratio, an outcome, a verb or a confidence bound is not a group
    ("Two years after treatment, 93 in every 100 babies (93.3%) were alive.", [None]),
    ("The drug left 81.6pc of babies alive and free of leukaemia two years later.", [None]),
]


@pytest.mark.parametrize(("text", "arms"), CASES)
def test_arms(extract, text, arms):
    assert [s["arm"] for s in extract(text)["survival"]] == arms


@pytest.mark.parametrize(
    ("text", "arms"),
    [
        # the one drug named before the figure, in a sentence about no other group
        (
            "Trial report\nBlinatumomab, given after induction to 30 infants, was followed by a "
            "2-year overall survival of 93.3%.",
            ["blinatumomab"],
        ),
        # no drug in the sentence: the one the title names
        (
            "Blinatumomab for infants with ALL\nTwo years later, 93.3% of them were alive.",
            ["blinatumomab"],
        ),
        # a drug named only after the figure is not its arm ("... prednisone prophase")
        (
            "Review\nIn that study the 4-year EFS was 47.0%, and a poor response to the prednisone "
            "prophase predicted failure.",
            [None],
        ),
        # a sentence about another group or a named trial is left to the other rules
        (
            "Blinatumomab for infants\n2-yr OS 93.3% v 65.8% in controls.",
            ["blinatumomab", "controls"],
        ),
        ("Blinatumomab for infants\nIn MLL-10, the 3-year EFS was 66.2%.", ["MLL-10"]),
    ],
)
def test_figures_of_a_single_treatment(extract, text, arms):
    assert [s["arm"] for s in extract(text)["survival"]] == arms
