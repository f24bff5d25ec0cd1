"""Harvest throughput from a loopback E-utilities server, with and without faults.

    .venv/bin/python benchmarks/harvest.py [records]

Both runs go through the real client, parser and store (a fresh SQLite file each) at the
API-key rate (10 requests/s). The faulty run meets a 429 without Retry-After, a 429 with
Retry-After: 1, two 503s, a truncated body, a transient <ERROR> and an answer slower than the
client waits. Reported: requests, retries, records stored, seconds and records per second,
and the faulty run's time as a ratio of the clean one's (ratios hold on noisy machines).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractor import store  # noqa: E402
from extractor.harvest.eutils import EutilsClient  # noqa: E402
from extractor.harvest.pubmed import PubmedQuery, harvest_pubmed  # noqa: E402
from extractor.harvest.summary import HarvestSummary  # noqa: E402
from tests.eutils_server import EutilsServer, synthetic_pubmed  # noqa: E402

FAULTS = ["429", "", "503", "truncate", "", "busy", "429:1", "slow", "", "503"]


def harvest(records: int, faults: list[str], folder: Path) -> tuple[HarvestSummary, int]:
    pubmed = synthetic_pubmed(records, per_day=2)
    pubmed.faults.extend(faults)
    pubmed.slow_seconds = 3.0
    db = store.open_store(folder / f"harvest-{len(faults)}.db")
    query = PubmedQuery("infant KMT2A leukemia", date(2000, 1, 1), date(2010, 12, 31))
    with EutilsServer(pubmed) as server:
        client = EutilsClient(
            email="bench@example.org", api_key="k3y", base_url=server.url, timeout=2.0
        )
        with client:
            summary = harvest_pubmed(db, client, query, batch_size=200)
    stored = db.execute("SELECT count(DISTINCT pmid) FROM pubmed_records").fetchone()[0]
    return summary, stored


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 1_500
    with tempfile.TemporaryDirectory() as folder:
        runs = {
            name: harvest(records, faults, Path(folder))
            for name, faults in [("clean", []), ("faults", FAULTS)]
        }
    print(f"{'run':8} {'requests':>8} {'retries':>7} {'stored':>7} {'seconds':>8} {'records/s':>9}")
    for name, (s, stored) in runs.items():
        print(
            f"{name:8} {s.requests:8} {s.retries:7} {stored:7} {s.seconds:8.2f} "
            f"{s.fetched / s.seconds:9.1f}"
        )
    clean, faulty = runs["clean"][0], runs["faults"][0]
    print(f"faults / clean time: {faulty.seconds / clean.seconds:.2f}x")


if __name__ == "__main__":
    main()
