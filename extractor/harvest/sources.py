"""Harvesting a corpus's sources (its PubMed query, its news feeds) from the live services or
from the corpus's recorded snapshot, through the same code either way.

``live`` talks to NCBI and the news sites. ``snapshot`` serves ``<corpus>/snapshot/pubmed/``
(EFetch answers) and ``<corpus>/snapshot/news/`` (feeds, pages, robots.txt) on 127.0.0.1 and
points the harvester at them, so a machine without network runs the whole job.
"""

from __future__ import annotations

import contextlib
import functools
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import httpx
from sqlite_utils import Database

from extractor.corpus import Corpus
from extractor.harvest.eutils import DEFAULT_EUTILS_URL, EutilsClient
from extractor.harvest.eutils_replay import (
    EutilsReplayServer,
    ReplayPubMed,
    load_recorded_articles,
)
from extractor.harvest.pubmed import PubmedQuery, harvest_pubmed
from extractor.harvest.summary import HarvestSummary

SNAPSHOT_FOLDER = "snapshot"


@dataclass(frozen=True)
class HarvestOptions:
    """Settings of a harvest, as the command line gives them."""

    email: str | None = None
    api_key: str | None = None
    eutils_url: str = DEFAULT_EUTILS_URL
    query: str | None = None  # instead of the corpus's [pubmed] query (then no news)
    since: date | None = None
    max_records: int | None = None
    batch_size: int = 200
    news: bool = True


def snapshot_dir(corpus: Corpus) -> Path:
    return corpus.root / SNAPSHOT_FOLDER


def ncbi_reachable(url: str = DEFAULT_EUTILS_URL, timeout: float = 3.0) -> bool:
    """Whether a connection to the E-utilities host opens (nothing is sent)."""
    address = urlparse(url)
    port = address.port or (443 if address.scheme == "https" else 80)
    try:
        with socket.create_connection((address.hostname or "", port), timeout=timeout):
            return True
    except OSError:
        return False


def harvest_corpus(
    db: Database,
    corpus: Corpus,
    options: HarvestOptions,
    *,
    live: bool,
    on_progress: Callable[[str, int, int], None] | None = None,
) -> list[HarvestSummary]:
    """Harvest the corpus's PubMed query (or ``options.query``) and, unless a query was given
    or news is off, its news sources; from the services when ``live``, else the snapshot."""
    summaries = []
    query = None
    if options.query:
        query = PubmedQuery(options.query)
    elif corpus.pubmed.get("query"):
        query = PubmedQuery.from_config(corpus.pubmed)
    pubmed_progress = functools.partial(on_progress, "PubMed") if on_progress else None
    if query is not None:
        query = query.since(options.since)
        with _eutils_client(corpus, options, live) as client:
            summaries.append(
                harvest_pubmed(
                    db,
                    client,
                    query,
                    max_records=options.max_records,
                    batch_size=options.batch_size,
                    on_progress=pubmed_progress,
                )
            )
    if options.news and not options.query and (corpus.news.get("feeds") or corpus.news.get("urls")):
        # imported here: trafilatura and its HTML stack load only when news is harvested
        from extractor.harvest.news import NewsSources, harvest_news

        # a snapshot is served on loopback: no site to spare, so hardly a wait per host
        per_host_per_second = 1.0 if live else 50.0
        with _news_client(corpus, live) as http:
            sources = NewsSources.from_config(corpus.news)
            summaries.append(
                harvest_news(db, sources, http, per_host_per_second=per_host_per_second)
            )
    return summaries


@contextlib.contextmanager
def _eutils_client(corpus: Corpus, options: HarvestOptions, live: bool) -> Iterator[EutilsClient]:
    if live:
        with EutilsClient(options.email, options.api_key, options.eutils_url) as client:
            yield client
        return
    recorded = load_recorded_articles(snapshot_dir(corpus) / "pubmed")
    with (
        EutilsReplayServer(ReplayPubMed(recorded)) as server,
        EutilsClient(options.email, options.api_key, server.url) as client,
    ):
        yield client


@contextlib.contextmanager
def _news_client(corpus: Corpus, live: bool) -> Iterator[httpx.Client | None]:
    if live:
        yield None  # harvest_news makes its own client
        return
    from extractor.harvest.web_snapshot import WebSnapshot

    with WebSnapshot(snapshot_dir(corpus) / "news") as site, site.client() as http:
        yield http
