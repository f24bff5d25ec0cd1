"""The evidence database: the only module that touches sqlite-utils.

Tables: ``documents`` (with full-text search), one table per evidence kind (see
``extractor.evidence.EVIDENCE_KINDS``), ``extraction_runs`` and ``extraction_errors``; the
harvest ledger: ``harvests`` (each query's harvest: when, how many, which items),
``harvest_failures``, ``pubmed_records`` (each record's DateRevised and raw XML) and
``news_pages`` (each page's validators, canonical URL and content hash); and the study
tables, findings and comparison views of ``extractor.study_store``.
Schema changes are numbered migrations recorded in ``PRAGMA user_version``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from extractor.documents import Document
from extractor.errors import StoreError
from extractor.evidence import EVIDENCE_KINDS, PROVENANCE_FIELDS, Evidence, EvidenceKind, Fact
from extractor.pubmed import PubmedRecord
from extractor.study_store import add_study_tables

_PROVENANCE_TYPES: dict[str, type] = {
    "text": str,
    "start": int,
    "end": int,
    "sentence": str,
    "sentence_start": int,
    "sentence_end": int,
}


_UPSERT_DOCUMENT = """  -- keeps added_at and what was extracted (extracted_hash)
INSERT INTO documents (id, source, title, format, text, metadata, content_hash, added_at,
                       updated_at)
