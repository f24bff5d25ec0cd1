"""The pipeline as a spaCy Language: its components, Doc extensions and sentence handling."""

from __future__ import annotations

from extractor.documents import Document
from extractor.extract import extract_document, extract_documents
from extractor.nlp.pipeline import COMPONENTS, PIPELINE_VERSION


def test_components_in_order(nlp):
    assert nlp.pipe_names == [
        "sentencizer",
        "footnote_markers",
        "bracket_sentences",
        "line_breaks",
        "abbreviation_detector",
        *COMPONENTS,
    ]
    assert PIPELINE_VERSION.startswith(nlp.meta["version"])


def test_facts_live_on_the_doc_with_offsets(nlp):
    text = "The 2-year overall survival was 93.3% with blinatumomab."
    doc = nlp(text)
    (estimate,) = doc._.survival
    assert text[estimate["start"] : estimate["end"]] == "93.3%"
    assert [span.label_ for span in doc.spans["drugs"]] == ["blinatumomab"]


def test_line_breaks_end_sentences(nlp):
    doc = nlp("RESULTS\n\nThe 3-year EFS was 66.2%\nCONCLUSION\nTreatment was feasible.")
    assert [s.text.strip() for s in doc.sents] == [
        "RESULTS",
        "The 3-year EFS was 66.2%",
        "CONCLUSION",
        "Treatment was feasible.",
    ]


def test_no_sentence_starts_inside_brackets(nlp):
    doc = nlp("EFS was 46.1% (s.e. 2.1%) and OS 58.2% (approx. 6 in 10). Next.")
    assert [s.text.strip() for s in doc.sents] == [
        "EFS was 46.1% (s.e. 2.1%) and OS 58.2% (approx. 6 in 10).",
        "Next.",
    ]


def test_abbreviation_defined_in_the_text_names_the_drug(extract):
    text = "Patients received cytosine arabinoside (ARA) twice; ARA was then stopped."
    (drug,) = extract(text)["drugs"]
    assert drug["name"] == "cytarabine"
    assert [m["text"] for m in drug["mentions"]] == ["cytosine arabinoside", "ARA", "ARA"]


def test_a_number_is_one_kind_of_fact(extract):
    text = "Grade 3 anaemia occurred in 17% of infants, whose 2-year OS was 93.3%."
    evidence = extract(text)
    assert [a["value_pct"] for a in evidence["adverse_events"]] == [17.0]
    assert [s["value_pct"] for s in evidence["survival"]] == [93.3]


def test_many_documents_stream_through_nlp_pipe(nlp):
    documents = [Document(f"d{i}", "t", "", f"The 2-year OS was {80 + i}%.") for i in range(3)]
    streamed = [evidence for _, evidence in extract_documents(documents, nlp, batch_size=2)]
    assert streamed == [extract_document(d, nlp) for d in documents]
    assert [e["survival"][0]["value_pct"] for e in streamed] == [80.0, 81.0, 82.0]


def test_a_full_sentence_inside_brackets_still_ends(nlp):
    doc = nlp("Toxicity was mild (anaemia in 17% each. Febrile neutropenia in 7%). Next.")
    assert len(list(doc.sents)) == 3
