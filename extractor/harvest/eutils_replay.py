"""A loopback server that answers like NCBI E-utilities from recorded PubMed articles.

The offline corpus run serves its snapshot through it, so the harvester runs the same code
(ESearch with the history server, EFetch in batches, retries, the ledger) with no network; the
tests use it to play a PubMed with faults. It answers ESearch (Count, WebEnv, QueryKey and the
ids, filtered by ``mindate``/``maxdate`` for ``datetype`` edat, pdat or mdat; an <ERROR> for
``retstart`` past the 10,000 window, as NCBI does) and EFetch (``retmode=xml`` PubmedArticleSet
for a history-server slice or an id list, by GET or POST). The search term is not interpreted:
a snapshot is the recorded answer to its corpus's query.

``faults`` is a queue of what the next requests get instead of an answer: "429" (no
Retry-After and a small JSON body, as NCBI sends), "429:N" (Retry-After: N), "503", "truncate"
(a body cut off mid-XML), "slow" (an answer later than a client waits), "busy" (a 200 with a
transient <ERROR>), "refuse" (a 200 with a final <ERROR>), "expire" (every WebEnv expires, then
the request is answered) or "" (answered as usual, to place a fault later in the queue).
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from extractor.harvest.loopback import LoopbackServer, QuietHandler
from extractor.pubmed import month_number, parse_pubmed_xml

DATETYPES = ("edat", "pdat", "mdat")
EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


@dataclass
class RecordedArticle:
    """One PubMed article as EFetch sends it, with the dates ESearch filters on."""

    pmid: str
    xml: bytes  # <PubmedArticle>…</PubmedArticle>
    edat: date  # entered in PubMed
    pdat: date  # published
    mdat: date  # last modified (DateRevised)


class ReplayPubMed:
    """The server's state: the articles, the searches on its history server, the faults to
    inject and every request it saw as (time, method, path, params)."""

    def __init__(self, articles: list[RecordedArticle], slow_seconds: float = 1.0) -> None:
        self.articles = {a.pmid: a for a in articles}
        self.faults: deque[str] = deque()
        self.seen: list[tuple[float, str, str, dict[str, str]]] = []
        self.slow_seconds = slow_seconds
        self.history: dict[str, list[str]] = {}  # WebEnv → the PMIDs of its search
        self.lock = threading.Lock()
        self._webenvs = itertools.count(1)
        self._index()

    def _index(self) -> None:
        self._by_date = {
            datetype: sorted((getattr(a, datetype), a.pmid) for a in self.articles.values())
            for datetype in DATETYPES
        }

    def revise(self, article: RecordedArticle) -> None:
        """Add an article, or replace one (a revised record: new XML, a later mdat)."""
        with self.lock:
            self.articles[article.pmid] = article
            self._index()

    def search(self, mindate: str | None, maxdate: str | None, datetype: str) -> list[str]:
        """PMIDs whose ``datetype`` date lies in the range, newest first as PubMed lists."""
        index = self._by_date.get(datetype, self._by_date["edat"])
        low = _parse_day(mindate) if mindate else date.min
        high = _parse_day(maxdate, last=True) if maxdate else date.max
        first = bisect.bisect_left(index, (low, ""))
        last = bisect.bisect_right(index, (high, "~"))
        return [pmid for _, pmid in reversed(index[first:last])]

    def remember(self, pmids: list[str]) -> str:
        webenv = f"MCID_{next(self._webenvs):06d}"
        self.history[webenv] = pmids
        return webenv

    def forget_history(self) -> None:
        """Expire every WebEnv, as NCBI does after some hours."""
        self.history.clear()

    def efetch_requests(self) -> list[dict[str, str]]:
        return [params for _, _, path, params in self.seen if path.endswith("efetch.fcgi")]


def _parse_day(text: str, last: bool = False) -> date:
    """YYYY, YYYY/MM or YYYY/MM/DD; ``last`` gives the end of a partial date's period."""
    parts = [int(p) for p in text.replace("-", "/").split("/") if p]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        if not last:
            return date(parts[0], parts[1], 1)
        following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return date(parts[0], 12, 31) if last else date(parts[0], 1, 1)