VALUES (:id, :source, :title, :format, :text, :metadata, :content_hash, :added_at, :updated_at)
ON CONFLICT (id) DO UPDATE SET
  source = excluded.source, title = excluded.title, format = excluded.format,
  text = excluded.text, metadata = excluded.metadata, content_hash = excluded.content_hash,
  updated_at = excluded.updated_at
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _create_base_schema(db: sqlite_utils.Database) -> None:
    db.table("documents").create(
        {
            "id": str,
            "source": str,
            "title": str,
            "format": str,
            "text": str,
            "metadata": str,
            "content_hash": str,
            "added_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"text"},
    )
    db.table("documents").enable_fts(["title", "text"], create_triggers=True)
    db.table("extraction_runs").create(
        {
            "id": int,
            "pipeline_version": str,
            "corpus": str,
            "started_at": str,
            "finished_at": str,
            "documents_ok": int,
            "documents_failed": int,
            "counts": str,
        },
        pk="id",
    )
    db.table("extraction_errors").create(
        {
            "id": int,
            "run_id": int,
            "path": str,
            "document_id": str,
            "error": str,
            "occurred_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "extraction_runs", "id")],
    )
    for kind in EVIDENCE_KINDS:
        _create_evidence_table(db, kind)


def _create_evidence_table(db: sqlite_utils.Database, kind: EvidenceKind) -> None:
    columns: dict[str, Any] = {
        "id": int,
        "document_id": str,
        **kind.columns,
        **_PROVENANCE_TYPES,
        "extractor_version": str,
        "run_id": int,
    }
    # Written as SQL for ON DELETE CASCADE, which sqlite-utils' create() does not offer.
    definitions = ["[id] INTEGER PRIMARY KEY"]
    definitions.append("[document_id] TEXT NOT NULL REFERENCES [documents]([id]) ON DELETE CASCADE")
    definitions += [
        f"[{name}] {_SQL_TYPES[kind_type]}"
        for name, kind_type in columns.items()
        if name not in ("id", "document_id", "run_id")
    ]
    definitions.append("[run_id] INTEGER REFERENCES [extraction_runs]([id])")
    db.execute(f"CREATE TABLE [{kind.table}] (\n  " + ",\n  ".join(definitions) + "\n)")
    db.table(kind.table).create_index(["document_id"])


_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL", bool: "INTEGER"}


def _add_new_evidence_columns(db: sqlite_utils.Database) -> None:
    """Columns that evidence kinds gained after a database was made (survival's ``study`` and
    ``timepoint_inferred``): added empty, so the rows already stored stay as they were."""
    for kind in EVIDENCE_KINDS:
        table = db.table(kind.table)
        for name, kind_type in kind.columns.items():
            if name not in table.columns_dict:
                db.execute(
                    f"ALTER TABLE [{kind.table}] ADD COLUMN [{name}] {_SQL_TYPES[kind_type]}"
                )


def _add_harvest_ledger(db: sqlite_utils.Database) -> None:
    """What the harvester fetched, so that a re-run fetches only what is new or revised; and
    which text of each document its stored evidence was extracted from."""
    db.execute("ALTER TABLE documents ADD COLUMN extracted_hash TEXT")
    db.execute("ALTER TABLE documents ADD COLUMN extracted_version TEXT")
    db.table("harvests").create(
        {
            "id": int,
            "source": str,  # "pubmed" or "news"
            "query": str,  # the Entrez term, or the news sources
            "mindate": str,
            "maxdate": str,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running, finished or failed
            "found": int,
            "new": int,
            "revised": int,
            "unchanged": int,
            "failed": int,
            "skipped": int,
            "fetched": int,
            "requests": int,
            "retries": int,
            "items": str,  # JSON list of the PMIDs (or URLs) the search found
            "error": str,
        },
        pk="id",
    )
    db.table("harvest_failures").create(
        {"id": int, "harvest_id": int, "item": str, "error": str, "occurred_at": str},
        pk="id",
        foreign_keys=[("harvest_id", "harvests", "id")],
    )
    db.table("pubmed_records").create(
        {
            "pmid": str,
            "document_id": str,
            "date_revised": str,
            "raw_xml": str,
            "fetched_at": str,
            "harvest_id": int,
        },
        pk="pmid",
        foreign_keys=[("document_id", "documents", "id"), ("harvest_id", "harvests", "id")],
    )
    db.table("news_pages").create(
        {
            "url": str,
            "canonical_url": str,
            "feed_url": str,
            "document_id": str,
            "status": str,  # stored, duplicate, off-topic, disallowed or failed
            "etag": str,
            "last_modified": str,
            "content_hash": str,
            "fetched_at": str,
            "harvest_id": int,
        },
        pk="url",
        foreign_keys=[("document_id", "documents", "id"), ("harvest_id", "harvests", "id")],
    )
    db.table("news_pages").create_index(["canonical_url"])
    db.table("documents").create_index(["content_hash"])


# Each migration moves the schema one version up; never edit one that has shipped.
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    _create_base_schema,
    _add_new_evidence_columns,
    _add_harvest_ledger,
    add_study_tables,
)


def open_store(path: str | Path) -> sqlite_utils.Database:
    """Open (or create) an evidence database, with foreign keys on and migrations applied."""
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except sqlite3.DatabaseError as err:
        raise StoreError(
            f"cannot open evidence database {path}: {err}; "
            "check the path or remove the file to start afresh"
        ) from err
    return db


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations this database has not had yet; returns the schema version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(
            f"database schema version {version} is newer than this extractor "
            f"knows ({len(MIGRATIONS)}); upgrade extractor"
        )
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.conn:
            step(db)
            db.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)


def start_run(db: sqlite_utils.Database, pipeline_version: str, corpus: str | None = None) -> int:
    """Record the start of an extraction run and return its id."""
    with db.conn:
        table = db.table("extraction_runs").insert(
            {"pipeline_version": pipeline_version, "corpus": corpus, "started_at": _now()}
        )
    assert table.last_pk is not None
    return int(table.last_pk)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    documents_ok: int,
    documents_failed: int,
    counts: dict[str, int],
) -> None:
    """Record how a run ended: documents stored, documents failed, rows per table."""
    with db.conn:
        db.table("extraction_runs").update(
            run_id,
            {
                "finished_at": _now(),
                "documents_ok": documents_ok,
                "documents_failed": documents_failed,
                "counts": json.dumps(counts, sort_keys=True),
            },
        )


def record_error(
    db: sqlite_utils.Database,
    run_id: int | None,
    path: str,
    error: str,
    document_id: str | None = None,
) -> None:
    """Record a document that could not be read or extracted."""
    with db.conn:
        db.table("extraction_errors").insert(
            {
                "run_id": run_id,
                "path": path,
                "document_id": document_id,
                "error": error,
                "occurred_at": _now(),
            }
        )


