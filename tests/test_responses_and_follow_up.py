"""Response rates (MRD, CR/CRh, overall response) and median follow-up."""

from __future__ import annotations

import pytest

RESPONSES = [
    ("At the end of induction, 93% of infants were MRD negative.", [("MRD negativity", 93.0)]),
    (
        "The CR/CRh rate was 30% and the overall response rate 53%.",
        [("CR/CRh", 30.0), ("overall response", 53.0)],
    ),
    ("Complete remission was reached by 94% of patients.", [("complete remission", 94.0)]),
    ("Survival was 58% at six years.", []),
    ("At the end of induction, 48% of patients were MRD positive.", [("MRD positivity", 48.0)]),
    ("Death in remission occurred at a rate of 8.5% ± 2.0%.", []),
    ("Thirty per cent achieved CR/CRh.", [("CR/CRh", 30.0)]),
    (
        "After the infusion, 28 of the 30 babies, or 93 per cent, had no measurable leukaemia.",
        [("MRD negativity", 93.0)],
    ),
]


@pytest.mark.parametrize(("text", "expected"), RESPONSES)
def test_response_rates(extract, text, expected):
    assert [(r["measure"], r["value_pct"]) for r in extract(text)["response_rates"]] == expected


FOLLOW_UP = [
    ("After a median follow-up of 26 months, no relapse occurred.", 26.0, None),
    ("During a median 26.3\u00a0months of follow-up, all were alive.", 26.3, None),
    ("The median follow-up was 4.1 years (range, 0.5–8.0).", 49.2, (6.0, 96.0)),
]


@pytest.mark.parametrize(("text", "median", "spread"), FOLLOW_UP)
def test_follow_up(extract, text, median, spread):
    (item,) = extract(text)["follow_up"]
    assert item["median_months"] == median
    low_high = (item["range_low_months"], item["range_high_months"])
    assert low_high == (spread or (None, None))
