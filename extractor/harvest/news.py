"""Harvesting news: RSS/Atom feeds and article pages into the store, politely.

Feeds are read with feedparser; an entry is kept when its title or summary names one of the
corpus's topic terms, and the others are recorded as off-topic without being fetched. Each
kept page is fetched with a conditional GET (the ETag and Last-Modified stored last time), only
where the host's robots.txt allows the ``extractor`` user agent, no faster than
``per_host_per_second`` (or the host's Crawl-delay), retrying 429, 5xx, timeouts and dropped
connections. trafilatura finds the article body and its metadata; a page becomes one Document
whose id comes from its canonical URL, so the same article reached through tracking parameters
or a redirect is stored once, and a page whose text is already stored under another URL is a
duplicate. A page that fails is recorded and the harvest goes on; nothing stored is lost.

    sources = NewsSources.from_config(corpus["news"])
    summary = harvest_news(open_store("evidence.db"), sources)
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import feedparser
import httpx
import sqlite_utils
import trafilatura
from lxml import etree
from trafilatura.settings import Document as ExtractedPage

from extractor import store
from extractor.documents import MAX_TITLE_LENGTH, Document, collapse_whitespace
from extractor.errors import ConfigError, HarvestError
from extractor.harvest.polite import USER_AGENT, Disallowed, HostLimiter, PoliteFetcher
from extractor.harvest.summary import HarvestSummary

_TRACKING_PARAMETER = re.compile(
    r"utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_hsenc|_hsmi|mkt_tok|igshid",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")
_HTML_LANG = re.compile(r"<html[^>]*?\slang=[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)", re.I)
_BLOCK_TAGS = {"p", "head", "list", "item", "quote", "table", "div", "code"}
_KEPT_STATUSES = {"stored", "duplicate", "off-topic"}  # what a 304 leaves as it was


@dataclass(frozen=True)
class NewsSources:
    """Where news comes from: feeds to read, article URLs to fetch directly, and the topic
    terms an entry's title or summary (a direct article's title, description or lead) must
    name to be kept; no terms keep everything."""

    feeds: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    topic_terms: list[str] = field(default_factory=list)

    @classmethod
    def from_config(cls, news: dict[str, Any]) -> NewsSources:
        """From a corpus.toml ``[news]`` table: ``feeds``, ``urls``, ``topic_terms``."""
        values = {}
        for key in ("feeds", "urls", "topic_terms"):
            value = news.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"[news] {key} must be a list of strings, not {value!r}")
            values[key] = [v.strip() for v in value if v.strip()]
        for url in values["feeds"] + values["urls"]:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ConfigError(f"[news] {url!r} is not an http(s) URL; write it in full")
        return cls(**values)

    @cached_property
    def _topic(self) -> re.Pattern[str] | None:
        if not self.topic_terms:
            return None
        return re.compile("|".join(_term_pattern(t) for t in self.topic_terms), re.IGNORECASE)

    def on_topic(self, *texts: str | None) -> bool:
        """Whether any text names a topic term (a whole word, plural allowed)."""
        if self._topic is None:
            return True
        return any(self._topic.search(_TAG.sub(" ", text or "")) for text in texts)

    def query(self) -> str:
        """The ledger's record of what was harvested."""
        return json.dumps({"feeds": self.feeds, "urls": self.urls}, sort_keys=True)


def _term_pattern(term: str) -> str:
    """A term as a regex: whole words, spaces and hyphens interchangeable, plural allowed."""
    words = [re.escape(word) for word in re.split(r"[\s-]+", term.strip()) if word]
    return r"(?<!\w)" + r"[\s-]*".join(words) + r"(?:s|es)?(?!\w)"


def news_client(**options: Any) -> httpx.Client:
    """The HTTP client the harvester makes when given none: 20 s timeout, redirects followed,
    a User-Agent naming the project. ``options`` go to :class:`httpx.Client`."""
    settings: dict[str, Any] = {
        "timeout": 20.0,
        "follow_redirects": True,
        "headers": {"User-Agent": USER_AGENT},
    }
    return httpx.Client(**(settings | options))


