"""Plain-text tables: in "|" tables each row's label names the fact and the header the arm;
in a registry's "label: value" lists the heading names the fact and each line its arm."""

from __future__ import annotations

from extractor.documents import read_document
from extractor.extract import extract_document

TABLE = (
    "Blinatumomab in infants: short report\n\n"
    "Table 1. Main results (percentages unless stated otherwise)\n"
    "Endpoint | Blinatumomab (n=30) | Controls (n=214)\n"
    "Disease-free survival at 2 years (95% CI) | 81.6 (70.2–94.9) | 49.4 (42.7–57.1)\n"
    "Overall survival at 2 years (95% CI) | 93.3 (84.9–100) | 65.8 (59.5–72.8)\n"
    "MRD-negative after the infusion, n/N (%) | 28/30 (93) | —\n"
    "Reduction in the risk of death | 85% | reference\n"
    "Grade ≥3 anaemia | 17 | —\n"
    "Fatal toxic effects | none | —\n"
)


def test_survival_rows_take_their_arm_from_the_header(extract):
    found = [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["ci_low"], s["ci_high"], s["arm"])
        for s in extract(TABLE)["survival"]
    ]
    assert found == [
        ("DFS", 24, 81.6, 70.2, 94.9, "Blinatumomab"),
        ("DFS", 24, 49.4, 42.7, 57.1, "Controls"),
        ("OS", 24, 93.3, 84.9, 100.0, "Blinatumomab"),
        ("OS", 24, 65.8, 59.5, 72.8, "Controls"),
    ]


def test_other_rows(extract):
    evidence = extract(TABLE)
    assert [(a["event"], a["grade_min"], a["value_pct"]) for a in evidence["adverse_events"]] == [
        ("anemia", 3, 17.0)
    ]
    assert [(r["measure"], r["value_pct"]) for r in evidence["response_rates"]] == [
        ("MRD negativity", 93.0)
    ]
    assert [h["value"] for h in evidence["hazard_ratios"]] == [0.15]


def test_spans_point_at_the_cells(extract):
    for fact in extract(TABLE)["survival"]:
        assert TABLE[fact["start"] : fact["end"]] == fact["text"]


def test_counts_without_a_percent_note_are_not_rates(extract):
    text = TABLE.replace(" (percentages unless stated otherwise)", "")
    evidence = extract(text)
    assert evidence["adverse_events"] == []
    assert evidence["survival"] == []


LONG_TABLE = (
    "Table 2. Survival estimates by study\n"
    "Study | n | Endpoint | Timepoint | Estimate (95% CI or SE)\n"
    "Interfant-99 | 482 | EFS | 4 years | 47.0 (SE 2.6)\n"
    "MLL-10 (JPLSG) | – | OS | 3 years | 85.2 (–)\n"
    "Interfant-06 historical controls | 214 | DFS | 2 years | 49.4 (42.7–57.1)\n"
)


def test_a_long_table_has_a_row_per_arm_and_endpoint(extract):
    evidence = extract(LONG_TABLE)
    assert [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["se"], s["ci_low"], s["arm"])
        for s in evidence["survival"]
    ] == [
        ("EFS", 48, 47.0, 2.6, None, "Interfant-99"),
        ("OS", 36, 85.2, None, None, "MLL-10 (JPLSG)"),
        ("DFS", 24, 49.4, None, 42.7, "Interfant-06 historical controls"),
    ]
    assert [(c["n"], c["role"]) for c in evidence["cohorts"]] == [(482, "total"), (214, "control")]


REGISTRY = (
    "Results\n"
    "Enrollment: 651\n\n"
    "Outcome measure 2: overall survival, all enrolled participants\n"
    "Time frame: 6 years\n"
    "Unit of measure: percentage of participants; dispersion: standard error\n"
    "Value: 58.2 (2.1)\n\n"
    "Outcome: event-free survival at 3 years\n"
    "Unit of measure: percentage of participants; dispersion: 95% confidence interval\n"
    "Arm A, experimental: 36 (29 to 44)\n"
    "Arm B, comparator: 39 (31 to 47)\n\n"
    "Serious adverse events, grade 3 or higher (% of participants)\n"
    "Febrile neutropenia: 7\n"
    "Median follow-up: 26.3 months\n"
)


def test_registry_result_lists(extract):
    evidence = extract(REGISTRY)
    assert [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["se"], s["ci_low"], s["arm"])
        for s in evidence["survival"]
    ] == [
        ("OS", 72, 58.2, 2.1, None, None),
        ("EFS", 36, 36.0, None, 29.0, "Arm A, experimental"),
        ("EFS", 36, 39.0, None, 31.0, "Arm B, comparator"),
    ]
    assert [(a["event"], a["grade_min"], a["value_pct"]) for a in evidence["adverse_events"]] == [
        ("febrile neutropenia", 3, 7.0)
    ]
    assert [c["n"] for c in evidence["cohorts"]] == [651]


def test_a_result_line_may_say_percent_in_its_label(extract):
    text = "Results\nOverall survival at 2 years, % (95% CI): 93.3 (84.9 to 100)\n"
    (found,) = extract(text)["survival"]
    assert (found["endpoint"], found["timepoint_months"], found["ci_low"]) == ("OS", 24, 84.9)


def test_a_result_list_needs_a_heading_that_says_what_it_counts(extract):
    evidence = extract("Overall survival: 58.2\nAnaemia: 17\n")  # no heading, no percent
    assert evidence["survival"] == evidence["adverse_events"] == []


