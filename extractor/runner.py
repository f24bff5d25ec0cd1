"""A corpus run: read every document, extract its evidence, store it, record what failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from sqlite_utils import Database

from extractor import store
from extractor.corpus import Corpus
from extractor.documents import find_documents, read_documents
from extractor.errors import DocumentError
from extractor.extract import extract_document
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


def run_corpus(
    corpus: Corpus,
    db_path: str | Path,
    nlp: Language | None = None,
    on_file: Progress | None = None,
) -> RunSummary:
    """Extract every document of a corpus into the database at ``db_path``.

    A file that cannot be read is recorded in ``extraction_errors`` and the run goes on;
    each document's evidence is written in its own transaction.
    """
    paths = find_documents(corpus.documents_dir)
    db = store.open_store(db_path)
    summary = RunSummary(store.start_run(db, PIPELINE_VERSION, corpus=corpus.name))
    nlp = nlp or build_pipeline()
    sources: dict[str, Path] = {}  # document id -> the file it came from in this run
    for path in paths:
        try:
            for document in read_documents(path):
                if document.id in sources:
                    raise DocumentError(
                        path,
                        f"holds document {document.id!r}, which {sources[document.id]} holds "
                        "too; rename one of the files so each document has its own id",
                    )
                sources[document.id] = path
                evidence = extract_document(document, nlp)
                summary.counts.update(
                    store.save_document_evidence(db, document, evidence, summary.run_id)
                )
                summary.documents_ok += 1
        except DocumentError as err:
            _record_failure(db, summary, path, err.reason)
        except Exception as err:  # noqa: BLE001  one bad document must not end a corpus run
            _record_failure(db, summary, path, f"extraction failed: {type(err).__name__}: {err}")
        if on_file:
            on_file(str(path), len(paths))
    store.finish_run(
        db, summary.run_id, summary.documents_ok, len(summary.failures), dict(summary.counts)
    )
    return summary


def _record_failure(db: Database, summary: RunSummary, path: Path, reason: str) -> None:
    store.record_error(db, summary.run_id, str(path), reason)
    summary.failures.append((str(path), reason))
