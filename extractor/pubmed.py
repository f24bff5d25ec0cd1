"""PubMed XML (EFetch ``db=pubmed, retmode=xml``) into records: a Document and the raw XML each.

``parse_pubmed_xml(data, source)`` splits a ``PubmedArticleSet`` into its articles, keeping each
article's XML exactly as it came, and reads them with Biopython's ``Bio.Entrez`` against the
PubMed DTD that Biopython bundles. No DTD is ever fetched: whatever DTD a file declares, the
articles are read against the bundled one, and a DTD module missing from Biopython is an error,
not a download. Files that declare entities are refused rather than expanded.

Inline markup inside titles and abstracts (``<i>``, ``<sup>``, ``<sub>``, MathML) becomes plain
text ("mg/m<sup>2</sup>" → "mg/m2"), so every character offset points into the stored text.
"""

from __future__ import annotations

import calendar
import functools
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from Bio.Entrez.Parser import DataHandler

from extractor.documents import Document, collapse_whitespace
from extractor.errors import DocumentError

_TAG = re.compile(r"<[^<>]*>")  # with escape=True every "<" left in a string is markup
_NCT_ID = re.compile(r"\bNCT\d{8}\b")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY\b")
_TRUNCATION = re.compile(r"\s*\(?ABSTRACT TRUNCATED AT \d+ WORDS\)?\.?\s*$", re.IGNORECASE)
_MONTHS = {month: number for number, month in enumerate(calendar.month_abbr) if month}
_ARTICLE_TAGS = {"PubmedArticle", "PubmedBookArticle"}


@functools.cache
def _bundled_pubmed_dtd() -> str:
    """The newest PubMed DTD that Biopython ships (pubmed_250101.dtd in Biopython 1.88)."""
    names = sorted(Path(DataHandler.global_dtd_dir).glob("pubmed_*.dtd"))
    if not names:
        raise DocumentError("Bio.Entrez", "Biopython ships no PubMed DTD; reinstall biopython")
    return names[-1].name


_DOCTYPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE PubmedArticleSet PUBLIC '
    '"-//NLM//DTD PubMedArticle//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/{dtd}">\n'
)


class _BundledDTDsOnly(DataHandler):
    """Bio.Entrez's parser with its one network path closed: DTDs come from Biopython's own
    folder (or its local cache) and a missing one is an error instead of a download."""

    def externalEntityRefHandler(  # noqa: N802  (Biopython's name)
        self, context: str, base: str | None, system_id: str, public_id: str | None
    ) -> int:
        filename = system_id.rsplit("/", 1)[-1]
        handle = self.open_dtd_file(filename)
        if handle is None:
            raise DocumentError(
                system_id, "is a DTD that Biopython does not bundle; it is never downloaded"
            )
        with handle:
            parser = self.parser.ExternalEntityParserCreate(context)
            parser.ElementDeclHandler = self.elementDecl
            parser.ParseFile(handle)
        self.parser.StartElementHandler = self.startElementHandler  # as Biopython's own does
        return 1


@dataclass(frozen=True)
class PubmedRecord:
    """One PubMed article: its Document, its DateRevised (YYYY-MM-DD) and its XML as sent."""

    pmid: str
    date_revised: str | None
    document: Document
    raw_xml: str


@dataclass
class PubmedBatch:
    """What one PubMed XML answer held: the records read and the articles that could not be."""

    records: list[PubmedRecord] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (PMID or position, reason)
    deleted: list[str] = field(default_factory=list)  # PMIDs in <DeleteCitation>


