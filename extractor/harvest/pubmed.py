"""Harvesting PubMed into the store: only new and revised records, one transaction a batch.

    with EutilsClient(email="you@example.org") as client:
        summary = harvest_pubmed(db, client, PubmedQuery("infant KMT2A leukemia"))

A harvest searches again every time (a WebEnv expires after some hours, so an old one is never
trusted), compares the PMIDs found with the ledger and fetches the ones it has not stored, plus
the stored ones PubMed has modified since the last complete harvest of the same query
(an ESearch on ``datetype=mdat``). A fetched record whose DateRevised is the one stored is
unchanged. Each EFetch batch is written in one transaction, so a run killed at any moment
loses at most the batch in flight and the next run completes the set with no duplicates.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

from extractor import store
from extractor.errors import ConfigError, DocumentError, HarvestError
from extractor.harvest.eutils import EutilsClient, SearchResult
from extractor.harvest.summary import HarvestSummary
from extractor.pubmed import PubmedRecord, parse_pubmed_xml

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
DATETYPES = ("pdat", "edat", "mdat")

# Called after each batch with the records handled so far and the number to fetch.
Progress = Callable[[int, int], None]


def pubmed_document_id(pmid: str) -> str:
    """The id a harvested record is stored under."""
    return f"pmid:{pmid}"


@dataclass(frozen=True)
class PubmedQuery:
    """An Entrez term and the dates it covers (``datetype`` pdat, edat or mdat)."""

    term: str
    mindate: date | None = None
    maxdate: date | None = None
    datetype: str = "pdat"

    @classmethod
    def from_config(cls, pubmed: dict[str, Any]) -> PubmedQuery:
        """The query of a corpus.toml ``[pubmed]`` table (query, mindate, maxdate, datetype)."""
        term = str(pubmed.get("query") or "").strip()
        if not term:
            raise ConfigError("corpus.toml has no [pubmed] query; give one with --query")
        datetype = str(pubmed.get("datetype") or "pdat")
        if datetype not in DATETYPES:
            raise ConfigError(f"[pubmed] datetype {datetype!r} is not one of {DATETYPES}")
        return cls(term, _to_date(pubmed.get("mindate")), _to_date(pubmed.get("maxdate")), datetype)

    def since(self, day: date | None) -> PubmedQuery:
        """The same query from ``day`` on (``--since``)."""
        return replace(self, mindate=day) if day else self


def _to_date(value: object) -> date | None:
    if not value:
        return None
    text = str(value).replace("/", "-")
    try:
        return date.fromisoformat(text if len(text) > 7 else f"{text}-01-01"[:10])
    except ValueError:
        raise ConfigError(f"{value!r} is not a date; write YYYY-MM-DD or YYYY/MM/DD") from None


def harvest_pubmed(
    db: Database,
    client: EutilsClient,
    query: PubmedQuery,
    *,
    max_records: int | None = None,
    batch_size: int = 200,
    on_progress: Progress | None = None,
) -> HarvestSummary:
    """Fetch the query's new and revised records into the store; see the module docstring.

    Failures of single records are recorded and the harvest goes on; when the service keeps
    failing past the client's retries the harvest stops, is recorded as failed, and
    ``summary.error`` says why. What was stored before stays stored.
    """
    # PubMed dates some issues ahead of time: by default search to the end of next year.
    maxdate = query.maxdate or date(date.today().year + 1, 12, 31)
    mindate = query.mindate or date(1800, 1, 1)
    harvest_id = store.start_harvest(db, "pubmed", query.term, str(mindate), str(maxdate))
    summary = HarvestSummary(harvest_id, "pubmed")
    requests, retries, started = client.requests, client.retries, time.monotonic()
    found: list[str] = []
    try:
        slices = client.search_in_slices(query.term, mindate, maxdate, query.datetype)
        found = list(dict.fromkeys(pmid for s in slices for pmid in s.ids))
        summary.found = sum(s.count for s in slices)
        stored = store.pubmed_revisions(db)
        modified = _modified_since_last_check(db, client, query.term, harvest_id, stored)
        wanted = [p for p in found if p not in stored or p in modified]
        if max_records is not None and len(wanted) > max_records:
            summary.skipped = len(wanted) - max_records
            wanted = wanted[:max_records]
        summary.unchanged = len(found) - len(wanted) - summary.skipped
        done = 0
        for expected, xml in _batches(client, slices, wanted, batch_size):
            done += _store_batch(db, summary, stored, expected, xml)
            if on_progress:
                on_progress(done, len(wanted))
    except HarvestError as err:
        summary.error = str(err)
        store.record_harvest_failure(db, harvest_id, "harvest", str(err))
    summary.requests = client.requests - requests
    summary.retries = client.retries - retries
    summary.seconds = time.monotonic() - started
    store.finish_harvest(
        db,
        harvest_id,
        "failed" if summary.error else "finished",
        summary.counts(),
        found,
        summary.error,
    )
    return summary


def _modified_since_last_check(
    db: Database, client: EutilsClient, term: str, harvest_id: int, stored: dict[str, Any]
) -> set[str]:
    """Stored PMIDs that PubMed modified since the last harvest that checked them (mdat is a
    day, so one day earlier, to be safe)."""
    since = store.revisions_checked_since(db, "pubmed", term, harvest_id)
    if since is None or not stored:
        return set()
    start = date.fromisoformat(since[:10]) - timedelta(days=1)
    slices = client.search_in_slices(term, start, date.today() + timedelta(days=1), "mdat")
    return {pmid for s in slices for pmid in s.ids if pmid in stored}


def _batches(
    client: EutilsClient, slices: list[SearchResult], wanted: list[str], batch_size: int
) -> Iterator[tuple[list[str], bytes]]:
    """(PMIDs asked for, EFetch XML) for every wanted record. A slice that is wanted whole is
    fetched from the history server in ``retstart`` steps; otherwise, or when its WebEnv has
    expired, by id lists (POSTed when long)."""
    wanted_set = set(wanted)
    for found in slices:
        ids = [p for p in found.ids if p in wanted_set]
        if ids and ids == found.ids and found.count <= len(found.ids):
            try:
                for start, xml in enumerate(client.efetch_batches(found, batch_size)):
                    yield found.ids[start * batch_size : (start + 1) * batch_size], xml
                    ids = ids[batch_size:]
            except HarvestError as err:
                if "query" not in str(err).lower():  # only an expired WebEnv is worked around
                    raise
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            yield chunk, client.efetch_ids(chunk)


def _store_batch(
    db: Database,
    summary: HarvestSummary,
    stored: dict[str, str | None],
    expected: list[str],
    xml: bytes,
) -> int:
    """Store one EFetch answer's new and revised records in one transaction; returns how many
    of the expected records it accounted for."""
    source = f"EFetch of {len(expected)} records from PMID {expected[0] if expected else '?'}"
    try:
        batch = parse_pubmed_xml(xml, source)
    except DocumentError as err:
        _record_failures(db, summary, [(pmid, err.reason) for pmid in expected])
        return len(expected)
    summary.fetched += len(batch.records)
    to_save: list[PubmedRecord] = []
    for record in batch.records:
        if record.pmid in stored and stored[record.pmid] == record.date_revised:
            summary.unchanged += 1
            continue
        if record.pmid in stored:
            summary.revised += 1
        else:
            summary.new += 1
        document = replace(
            record.document,
            id=pubmed_document_id(record.pmid),
            source=PUBMED_URL.format(pmid=record.pmid),
        )
        to_save.append(replace(record, document=document))
    store.save_pubmed_records(db, summary.harvest_id, to_save)
    stored.update({r.pmid: r.date_revised for r in to_save})
    accounted = {r.pmid for r in batch.records} | {where for where, _ in batch.failures}
    missing = "EFetch did not return this record (withdrawn, or not yet public?)"
    _record_failures(
        db, summary, batch.failures + [(p, missing) for p in expected if p not in accounted]
    )
    return len(expected)


def _record_failures(
    db: Database, summary: HarvestSummary, failures: list[tuple[str, str]]
) -> None:
    for item, reason in failures:
        summary.failed += 1
        summary.failures.append((item, reason))
        store.record_harvest_failure(db, summary.harvest_id, item, reason)
