"""Cohort sizes and their roles; counts of events and other numbers are not cohorts."""

from __future__ import annotations

import pytest

CASES = [
    ("The study included 30\u00a0patients younger than 1 year.", [(30, "total")]),
    ("Thirty infants were treated.", [(30, "total")]),
    ("In all, 651 infants were enrolled (n = 651).", [(651, "total")]),
    ("Outcomes were compared with 214 historic controls.", [(214, "control")]),
    ("Of these, 330 medium-risk infants were randomly assigned.", [(330, "arm")]),
    ("A larger study with 160 patients is planned.", [(160, "planned")]),
    (
        "Sixty-eight patients were treated, of whom 60 had a KMT2A rearrangement.",
        [(68, "total"), (60, "subgroup")],
    ),
    ("Outcome was worse in KMT2A-r (n = 45) than in germline cases.", [(45, "subgroup")]),
    ("Over nine in ten of the babies (93.3%) were alive.", []),
    (
        "In total, 330 patients were randomized: 166 to ADE/MAE and 164 to IB.",
        [(330, "arm"), (166, "arm"), (164, "arm")],
    ),
    ("A matched cohort of 214 infants served as historical controls.", [(214, "control")]),
    ("Enrollment: 160 participants (anticipated).", [(160, "planned")]),
    ("The dose was increased from 5 to 15 μg/m2/day on day 8.", []),
    # a numbered phase, cohort or arm is a label, not a count of patients
    ("This multinational, single-arm phase 2 trial enrolled infants under 1 year.", []),
    ("Cohort 2 enrolled 12 infants.", [(12, "total")]),
    ("Grade 3 events were neutropenia (n = 12, 40%) and anemia (n = 5, 17%).", []),
    (
        "In all, 651 infants were enrolled; 330 were randomly assigned (ADE/MAE, n = 166; IB, "
        "n = 164).",
        [(651, "total"), (330, "arm"), (166, "arm"), (164, "arm")],
    ),
    ("Of 1,234 patients screened, 651 were eligible.", [(1234, "total"), (651, "total")]),
    ("In three out of four of these babies the cells carry KMT2A-r.", []),
    (
        "Revumenib was given to 68 patients, including 60 with a KMT2A rearrangement.",
        [(68, "total"), (60, "subgroup")],
    ),
    (
        "68 patients were treated and 60 had a KMT2A rearrangement.",
        [(68, "total"), (60, "subgroup")],
    ),
    (
        "68 patients treated (60 KMT2A-rearranged, the rest NPM1-mutated).",
        [(68, "total"), (60, "subgroup")],
    ),
    (
        "A total of 1,234 children were enrolled, including 102 infants.",
        [(1234, "total"), (102, "subgroup")],
    ),
    ("Treatment was given to 330 medium- and high-risk infants.", [(330, "total")]),
    ("After induction, 330 of the babies were randomised.", [(330, "arm")]),
    ("Who was treated: 68 patients with relapsed leukaemia.", [(68, "total")]),
    ("Of 210 eligible infants, 180 (86%) had KMT2A-r ALL.", [(210, "total"), (180, "subgroup")]),
    (
        "It enrolled 1,500 children; 120 were infants under one year.",
        [(1500, "total"), (120, "subgroup")],
    ),
    ("Among the 45 infants with KMT2A-AFF1, 3-year EFS was 28.6%.", [(45, "subgroup")]),
    ("Design: single-arm, n=30, age <1 y; one course after induction.", [(30, "total")]),
    ("Phase 1, n = 68 (60 KMT2A-r).", [(68, "total"), (60, "subgroup")]),
    ("In total, 68 patients (60 with KMT2A-r) were treated.", [(68, "total"), (60, "subgroup")]),
    ("Outcomes vs Interfant-06 historical controls (n=214):", [(214, "control")]),
    ("A cohort of n = 1,234 children.", [(1234, "total")]),
    ("A bigger trial hopes to recruit 160 youngsters.", [(160, "planned")]),
    (
        "KMT2A rearrangement (KMT2Ar): 60 (88%); NPM1 mutation: the remaining 8 (12%).",
        [(60, "subgroup"), (8, "subgroup")],
    ),
    ("High risk: 45 (30%).", [(45, "subgroup")]),
    ("Differentiation syndrome: 11 (16%).", []),
    (
        "In AUGMENT-101, 68 patients took revumenib; 60 had a KMT2A rearrangement.",
        [(68, "total"), (60, "subgroup")],
    ),
    (
        "Sixty-eight children and adults took revumenib; sixty of them had a KMT2A rearrangement.",
        [(68, "total"), (60, "subgroup")],
    ),
    (
        "It was tested in a mixed population (68 treated, 60 with KMT2A rearrangement).",
        [(68, "total"), (60, "subgroup")],
    ),
    ("Results: 30 pts were treated.", [(30, "total")]),
    (
        "The two trials enrolled 482 and 651 infants, respectively.",
        [(482, "total"), (651, "total")],
    ),
    ("Of the 651 infants enrolled, 330 underwent randomization.", [(651, "total"), (330, "arm")]),
    ("Sixty of the patients had a KMT2A rearrangement.", [(60, "subgroup")]),
    ("The trial treated 68 adult and pediatric patients.", [(68, "total")]),
    ("Actual enrolment: 651", [(651, "total")]),
    ("Number randomised (both arms combined): 330", [(330, "arm")]),
    ("Interfant-06 had 330 randomised medium-risk and high-risk infants.", [(330, "arm")]),
    # negatives
    ("At end of infusion, 28 patients (93%) were MRD-negative.", []),
    ("After the infusion, 28 of the 30 babies had no measurable leukaemia.", [(30, "total")]),
    ("About three out of every four babies carry the rearrangement.", []),
    ("Roughly three of every four affected infants have it.", []),
    ("The subtype is found in roughly three in four babies with the disease.", []),
    ("Read next: 5 questions about infant leukaemia", []),
    ("The other 2 days were free of treatment.", []),
    ("Thirty infants (28 days old) were treated.", [(30, "total")]),
    ("Five patients (2.4%) died of infection.", []),
    ("In all, 28 of 30 responded.", []),
    ("Grade 3-4 infections occurred in 45 patients (38%).", []),
    ("Three patients died of infection and 2 patients relapsed.", []),
    ("The trial opened in 27 countries and 93% of patients responded.", []),
    ("Fewer than 5 leukaemic cells per 10,000 normal cells were found.", []),
    ("Interfant-06 patients were treated in 2006.", []),
    ("Since 1999 infants with ALL have been treated on shared protocols.", []),
    # result lines and slide shorthand
    ("Participants randomized after induction (medium/high risk): 330", [(330, "arm")]),
    (
        "Population: Treated: 68 (KMT2A-r 60, NPM1m 8).",
        [(68, "total"), (60, "subgroup"), (8, "subgroup")],
    ),
    ("Medium- and high-risk patients were randomised after induction (330).", [(330, "arm")]),
    ("651 infants; 330 MR/HR randomised to two arms", [(651, "total"), (330, "arm")]),
    ("Most of the patients, 60, had a KMT2A rearrangement.", [(60, "subgroup")]),
    ("With a CYP3A4 inhibitor the dose is 160 mg.", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_cohorts(extract, text, expected):
    assert [(c["n"], c["role"]) for c in extract(text)["cohorts"]] == expected


def test_a_group_the_text_abbreviates_is_counted(extract):
    text = (
        "Outcomes were compared with historical controls (HC) from Interfant-06. "
        "Results: 30 pts were treated and 214 HC were available."
    )
    found = [(c["n"], c["role"], c["description"]) for c in extract(text)["cohorts"]]
    assert (214, "control", "historical controls") in found