def parse_pubmed_xml(data: bytes | str, source: str) -> PubmedBatch:
    """Every article of a PubMed XML answer or file. The XML as a whole must be well-formed and
    a PubMed set; a single article that cannot be read is listed in ``failures``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _ENTITY_DECLARATION.search(raw):
        raise DocumentError(
            source,
            "declares XML entities (<!ENTITY ...>), which are refused for safety; "
            "remove the declarations or re-download the record from PubMed",
        )
    articles, deleted = _split_articles(raw, source)
    batch = PubmedBatch(deleted=deleted)
    books = [a for a in articles if a.startswith(b"<PubmedBookArticle")]
    articles = [a for a in articles if not a.startswith(b"<PubmedBookArticle")]
    batch.failures += [
        (_pmid_in(a) or "?", "is a PubMed Bookshelf record (PubmedBookArticle), not read")
        for a in books
    ]
    if not articles:
        if not books and not deleted:
            raise DocumentError(source, "holds no <PubmedArticle>; fetch the record again")
        return batch
    parsed: list[dict[str, Any] | Exception]
    try:
        parsed = list(_read_with_biopython(articles))
    except (DocumentError, ValueError, RuntimeError, expat.ExpatError):
        parsed = []  # find the article at fault by reading them one by one
        for article in articles:
            try:
                parsed += _read_with_biopython([article])
            except (DocumentError, ValueError, RuntimeError, expat.ExpatError) as err:
                parsed.append(err)
    for number, (article, record) in enumerate(zip(articles, parsed, strict=True), 1):
        where = _pmid_in(article) or f"article {number}"
        if isinstance(record, Exception):
            batch.failures.append((where, f"could not be read: {record}"))
            continue
        try:
            batch.records.append(_record(source, record, article.decode("utf-8")))
        except DocumentError as err:
            batch.failures.append((where, err.reason))
    return batch


def _split_articles(raw: bytes, source: str) -> tuple[list[bytes], list[str]]:
    """Each article's bytes as they stand in ``raw``, and the PMIDs of <DeleteCitation>."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    open_elements: list[str] = []  # the path from the root to the current element
    spans: list[tuple[int, int]] = []
    deleted: list[str] = []
    roots: list[str] = []

    def is_article(name: str) -> bool:  # the root, or a child of a PubmedArticleSet root
        return name in _ARTICLE_TAGS and open_elements in ([], ["PubmedArticleSet"])

    def on_start(name: str, attributes: dict[str, str]) -> None:
        if not roots:
            roots.append(name)
        if is_article(name):
            spans.append((parser.CurrentByteIndex, -1))
        open_elements.append(name)

    def on_end(name: str) -> None:
        open_elements.pop()
        if is_article(name):
            spans[-1] = (spans[-1][0], raw.index(b">", parser.CurrentByteIndex) + 1)

    def on_text(text: str) -> None:
        if open_elements[-2:] == ["DeleteCitation", "PMID"] and text.strip():
            deleted.append(text.strip())

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as err:
        raise DocumentError(
            source, f"is not well-formed XML: {err}; fix the file or re-download the record"
        ) from None
    if roots[0] not in {"PubmedArticleSet", *_ARTICLE_TAGS}:
        raise DocumentError(
            source,
            f"is XML but not a PubMed record (root element <{roots[0]}>); expected "
            "<PubmedArticleSet> as EFetch returns it with db=pubmed, retmode=xml",
        )
    return [raw[start:end] for start, end in spans], deleted


def _pmid_in(article: bytes) -> str | None:
    found = re.search(rb"<PMID[^>]*>\s*(\d+)", article)
    return found.group(1).decode() if found else None


def _read_with_biopython(articles: list[bytes]) -> list[dict[str, Any]]:
    """The articles as Bio.Entrez reads them, against the bundled PubMed DTD only."""
    document = (
        _DOCTYPE.format(dtd=_bundled_pubmed_dtd()).encode()
        + b"<PubmedArticleSet>\n"
        + b"\n".join(articles)
        + b"\n</PubmedArticleSet>\n"
    )
    # validate=False: an element newer than the bundled DTD is passed over, not an error;
    # escape=True: "&lt;" in the text stays escaped, so only markup is left looking like a tag.
    handler = _BundledDTDsOnly(validate=False, escape=True, ignore_errors=False)
    result = handler.read(io.BytesIO(document))
    parsed = list(result.get("PubmedArticle", []))
    if len(parsed) != len(articles):
        raise ValueError(f"Bio.Entrez read {len(parsed)} of {len(articles)} articles")
    return parsed


def plain(value: Any) -> str:
    """A Bio.Entrez string as plain text: markup dropped, entities decoded, spaces collapsed."""
    return collapse_whitespace(html.unescape(_TAG.sub("", str(value or ""))))


