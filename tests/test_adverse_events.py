"""Adverse events: name, lowest grade and percentage, with British spellings."""

from __future__ import annotations

import pytest


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


def test_a_rise_in_a_liver_enzyme(extract):
    text = "Grade 3 or worse: a rise in the liver enzyme gamma-glutamyltransferase, at 7 per cent."
    found = [(a["event"], a["value_pct"]) for a in extract(text)["adverse_events"]]
    assert found == [("elevated gamma-glutamyltransferase", 7.0)]


def test_a_pronoun_takes_the_event_of_the_sentence_before(extract):
    text = (
        "The main risk is differentiation syndrome, which can cause fever. In the first study "
        "it happened in 16% of patients."
    )
    found = [(a["event"], a["value_pct"]) for a in extract(text)["adverse_events"]]
    assert found == [("differentiation syndrome", 16.0)]


def test_a_rate_stated_before_its_event(extract):
    text = "Sixteen percent of patients developed differentiation syndrome."
    found = [(a["event"], a["value_pct"]) for a in extract(text)["adverse_events"]]
    assert found == [("differentiation syndrome", 16.0)]


def test_an_event_the_text_abbreviates(extract):
    text = (
        "Differentiation syndrome (DS) is expected with menin inhibitors. DS was reported in "
        "16% of patients."
    )
    found = [(a["event"], a["value_pct"]) for a in extract(text)["adverse_events"]]
    assert found == [("differentiation syndrome", 16.0)]


def test_not_adverse_events(extract):
    assert extract("Neutropenia was expected; 2-year OS was 93.3%.")["adverse_events"] == []
    assert extract("It happened in 16% of patients.")["adverse_events"] == []


@pytest.mark.parametrize(
    ("text", "grades"),
    [
        ("Grade 3-4 events included febrile neutropenia (45%) and sepsis (12%).", [3, 3]),
        ("Differentiation syndrome of any grade was reported in 16% (grade ≥3 in 5%).", [None]),
        ("QTc prolongation occurred in 53% of patients (grade 3, 13%).", [None]),
        (
            "Neurotoxicity was rare (3%), and no patient had cytokine release syndrome above "
            "grade 2.",
            [None],
        ),
        (
            "Febrile neutropenia and neutropenia occurred in 7% each (all grade 3 or higher).",
            [3, 3],
        ),
    ],
)
def test_a_grade_counts_for_the_rates_it_qualifies(extract, text, grades):
    assert [a["grade_min"] for a in extract(text)["adverse_events"]] == grades


def test_slide_shorthand_for_events(extract):
    text = "Safety, grade ≥3: anaemia 17%; FN 7%; neutropenia 7%; ↑GGT 7%. No toxic deaths."
    assert [
        (a["event"], a["grade_min"], a["value_pct"]) for a in extract(text)["adverse_events"]
    ] == [
        ("anemia", 3, 17.0),
        ("febrile neutropenia", 3, 7.0),
        ("neutropenia", 3, 7.0),
        ("elevated gamma-glutamyltransferase", 3, 7.0),
    ]


def test_gamma_gt_in_a_table_whose_caption_gives_the_grade(extract):
    text = (
        "Table 3. Grade 3 or higher adverse events, % of infants\n"
        "Event | Grade >=3\n"
        "Anaemia | 17\n"
        "Gamma-GT increased | 7\n"
    )
    assert [
        (a["event"], a["grade_min"], a["value_pct"]) for a in extract(text)["adverse_events"]
    ] == [
        ("anemia", 3, 17.0),
        ("elevated gamma-glutamyltransferase", 3, 7.0),
    ]


@pytest.mark.parametrize(
    ("text", "event", "value"),
    [
        (
            "Differentiation syndrome, in which blasts mature suddenly and can cause fever, was "
            "seen in 16% of patients.",
            "differentiation syndrome",
            16.0,
        ),
        (
            "Febrile neutropenia (fever with very low counts) affected 7%.",
            "febrile neutropenia",
            7.0,
        ),
        (
            "Differentiation syndrome, a class effect that can present with fever, developed in "
            "16%.",
            "differentiation syndrome",
            16.0,
        ),
    ],
)
def test_events_named_in_an_aside_that_explains_the_event_are_not_counted(
    extract, text, event, value
):
    found = [(a["event"], a["value_pct"]) for a in extract(text)["adverse_events"]]
    assert found == [(event, value)]
