"""Facts on a Doc: the extensions that hold them and the provenance each one carries."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Any, ClassVar

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import EVIDENCE_KINDS, Fact

FACT_KEYS: tuple[str, ...] = tuple(kind.key for kind in EVIDENCE_KINDS)


def register_extensions() -> None:
    """Declare one Doc extension per evidence kind (``doc._.survival`` ...) and ``claimed``."""
    for key in (*FACT_KEYS, "claimed"):
        if not Doc.has_extension(key):
            Doc.set_extension(key, default=None)


def facts(doc: Doc, key: str) -> list[Fact]:
    """The list of facts of one kind on a doc, created empty on first use."""
    found = doc._.get(key)
    if found is None:
        found = []
        doc._.set(key, found)
    return found


def claim(doc: Doc, start: int, end: int) -> bool:
    """Reserve a character range for one fact; False if another fact already holds part of it.

    Percentages are read by several components (survival, adverse events, responses); the
    first that claims one keeps it, so a number is never reported as two kinds of fact.
    """
    if is_claimed(doc, start, end):
        return False
    if doc._.claimed is None:
        doc._.claimed = []
    doc._.claimed.append((start, end))
    return True


def is_claimed(doc: Doc, start: int, end: int) -> bool:
    """Whether any fact already holds part of this character range."""
    return any(start < c_end and c_start < end for c_start, c_end in doc._.claimed or ())


def doc_text(doc: Doc) -> str:
    """The text of a doc, built once: ``Doc.text`` joins every token on each call."""
    text = doc.user_data.get("extractor.text")
    if text is None:
        text = doc.user_data["extractor.text"] = doc.text
    return text


def sentence_text(sent: Span) -> str:
    """The text of a sentence, sliced from the doc's text (``Span.text`` joins its tokens)."""
    return doc_text(sent.doc)[sent.start_char : sent.end_char]


def sentence_bounds(doc: Doc, char: int) -> tuple[int, int]:
    """Start and end offsets of the sentence holding a character, without edge whitespace."""
    cached = doc.user_data.get("extractor.sentence_bounds")
    if cached is None:
        bounds = [(s.start_char, s.end_char) for s in doc.sents]
        cached = ([b[0] for b in bounds], bounds)
        doc.user_data["extractor.sentence_bounds"] = cached
    starts, bounds = cached
    index = max(bisect_right(starts, char) - 1, 0)
    return _trimmed(doc_text(doc), *bounds[index])


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def make_fact(doc: Doc, start: int, end: int, **fields: Any) -> Fact:
    """A fact with its provenance: exact text, offsets and the sentence it came from."""
    s_start, s_end = sentence_bounds(doc, start)
    text = doc_text(doc)
    return {
        **fields,
        "text": text[start:end],
        "start": start,
        "end": end,
        "sentence": text[s_start:s_end],
        "sentence_start": s_start,
        "sentence_end": s_end,
    }


class SentenceReader:
    """Base of the components that read one kind of fact sentence by sentence.

    A subclass names its evidence ``key`` and yields the facts of one sentence from ``read``;
    the facts land in ``doc._.<key>``.
    """

    key: ClassVar[str]

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        found = facts(doc, self.key)
        for sent in doc.sents:
            found.extend(self.read(doc, sent))
        return doc

    def read(self, doc: Doc, sent: Span) -> Iterable[Fact]:
        raise NotImplementedError


def title_drug(doc: Doc) -> Span | None:
    """The drug a document's first line names, when it names one only: what it is about."""
    if not len(doc):
        return None
    title = doc[0].sent
    named = [d for d in doc.spans.get("drugs", []) if d.end_char <= title.end_char]
    return named[0] if len({d.label_ for d in named}) == 1 else None
