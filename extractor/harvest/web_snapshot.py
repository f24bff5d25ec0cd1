"""Recorded web responses, served on loopback so the news harvester runs offline unchanged.

A snapshot folder holds one file per recorded URL, under a folder named after its host:

    https://www.onclive.com/rss                  → www.onclive.com/rss.xml
    https://www.insideprecisionmedicine.com/feed/ → www.insideprecisionmedicine.com/feed/index.xml
    https://www.onclive.com/view/some-article    → www.onclive.com/view/some-article.html
    https://example.org/list?page=2              → example.org/list@page=2.html
    https://www.ecancer.org/robots.txt           → www.ecancer.org/robots.txt

A path ending in "/" is its folder's ``index``; a query string follows an "@" (a "/" in it
written %2F), and a URL whose query has no file of its own gets the file of its bare path, as
sites ignore utm_ parameters; the file's suffix, when the URL has none, sets the Content-Type
(.xml and .rss: RSS, .atom: Atom, .html, .txt, .json). A folder asked for without its "/" is a
301 to it, as web servers answer. Anything else is a 404, robots.txt included (no robots.txt:
no restrictions).

Every answer has an ETag (from the file's content) and a Last-Modified (one fixed date, as a
checkout gives files no stable mtime), and If-None-Match / If-Modified-Since get a 304.

    with WebSnapshot(Path("corpora/infant-kmt2a-all/snapshot/news")) as snapshot:
        with snapshot.client() as http:
            harvest_news(db, sources, http)

:meth:`WebSnapshot.client` sends every request over HTTP to the snapshot server, rewritten to
``http://127.0.0.1:<port>/<host>/<path>?<query>``, while the harvester sees the original URL
(``response.url``): it fetches robots.txt, feeds and pages as it would on the web.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from extractor.errors import ConfigError
from extractor.harvest.loopback import LoopbackServer, QuietHandler
from extractor.harvest.news import news_client

RECORDED_AT = datetime(2025, 10, 1, tzinfo=UTC)  # the Last-Modified of every file
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


def recorded_file(folder: Path, host: str, path: str, query: str = "") -> Path | None:
    """The file recorded for a URL's host, path and query, if any (see the module doc)."""
    relative = unquote(path).lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index"
    base = folder / host.lower() / relative
    stems = [base.with_name(f"{base.name}@{query.replace('/', '%2F')}")] if query else []
    for stem in [*stems, base]:
        for candidate in [stem, *(stem.with_name(stem.name + s) for s in CONTENT_TYPES)]:
            if candidate.is_file() and _inside(folder, candidate):
                return candidate
    return None


def _inside(folder: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _handler(snapshot: WebSnapshot) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            status, body, headers = self._recorded()
            with snapshot.lock:
                snapshot.seen.append((self.command, self.path, dict(self.headers), status))
            self.send(status, body, headers, with_body=with_body)

        def _recorded(self) -> tuple[int, bytes, dict[str, str]]:
            """The status, body and headers of the answer the snapshot holds."""
            url = urlsplit(self.path)
            host, _, path = url.path.lstrip("/").partition("/")
            file = recorded_file(snapshot.folder, host, "/" + path, url.query)
            if file is None:
                if snapshot.is_folder(host, path) and not path.endswith("/"):
                    return 301, b"", {"Location": f"/{path}/"}
                return 404, b"Not recorded in the snapshot\n", {}
            body = file.read_bytes()
            headers = {
                "Content-Type": CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
                "ETag": '"' + hashlib.sha256(body).hexdigest()[:20] + '"',
                "Last-Modified": format_datetime(snapshot.recorded_at, usegmt=True),
            }
            modified = _not_modified(self.headers, headers["ETag"], snapshot.recorded_at)
            return 304 if modified else 200, body, headers

    return Handler


def _not_modified(request: Any, etag: str, modified: datetime) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.get("If-None-Match")
    if if_none_match:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    try:
        since = parsedate_to_datetime(request.get("If-Modified-Since") or "")
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and modified <= since


class SnapshotTransport(httpx.HTTPTransport):
    """Sends each request to the snapshot server at ``server_url`` instead of its host;
    httpx still gives the response the original request, hence the original URL."""

    def __init__(self, server_url: str, **options: Any) -> None:
        super().__init__(**options)
        self.server = httpx.URL(server_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        target = self.server.copy_with(raw_path=b"/" + url.raw_host + url.raw_path)
        forwarded = httpx.Request(
            request.method,
            target,
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )
        return super().handle_request(forwarded)


class WebSnapshot(LoopbackServer):
    """Serves a snapshot folder on 127.0.0.1 (a free port) while in a ``with`` block.
    ``seen`` lists every request as (method, path, headers, the status answered)."""

    def __init__(self, folder: Path, *, recorded_at: datetime = RECORDED_AT) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ConfigError(f"no snapshot folder {self.folder}; check the corpus path")
        self.recorded_at = recorded_at
        self.seen: list[tuple[str, str, dict[str, str], int]] = []
        self.lock = threading.Lock()
        super().__init__(_handler(self))

    def is_folder(self, host: str, path: str) -> bool:
        """Whether a URL path is a folder of the snapshot (not the host's root)."""
        folder = self.folder / host / unquote(path)
        return bool(path) and folder.is_dir() and _inside(self.folder, folder)

    def client(self, **options: Any) -> httpx.Client:
        """A harvester's client (:func:`~extractor.harvest.news.news_client`) whose every
        request goes to this snapshot; ``options`` go to :class:`httpx.Client`."""
        return news_client(**({"transport": SnapshotTransport(self.url)} | options))
