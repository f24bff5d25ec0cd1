"""Reading files into Documents: plain text, HTML pages, PubMed XML records and JSON.

``read_documents(path)`` reads every document a file holds (PubMed sets and JSON lists hold
several); ``read_document(path)`` reads a file that holds exactly one. ``find_documents(folder)``
lists the readable files under a folder. Everything that goes wrong raises ``DocumentError``.
Nothing here touches the network: XML is parsed by ElementTree, which never fetches DTDs, and
files that declare entities are refused rather than expanded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from extractor.errors import DocumentError

SUPPORTED_SUFFIXES: tuple[str, ...] = (".htm", ".html", ".json", ".txt", ".xml")
MAX_TITLE_LENGTH = 200

_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")  # not \s: a no-break space is content


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


def read_document(path: str | Path) -> Document:
    """Read a file that holds one document (any supported format)."""
    documents = read_documents(path)
    if len(documents) != 1:
        raise DocumentError(
            path, f"holds {len(documents)} documents; use read_documents() to read them all"
        )
    return documents[0]


def read_documents(path: str | Path) -> list[Document]:
    """Read every document in a file: one for .txt/.html, one or more for .xml/.json."""
    suffix = Path(path).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise DocumentError(
            path,
            f"unsupported file type {suffix or '(no suffix)'!r}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    return reader(os.fspath(path), _read_text(path))


def find_documents(folder: str | Path) -> list[Path]:
    """Every supported file under ``folder``, recursively and sorted; hidden entries skipped."""
    root = Path(folder)
    if not root.is_dir():
        reason = "is not a folder" if root.exists() else "does not exist"
        raise DocumentError(root, f"{reason}; give the folder that holds the documents")
    found: list[Path] = []
    for directory, subdirectories, filenames in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        found.extend(
            Path(directory, name)
            for name in filenames
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
        )
    return sorted(found)


def _read_text(path: str | Path) -> str:
    """The file's content as UTF-8 text without a BOM; refuse missing, binary and empty files."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DocumentError(path, "does not exist; check the path") from None
    except IsADirectoryError:
        raise DocumentError(
            path, "is a folder; use find_documents() to list the documents in it"
        ) from None
    except OSError as error:
        raise DocumentError(path, f"could not be read: {error.strerror}") from None
    advice = "convert it to UTF-8 or move it out of the corpus"
    if b"\x00" in data:
        raise DocumentError(path, f"is not UTF-8 text (binary file?): it has NUL bytes; {advice}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            path, f"is not UTF-8 text (binary file?): bad byte at offset {error.start}; {advice}"
        ) from None
    if not text.strip():
        raise DocumentError(path, "is empty; add the document's text or remove the file")
    return text


def _first_line(text: str) -> str:
    """The first non-empty line, trimmed to a title's length."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:MAX_TITLE_LENGTH].rstrip()
    return ""


def collapse_whitespace(text: str) -> str:
    """Runs of HTML/XML whitespace as one space, trimmed (a no-break space is kept)."""
    return _HTML_WHITESPACE.sub(" ", text).strip(" ")


def _read_txt(source: str, text: str) -> list[Document]:
    return [Document(Path(source).stem, source, _first_line(text), text, {}, "txt")]


# --- HTML ---------------------------------------------------------------------------------

# fmt: off
_SKIPPED_TAGS = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template",
                 "svg"}
_BLOCK_TAGS = {
    "address", "article", "blockquote", "body", "br", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol",
    "p", "pre", "section", "table", "ul",
}
# fmt: on
_META_KEYS = {  # <meta name|property> → metadata key; the first one found wins
    **dict.fromkeys(["description", "og:description", "dc.description"], "description"),
    **dict.fromkeys(["author", "article:author", "citation_author", "dc.creator"], "author"),
    **dict.fromkeys(
        ["article:published_time", "citation_publication_date", "citation_date", "dc.date", "date"],
        "published",
    ),
    **{"citation_doi": "doi", "citation_pmid": "pmid"},
    **{"og:url": "url", "og:site_name": "site"},
}


class _ReadableText(HTMLParser):
    """Collects paragraphs of visible text, the page title and its <meta> metadata. A table
    becomes one paragraph with a line per row and its cells split by " | ", as the plain-text
    table reader expects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.metadata: dict[str, str] = {}
        self.title = ""
        self.first_h1 = ""
        self._current: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._capture: str | None = None  # "title" or "h1" while inside one
        self._captured: list[str] = []
        self._rows: list[list[str]] | None = None  # the rows of the table being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta":
            key = (attributes.get("name") or attributes.get("property") or "").lower()
            content = attributes.get("content", "").strip()
            if key in _META_KEYS and content:
                self.metadata.setdefault(_META_KEYS[key], content)
        elif tag == "link" and "canonical" in attributes.get("rel", "").lower().split():
            if attributes.get("href"):
                self.metadata["canonical"] = attributes["href"].strip()
        elif tag == "html" and attributes.get("lang"):
            self.metadata["language"] = attributes["lang"]
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        if self._skip_depth:
            return
        if tag in _BLOCK_TAGS:
            self._break()
        if tag == "table" and self._rows is None:
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in {"td", "th"}:
            self._current = []
        if tag == "pre":
            self._pre_depth += 1
        if (tag == "title" and not self.title) or (tag == "h1" and not self.first_h1):
            self._capture, self._captured = tag, []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIPPED_TAGS:
            self._skip_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth:
            return
        if tag == self._capture == "title":
            self.title, self._capture = collapse_whitespace("".join(self._captured)), None
        elif tag == self._capture == "h1":
            self.first_h1, self._capture = collapse_whitespace("".join(self._captured)), None
        if tag in {"td", "th"} and self._rows:
            self._rows[-1].append(collapse_whitespace("".join(self._current)).replace("|", "/"))
            self._current = []
        elif tag == "table" and self._rows is not None:
            rows, self._rows = self._rows, None
            table = "\n".join(" | ".join(cells) for cells in rows if any(cells))
            if table:
                self.paragraphs.append(table)
        if tag in _BLOCK_TAGS:
            self._break()
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._capture:
            self._captured.append(data)
        if self._capture != "title":
            self._current.append(data)

    def _break(self) -> None:
        paragraph = "".join(self._current)
        paragraph = paragraph.strip("\r\n") if self._pre_depth else collapse_whitespace(paragraph)
        if paragraph.strip():
            self.paragraphs.append(paragraph)
        self._current = []


