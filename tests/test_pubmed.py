"""PubMed XML read with Bio.Entrez against its bundled DTDs: fields, plain text, raw XML."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from extractor.errors import DocumentError
from extractor.pubmed import _BundledDTDsOnly, parse_pubmed_xml

FEATURES = Path(__file__).parent / "data" / "pubmed" / "efetch-features.xml"


@pytest.fixture(scope="module")
def batch():
    return parse_pubmed_xml(FEATURES.read_bytes(), str(FEATURES))


def test_structured_abstract_becomes_labelled_plain_paragraphs(batch):
    document = batch.records[0].document
    assert document.text.split("\n\n") == [
        "Blinatumomab after induction for infants with KMT2A-rearranged ALL aged <1 year.",
        "BACKGROUND: Infants with KMT2A-rearranged leukaemia relapse early.",
        "METHODS: Thirty infants received one course of blinatumomab at 15 \u03bcg/m2/day, and "
        "the area was 1.2 m2; water is H2O.",
        "RESULTS: The 2-year disease-free survival was 81.6% (95% CI, 70.2-94.9) and minimal "
        "residual disease fell to <10-4 in most infants.",
    ]
    assert document.title == document.text.split("\n\n")[0]  # "&lt;1" is text, not markup


def test_metadata_of_a_full_record(batch):
    metadata = batch.records[0].document.metadata
    assert metadata["pmid"] == "99990101"
    assert metadata["doi"] == "10.9999/iji.2023.0101"
    assert metadata["journal"] == "Illustrative journal of infant haematology"
    assert (metadata["published"], metadata["year"]) == ("2023 Mar-Apr", 2023)  # MedlineDate
    assert metadata["electronic_date"] == "2023-01-19"
    assert metadata["date_revised"] == batch.records[0].date_revised == "2024-11-07"
    assert metadata["authors"] == ["Example A", "Illustrative Infant Leukaemia Group"]
    assert metadata["publication_types"] == ["Journal Article", "Clinical Trial, Phase II"]
    assert metadata["mesh_terms"] == ["Infant", "Precursor Cell Lymphoblastic Leukemia-Lymphoma"]
    assert metadata["nct_ids"] == ["NCT09999901"]  # from DataBankList
    assert metadata["language"] == "eng"
    assert metadata["copyright"].startswith("Copyright \u00a9 2023")
    assert metadata["abstract_truncated"] is True  # the marker is cut from the text
    assert metadata["other_abstracts"] == [
        {
            "type": "Publisher",
            "language": "fre",
            "text": "Les nourrissons ont recu du blinatumomab.",
        }
    ]


def test_raw_xml_is_each_article_exactly_as_sent(batch):
    raw = FEATURES.read_text(encoding="utf-8")
    for record in batch.records:
        assert record.raw_xml in raw
        assert record.raw_xml.startswith("<PubmedArticle>")
        assert record.raw_xml.endswith("</PubmedArticle>")
    assert "<sup>2</sup>" in batch.records[0].raw_xml


def test_a_record_without_text_fails_alone_and_deletions_are_listed(batch):
    assert [r.pmid for r in batch.records] == ["99990101", "99990102"]
    assert batch.records[1].document.text == "A letter that has no abstract."
    assert batch.records[1].document.metadata["published"] == "2021-12-05"
    assert batch.records[1].document.metadata["language"] == "eng, ger"
    assert batch.failures == [
        ("99990103", "PubMed record 99990103 has neither title nor abstract; remove it")
    ]
    assert batch.deleted == ["99990104"]


def test_a_file_without_a_doctype_is_read_against_the_bundled_dtd():
    bare = b"".join(
        line for line in FEATURES.read_bytes().splitlines(keepends=True) if b"DOCTYPE" not in line
    )
    assert [r.pmid for r in parse_pubmed_xml(bare, "bare.xml").records] == ["99990101", "99990102"]


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<!ELEMENT Anything ANY>")

    def log_message(self, *args: object) -> None:
        pass


def test_no_dtd_is_ever_fetched():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dtd_url = f"http://127.0.0.1:{server.server_port}/dtd/pubmed_990101.dtd"
    try:
        declared = FEATURES.read_bytes().replace(
            b"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd", dtd_url.encode()
        )
        assert len(parse_pubmed_xml(declared, "x").records) == 2  # read against our DTD
        handler = _BundledDTDsOnly(validate=False, escape=True, ignore_errors=False)
        unknown = f'<?xml version="1.0"?>\n<!DOCTYPE X SYSTEM "{dtd_url}">\n<X/>'.encode()
        with pytest.raises(DocumentError, match="never downloaded"):
            handler.read(io.BytesIO(unknown))
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.requests == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<PubmedArticleSet><PubmedArticle>", "not well-formed XML"),
        (b"<eSearchResult><Count>0</Count></eSearchResult>", "root element <eSearchResult>"),
        (b"<PubmedArticleSet/>", "holds no <PubmedArticle>"),
        (
            b'<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaa">]><PubmedArticleSet/>',
            "declares XML entities",
        ),
    ],
)
def test_bad_answers_are_clear_errors(content, message):
    with pytest.raises(DocumentError, match=message):
        parse_pubmed_xml(content, "answer.xml")
