"""A polite client for NCBI E-utilities: ESearch with the history server, EFetch in batches.

It sends ``tool``, ``email`` and (optionally) ``api_key`` with every request and never starts
more than 3 requests a second without a key, 10 with one. It retries what NCBI's service does
when busy or broken: 429 (honouring ``Retry-After``, else backing off with jitter), 5xx,
timeouts, dropped connections and bodies that are cut off or are not well-formed XML. An
``<ERROR>`` inside a 200 is an error, not an empty result. After ``max_tries`` it gives up with
a :class:`~extractor.errors.HarvestError` that says what failed.

    client = EutilsClient(email="you@example.org")
    search = client.esearch("infant KMT2A acute lymphoblastic leukemia")
    for xml in client.efetch_batches(search, batch_size=200):
        ...
"""

from __future__ import annotations

import random
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from extractor.errors import HarvestError
from extractor.version import __version__

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
TOOL = "extractor"
# ESearch returns no ids past its first 10,000 (retstart above 9,998 is an <ERROR>).
SEARCH_WINDOW = 9_999
# Above this many ids a list goes in a POST body rather than the URL.
_POST_ABOVE = 200
# <ERROR> texts that NCBI gives when it is busy, worth a retry, unless they say what is wrong
# with the request ("Search Backend failed: 'retstart' cannot be larger than 9998")
_TRANSIENT_ERRORS = ("backend", "temporarily", "unavailable", "try again", "timeout")
_PERMANENT_ERRORS = ("cannot", "invalid", "unable to obtain", "unknown", "too long")


class RetryableError(Exception):
    """A failure worth another try; ``wait`` is what the server asked for (Retry-After)."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


class RateLimiter:
    """At most ``per_second`` request starts in any second, shared by every caller."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


@dataclass
class SearchResult:
    """What ESearch found: how many records, and where the history server keeps them."""

    term: str
    count: int
    webenv: str
    query_key: str
    ids: list[str] = field(default_factory=list)


