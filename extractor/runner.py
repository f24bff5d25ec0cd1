"""A corpus run: harvest its sources (live or from its snapshot), read its local files, extract
the evidence of every document not yet extracted, store it and record what failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from sqlite_utils import Database

from extractor import store
from extractor.corpus import Corpus
from extractor.documents import Document, find_documents, read_documents
from extractor.errors import DocumentError
from extractor.extract import extract_document
from extractor.findings import link_studies
from extractor.harvest.sources import HarvestOptions, harvest_corpus, snapshot_dir
from extractor.harvest.summary import HarvestSummary
from extractor.linking import CatalogueStudy
from extractor.nlp.pipeline import PIPELINE_VERSION, build_pipeline

# Called after each file with its path and the number of files in the run.
Progress = Callable[[str, int], None]


@dataclass
class RunSummary:
    """What one run stored and what it could not read."""

    run_id: int
    documents_ok: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    harvests: list[HarvestSummary] = field(default_factory=list)
    links: dict[str, int] = field(default_factory=dict)  # study and finding rows per table


def run_corpus(
    corpus: Corpus,
    db_path: str | Path,
    nlp: Language | None = None,
    on_file: Progress | None = None,
    *,
    sources: str = "local",
    harvest_options: HarvestOptions | None = None,
) -> RunSummary:
    """Extract a corpus into the database at ``db_path``.

    ``sources`` is "local" (the corpus's files only), "snapshot" (its files plus its
    recorded PubMed and news answers, served on 127.0.0.1) or "live" (its files plus the
    real services). Harvested documents, and any stored document whose evidence came from
    another text or extractor version, are extracted after the files. A file that cannot be
    read is recorded in ``extraction_errors`` and the run goes on; each document's evidence is
    written in its own transaction. Then every document is linked to its studies and every
    fact to its study-level finding (``extractor.findings.link_studies``).
    """
    if sources not in ("local", "snapshot", "live"):
        raise ValueError(f"sources must be local, snapshot or live, not {sources!r}")
    paths = find_documents(corpus.documents_dir)
    db = store.open_store(db_path)
    summary = RunSummary(store.start_run(db, PIPELINE_VERSION, corpus=corpus.name))
    if sources == "live" or (sources == "snapshot" and snapshot_dir(corpus).is_dir()):
        summary.harvests = harvest_corpus(
            db, corpus, harvest_options or HarvestOptions(), live=sources == "live"
        )
    nlp = nlp or build_pipeline()
    sources_of: dict[str, Path] = {}  # document id -> the file it came from in this run
    for path in paths:
        try:
            for document in read_documents(path):
                if document.id in sources_of:
                    raise DocumentError(
                        path,
                        f"holds document {document.id!r}, which {sources_of[document.id]} holds "
                        "too; rename one of the files so each document has its own id",
                    )
                sources_of[document.id] = path
                _extract_and_save(db, summary, document, nlp)
        except DocumentError as err:
            _record_failure(db, summary, path, err.reason)
        except Exception as err:  # noqa: BLE001  one bad document must not end a corpus run
            _record_failure(db, summary, path, f"extraction failed: {type(err).__name__}: {err}")
        if on_file:
            on_file(str(path), len(paths))
    pending = store.documents_to_extract(db, PIPELINE_VERSION)
    for document in pending:
        try:
            _extract_and_save(db, summary, document, nlp)
        except Exception as err:  # noqa: BLE001
            _record_failure(
                db, summary, document.source, f"extraction failed: {type(err).__name__}: {err}"
            )
        if on_file:
            on_file(document.id, len(paths) + len(pending))
    summary.links = link_studies(db, [CatalogueStudy.from_config(s) for s in corpus.studies])
    store.finish_run(
        db, summary.run_id, summary.documents_ok, len(summary.failures), dict(summary.counts)
    )
    return summary


def _extract_and_save(db: Database, summary: RunSummary, document: Document, nlp: Language) -> None:
    evidence = extract_document(document, nlp)
    summary.counts.update(store.save_document_evidence(db, document, evidence, summary.run_id))
    summary.documents_ok += 1


def _record_failure(db: Database, summary: RunSummary, path: Path | str, reason: str) -> None:
    store.record_error(db, summary.run_id, str(path), reason)
    summary.failures.append((str(path), reason))
