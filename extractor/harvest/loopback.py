"""Loopback HTTP servers: a threaded server on 127.0.0.1 (a free port) and a quiet HTTP/1.1
request handler, for the snapshot servers and the tests' services."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler for loopback servers: HTTP/1.1, no log lines, one way to answer."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        with_body: bool = True,
        length: int | None = None,
    ) -> None:
        """Answer; ``length`` may promise more than ``body`` holds (a cut-off answer)."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if with_body and status != 304:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # the client may have given up waiting
        if length is not None and length != len(body):
            self.close_connection = True


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) that serves in a thread while in a
    ``with`` block; ``url`` is its address."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