@dataclass
class EutilsClient:
    """E-utilities over httpx, rate-limited and retried; see the module docstring."""

    email: str | None = None
    api_key: str | None = None
    base_url: str = DEFAULT_EUTILS_URL
    tool: str = TOOL
    max_tries: int = 6
    timeout: float = 30.0
    backoff: float = 1.0  # seconds before the second try; doubles, with jitter
    requests: int = 0  # requests sent, retries included
    retries: int = 0

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(10.0 if self.api_key else 3.0)
        self.http = httpx.Client(
            timeout=self.timeout,
            headers={"User-Agent": f"{self.tool}/{__version__} (+{self.email or 'no email'})"},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the E-utilities ----------------------------------------------------------------

    def esearch(
        self,
        term: str,
        *,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "edat",
        retmax: int = 0,
    ) -> SearchResult:
        """Search PubMed, keeping the result on the history server (``usehistory=y``)."""
        params: dict[str, str | int] = {
            "db": "pubmed",
            "term": term,
            "usehistory": "y",
            "retmax": retmax,
        }
        if mindate or maxdate:
            params |= {"mindate": mindate or "1800", "maxdate": maxdate or "3000"}
            params["datetype"] = datetype
        root = self._xml("esearch.fcgi", params)
        count = root.findtext("Count")
        webenv, query_key = root.findtext("WebEnv"), root.findtext("QueryKey")
        if count is None or not webenv or not query_key:
            raise HarvestError(f"ESearch for {term!r} answered without Count/WebEnv/QueryKey")
        ids = [e.text or "" for e in root.iterfind("IdList/Id")]
        return SearchResult(term, int(count), webenv, query_key, ids)

    def search_in_slices(
        self,
        term: str,
        mindate: date = date(1800, 1, 1),
        maxdate: date | None = None,
        datetype: str = "edat",
    ) -> list[SearchResult]:
        """Searches that each fit ESearch's 10,000-record window, together covering ``term``
        between two dates, each with its ids: a date range with more records is split in
        halves until each half fits (a single day cannot be split; it is kept whole, and only
        its history-server entry reaches past the first 9,999 ids). The slices must add up to
        the whole search's ``Count``."""
        maxdate = maxdate or date.today()
        slices: list[SearchResult] = []
        ranges = [(mindate, maxdate)]
        total: int | None = None
        while ranges:
            low, high = ranges.pop()
            found = self.esearch(
                term, mindate=_day(low), maxdate=_day(high), datetype=datetype, retmax=SEARCH_WINDOW
            )
            total = found.count if total is None else total
            if found.count == 0:
                continue
            if found.count <= SEARCH_WINDOW or low >= high:
                slices.append(found)
                continue
            middle = low + (high - low) // 2
            ranges += [(middle + timedelta(days=1), high), (low, middle)]
        if sum(s.count for s in slices) != total:
            raise HarvestError(
                f"ESearch for {term!r}: date slices hold {sum(s.count for s in slices)} records, "
                f"the whole search {total}: the index changed during the harvest; run it again"
            )
        return slices

    def efetch_batches(self, search: SearchResult, batch_size: int = 200) -> Iterator[bytes]:
        """The PubMed XML of every record of a search, ``batch_size`` records at a time, from
        the history server (``retmode=xml``: ``rettype=abstract`` alone would be plain text)."""
        for start in range(0, search.count, batch_size):
            yield self._fetch(
                {
                    "db": "pubmed",
                    "WebEnv": search.webenv,
                    "query_key": search.query_key,
                    "retstart": start,
                    "retmax": batch_size,
                    "retmode": "xml",
                }
            )

    def efetch_ids(self, pmids: list[str]) -> bytes:
        """The PubMed XML of the given records; a long list goes in a POST body."""
        return self._fetch({"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"})

    # ---- requests -----------------------------------------------------------------------

    def _fetch(self, params: dict[str, str | int]) -> bytes:
        post = len(str(params.get("id", "")).split(",")) > _POST_ABOVE
        return self._get_or_post("efetch.fcgi", params, post=post)[0]

    def _xml(self, endpoint: str, params: dict[str, str | int]) -> ET.Element:
        return self._get_or_post(endpoint, params)[1]

    def _get_or_post(
        self, endpoint: str, params: dict[str, str | int], *, post: bool = False
    ) -> tuple[bytes, ET.Element]:
        """One call, retried; the body of the first good answer and its XML root."""
        retrying = Retrying(
            stop=stop_after_attempt(self.max_tries),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            before_sleep=self._count_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(endpoint, params, post)
        except RetryableError as err:
            raise HarvestError(
                f"{endpoint}: gave up after {self.max_tries} tries; last failure: {err}"
            ) from err
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self, endpoint: str, params: dict[str, str | int], post: bool
    ) -> tuple[bytes, ET.Element]:
        query = {**params, "tool": self.tool}
        if self.email:
            query["email"] = self.email
        if self.api_key:
            query["api_key"] = self.api_key
        url = self.base_url.rstrip("/") + "/" + endpoint
        self.limiter.wait()
        self.requests += 1
        try:
            if post:
                response = self.http.post(url, data={k: str(v) for k, v in query.items()})
            else:
                response = self.http.get(url, params=query)
        except (httpx.TimeoutException, httpx.TransportError) as err:
            raise RetryableError(f"{type(err).__name__}: {err}") from err
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(
                f"HTTP {response.status_code}", _retry_after(response.headers.get("Retry-After"))
            )
        if response.status_code != 200:
            raise HarvestError(
                f"{endpoint}: HTTP {response.status_code}: {response.text[:200].strip()}"
            )
        body = response.content
        return body, self._parse(body, endpoint)  # a cut-off or broken body is retried

    def _parse(self, body: bytes, endpoint: str) -> ET.Element:
        """The XML root of a body; an <ERROR> element is NCBI saying no."""
        try:
            root = ET.fromstring(body)  # expat: no DTD is fetched, no external entity resolved
        except ET.ParseError as err:
            raise RetryableError(f"not well-formed XML ({err})") from err
        error = root.findtext("ERROR") if root.tag != "ERROR" else root.text
        if error:
            lowered = error.lower()
            if any(w in lowered for w in _TRANSIENT_ERRORS) and not any(
                w in lowered for w in _PERMANENT_ERRORS
            ):
                raise RetryableError(f"<ERROR> {error.strip()}")
            raise HarvestError(f"{endpoint}: NCBI answered <ERROR> {error.strip()}")
        return root

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server gives one; else exponential backoff with full jitter."""
        outcome = state.outcome
        err = outcome.exception() if outcome else None
        if isinstance(err, RetryableError) and err.wait is not None:
            return err.wait
        return random.uniform(0, self.backoff * 2 ** (state.attempt_number - 1))

    def _count_retry(self, state: RetryCallState) -> None:
        self.retries += 1


def _day(day: date) -> str:
    return day.strftime("%Y/%m/%d")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds (NCBI sends no dates)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