# ---- URLs and ids ------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """A URL as it is stored: lower-case scheme and host, no default port, no fragment, no
    tracking parameters (utm_*, fbclid...)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        host, port = (parts.hostname or "").lower(), parts.port
        host = f"[{host}]" if ":" in host else host  # an IPv6 address
        default_port = port is None or (scheme, port) in (("http", 80), ("https", 443))
        netloc = host if default_port else f"{host}:{port}"
    except ValueError:  # a port that is not a number: left for the fetch to fail on
        netloc = parts.netloc.lower()
    query = "&".join(
        pair
        for pair in parts.query.split("&")
        if pair and not _TRACKING_PARAMETER.fullmatch(pair.split("=", 1)[0])
    )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def url_key(url: str) -> str:
    """What pages are deduplicated by: the canonical URL, a trailing slash not counting."""
    parts = urlsplit(canonical_url(url))
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") or "/"))


def news_document_id(url: str) -> str:
    """``news:<host without www.>/<12 hex of the SHA-256 of the URL's key>``: stable."""
    key = url_key(url)
    host = (urlsplit(key).hostname or "unknown").removeprefix("www.")
    return f"news:{host}/{hashlib.sha256(key.encode()).hexdigest()[:12]}"


# ---- articles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """What trafilatura found in a page: the body as paragraphs (a table is one paragraph,
    a row a line, cells split by " | ") and the page's metadata."""

    title: str
    paragraphs: list[str]
    canonical_url: str
    published: str | None = None
    author: str | None = None
    site: str | None = None
    description: str | None = None
    language: str | None = None
    cited_dois: list[str] = field(default_factory=list)
    cited_pmids: list[str] = field(default_factory=list)

    def summary(self) -> tuple[str, str, str]:
        """What a topic is judged on, as a feed entry's title and summary would be: the title,
        the description and the lead paragraph."""
        return self.title, self.description or "", self.paragraphs[0]

    @property
    def text(self) -> str:
        return "\n\n".join([self.title, *self.paragraphs] if self.title else self.paragraphs)


def extract_article(html: str, url: str) -> Article | None:
    """The article in a page fetched from ``url`` (after redirects); None if it has no body.
    The canonical URL is the page's own (rel=canonical, og:url), else ``url``, normalised."""
    found = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
    )
    if not isinstance(found, ExtractedPage) or found.body is None:
        return None
    title = collapse_whitespace(found.title or "")
    paragraphs = [p for number, p in enumerate(_paragraphs(found.body)) if number or p != title]
    if not paragraphs:
        return None
    language = found.language or (m.group(1) if (m := _HTML_LANG.search(html[:4000])) else None)
    return Article(
        title=title[:MAX_TITLE_LENGTH],
        paragraphs=paragraphs,
        canonical_url=canonical_url(urljoin(url, found.url or url)),
        published=found.date,
        author=found.author,
        site=found.sitename,
        description=found.description,
        language=language,
        cited_dois=_unique(unquote(m.group(1)).rstrip(".") for m in _DOI_LINK.finditer(html)),
        cited_pmids=_unique(m.group(1) for m in _PUBMED_LINK.finditer(html)),
    )


# Links to the paper a story reports: https://doi.org/10.1056/…, https://pubmed.ncbi.nlm.nih.gov/N/
_DOI_LINK = re.compile(r"""href=["']https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/[^"'\s]+)["']""", re.I)
_PUBMED_LINK = re.compile(
    r"""href=["']https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/"""
    r"""(\d+)/?["']""",
    re.I,
)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _paragraphs(element: Any) -> Iterator[str]:
    """Paragraphs of trafilatura's body tree (p, head, list/item, quote, table/row/cell)."""
    for child in element:
        if child.tag == "table":
            rows = [
                " | ".join(
                    collapse_whitespace(_inline_text(cell)).replace("|", "/") for cell in row
                )
                for row in child.iter("row")
            ]
            if table := "\n".join(row for row in rows if row.strip(" |")):
                yield table
        elif any(grandchild.tag in _BLOCK_TAGS for grandchild in child):
            yield from _paragraphs(child)
        elif text := collapse_whitespace(_inline_text(child)):
            yield text


