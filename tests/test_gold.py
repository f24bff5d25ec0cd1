"""Golden tests: the extractor against hand-made annotations, scored as score.py scores."""

from __future__ import annotations

import pytest

from extractor.corpus import default_corpus_dir, load_corpus
from extractor.documents import find_documents, read_documents
from extractor.evidence import KINDS_BY_KEY
from extractor.extract import extract_document
from extractor.runner import run_corpus
from extractor.store import open_store
from tests.scoring import CORPUS_DOCUMENTS, CORPUS_GOLD, SHARED, load_scorer, read_gold, score


def test_seed_article_meets_the_acceptance_bar(nlp):
    golds = read_gold(SHARED / "acceptance" / "gold")
    if not golds:
        pytest.skip("no shared gold annotations beside the repository")
    predictions = {}
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        for document in read_documents(path):
            predictions[document.id] = extract_document(document, nlp)
    result = score(golds, predictions)
    assert result["core_f1"] >= 0.95, result["errors"]
    assert result["f1"]["hazard_ratios"] == 1.0, result["errors"]


def test_bundled_corpus_gold(nlp):
    golds = read_gold(CORPUS_GOLD)
    assert len(golds) >= 6
    predictions = {
        document.id: extract_document(document, nlp)
        for path in find_documents(CORPUS_DOCUMENTS)
        for document in read_documents(path)
    }
    assert set(golds) <= set(predictions), "every gold file has its document"
    result = score(golds, predictions)
    assert result["core_f1"] >= 0.95, "\n".join(result["errors"])
    missed = [e for e in result["errors"] if e.startswith("missed")]
    assert missed == [], "\n".join(missed)


def test_gold_spans_are_exact_text(nlp):
    """Every gold item's text is a substring of its document as read."""
    documents = {d.id: d for p in find_documents(CORPUS_DOCUMENTS) for d in read_documents(p)}
    for doc_id, gold in read_gold(CORPUS_GOLD).items():
        for field, items in gold.items():
            if isinstance(items, list):
                for item in items:
                    if isinstance(item, dict) and "text" in item:
                        assert item["text"] in documents[doc_id].text, (doc_id, field, item)


def test_run_stores_every_gold_fact_with_exact_spans(nlp, tmp_path):
    """`extractor run` on the bundled corpus: every gold fact is a row whose span is its text."""
    scorer = load_scorer()
    db_path = tmp_path / "evidence.db"
    summary = run_corpus(load_corpus(default_corpus_dir()), db_path, nlp=nlp)
    assert summary.failures == []
    db = open_store(db_path)
    texts = {row["id"]: row["text"] for row in db["documents"].rows}
    for doc_id, gold in read_gold(CORPUS_GOLD).items():
        for field in scorer.FIELDS:
            table = KINDS_BY_KEY[field].table
            rows = list(db[table].rows_where("document_id = ?", [doc_id]))
            for row in rows:
                assert texts[doc_id][row["start"] : row["end"]] == row["text"], (table, row)
            for item in gold.get(field, []):
                if isinstance(item, dict) and item.get("optional"):
                    continue
                if field == "drugs":
                    assert any(r["name"] == item for r in rows), (doc_id, item)
                else:
                    assert any(scorer.same(field, item, r) for r in rows), (doc_id, field, item)