def save_document_evidence(
    db: sqlite_utils.Database, document: Document, evidence: Evidence, run_id: int | None = None
) -> dict[str, int]:
    """Store a document and replace all its evidence in one transaction; rows per table.

    If anything fails the transaction rolls back and the previous evidence stays as it was.
    """
    version = evidence.get("extractor_version")
    rows = {
        kind.table: _rows(kind, document.id, evidence.get(kind.key) or [], version, run_id)
        for kind in EVIDENCE_KINDS
    }
    # sqlite-utils' table methods commit as they go, so the whole replacement is plain SQL
    # inside one transaction: either all of it lands or none of it does.
    try:
        with db.conn:
            db.conn.execute(_UPSERT_DOCUMENT, _document_row(document))
            db.conn.execute(
                "UPDATE documents SET extracted_hash = ?, extracted_version = ? WHERE id = ?",
                [document.content_hash, version, document.id],
            )
            for table, table_rows in rows.items():
                db.conn.execute(f"DELETE FROM [{table}] WHERE document_id = ?", [document.id])
                if table_rows:
                    columns = list(table_rows[0])
                    db.conn.executemany(
                        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                        f"VALUES ({', '.join('?' for _ in columns)})",
                        [[row[c] for c in columns] for row in table_rows],
                    )
    except (sqlite3.Error, TypeError, ValueError) as err:
        raise StoreError(
            f"could not store the evidence of document {document.id!r}: {err}; "
            "its previous evidence is unchanged"
        ) from err
    return {table: len(table_rows) for table, table_rows in rows.items()}


def _document_row(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "source": document.source,
        "title": document.title,
        "format": document.format,
        "text": document.text,
        "metadata": json.dumps(document.metadata, ensure_ascii=False, default=str),
        "content_hash": document.content_hash,
        "added_at": _now(),
        "updated_at": _now(),
    }


def _rows(
    kind: EvidenceKind, document_id: str, items: list[Fact], version: str | None, run_id: int | None
) -> list[dict[str, Any]]:
    """Table rows for one kind: its columns and provenance; drugs give one row per mention."""
    rows = []
    for item in items:
        if kind.key == "drugs":
            ids = item.get("ids") or {}
            facts = [
                {**mention, "name": item.get("name"), **ids}
                for mention in item.get("mentions") or [item]
            ]
        else:
            facts = [item]
        for fact in facts:
            row = {column: fact.get(column) for column in kind.columns}
            row.update({field: fact.get(field) for field in PROVENANCE_FIELDS})
            row.update({"document_id": document_id, "extractor_version": version, "run_id": run_id})
            rows.append(row)
    return rows