ARMS_IN_ROWS = (
    "Table 3. Blinatumomab plus chemotherapy versus historical controls\n"
    "Cohort | N | 2-year DFS, % (95% CI) | 2-year OS, % (95% CI)\n"
    "Blinatumomab + Interfant-06 | 30 | 81.6 (70.2-94.9) | 93.3 (84.9-100)\n"
    "Historical controls (n = 214) | 214 | 49.4 (42.7-57.1) | 65.8 (59.5-72.8)\n"
)


def test_a_table_with_endpoints_in_the_header_has_a_row_per_arm(extract):
    found = [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["ci_high"], s["arm"], s["study"])
        for s in extract(ARMS_IN_ROWS)["survival"]
    ]
    assert found == [
        ("DFS", 24, 81.6, 94.9, "Blinatumomab + Interfant-06", None),
        ("OS", 24, 93.3, 100.0, "Blinatumomab + Interfant-06", None),
        ("DFS", 24, 49.4, 57.1, "Historical controls", None),
        ("OS", 24, 65.8, 72.8, "Historical controls", None),
    ]


ALIGNED = (
    "Supplementary Table 2. Published estimates (%)\n\n"
    "Study                  Infants  Endpoint  Time  Estimate\n"
    "Interfant-06           651      EFS       6 y   46.1 (SE 2.1)\n"
    "                                OS        6 y   58.2 (SE 2.1)\n"
    "AALL0631, chemo alone  n/r      EFS       3 y   39\n"
    "\n"
    "Estimates come from different eras.  They should not be compared.\n"
)


def test_a_table_aligned_with_spaces(extract):
    evidence = extract(ALIGNED)
    assert [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["se"], s["arm"])
        for s in evidence["survival"]
    ] == [
        ("EFS", 72, 46.1, 2.1, "Interfant-06"),
        ("OS", 72, 58.2, 2.1, "Interfant-06"),  # a continuation row keeps the label above
        ("EFS", 36, 39.0, None, "AALL0631, chemo alone"),
    ]
    assert [(c["n"], c["description"]) for c in evidence["cohorts"]] == [(651, "Interfant-06")]
    for fact in evidence["survival"]:
        assert ALIGNED[fact["start"] : fact["end"]] == fact["text"]


GROUPED = (
    "Table 2. Survival by study (%, standard error in brackets)\n"
    "Study              Infants   Time point   EFS          OS\n"
    "Protocol X         500       5 years      44.0 (2.5)   57.0 (2.4)\n"
    "Protocol Y\n"
    "   drug arm        -         3 years      41           -\n"
    "   control arm     -         3 years      44           -\n"
)


def test_an_aligned_table_with_a_time_column_and_grouped_rows(extract):
    evidence = extract(GROUPED)
    assert [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["se"], s["arm"])
        for s in evidence["survival"]
    ] == [
        ("EFS", 60, 44.0, 2.5, "Protocol X"),
        ("OS", 60, 57.0, 2.4, "Protocol X"),
        ("EFS", 36, 41.0, None, "drug arm"),  # a short line heads its rows: the table goes on
        ("EFS", 36, 44.0, None, "control arm"),
    ]


def test_a_long_table_with_times_in_months_and_outcomes_with_their_time(extract):
    text = (
        "| Study | Arm | Endpoint | Time (months) | Estimate (%) |\n"
        "|:--|:--|:--|--:|--:|\n"
        "| Protocol X | all patients | EFS | 48 | 47.0 |\n"
        "\n"
        "Population | Patients | Outcome | Result\n"
        "Whole cohort | 651 | OS, 6 years | 58.2% (SE 2.1%)\n"
    )
    assert [
        (s["endpoint"], s["timepoint_months"], s["value_pct"]) for s in extract(text)["survival"]
    ] == [("EFS", 48, 47.0), ("OS", 72, 58.2)]


def test_a_result_line_that_names_a_measure_is_not_an_arm(extract):
    text = (
        "Results: survival and safety\n"
        "Overall survival at 2 years, %: 93.3\n"
        "Grade 3 or higher anaemia, %: 17\n"
    )
    evidence = extract(text)
    assert [(s["endpoint"], s["value_pct"]) for s in evidence["survival"]] == [("OS", 93.3)]
    assert [(a["event"], a["value_pct"]) for a in evidence["adverse_events"]] == [("anemia", 17.0)]


def test_an_html_table_is_read_as_a_table(nlp, tmp_path):
    page = tmp_path / "results.html"
    page.write_text(
        "<html><body><article><p>Outcomes are shown in Table 1.</p><table>"
        "<caption>Table 1. Outcomes at 2 years (%)</caption>"
        "<tr><th>Endpoint</th><th>Blinatumomab (n=30)</th><th>Controls (n=214)</th></tr>"
        "<tr><td>Disease-free survival</td><td>81.6</td><td>49.4</td></tr>"
        "</table></article></body></html>",
        encoding="utf-8",
    )
    evidence = extract_document(read_document(page), nlp)
    assert [
        (s["endpoint"], s["timepoint_months"], s["value_pct"], s["arm"])
        for s in evidence["survival"]
    ] == [
        ("DFS", 24, 81.6, "Blinatumomab"),
        ("DFS", 24, 49.4, "Controls"),
    ]
