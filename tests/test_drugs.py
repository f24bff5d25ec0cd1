"""Drug mentions: dictionary names, brands and abbreviations resolve to one generic name."""

from __future__ import annotations

import pytest

CASES = [
    ("Infants received Blincyto after induction.", ["blinatumomab"]),
    (
        "Consolidation used ara-C, 6-MP and PEG-asparaginase.",
        ["cytarabine", "mercaptopurine", "pegaspargase"],
    ),
    ("High-dose methotrexate (MTX) was followed by further MTX courses.", ["methotrexate"]),
    (
        "Prednisolone prophase, then dexamethasone, vincristine and daunorubicin.",
        ["prednisolone", "dexamethasone", "vincristine", "daunorubicin"],
    ),
    ("The menin inhibitors revumenib and ziftomenib are in trials.", ["revumenib", "ziftomenib"]),
    (
        "Relapse was treated with inotuzumab and calaspargase.",
        ["inotuzumab ozogamicin", "calaspargase pegol"],
    ),
    # negatives: chemotherapy in general, classes of drugs and laboratory enzymes are not drugs
    ("Anthracyclines, glucocorticoids and immunoglobulins were part of supportive care.", []),
    ("Strong CYP3A4 inhibitors and tyrosine kinase inhibitors change exposure.", []),
    ("Cytarabine is an antimetabolite given with antiemetics.", ["cytarabine"]),
    ("Menin binds the histone-lysine N-methyltransferase KMT2A.", []),
    ("Chemotherapy raised gamma-glutamyltransferase in a few infants.", []),
    ("Elevated γ-glutamyltransferase levels were seen in 7% of patients.", []),
]


@pytest.mark.parametrize(("text", "names"), CASES)
def test_drug_names(extract, text, names):
    assert [d["name"] for d in extract(text)["drugs"]] == names


def test_mentions_keep_their_spans_and_ids(extract):
    text = "Blinatumomab (Blincyto) was given once; blinatumomab was well tolerated."
    (drug,) = extract(text)["drugs"]
    assert drug["ids"]["drugbank_id"] == "DB09052"
    assert [(m["text"], text[m["start"] : m["end"]]) for m in drug["mentions"]] == [
        ("Blinatumomab", "Blinatumomab"),
        ("Blincyto", "Blincyto"),
        ("blinatumomab", "blinatumomab"),
    ]


def test_a_lower_case_english_word_is_not_a_brand_or_acronym(extract):
    text = "The pump sits in a backpack; revumenib is given by mouth."
    assert [d["name"] for d in extract(text)["drugs"]] == ["revumenib"]
