"""Adverse events: name, lowest grade and percentage, with British spellings."""

from __future__ import annotations


def test_each_and_british_spellings(extract):
    text = (
        "Grade 3 or worse adverse events were anaemia in 17% of infants, and febrile "
        "neutropenia, neutropenia and raised gamma-glutamyltransferase, in 7% each."
    )
    found = [(a["event"], a["grade_min"], a["value_pct"]) for a in extract(text)["adverse_events"]]
    assert found == [
        ("anemia", 3, 17.0),
        ("febrile neutropenia", 3, 7.0),
        ("neutropenia", 3, 7.0),
        ("elevated gamma-glutamyltransferase", 3, 7.0),
    ]


def test_respectively(extract):
    text = "Grade ≥3 infections and mucositis occurred in 40% and 12%, respectively."
    found = [(a["event"], a["grade_min"], a["value_pct"]) for a in extract(text)["adverse_events"]]
    assert found == [("infection", 3, 40.0), ("mucositis", 3, 12.0)]


def test_not_adverse_events(extract):
    assert extract("Neutropenia was expected; 2-year OS was 93.3%.")["adverse_events"] == []
