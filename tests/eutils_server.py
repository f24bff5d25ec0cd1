"""A loopback HTTP server shaped like NCBI E-utilities, with faults to inject.

It holds a made-up PubMed: ``records`` PMIDs, one entry date each, spread over the days from
2000-01-01. ESearch answers Count, WebEnv and QueryKey for a term and a date range (and an
<ERROR> for ``retstart`` past the 10,000 window, as NCBI does); EFetch answers PubmedArticleSet
XML for a history-server slice or an id list, by GET or POST. ``faults`` is a queue of what the
next requests get instead: "429" (no Retry-After, a small JSON body, as NCBI sends), "429:N"
(Retry-After: N), "503", "truncate" (a body cut off mid-XML), "slow" (an answer later than the
client waits), "busy" (a 200 with a transient <ERROR>) or "refuse" (a 200 with a final <ERROR>).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

START = date(2000, 1, 1)


class FakePubMed:
    """The server's state: the records, the faults to inject and the requests it saw."""

    def __init__(self, records: int, per_day: int = 1, slow_seconds: float = 1.0) -> None:
        self.pmids = [str(30_000_000 + i) for i in range(records)]
        self.per_day = per_day
        self.faults: deque[str] = deque()
        self.seen: list[tuple[float, str, str, dict[str, str]]] = []  # time, method, path, params
        self.slow_seconds = slow_seconds
        self.lock = threading.Lock()

    def day_of(self, index: int) -> date:
        return START + timedelta(days=index // self.per_day)

    def in_range(self, mindate: str | None, maxdate: str | None) -> list[str]:
        low = _parse_day(mindate) if mindate else date.min
        high = _parse_day(maxdate) if maxdate else date.max
        first = max(0, (low - START).days * self.per_day)
        last = min(len(self.pmids), ((high - START).days + 1) * self.per_day)
        return self.pmids[first:last] if last > first else []


def _parse_day(text: str) -> date:
    parts = [int(p) for p in text.split("/")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def article(pmid: str) -> str:
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
        f"<ArticleTitle>Record {pmid}</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
    )


def make_handler(pubmed: FakePubMed) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            url = urlparse(self.path)
            self._answer("GET", url.path, {k: v[-1] for k, v in parse_qs(url.query).items()})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            self._answer("POST", urlparse(self.path).path, {k: v[-1] for k, v in form.items()})

        def _answer(self, method: str, path: str, params: dict[str, str]) -> None:
            with pubmed.lock:
                pubmed.seen.append((time.monotonic(), method, path, params))
                fault = pubmed.faults.popleft() if pubmed.faults else None
            if fault == "429" or (fault and fault.startswith("429:")):
                headers = {"Retry-After": fault[4:]} if ":" in fault else {}
                return self._send(429, b'{"error":"API rate limit exceeded","count":"4"}', headers)
            if fault == "503":
                return self._send(503, b"<html><body>Service unavailable</body></html>")
            if fault == "slow":
                time.sleep(pubmed.slow_seconds)
            if fault == "busy":
                return self._send(
                    200,
                    b"<eFetchResult><ERROR>Search Backend failed: "
                    b"temporarily unavailable</ERROR></eFetchResult>",
                )
            if fault == "refuse":
                return self._send(
                    200, b"<eSearchResult><ERROR>Invalid query_key</ERROR></eSearchResult>"
                )
            body = self._esearch(params) if path.endswith("esearch.fcgi") else self._efetch(params)
            if fault == "truncate":
                body = body[: len(body) // 2]
            self._send(200, body)

        def _esearch(self, params: dict[str, str]) -> bytes:
            if int(params.get("retstart", 0)) > 9_998:
                return (
                    b"<eSearchResult><ERROR>retstart cannot be larger than 9998</ERROR>"
                    b"</eSearchResult>"
                )
            found = pubmed.in_range(params.get("mindate"), params.get("maxdate"))
            key = f"{params.get('mindate')}-{params.get('maxdate')}"
            ids = "".join(f"<Id>{p}</Id>" for p in found[: int(params.get("retmax", 20))])
            return (
                f"<eSearchResult><Count>{len(found)}</Count><RetMax>0</RetMax>"
                f"<QueryKey>1</QueryKey><WebEnv>MCID_{key}</WebEnv><IdList>{ids}</IdList>"
                f"</eSearchResult>"
            ).encode()

        def _efetch(self, params: dict[str, str]) -> bytes:
            if "id" in params:
                pmids = params["id"].split(",")
            else:
                _, _, key = params["WebEnv"].partition("MCID_")
                low, _, high = key.partition("-")
                found = pubmed.in_range(
                    None if low == "None" else low, None if high == "None" else high
                )
                start, size = int(params["retstart"]), int(params["retmax"])
                pmids = found[start : start + size]
            articles = "".join(article(p) for p in pmids)
            return (
                '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD '
                'PubMedArticle, 1st January 2024//EN" '
                '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
                f"<PubmedArticleSet>{articles}</PubmedArticleSet>"
            ).encode()

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # the client may have given up waiting

    return Handler


class EutilsServer:
    """Serves a FakePubMed on 127.0.0.1 in a thread; ``url`` is its E-utilities base."""

    def __init__(self, pubmed: FakePubMed) -> None:
        self.pubmed = pubmed
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(pubmed))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/entrez/eutils/"

    def __enter__(self) -> EutilsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