def _cell_text(cell: Any) -> str:
    return collapse_whitespace(_inline_text(cell)).replace("|", "/")


def _inline_text(element: Any) -> str:
    for line_break in element.iter("lb"):
        line_break.tail = " " + (line_break.tail or "")
    return str(etree.tostring(element, method="text", encoding=str, with_tail=False))


# ---- polite HTTP -------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A page to harvest: a feed entry's link (with what the feed said of it) or a URL."""

    url: str
    feed_url: str | None = None
    title: str = ""
    summary: str = ""
    published: str | None = None


def harvest_news(
    db: sqlite_utils.Database,
    sources: NewsSources,
    http: httpx.Client | None = None,
    *,
    per_host_per_second: float = 1.0,
    max_tries: int = 4,
    backoff: float = 1.0,
    on_item: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> HarvestSummary:
    """Harvest the feeds and URLs of ``sources`` into the store; see the module docstring.

    ``http`` defaults to :func:`news_client` (a client passed in is not closed). Each host
    gets at most ``per_host_per_second`` request starts (``clock`` and ``sleep`` pace them);
    a request is tried ``max_tries`` times, waiting Retry-After or about ``backoff`` seconds,
    doubling. ``on_item`` is called with each listed URL once it is dealt with.

    Failed feeds and pages are counted in ``failed`` and listed in ``failures`` and the
    ``harvest_failures`` table; so is a robots.txt that could not be read, whose host's pages
    are then skipped as disallowed. Only a failure of the store itself stops the harvest."""
    started = clock()
    harvest_id = store.start_harvest(db, "news", query=sources.query())
    summary = HarvestSummary(harvest_id, "news")
    client = http if http is not None else news_client()
    limiter = HostLimiter(per_host_per_second, clock, sleep)
    harvest = _NewsHarvest(db, sources, summary, client, limiter, max_tries, backoff)
    listings: list[Listing] = []
    try:
        listings = harvest.listings()
        for listing in _taking_turns(listings):
            harvest.page(listing)
            if on_item:
                on_item(listing.url)
    except BaseException as err:
        summary.seconds = clock() - started
        summary.error = f"{type(err).__name__}: {err}"
        store.finish_harvest(
            db, harvest_id, "failed", summary.counts(), _urls(listings), summary.error
        )
        raise
    finally:
        if http is None:
            client.close()
    summary.seconds = clock() - started
    store.finish_harvest(db, harvest_id, "finished", summary.counts(), _urls(listings))
    return summary


def _urls(listings: list[Listing]) -> list[str]:
    return [listing.url for listing in listings]


def _taking_turns(listings: list[Listing]) -> list[Listing]:
    """The listings with their hosts taking turns (each host's own order kept), so that one
    host's spacing between requests is spent on the others'."""
    queues: dict[str, deque[Listing]] = {}
    for listing in listings:
        queues.setdefault(urlsplit(listing.url).hostname or "", deque()).append(listing)
    ordered = []
    while queues:
        for host, queue in list(queues.items()):
            ordered.append(queue.popleft())
            if not queue:
                del queues[host]
    return ordered


class _NewsHarvest:
    """One harvest's state: the fetcher, the ledger and what this run has already stored."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        sources: NewsSources,
        summary: HarvestSummary,
        http: httpx.Client,
        limiter: HostLimiter,
        max_tries: int,
        backoff: float,
    ) -> None:
        self.db, self.sources, self.summary = db, sources, summary
        self.fetcher = PoliteFetcher(
            http,
            summary,
            limiter,
            max_tries=max_tries,
            backoff=backoff,
            on_robots_failure=self._fail,
        )
        self.seen: dict[str, str] = {}  # a normalised URL handled this run → its document id

    # -- listing ---------------------------------------------------------------------------

    def listings(self) -> list[Listing]:
        """Every feed entry and direct URL, each URL once."""
        found: dict[str, Listing] = {}
        for feed_url in self.sources.feeds:
            for entry in self._feed_entries(feed_url):
                found.setdefault(entry.url, entry)
        for url in self.sources.urls:
            found.setdefault(url, Listing(url))
        self.summary.found = len(found)
        return list(found.values())

    def _feed_entries(self, feed_url: str) -> list[Listing]:
        try:
            response = self.fetcher.get(feed_url)
            if response.status_code != 200:
                raise HarvestError(
                    f"feed {feed_url} answered HTTP {response.status_code}; "
                    "check its URL in corpus.toml [news] feeds"
                )
            return _read_feed(feed_url, response)
        except Disallowed as err:
            self._fail(feed_url, f"feed {feed_url}: {err.reason}; remove it from [news] feeds")
        except HarvestError as err:
            self._fail(feed_url, str(err))
        return []

    # -- one page --------------------------------------------------------------------------

    def page(self, listing: Listing) -> None:
        """Fetch, read and store one page, or record why not."""
        previous = store.news_page(self.db, listing.url)
        if listing.feed_url and not self.sources.on_topic(listing.title, listing.summary):
            self._save(listing, "off-topic", previous)  # not fetched
            self.summary.skipped += 1
            return
        already = self.seen.get(url_key(listing.url))
        if already:
            self._save(listing, "duplicate", previous, document_id=already)
            self.summary.skipped += 1
            return
        try:
            response = self.fetcher.get(listing.url, _conditional_headers(previous))
        except Disallowed:
            self._save(listing, "disallowed", previous)
            self.summary.skipped += 1
            return
        except HarvestError as err:
            return self._fail_page(listing, previous, str(err))
        if response.status_code == 304 and previous:
            return self._not_modified(listing, previous, response)
        if response.status_code != 200:
            return self._fail_page(
                listing, previous, f"{listing.url} answered HTTP {response.status_code}"
            )
        article = extract_article(response.text, str(response.url))
        if article is None:
            kind = response.headers.get("Content-Type", "no Content-Type")
            return self._fail_page(
                listing, previous, f"{response.url}: no article body found in the page ({kind})"
            )
        self._store(listing, previous, response, article)

    def _not_modified(
        self, listing: Listing, previous: dict[str, Any], response: httpx.Response
    ) -> None:
        status = previous["status"]
        if status not in _KEPT_STATUSES:  # failed or disallowed last time, stored before that
            status = "stored" if previous["document_id"] else status
        self._save(listing, status, previous, **_validators(response, previous), fetched_at=None)
        if status == "stored":
            self._received()
            self._remember(listing, previous["canonical_url"], previous["document_id"])
        else:
            self.summary.skipped += 1

    def _store(
        self,
        listing: Listing,
        previous: dict[str, Any] | None,
        response: httpx.Response,
        article: Article,
    ) -> None:
        canonical = article.canonical_url
        page = {
            "canonical_url": canonical,
            "fetched_at": None,
            **_validators(response, None),
        }
        if not listing.feed_url and not self.sources.on_topic(*article.summary()):
            self._save(listing, "off-topic", previous, **page)
            self.summary.skipped += 1
            return
        document = _document(listing, response, article)
        page["content_hash"] = document.content_hash
        already = self.seen.get(url_key(canonical))
        same_text = store.document_with_hash(self.db, document.content_hash)
        if already or (same_text and same_text != document.id):
            self._save(listing, "duplicate", previous, document_id=already or same_text, **page)
            self.summary.skipped += 1
            return
        self._remember(listing, canonical, document.id, str(response.url))
        if same_text == document.id:
            self._save(listing, "stored", previous, document_id=document.id, **page)
            self._received()
            return
        revised = self._stored_before(document.id, listing.url, canonical)
        self._save(listing, "stored", previous, document=document, **page)
        self._received(new=not revised, revised=revised)

    def _received(self, *, new: bool = False, revised: bool = False) -> None:
        """Count a page received: new, revised, or else unchanged."""
        self.summary.new += new
        self.summary.revised += revised
        self.summary.unchanged += not (new or revised)
        self.summary.fetched += 1

    def _stored_before(self, document_id: str, *urls: str) -> bool:
        return any(
            (row := store.news_page(self.db, url)) and row["document_id"] == document_id
            for url in urls
        )

    def _remember(self, listing: Listing, canonical: str, document_id: str, *urls: str) -> None:
        for url in (listing.url, canonical, *urls):
            self.seen[url_key(url)] = document_id

    # -- the ledger ------------------------------------------------------------------------

    def _save(
        self,
        listing: Listing,
        status: str,
        previous: dict[str, Any] | None = None,
        document: Document | None = None,
        **columns: Any,
    ) -> None:
        """Write the page's ledger row: what was there before, updated with this fetch."""
        row = {
            **(previous or {}),
            "url": listing.url,
            "feed_url": listing.feed_url,
            "status": status,
            "harvest_id": self.summary.harvest_id,
            **columns,
        }
        store.save_news_page(self.db, row, document)

    def _fail_page(self, listing: Listing, previous: dict[str, Any] | None, error: str) -> None:
        self._save(listing, "failed", previous)
        self._fail(listing.url, error)

    def _fail(self, item: str, error: str) -> None:
        self.summary.failed += 1
        self.summary.failures.append((item, error))
        store.record_harvest_failure(self.db, self.summary.harvest_id, item, error)


def _read_feed(feed_url: str, response: httpx.Response) -> list[Listing]:
    """The entries of an RSS or Atom feed, links made absolute."""
    parsed = feedparser.parse(
        io.BytesIO(response.content),
        response_headers={
            "content-location": str(response.url),
            "content-type": response.headers.get("Content-Type", "application/xml"),
        },
    )
    if not parsed.entries and parsed.bozo:
        raise HarvestError(
            f"{feed_url} is not an RSS or Atom feed ({parsed.get('bozo_exception')}); "
            "check its URL in corpus.toml [news] feeds"
        )
    listings = []
    for entry in parsed.entries:
        link = urljoin(str(response.url), entry.get("link") or "")
        if urlsplit(link).scheme not in ("http", "https") or link == str(response.url):
            continue  # an entry without a link to a page
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        listings.append(
            Listing(
                url=link,
                feed_url=feed_url,
                title=entry.get("title", ""),
                summary=entry.get("summary", ""),
                published=time.strftime("%Y-%m-%d", published) if published else None,
            )
        )
    return listings


def _conditional_headers(previous: dict[str, Any] | None) -> dict[str, str]:
    headers = {}
    if previous and previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous and previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    return headers


def _validators(response: httpx.Response, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The response's ETag and Last-Modified (a 304 may leave out what did not change)."""
    previous = previous or {}
    return {
        "etag": response.headers.get("ETag") or previous.get("etag"),
        "last_modified": response.headers.get("Last-Modified") or previous.get("last_modified"),
    }


def _document(listing: Listing, response: httpx.Response, article: Article) -> Document:
    metadata = {
        "url": article.canonical_url,
        "fetched_url": str(response.url),
        "feed": listing.feed_url,
        "published": article.published or listing.published,
        "author": article.author,
        "site": article.site,
        "description": article.description
        or collapse_whitespace(_TAG.sub(" ", listing.summary))
        or None,
        "language": article.language,
        "cited_dois": article.cited_dois,
        "cited_pmids": article.cited_pmids,
    }
    return Document(
        id=news_document_id(article.canonical_url),
        source=article.canonical_url,
        title=article.title or listing.title[:MAX_TITLE_LENGTH],
        text=article.text,
        metadata={key: value for key, value in metadata.items() if value},
        format="html",
    )