def _record(source: str, record: dict[str, Any], raw_xml: str) -> PubmedRecord:
    citation = record.get("MedlineCitation") or {}
    article = citation.get("Article") or {}
    pmid = plain(citation.get("PMID"))
    title = plain(article.get("ArticleTitle")) or plain(article.get("VernacularTitle"))
    abstract = article.get("Abstract") or {}
    paragraphs = []
    for part in abstract.get("AbstractText") or []:
        body = plain(part)
        label = plain(getattr(part, "attributes", {}).get("Label"))
        if body:
            paragraphs.append(f"{label}: {body}" if label else body)
    truncated = bool(paragraphs) and bool(_TRUNCATION.search(paragraphs[-1]))
    if truncated:
        paragraphs[-1] = _TRUNCATION.sub("", paragraphs[-1])
    text = "\n\n".join(part for part in [title, *paragraphs] if part)
    if not text:
        raise DocumentError(
            source, f"PubMed record {pmid or '?'} has neither title nor abstract; remove it"
        )
    journal = article.get("Journal") or {}
    pub_date = (journal.get("JournalIssue") or {}).get("PubDate") or {}
    published = _date(pub_date) or plain(pub_date.get("MedlineDate"))
    electronic = next((_date(d) for d in article.get("ArticleDate") or []), None)
    year = re.search(r"\d{4}", published or electronic or "")
    accessions = [
        plain(number)
        for bank in article.get("DataBankList") or []
        for numbers in bank.get("AccessionNumberList") or []
        for number in ([numbers] if isinstance(numbers, str) else numbers)
    ]
    nct_ids = [a for a in accessions if _NCT_ID.fullmatch(a)] + _NCT_ID.findall(text)
    metadata: dict[str, Any] = {
        "pmid": pmid,
        "doi": _doi(record, article),
        "journal": plain(journal.get("Title")),
        "year": int(year.group()) if year else None,
        "published": published,
        "electronic_date": electronic,
        "date_revised": _date(citation.get("DateRevised")),
        "authors": [a for a in (_author(a) for a in article.get("AuthorList") or []) if a],
        "publication_types": [plain(t) for t in article.get("PublicationTypeList") or []],
        "mesh_terms": [
            plain(heading.get("DescriptorName")) for heading in citation.get("MeshHeadingList", [])
        ],
        "nct_ids": list(dict.fromkeys(nct_ids)),
        "language": ", ".join(plain(language) for language in article.get("Language") or []),
        "copyright": plain(abstract.get("CopyrightInformation")),
        "abstract_truncated": truncated or None,
        "other_abstracts": [
            {
                "type": plain(other.attributes.get("Type")) if hasattr(other, "attributes") else "",
                "language": plain(getattr(other, "attributes", {}).get("Language")),
                "text": " ".join(plain(p) for p in other.get("AbstractText") or []),
            }
            for other in citation.get("OtherAbstract") or []
        ],
    }
    metadata = {key: value for key, value in metadata.items() if value not in (None, "", [])}
    metadata.setdefault("nct_ids", [])
    document = Document(pmid, source, title, text, metadata, "pubmed-xml")
    return PubmedRecord(pmid, metadata.get("date_revised"), document, raw_xml)


def _date(parts: Any) -> str | None:
    """YYYY-MM-DD, YYYY-MM or YYYY from a Year/Month/Day element; None without a year."""
    year = plain((parts or {}).get("Year"))
    if not year:
        return None
    month, day = month_number(plain(parts.get("Month"))), plain(parts.get("Day"))
    if not month:
        return year
    if not day.isdigit():
        return f"{year}-{month:02d}"
    return f"{year}-{month:02d}-{int(day):02d}"


def month_number(month: str) -> int | None:
    """1–12 from "09", "9", "Sep" or "September"; None for anything else."""
    month = month.strip()
    if month.isdigit():
        return int(month) if 1 <= int(month) <= 12 else None
    return _MONTHS.get(month[:3].title())


def _doi(record: dict[str, Any], article: dict[str, Any]) -> str:
    for identifier in (record.get("PubmedData") or {}).get("ArticleIdList") or []:
        if getattr(identifier, "attributes", {}).get("IdType") == "doi":
            return plain(identifier)
    for location in article.get("ELocationID") or []:
        if getattr(location, "attributes", {}).get("EIdType") == "doi":
            return plain(location)
    return ""


def _author(author: dict[str, Any]) -> str:
    return plain(author.get("CollectiveName")) or " ".join(
        filter(None, [plain(author.get("LastName")), plain(author.get("Initials"))])
    )
