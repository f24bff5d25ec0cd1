"""Which trial each survival figure reports on."""

from __future__ import annotations

from extractor.nlp.studies import DocumentTrials

REVIEW = (
    "Outcomes of infant ALL trials: a review\n"
    "Interfant-99 enrolled 482 infants; their 4-year EFS was 47.0% (SE 2.6). "
    "Its successor improved little: the 6-year EFS was 46.1%. "
    "In MLL-10, the 3-year OS was 85.2%, as against 6-year OS of 58.2% in Interfant-06.\n"
    "One course of blinatumomab given after the Interfant-06 backbone was followed by a "
    "2-year DFS of 81.6%.\n"
)


def test_each_figure_takes_the_trial_of_its_sentence_or_paragraph(extract):
    found = {s["value_pct"]: s["study"] for s in extract(REVIEW)["survival"]}
    assert found == {
        47.0: "Interfant-99",
        46.1: "Interfant-99",  # named in the sentence before, same paragraph
        85.2: "MLL-10",
        58.2: "Interfant-06",  # the nearest before it in its sentence
        81.6: None,  # the Interfant-06 chemotherapy is the treatment, not the study
    }


def test_the_title_names_the_study_of_a_paper():
    text = "AALL0631: lestaurtinib in infants\n\nEFS at 3 years was 36%.\n\nOS was 39%."
    trials = DocumentTrials(text, title_end=text.index("\n"))
    start = text.index("36%")
    assert trials.trial_at(start, text.index("EFS"), len(text)) == "AALL0631"
    assert trials.trial_at(start, text.index("EFS"), len(text), names_a_drug=True) is None


def test_no_trial_named_means_none():
    text = "Blinatumomab in infants\nDFS was 81.6%."
    assert DocumentTrials(text, title_end=23).trial_at(31, 24, len(text)) is None