def evidence_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows in each evidence table."""
    return {kind.table: db.table(kind.table).count for kind in EVIDENCE_KINDS}


def documents_to_extract(db: sqlite_utils.Database, version: str) -> list[Document]:
    """Documents whose evidence is missing, or was extracted from another text or by another
    extractor version."""
    rows = db.query(
        "SELECT id, source, title, text, metadata, format FROM documents "
        "WHERE extracted_hash IS NULL OR extracted_hash != content_hash "
        "OR extracted_version IS NOT ? ORDER BY id",
        [version],
    )
    return [
        Document(
            r["id"], r["source"], r["title"], r["text"], json.loads(r["metadata"]), r["format"]
        )
        for r in rows
    ]


# ---- the harvest ledger ------------------------------------------------------------------


def start_harvest(
    db: sqlite_utils.Database,
    source: str,
    query: str,
    mindate: str | None = None,
    maxdate: str | None = None,
) -> int:
    """Record the start of a harvest and return its id."""
    with db.conn:
        table = db.table("harvests").insert(
            {
                "source": source,
                "query": query,
                "mindate": mindate,
                "maxdate": maxdate,
                "started_at": _now(),
                "status": "running",
            }
        )
    assert table.last_pk is not None
    return int(table.last_pk)


def finish_harvest(
    db: sqlite_utils.Database,
    harvest_id: int,
    status: str,
    counts: dict[str, int],
    items: list[str],
    error: str | None = None,
) -> None:
    """Record how a harvest ended: its status, counts and the items its search found."""
    with db.conn:
        db.table("harvests").update(
            harvest_id,
            {
                "finished_at": _now(),
                "status": status,
                **counts,
                "items": json.dumps(items),
                "error": error,
            },
        )


def last_finished_harvest(
    db: sqlite_utils.Database, source: str, query: str
) -> dict[str, Any] | None:
    """The latest harvest of this query that ran to its end, if any."""
    rows = db.query(
        "SELECT * FROM harvests WHERE source = ? AND query = ? AND status = 'finished' "
        "ORDER BY id DESC LIMIT 1",
        [source, query],
    )
    return next(iter(rows), None)


def revisions_checked_since(
    db: sqlite_utils.Database, source: str, query: str, current_id: int
) -> str | None:
    """When the records this query stored were last known to be current: the start of the
    last finished harvest of the query, or of an earlier unfinished one that stored records
    after it. None when the query was never harvested before ``current_id``."""
    rows = db.query(
        "SELECT started_at FROM harvests WHERE source = :source AND query = :query "
        "AND id < :current AND id >= coalesce((SELECT max(id) FROM harvests WHERE "
        "source = :source AND query = :query AND status = 'finished' AND id < :current), 0) "
        "ORDER BY id LIMIT 1",
        {"source": source, "query": query, "current": current_id},
    )
    return next((r["started_at"] for r in rows), None)


def record_harvest_failure(
    db: sqlite_utils.Database, harvest_id: int, item: str, error: str
) -> None:
    """Record an item (a PMID, a URL, a batch) the harvest could not fetch or read."""
    with db.conn:
        db.table("harvest_failures").insert(
            {"harvest_id": harvest_id, "item": item, "error": error, "occurred_at": _now()}
        )


def pubmed_revisions(db: sqlite_utils.Database) -> dict[str, str | None]:
    """Every stored PubMed record's PMID and DateRevised."""
    return {r["pmid"]: r["date_revised"] for r in db.query("SELECT * FROM pubmed_records")}


def save_pubmed_records(
    db: sqlite_utils.Database, harvest_id: int, records: list[PubmedRecord]
) -> None:
    """Store a batch of PubMed records and their documents in one transaction: after a crash
    either the whole batch is there or none of it is."""
    now = _now()
    try:
        with db.conn:  # plain sqlite3 calls: one transaction, no savepoint per statement
            db.conn.executemany(_UPSERT_DOCUMENT, [_document_row(r.document) for r in records])
            db.conn.executemany(
                "INSERT OR REPLACE INTO pubmed_records "
                "(pmid, document_id, date_revised, raw_xml, fetched_at, harvest_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (r.pmid, r.document.id, r.date_revised, r.raw_xml, now, harvest_id)
                    for r in records
                ],
            )
    except sqlite3.Error as err:
        raise StoreError(
            f"could not store a batch of {len(records)} PubMed records: {err}"
        ) from err


def news_page(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """What the ledger knows of a news page fetched before, if anything."""
    return next(iter(db.query("SELECT * FROM news_pages WHERE url = ?", [url])), None)


def document_with_hash(db: sqlite_utils.Database, content_hash: str) -> str | None:
    """The id of a stored document with exactly this text, if any."""
    rows = db.query("SELECT id FROM documents WHERE content_hash = ? LIMIT 1", [content_hash])
    return next((r["id"] for r in rows), None)


def save_news_page(
    db: sqlite_utils.Database, page: dict[str, Any], document: Document | None = None
) -> None:
    """Store what a news page fetch found, and its document if there is one, in one
    transaction. ``page`` holds ``news_pages`` columns; ``url`` is required."""
    row = {column: page.get(column) for column in db.table("news_pages").columns_dict}
    row["fetched_at"] = row["fetched_at"] or _now()
    try:
        with db.conn:
            if document is not None:
                db.conn.execute(_UPSERT_DOCUMENT, _document_row(document))
                row["document_id"] = document.id
            db.conn.execute(
                f"INSERT OR REPLACE INTO news_pages ({', '.join(row)}) "
                f"VALUES ({', '.join('?' for _ in row)})",
                list(row.values()),
            )
    except sqlite3.Error as err:
        raise StoreError(f"could not store news page {page.get('url')}: {err}") from err
