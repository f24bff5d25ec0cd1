"""The evidence store on real SQLite files: schema, replacement, rollback, search, runs."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from extractor.documents import Document
from extractor.errors import StoreError
from extractor.store import (
    MIGRATIONS,
    evidence_counts,
    finish_run,
    open_store,
    record_error,
    save_document_evidence,
    start_run,
)

TEXT = "Thirty infants received blinatumomab. The 2-year OS was 93.3%."
DOCUMENT = Document("blina", "news.txt", "Blinatumomab in infants", TEXT, {"year": 2023})


def evidence(value: float = 93.3) -> dict:
    start = TEXT.index("93.3%")
    return {
        "id": "blina",
        "extractor_version": "test",
        "drugs": [
            {
                "name": "blinatumomab",
                "ids": {"drugbank_id": "DB09052"},
                "mentions": [{"text": "blinatumomab", "start": 24, "end": 36}],
            }
        ],
        "cohorts": [{"n": 30, "role": "total", "text": "Thirty infants", "start": 0, "end": 14}],
        "survival": [
            {
                "endpoint": "OS",
                "timepoint_months": 24,
                "value_pct": value,
                "text": "93.3%",
                "start": start,
                "end": start + 5,
            }
        ],
    }


@pytest.fixture
def db(tmp_path):
    return open_store(tmp_path / "evidence.db")


def test_schema_has_foreign_keys_on(db):
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    with pytest.raises(sqlite3.IntegrityError):
        db["cohorts"].insert({"document_id": "missing", "n": 3})
    assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)


def test_reopening_applies_no_migration_twice(tmp_path):
    open_store(tmp_path / "e.db")
    db = open_store(tmp_path / "e.db")
    assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    assert "survival_estimates" in db.table_names()


def test_a_database_made_before_survival_had_a_study_gains_the_column(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)  # the first schema version, before those columns
    MIGRATIONS[0](old)
    for column in ("study", "timepoint_inferred"):
        old.execute(f"ALTER TABLE survival_estimates DROP COLUMN {column}")
    old["documents"].insert({"id": "d", "text": "OS was 70%."})
    old["survival_estimates"].insert({"document_id": "d", "endpoint": "OS"})
    old.execute("PRAGMA user_version = 1")
    old.conn.commit()
    db = open_store(path)
    columns = db["survival_estimates"].columns_dict
    assert {"study", "timepoint_inferred", "arm"} <= set(columns)
    assert list(db.query("SELECT endpoint, study FROM survival_estimates")) == [
        {"endpoint": "OS", "study": None}
    ]


def test_saving_twice_leaves_the_same_rows(db):
    save_document_evidence(db, DOCUMENT, evidence())
    first = list(db.query("select * from survival_estimates"))
    counts = save_document_evidence(db, DOCUMENT, evidence())
    assert counts["survival_estimates"] == 1 and counts["drug_mentions"] == 1
    second = list(db.query("select * from survival_estimates"))
    assert [dict(r, id=None) for r in first] == [dict(r, id=None) for r in second]
    assert evidence_counts(db)["cohorts"] == 1


def test_changed_evidence_replaces_the_old(db):
    save_document_evidence(db, DOCUMENT, evidence(93.3))
    save_document_evidence(db, DOCUMENT, evidence(90.0))
    assert [r["value_pct"] for r in db["survival_estimates"].rows] == [90.0]


def test_a_failed_save_keeps_the_previous_evidence(db):
    save_document_evidence(db, DOCUMENT, evidence(93.3))
    broken = evidence(50.0)
    broken["cohorts"] = [{"n": object(), "text": "x", "start": 0, "end": 1}]  # not storable
    with pytest.raises(StoreError, match="previous evidence is unchanged"):
        save_document_evidence(db, DOCUMENT, broken)
    assert [r["value_pct"] for r in db["survival_estimates"].rows] == [93.3]
    assert [r["n"] for r in db["cohorts"].rows] == [30]


def test_rows_carry_provenance_and_spans_index_the_text(db):
    save_document_evidence(db, DOCUMENT, evidence(), run_id=None)
    (row,) = db.query(
        "select s.*, d.text as doc from survival_estimates s "
        "join documents d on d.id = s.document_id"
    )
    assert row["doc"][row["start"] : row["end"]] == row["text"] == "93.3%"
    assert row["extractor_version"] == "test"
    (mention,) = db["drug_mentions"].rows
    assert (mention["name"], mention["drugbank_id"]) == ("blinatumomab", "DB09052")


def test_full_text_search_over_documents(db):
    save_document_evidence(db, DOCUMENT, evidence())
    assert [r["id"] for r in db["documents"].search("blinatumomab")] == ["blina"]
    assert list(db["documents"].search("revumenib")) == []


def test_runs_and_errors_are_recorded(db):
    run_id = start_run(db, "0.1.0+pipeline.1", corpus="test")
    record_error(db, run_id, "empty.txt", "is empty")
    finish_run(db, run_id, 1, 1, {"survival_estimates": 1})
    run = db["extraction_runs"].get(run_id)
    assert (run["documents_ok"], run["documents_failed"]) == (1, 1)
    assert [e["error"] for e in db["extraction_errors"].rows] == ["is empty"]


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not.db"):
        open_store(path)
