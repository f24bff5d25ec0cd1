"""A small news site on 127.0.0.1 for the harvester's tests, with faults to inject.

``NewsSite`` serves ``pages`` (a path, with its query if it matters, → :class:`Page`); each
page answers with its own ETag and/or Last-Modified and a 304 to a matching conditional GET.
``faults[path]`` is a queue of what that path's next requests get instead: "503", "500",
"429" (no Retry-After), "429:N" (Retry-After: N), "slow" (an answer later than the client
waits) or "truncate" (a body cut off before its Content-Length). ``seen`` lists every request
as (monotonic time, path, headers). The page builders write made-up articles and feeds in
the real formats, with the chrome that surrounds an article on a news site.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from extractor.harvest.loopback import LoopbackServer, QuietHandler

HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}
COOKIE_TEXT = "We use cookies to improve your visit; accept them or manage your choices."
NAVIGATION_TEXT = "Oncology Haematology Paediatrics Subscribe"
FOOTER_TEXT = "Copyright Loopback Health News. All rights reserved."
RELATED_TEXT = "Related: Ten questions about hospital parking"


@dataclass
class Page:
    """One recorded answer: a body with its validators, or a redirect."""

    body: str = ""
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    location: str | None = None


class NewsSite(LoopbackServer):
    """A news site served on 127.0.0.1 in a thread while in a ``with`` block."""

    def __init__(self, slow_seconds: float = 1.0) -> None:
        self.pages: dict[str, Page] = {}
        self.faults: dict[str, deque[str]] = {}
        self.seen: list[tuple[float, str, dict[str, str]]] = []
        self.slow_seconds = slow_seconds
        self.lock = threading.Lock()
        super().__init__(_handler(self))

    def fault(self, path: str, *faults: str) -> None:
        self.faults.setdefault(path, deque()).extend(faults)

    def requests_for(self, path: str) -> list[dict[str, str]]:
        """The headers of every request for a path (its query included)."""
        return [headers for _, seen_path, headers in self.seen if seen_path == path]


def _handler(site: NewsSite) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            with site.lock:
                site.seen.append((time.monotonic(), self.path, dict(self.headers)))
                queue = site.faults.get(self.path)
                fault = queue.popleft() if queue else None
            if fault in ("503", "500"):
                return self.send(int(fault), b"<html><body>Try later</body></html>", HTML)
            if fault and fault.startswith("429"):
                return self.send(429, b"Too many requests", {"Retry-After": fault[4:]} | TEXT)
            if fault == "slow":
                time.sleep(site.slow_seconds)
            page = site.pages.get(self.path) or site.pages.get(self.path.split("?")[0])
            if page is None:
                return self.send(404, b"<html><body>Not found</body></html>", HTML)
            if page.location:
                return self.send(page.status, b"", {"Location": page.location})
            validators = {
                name: value
                for name, value in (("ETag", page.etag), ("Last-Modified", page.last_modified))
                if value
            }
            if (page.etag and self.headers.get("If-None-Match") == page.etag) or (
                page.last_modified and self.headers.get("If-Modified-Since") == page.last_modified
            ):
                return self.send(304, b"", validators)
            body = page.body.encode()
            headers = validators | {"Content-Type": page.content_type}
            if fault == "truncate":
                return self.send(page.status, body[: len(body) // 2], headers, length=len(body))
            self.send(page.status, body, headers)

    return Handler


# ---- pages in the real formats -----------------------------------------------------------


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    canonical: str | None = None,
    published: str = "2024-05-16",
    description: str = "",
) -> str:
    """An article page with the chrome around it: cookie banner, navigation, share links,
    a related-articles aside and a footer."""
    head = [f"<title>{title} | Loopback Health News</title>"]
    if canonical:
        head.append(f'<link rel="canonical" href="{canonical}">')
        head.append(f'<meta property="og:url" content="{canonical}">')
    if description:
        head.append(f'<meta name="description" content="{description}">')
    head.append(f'<meta property="article:published_time" content="{published}T09:00:00Z">')
    head.append('<meta property="og:site_name" content="Loopback Health News">')
    body = "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">{"".join(head)}</head>
<body>
<div class="cookie-banner" id="cookie-consent"><p>{COOKIE_TEXT}</p><button>Accept</button></div>
<header><a href="/">Loopback Health News</a>
<nav><ul>{"".join(f"<li><a href='/{w.lower()}/'>{w}</a></li>" for w in NAVIGATION_TEXT.split())}
</ul></nav></header>
<main><article>
<h1>{title}</h1>
<div class="byline">By Staff Writer, <time datetime="{published}">{published}</time></div>
{body}
<div class="share"><a href="#">Share</a> <a href="#">Email</a></div>
</article>
<aside class="related"><h2>Related</h2><ul><li><a href="/parking">{RELATED_TEXT}</a></li>
</ul></aside></main>
<footer><p>{FOOTER_TEXT}</p><p><a href="/privacy">Privacy</a> | <a href="/terms">Terms</a></p>
</footer>
</body></html>
"""


RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
_FEEDS = {  # the document around the entries, and an entry (title, link, summary)
    RSS: (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Loopback Health News</title><link>http://example.org/</link>"
        "<description>News</description>{}</channel></rss>",
        "<item><title>{}</title><link>{}</link><description>{}</description>"
        "<pubDate>Thu, 16 May 2024 09:00:00 GMT</pubDate></item>",
    ),
    ATOM: (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Loopback Health News</title><id>urn:loopback:news</id>"
        "<updated>2024-05-16T09:00:00Z</updated>{}</feed>",
        '<entry><title>{0}</title><link rel="alternate" href="{1}"/><id>{1}</id>'
        "<updated>2024-05-16T09:00:00Z</updated><summary>{2}</summary></entry>",
    ),
}


def feed_page(content_type: str, entries: list[tuple[str, str, str]]) -> Page:
    """An RSS 2.0 (``RSS``) or Atom (``ATOM``) feed of (title, link, summary) entries."""
    document, entry = _FEEDS[content_type]
    return Page(document.format("".join(entry.format(*e) for e in entries)), content_type)