def _read_html(source: str, text: str) -> list[Document]:
    parser = _ReadableText()
    parser.feed(text)
    parser.close()
    parser._break()
    body = "\n\n".join(parser.paragraphs)
    if not body:
        raise DocumentError(source, "has no readable text (only markup, scripts or navigation)")
    metadata: dict[str, Any] = dict(parser.metadata)
    if "canonical" in metadata:
        metadata["url"] = metadata.pop("canonical")
    if "doi" in metadata:
        metadata["doi"] = re.sub(r"^(doi:\s*|https?://(dx\.)?doi\.org/)", "", metadata["doi"])
    title = parser.title or parser.first_h1 or _first_line(body)
    return [Document(Path(source).stem, source, title[:MAX_TITLE_LENGTH], body, metadata, "html")]


# --- PubMed XML ---------------------------------------------------------------------------


def _read_pubmed(source: str, text: str) -> list[Document]:
    from extractor.pubmed import parse_pubmed_xml  # it builds on Document

    batch = parse_pubmed_xml(text, source)
    if batch.failures:
        where, reason = batch.failures[0]
        raise DocumentError(
            source, reason if reason.startswith("PubMed record") else f"{where} {reason}"
        )
    if not batch.records:
        raise DocumentError(source, "holds no <PubmedArticle>; fetch the record with EFetch again")
    stem = Path(source).stem
    if len(batch.records) == 1:
        return [replace(batch.records[0].document, id=stem)]
    return [
        replace(record.document, id=f"{stem}-{record.pmid or number}")
        for number, record in enumerate(batch.records, 1)
    ]


# --- JSON ---------------------------------------------------------------------------------

# A "source" key (who published it) stays in metadata: Document.source is always the file read.
_JSON_FIELDS = {"id", "title", "text", "metadata"}


def _read_json(source: str, text: str) -> list[Document]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentError(
            source,
            f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}); "
            "fix the syntax",
        ) from None
    records = data if isinstance(data, list) else [data]
    if not records:
        raise DocumentError(source, 'is an empty JSON list; add objects with a "text" field')
    stem = Path(source).stem
    documents = []
    for number, record in enumerate(records, 1):
        where = f"item {number} of the list" if isinstance(data, list) else "the JSON"
        expected = 'expected an object like {"id": ..., "title": ..., "text": "..."}'
        if not isinstance(record, dict):
            raise DocumentError(source, f"{where} is not an object; {expected}")
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            raise DocumentError(source, f'{where} has no non-empty "text" string; {expected}')
        extra = record.get("metadata") or {}
        if not isinstance(extra, dict):
            raise DocumentError(
                source, f'{where} has a "metadata" that is not an object; use {{"key": value}}'
            )
        metadata = {key: value for key, value in record.items() if key not in _JSON_FIELDS}
        metadata.update(extra)
        default_id = stem if len(records) == 1 else f"{stem}-{number}"
        identifier = str(record["id"]) if record.get("id") is not None else default_id
        title = record.get("title")
        title = title.strip() if isinstance(title, str) and title.strip() else _first_line(body)
        documents.append(Document(identifier, source, title, body, metadata, "json"))
    return documents


_READERS: dict[str, Callable[[str, str], list[Document]]] = {
    ".txt": _read_txt,
    ".html": _read_html,
    ".htm": _read_html,
    ".xml": _read_pubmed,
    ".json": _read_json,
}