def _handler(pubmed: ReplayPubMed) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            self._answer("GET", url.path, {k: v[-1] for k, v in parse_qs(url.query).items()})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            self._answer("POST", urlparse(self.path).path, {k: v[-1] for k, v in form.items()})

        def _answer(self, method: str, path: str, params: dict[str, str]) -> None:
            with pubmed.lock:
                pubmed.seen.append((time.monotonic(), method, path, params))
                fault = pubmed.faults.popleft() if pubmed.faults else None
            if fault and fault.startswith("429"):
                headers = {"Retry-After": fault[4:]} if ":" in fault else {}
                body = b'{"error":"API rate limit exceeded","count":"4"}'
                return self._send(429, body, "application/json", headers)
            if fault == "503":
                return self._send(503, b"<html><body>Service unavailable</body></html>")
            if fault == "slow":
                time.sleep(pubmed.slow_seconds)
            if fault == "expire":
                pubmed.forget_history()
            if fault == "busy":
                return self._send(
                    200,
                    b"<eFetchResult><ERROR>Search Backend failed: temporarily unavailable"
                    b"</ERROR></eFetchResult>",
                )
            if fault == "refuse":
                return self._send(
                    200, b"<eSearchResult><ERROR>Invalid query_key</ERROR></eSearchResult>"
                )
            if path.endswith("esearch.fcgi"):
                body = self._esearch(params)
            elif path.endswith("efetch.fcgi"):
                body = self._efetch(params)
            else:
                return self._send(404, b"<html><body>Not found</body></html>")
            if fault == "truncate":
                body = body[: len(body) // 2]
            self._send(200, body)

        def _esearch(self, params: dict[str, str]) -> bytes:
            start, size = int(params.get("retstart", 0)), int(params.get("retmax", 20))
            if start > 9_998:
                return b"<eSearchResult><ERROR>Search Backend failed: Exception:\n'retstart' cannot be larger than 9998.</ERROR></eSearchResult>"  # noqa: E501
            with pubmed.lock:
                found = pubmed.search(
                    params.get("mindate"), params.get("maxdate"), params.get("datetype", "edat")
                )
                webenv = pubmed.remember(found)
            ids = "".join(f"<Id>{p}</Id>" for p in found[start : start + min(size, 9_999)])
            return (
                '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC '
                '"-//NLM//DTD esearch 20060628//EN" '
                '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
                f"<eSearchResult><Count>{len(found)}</Count><RetMax>{min(size, len(found))}"
                f"</RetMax><RetStart>{start}</RetStart><QueryKey>1</QueryKey>"
                f"<WebEnv>{webenv}</WebEnv><IdList>{ids}</IdList><TranslationSet/>"
                f"</eSearchResult>\n"
            ).encode()

        def _efetch(self, params: dict[str, str]) -> bytes:
            if params.get("retmode") != "xml":  # NCBI answers text for rettype=abstract
                return b"1. Record in plain text (ask for retmode=xml)\n"
            if "id" in params:
                pmids = [p for p in params["id"].split(",") if p]
            else:
                found = pubmed.history.get(params.get("WebEnv", ""))
                if found is None or params.get("query_key") != "1":
                    return b"<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>"
                start, size = int(params.get("retstart", 0)), int(params.get("retmax", 20))
                pmids = found[start : start + size]
            articles = [pubmed.articles[p].xml for p in pmids if p in pubmed.articles]
            return (
                EFETCH_HEAD
                + b"<PubmedArticleSet>\n"
                + b"\n".join(articles)
                + b"\n</PubmedArticleSet>\n"
            )

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "text/xml; charset=UTF-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send(status, body, {"Content-Type": content_type, **(headers or {})})

    return Handler


class EutilsReplayServer(LoopbackServer):
    """Serves a ReplayPubMed on 127.0.0.1 in a thread; ``url`` is its E-utilities base."""

    def __init__(self, pubmed: ReplayPubMed) -> None:
        super().__init__(_handler(pubmed))
        self.pubmed = pubmed

    @property
    def url(self) -> str:
        return f"{super().url}/entrez/eutils/"


def load_recorded_articles(folder: Path) -> list[RecordedArticle]:
    """The articles of every EFetch answer (``*.xml``) in a snapshot folder, with their entry
    date (PubMed history "entrez", else the publication date), publication date and
    modification date (DateRevised, else the entry date)."""
    articles = []
    for path in sorted(folder.glob("*.xml")):
        for record in parse_pubmed_xml(path.read_bytes(), str(path)).records:
            root = ET.fromstring(record.raw_xml)
            published = _first_date(root, "MedlineCitation/Article/Journal/JournalIssue/PubDate")
            entered = _first_date(root, "PubmedData/History/PubMedPubDate[@PubStatus='entrez']")
            pdat = published or entered or date(1900, 1, 1)
            edat = entered or pdat
            mdat = _first_date(root, "MedlineCitation/DateRevised") or edat
            articles.append(RecordedArticle(record.pmid, record.raw_xml.encode(), edat, pdat, mdat))
    return articles


def _first_date(root: ET.Element, path: str) -> date | None:
    element = root.find(path)
    if element is None or not (element.findtext("Year") or "").strip():
        return None
    day = (element.findtext("Day") or "1").strip()
    return date(
        int(element.findtext("Year") or 0),
        month_number(element.findtext("Month") or "") or 1,
        int(day) if day.isdigit() else 1,
    )
