"""Reading files into Documents: plain text, HTML pages, PubMed XML records and JSON."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One source document; ``text`` is what every character offset points into."""

    id: str
    source: str
    title: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    format: str = "txt"

    @property
    def content_hash(self) -> str:
        """SHA-256 of the text, to tell a changed document from an unchanged one."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()
