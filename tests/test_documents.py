"""Reading txt, HTML, PubMed XML and JSON files into Documents, and the errors on bad files."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from extractor.documents import (
    SUPPORTED_SUFFIXES,
    Document,
    find_documents,
    read_document,
    read_documents,
)
from extractor.errors import DocumentError, ExtractorError

DATA = Path(__file__).parent / "data" / "documents"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to open a connection (e.g. to fetch the PubMed DTD)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("documents.py must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- what each format yields --------------------------------------------------------------

SINGLE_DOCUMENTS = [
    # file, id, format, title, metadata subset
    (
        "infant-trial-news.txt",
        "infant-trial-news",
        "txt",
        "Infant leukaemia trial adds an antibody to chemotherapy",
        {},
    ),
    (
        "infant-trial-news.html",
        "infant-trial-news",
        "html",
        "Antibody & chemotherapy for babies with ALL | Example Health News",
        {
            "description": "A short, invented news item about an infant leukaemia study.",
            "author": "A. Reporter",
            "published": "2024-05-02T09:30:00Z",
            "doi": "10.9999/example.2024.001",  # the "doi:" prefix is dropped
            "pmid": "99990001",
            "url": "https://news.example.org/2024/infant-all",  # canonical beats og:url
            "language": "en",
        },
    ),
    (
        "pubmed-structured.xml",
        "pubmed-structured",
        "pubmed-xml",
        "Adding an antibody to an Interfant-style backbone in infants with KMT2A-rearranged ALL.",
        {
            "pmid": "99990002",
            "doi": "10.9999/jiph.2023.0042",  # from ArticleIdList
            "journal": "Journal of Imaginary Paediatric Haematology",
            "year": 2023,  # from <MedlineDate>2023 Nov-Dec</MedlineDate>
            "publication_types": ["Journal Article", "Clinical Trial, Phase II"],
            "mesh_terms": ["Infant", "Precursor Cell Lymphoblastic Leukemia-Lymphoma"],
            "nct_ids": ["NCT09999999"],  # from DataBankList
            "language": "eng",
            "authors": ["Example A", "Invented Infant ALL Group"],
        },
    ),
    (
        "curated-note.json",
        "note-001",
        "json",
        "Curator's summary of an invented infant study",
        {"kind": "curated", "year": 2024, "curator": "initials only"},
    ),
]


@pytest.mark.parametrize(("name", "id", "format", "title", "metadata"), SINGLE_DOCUMENTS)
def test_read_document(name: str, id: str, format: str, title: str, metadata: dict) -> None:
    document = read_document(DATA / name)
    assert isinstance(document, Document)
    assert (document.id, document.format, document.title) == (id, format, title)
    assert metadata.items() <= document.metadata.items()
    assert read_documents(DATA / name) == [document]


@pytest.mark.parametrize("name", [row[0] for row in SINGLE_DOCUMENTS])
def test_source_is_the_path_as_given(name: str) -> None:
    given = f"{DATA}/./{name}"
    assert read_document(given).source == given


def test_json_source_key_is_kept_as_metadata() -> None:
    document = read_document(DATA / "curated-note.json")
    assert document.metadata["source"] == "https://curation.example.org/notes/1"


def test_txt_keeps_text_exactly_so_offsets_hold() -> None:
    raw = (DATA / "infant-trial-news.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    document = read_document(DATA / "infant-trial-news.txt")
    assert document.text == raw[3:].decode("utf-8")  # only the BOM goes
    for phrase in ["42\u00a0infants", "15\u00a0\u03bcg/m2 per day", "70.2\u201389.0"]:
        start = document.text.index(phrase)
        assert document.text[start : start + len(phrase)] == phrase
    assert document.text.startswith("\n  Infant leukaemia")  # leading whitespace kept


def test_txt_title_is_capped() -> None:
    document = read_document(DATA / "infant-trial-news.txt")
    assert len(document.title) <= 200
    assert document.title == document.title.strip()


def test_txt_long_first_line_gives_a_200_character_title(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("x" * 500 + "\nbody", encoding="utf-8")
    assert read_document(path).title == "x" * 200


@pytest.mark.parametrize(
    ("present", "absent"),
    [
        ("Antibody added to chemotherapy for babies with ALL", "tracker"),
        ("30\u00a0infants with KMT2A-rearranged leukaemia\u2014all younger", "injected"),
        ("15 \u03bcg/m2 per day & lasted 28 days.", "Menu item"),
        (
            "Endpoint | 2-year EFS | 81.6%",
            "unrelated story",
        ),  # a table: a row, cells split by " | "
        ("Investigators", "enable JavaScript"),
        ("ALL\n\nInvestigators", "All rights reserved"),
        ("year.\n\nThe dose", "Subscribe"),
        ("days.\n\nEndpoint", "color: red"),
    ],
)
def test_html_readable_text(present: str, absent: str) -> None:
    text = read_document(DATA / "infant-trial-news.html").text
    assert present in text
    assert absent not in text
    assert "&amp;" not in text and "&nbsp;" not in text and "<" not in text


def test_html_title_falls_back_to_first_h1(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        "<html><body><nav><h1>Site</h1></nav><h1>Blinatumomab &amp; infants</h1>"
        "<p>One<br>two</p><pre>  a\n  b</pre></body></html>",
        encoding="utf-8",
    )
    document = read_document(path)
    assert document.title == "Blinatumomab & infants"
    assert document.text == "Blinatumomab & infants\n\nOne\n\ntwo\n\n  a\n  b"
    assert document.format == "html"


def test_pubmed_structured_abstract() -> None:
    document = read_document(DATA / "pubmed-structured.xml")
    paragraphs = document.text.split("\n\n")
    assert paragraphs[0] == document.title
    assert [p.split(":")[0] for p in paragraphs[1:]] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert "BACKGROUND: Infants with KMT2A-rearranged ALL relapse often and early." in paragraphs
    assert "15 \u03bcg/m2/day" in document.text  # <sup>2</sup> becomes plain "2"
    assert "hazard ratio was 0.31 versus" in document.text  # <sub> too
    assert "Copyright" not in document.text
    assert "<" not in document.text


def test_pubmed_set_needs_read_documents() -> None:
    with pytest.raises(DocumentError, match=r"holds 2 documents; use read_documents\(\)"):
        read_document(DATA / "pubmed-set.xml")
    first, second = read_documents(DATA / "pubmed-set.xml")
    assert (first.id, second.id) == ("pubmed-set-99990003", "pubmed-set-99990004")
    assert first.metadata["doi"] == "10.9999/ill.2021.7"  # from ELocationID
    assert first.metadata["year"] == 2021
    assert first.metadata["nct_ids"] == ["NCT08888888"]  # found in the abstract text
    assert second.text == second.title == "A letter without an abstract."
    assert "doi" not in second.metadata
    assert second.metadata["nct_ids"] == []


def test_json_list() -> None:
    with pytest.raises(DocumentError, match="read_documents"):
        read_document(DATA / "curated-notes.json")
    first, second = read_documents(DATA / "curated-notes.json")
    assert first.id == "curated-notes-1"
    assert first.title == "First note without an id or title."
    assert first.text == "First note without an id or title.\nIt has a second line."
    assert first.source == str(DATA / "curated-notes.json")
    assert (second.id, second.title, second.metadata) == ("7", "Second note", {"language": "en"})


def test_content_hash_changes_with_text() -> None:
    document = read_document(DATA / "curated-note.json")
    assert len(document.content_hash) == 64
    assert document.content_hash != read_document(DATA / "infant-trial-news.txt").content_hash


# --- errors ---------------------------------------------------------------------------------

PUBMED_HEAD = "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"

BAD_FILES = [
    # file name, content, fragments the message must contain
    ("empty.txt", b"", ["is empty"]),
    ("blank.txt", b"  \n\t\r\n", ["is empty"]),
    ("bom-only.html", b"\xef\xbb\xbf \n", ["is empty"]),
    ("nul.txt", b"abc\x00def", ["is not UTF-8 text (binary file?)"]),
    ("latin1.txt", "caf\xe9 au lait".encode("latin-1"), ["is not UTF-8 text", "offset 3"]),
    ("image.json", b"\x89PNG\r\n\x1a\n\x00\x00", ["binary file?"]),
    (
        "broken.xml",
        PUBMED_HEAD.encode() + b"</PubmedArticleSet>",
        ["not well-formed XML", "line 1"],
    ),
    ("feed.xml", b"<rss><channel/></rss>", ["not a PubMed record", "<rss>", "PubmedArticleSet"]),
    ("no-articles.xml", b"<PubmedArticleSet/>", ["no <PubmedArticle>"]),
    (
        "bomb.xml",
        b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY lol "lol">]>'
        b"<PubmedArticleSet>&lol;</PubmedArticleSet>",
        ["declares XML entities", "refused"],
    ),
    (
        "external.xml",
        b'<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]><r>&secret;</r>',
        ["declares XML entities"],
    ),
    (
        "no-text.xml",
        (
            PUBMED_HEAD + "<Article><ArticleTitle/></Article></MedlineCitation>"
            "</PubmedArticle></PubmedArticleSet>"
        ).encode(),
        ["neither title nor abstract"],
    ),  # fmt: skip
    ("bad.json", b'{"text": "unterminated', ["is not valid JSON", "line 1, column"]),
    ("no-text.json", b'{"title": "only a title"}', ['no non-empty "text"', "expected an object"]),
    ("blank-text.json", b'{"text": "   "}', ['no non-empty "text"']),
    ("numbers.json", b"[1, 2]", ["item 1 of the list is not an object"]),
    ("second-bad.json", b'[{"text": "ok"}, {"id": "x"}]', ["item 2 of the list", '"text"']),
    ("empty-list.json", b"[]", ["empty JSON list"]),
    ("bad-metadata.json", b'{"text": "t", "metadata": [1]}', ['"metadata" that is not an object']),
    ("scripts-only.html", b"<script>x()</script><nav>menu</nav>", ["no readable text"]),
    ("paper.pdf", b"%PDF-1.7", ["unsupported file type '.pdf'", ".html", ".txt", ".xml"]),
    ("notes", b"text", ["unsupported file type '(no suffix)'"]),
]


@pytest.mark.parametrize(("name", "content", "fragments"), BAD_FILES)
def test_bad_files_raise_document_error(
    tmp_path: Path, name: str, content: bytes, fragments: list[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as caught:
        read_documents(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert caught.value.path == str(path)
    for fragment in fragments:
        assert fragment in message
    assert ";" in message or "(" in message  # says what to do or where it went wrong
    assert isinstance(caught.value, ExtractorError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"missing\.txt: does not exist; check the path"):
        read_document(tmp_path / "missing.txt")


def test_folder_is_not_a_document(tmp_path: Path) -> None:
    folder = tmp_path / "corpus.txt"
    folder.mkdir()
    with pytest.raises(DocumentError, match=r"is a folder; use find_documents\(\)"):
        read_document(folder)


def test_uppercase_suffix_is_supported(tmp_path: Path) -> None:
    path = tmp_path / "NOTE.TXT"
    path.write_text("Title\n\nBody", encoding="utf-8")
    assert read_document(path).format == "txt"


# --- finding documents ----------------------------------------------------------------------


def test_find_documents_orders_and_skips(tmp_path: Path) -> None:
    for relative in [
        "b.txt",
        "a.html",
        "news/z.htm",
        "news/2024/a.txt",
        "pubmed/records.XML",
        "gold.json",
        "corpus.toml",
        "README.md",
        "paper.pdf",
        ".hidden.txt",
        ".cache/c.txt",
        "news/.drafts/d.txt",
    ]:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("text", encoding="utf-8")
    found = find_documents(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.html",
        "b.txt",
        "gold.json",
        "news/2024/a.txt",
        "news/z.htm",
        "pubmed/records.XML",
    ]
    assert all(p.suffix.lower() in SUPPORTED_SUFFIXES for p in found)


def test_find_documents_in_a_hidden_parent_folder(tmp_path: Path) -> None:
    corpus = tmp_path / ".library" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "a.txt").write_text("text", encoding="utf-8")
    assert find_documents(str(corpus)) == [corpus / "a.txt"]


def test_find_documents_reads_the_fixture_folder() -> None:
    names = [p.name for p in find_documents(DATA)]
    assert names == sorted(names)
    assert "pubmed-structured.xml" in names
    for path in find_documents(DATA):
        assert read_documents(path)


@pytest.mark.parametrize(("make", "reason"), [(False, "does not exist"), (True, "is not a folder")])
def test_find_documents_needs_a_folder(tmp_path: Path, make: bool, reason: str) -> None:
    target = tmp_path / "corpus"
    if make:
        target.write_text("a file", encoding="utf-8")
    with pytest.raises(DocumentError, match=reason):
        find_documents(target)
