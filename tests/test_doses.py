"""Doses: amount, unit in one notation, route, frequency, duration and days."""

from __future__ import annotations

import pytest

CASES = [
    (
        "Blinatumomab was given at 15 μg/m2 of body-surface area per day as a 28-day continuous "
        "infusion.",
        {
            "drug": "blinatumomab",
            "amount": 15.0,
            "unit": "μg/m2/day",
            "duration_days": 28.0,
            "route": "continuous infusion",
        },
    ),
    (
        "Blinatumomab 15\u00a0µg/m²/day was infused for 28 days.",
        {"drug": "blinatumomab", "amount": 15.0, "unit": "μg/m2/day", "duration_days": 28.0},
    ),
    (
        "The prophase was prednisolone 60 mg/m2/day for 7 days.",
        {"drug": "prednisolone", "amount": 60.0, "unit": "mg/m2/day", "duration_days": 7.0},
    ),
    (
        "Cytarabine 75–100 mg/m2 was given intravenously on days 1–5.",
        {
            "drug": "cytarabine",
            "amount": 75.0,
            "amount_max": 100.0,
            "unit": "mg/m2",
            "route": "intravenous",
            "days": "1-5",
        },
    ),
    (
        "Blincyto was infused at 15 micrograms per square metre of body surface a day.",
        {"drug": "blinatumomab", "amount": 15.0, "unit": "μg/m2/day"},
    ),
    (
        "Revumenib was dosed at 163 mg every 12 hours.",
        {"drug": "revumenib", "amount": 163.0, "unit": "mg", "frequency": "every 12 hours"},
    ),
    (
        "Mercaptopurine 50 mg/m2 was taken orally once daily.",
        {
            "drug": "mercaptopurine",
            "amount": 50.0,
            "unit": "mg/m2",
            "route": "oral",
            "frequency": "daily",
        },
    ),
    (
        "PEG-asparaginase 2500 IU/m2 was given intramuscularly.",
        {"drug": "pegaspargase", "amount": 2500.0, "unit": "IU/m2", "route": "intramuscular"},
    ),
    (
        "Intrathecal methotrexate 6 mg was given to infants under one year.",
        {"drug": "methotrexate", "amount": 6.0, "unit": "mg", "route": "intrathecal"},
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_dose(extract, text, expected):
    (dose,) = extract(text)["doses"]
    assert {k: dose[k] for k in expected} == expected
    assert text[dose["start"] : dose["end"]] == dose["text"]


@pytest.mark.parametrize(
    ("text", "duration", "days"),
    [
        ("Blinatumomab 5 μg/m²/day on days 1-7.", 7.0, "1-7"),
        ("Blinatumomab 15 μg/m²/day on days 8 to 28.", 21.0, "8-28"),
        ("One course of blinatumomab (15 µg/m2/d × 28 d, continuous IV).", 28.0, None),
        ("Blinatumomab as a 28-day continuous infusion at 15 μg/m²/day.", 28.0, None),
        ("Blinatumomab 5 μg/m²/day for the first 7 days.", 7.0, None),
        ("Vincristine 1.5 mg/m2 on days 8, 15 and 22.", None, "8, 15 and 22"),
        ("Blinatumomab 5 micrograms per square metre per day from day 1 to day 7.", 7.0, "1-7"),
        ("Blinatumomab 5 μg/m² per day for days 1–7, then a 14-day break.", 7.0, "1-7"),
    ],
)
def test_duration_and_days(extract, text, duration, days):
    (dose,) = extract(text)["doses"]
    assert (dose["duration_days"], dose["days"]) == (duration, days)


@pytest.mark.parametrize(
    "text",
    [
        "Cranial irradiation of 12 Gy was not used in infants.",
        "Creatinine was 0.4 mg/dL before methotrexate.",
        "The infusion lasted 28 days in 30 patients.",
    ],
)
def test_not_doses(extract, text):
    assert extract(text)["doses"] == []


def test_each_dose_gets_its_own_drug(extract):
    text = "Cytarabine 75 mg/m2 and daunorubicin 30 mg/m2 were given on day 1."
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [
        ("cytarabine", 75.0),
        ("daunorubicin", 30.0),
    ]


def test_a_dose_without_a_drug_in_its_sentence_takes_the_one_named_just_before(extract):
    text = (
        "Revumenib is taken by mouth.\n\nPatients of 40 kg or more take 270 mg twice daily. "
        "Children under 40 kg take 160 mg/m² twice daily."
    )
    assert [(d["drug"], d["amount"], d["unit"]) for d in extract(text)["doses"]] == [
        ("revumenib", 270.0, "mg"),
        ("revumenib", 160.0, "mg/m2"),
    ]


def test_a_dose_far_from_any_drug_is_not_guessed_among_several_drugs(extract):
    text = (
        "Blinatumomab was stopped and dexamethasone given. The cohort was large. Follow-up was "
        "long. Adherence was good. Patients took 270 mg twice daily."
    )
    assert extract(text)["doses"] == []


def test_a_dose_after_another_without_a_drug_between_is_the_same_drug(extract):
    text = "Give dexamethasone 5 mg/m², up to a maximum dose of 20 mg, before each Blincyto cycle."
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [
        ("dexamethasone", 5.0),
        ("dexamethasone", 20.0),
    ]


def test_a_document_about_one_drug_doses_it_far_from_its_name(extract):
    text = (
        "Revumenib in relapsed acute leukaemia: a poster\n"
        "Ziftomenib is another menin inhibitor.\nRevumenib is taken by mouth.\n"
        "Responses were seen.\nDifferentiation syndrome occurred.\nQTc rose.\n"
        "With a strong CYP3A4 inhibitor: 163 mg q12h."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("revumenib", 163.0)]


def test_a_label_about_one_drug_doses_it_far_from_its_name(extract):
    text = (
        "Blincyto (blinatumomab): dosage\n\nIt is given as a continuous infusion.\n"
        "Each cycle lasts 28 days.\nA 14-day break follows.\nPatients of 45 kg or more\n"
        "Cycle 1: 9 μg/day on days 1-7, then 28 μg/day."
    )
    assert [(d["drug"], d["amount"], d["unit"]) for d in extract(text)["doses"]] == [
        ("blinatumomab", 9.0, "μg/day"),
        ("blinatumomab", 28.0, "μg/day"),
    ]


def test_a_frequency_after_a_pair_of_doses_holds_for_both(extract):
    text = "With an azole, revumenib is reduced to 160 mg and 95 mg/m2 twice daily."
    found = [(d["amount"], d["unit"], d["frequency"]) for d in extract(text)["doses"]]
    assert found == [(160.0, "mg", "twice daily"), (95.0, "mg/m2", "twice daily")]


def test_an_amount_in_words(extract):
    (dose,) = extract("Blinatumomab ran at fifteen micrograms per square metre a day.")["doses"]
    assert (dose["amount"], dose["unit"]) == (15.0, "μg/m2/day")


def test_the_drug_named_before_a_distant_dose_is_preferred(extract):
    text = (
        "The blinatumomab label for children under 45 kg starts the first cycle at 5 μg/m2/day "
        "for 7 days, with dexamethasone given before each cycle."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("blinatumomab", 5.0)]


def test_a_drug_given_as_an_example_is_not_the_dosed_one(extract):
    text = (
        "Revumenib is taken twice daily. If a strong CYP3A4 inhibitor (e.g. posaconazole) is "
        "co-prescribed, reduce to 160 mg twice daily."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("revumenib", 160.0)]


def test_drugs_listed_as_examples_of_a_class_are_not_dosed(extract):
    text = (
        "Revumenib is taken twice daily. With azoles such as posaconazole, voriconazole and "
        "itraconazole, the dose falls to 160 mg twice daily."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("revumenib", 160.0)]


def test_drugs_named_as_members_of_a_class_are_not_dosed(extract):
    text = (
        "Revumenib is taken twice daily. Posaconazole, voriconazole and itraconazole are strong "
        "CYP3A4 inhibitors. With one of them, 163 mg every 12 hours was the phase 2 dose."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("revumenib", 163.0)]


def test_a_frequency_written_before_the_dose(extract):
    text = "Mercaptopurine is taken by mouth once a day at 50 mg/m²."
    (dose,) = extract(text)["doses"]
    assert (dose["frequency"], dose["route"], dose["unit"]) == ("daily", "oral", "mg/m2")


def test_a_cycle_length_is_not_a_duration_and_a_route_stays_in_its_clause(extract):
    doses = extract(
        "Revumenib was dosed at 113 mg or 163 mg every 12 hours in 28-day cycles. "
        "Methotrexate 5 g/m2 was given on day 8, with intrathecal methotrexate 6 mg."
    )["doses"]
    assert [
        (d["amount"], d["frequency"], d["duration_days"], d["route"], d["text"]) for d in doses
    ] == [
        (113.0, "every 12 hours", None, None, "113 mg"),
        (163.0, "every 12 hours", None, None, "163 mg every 12 hours"),
        (5.0, None, None, None, "5 g/m2"),
        (6.0, None, None, "intrathecal", "6 mg"),
    ]


@pytest.mark.parametrize(
    ("text", "route", "frequency"),
    [
        ("MTX 20 mg/m2/wk p.o. until week 104.", "oral", "weekly"),
        ("Blincyto 15 mcg/m2/day CIVI x 28 days.", "continuous infusion", None),
        ("Ziftomenib 600 mg QD.", None, "daily"),
        ("Revumenib 270 mg BD.", None, "twice daily"),
    ],
)
def test_prescription_shorthand(extract, text, route, frequency):
    (dose,) = extract(text)["doses"]
    assert (dose["route"], dose["frequency"]) == (route, frequency)


def test_a_drug_named_as_a_point_in_time_is_not_the_dosed_one(extract):
    text = "Dexamethasone (premedication), before the first blinatumomab infusion: 5 mg/m2."
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("dexamethasone", 5.0)]


def test_an_abbreviated_maximum_stays_with_its_dose(extract):
    text = "Premedicate with dexamethasone 5 mg/m2 (max. 20 mg) before blinatumomab is started."
    assert [(d["drug"], d["amount"], d["unit"]) for d in extract(text)["doses"]] == [
        ("dexamethasone", 5.0, "mg/m2"),
        ("dexamethasone", 20.0, "mg"),
    ]


def test_an_amount_given_again_is_the_same_drug(extract):
    text = (
        "Blinatumomab Guide\n"
        "Give dexamethasone 5 mg/m2 (maximum dose 20 mg) before the first dose of blinatumomab. "
        "In small children the 20 mg cap is seldom reached.\n"
        "Under 45 kg: 5 micrograms/m2/day on days 1 to 7."
    )
    assert [(d["drug"], d["amount"], d["unit"]) for d in extract(text)["doses"]] == [
        ("dexamethasone", 5.0, "mg/m2"),
        ("dexamethasone", 20.0, "mg"),
        ("dexamethasone", 20.0, "mg"),
        ("blinatumomab", 5.0, "μg/m2/day"),
    ]


def test_a_drug_dosed_in_other_units_does_not_take_a_distant_dose(extract):
    text = (
        "Blinatumomab in infants\n"
        "Children receive dexamethasone 5 mg/m2 before each cycle.\n"
        "In the infant study, 30 infants received one course at 15 µg/m2/day after induction."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [
        ("dexamethasone", 5.0),
        ("blinatumomab", 15.0),
    ]


def test_international_units_in_words(extract):
    text = "Pegaspargase is typically dosed at 2,500 International Units/m2."
    assert [(d["drug"], d["amount"], d["unit"]) for d in extract(text)["doses"]] == [
        ("pegaspargase", 2500.0, "IU/m2")
    ]


def test_drugs_given_as_examples_after_think_are_not_dosed(extract):
    text = (
        "Revumenib is approved for older children. With a strong CYP3A4 inhibitor (think "
        "posaconazole or voriconazole) the dose drops to 160 mg twice daily."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("revumenib", 160.0)]


def test_a_drug_never_dosed_in_the_unit_does_not_take_the_dose(extract):
    text = (
        "In older children the labelled regimen starts at 5 μg/m2/d for a week, with "
        "dexamethasone premedication, before blinatumomab reaches its target dose."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("blinatumomab", 5.0)]


def test_a_drug_named_as_an_example_with_its_own_dose_is_dosed(extract):
    text = "A standard adult dose such as ziftomenib 600 mg once daily says little about infants."
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [("ziftomenib", 600.0)]


def test_doses_given_respectively_for_drugs_listed_before(extract):
    text = (
        "Maintenance consisted of mercaptopurine and methotrexate given orally at 50 mg/m2 per "
        "day and 20 mg/m2 per week, respectively."
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [
        ("mercaptopurine", 50.0),
        ("methotrexate", 20.0),
    ]


def test_a_document_about_one_drug_doses_it_line_after_line(extract):
    text = (
        "Revumenib: formulary review\n"
        "Alternatives: ziftomenib is investigational, given at 600 mg once daily in trials.\n"
        "  weight 40 kg or more ....... 270 mg by mouth twice a day\n"
    )
    assert [(d["drug"], d["amount"]) for d in extract(text)["doses"]] == [
        ("ziftomenib", 600.0),
        ("revumenib", 270.0),
    ]
