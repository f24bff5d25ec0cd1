"""How study linking scales: the bundled corpus's database, copied 1, 10 and 50 times.

    .venv/bin/python benchmarks/linking.py [copies ...]

The bundled corpus is run offline once; each copy adds its documents and evidence again under
new ids, as a larger harvest of the same trials would. ``link_studies`` then rebuilds every
study, link and finding. Reported per size: documents, facts, findings, seconds, facts per
second, and the time per fact as a ratio of the smallest run's (1.0 = linear; ratios hold on
noisy machines).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor import store  # noqa: E402
from extractor.corpus import BUNDLED_CORPUS, load_corpus  # noqa: E402
from extractor.evidence import EVIDENCE_KINDS  # noqa: E402
from extractor.findings import link_studies  # noqa: E402
from extractor.linking import CatalogueStudy  # noqa: E402
from extractor.runner import run_corpus  # noqa: E402

FACT_TABLES = ("survival_estimates", "doses", "cohorts")


def copied(source: Path, copies: int, folder: Path) -> Path:
    """A database holding ``copies`` copies of every document and its evidence."""
    path = folder / f"linking-{copies}.db"
    path.write_bytes(source.read_bytes())
    db = store.open_store(path)
    with db.conn:
        for copy in range(2, copies + 1):
            suffix = f"~{copy}"
            db.conn.execute(
                "INSERT INTO documents (id, source, title, format, text, metadata, content_hash,"
                " added_at, updated_at) SELECT id || ?, source, title, format, text, metadata,"
                " content_hash, added_at, updated_at FROM documents WHERE id NOT LIKE '%~%'",
                [suffix],
            )
            for kind in EVIDENCE_KINDS:
                columns = [c for c in db.table(kind.table).columns_dict if c not in ("id",)]
                listed = ", ".join(f"[{c}]" for c in columns)
                chosen = ", ".join(
                    "document_id || ?" if c == "document_id" else f"[{c}]" for c in columns
                )
                db.conn.execute(
                    f"INSERT INTO [{kind.table}] ({listed}) SELECT {chosen} FROM [{kind.table}]"
                    " WHERE document_id NOT LIKE '%~%'",
                    [suffix],
                )
    return path


def main(sizes: list[int]) -> None:
    corpus = load_corpus(BUNDLED_CORPUS)
    catalogue = [CatalogueStudy.from_config(s) for s in corpus.studies]
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "bundled.db"
        run_corpus(corpus, base, sources="snapshot")
        print(f"{'copies':>6} {'documents':>9} {'facts':>7} {'findings':>8} {'s':>7} "
              f"{'facts/s':>8} {'s/fact ratio':>12}")  # fmt: skip
        first: float | None = None
        for copies in sizes:
            db = store.open_store(copied(base, copies, Path(folder)))
            facts = sum(db.table(t).count for t in FACT_TABLES)
            started = time.perf_counter()
            counts = link_studies(db, catalogue)
            seconds = time.perf_counter() - started
            findings = sum(v for k, v in counts.items() if k.endswith("_findings"))
            per_fact = seconds / facts
            first = first or per_fact
            print(
                f"{copies:>6} {db.table('documents').count:>9} {facts:>7} {findings:>8} "
                f"{seconds:>7.2f} {facts / seconds:>8.0f} {per_fact / first:>12.2f}"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 50])
