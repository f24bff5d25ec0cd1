"""Evidence extraction for infant KMT2A-rearranged ALL literature.

from extractor import build_pipeline, extract_document, read_document
evidence = extract_document(read_document("paper.txt"), build_pipeline())

from extractor import EutilsClient, PubmedQuery, harvest_pubmed, open_store
with EutilsClient(email="you@example.org") as client:
    summary = harvest_pubmed(open_store("evidence.db"), client, PubmedQuery("infant KMT2A"))
"""

from extractor.corpus import Corpus, load_corpus
from extractor.documents import Document, read_document, read_documents
from extractor.errors import DocumentError, ExtractorError
from extractor.extract import extract_document, extract_documents
from extractor.harvest.eutils import EutilsClient
from extractor.harvest.pubmed import PubmedQuery, harvest_pubmed
from extractor.harvest.sources import HarvestOptions, harvest_corpus
from extractor.nlp.pipeline import PIPELINE_VERSION, build_pipeline
from extractor.runner import run_corpus
from extractor.store import open_store
from extractor.version import __version__

__all__ = [
    "PIPELINE_VERSION",
    "Corpus",
    "Document",
    "DocumentError",
    "EutilsClient",
    "ExtractorError",
    "HarvestOptions",
    "PubmedQuery",
    "__version__",
    "build_pipeline",
    "extract_document",
    "extract_documents",
    "harvest_corpus",
    "harvest_pubmed",
    "load_corpus",
    "open_store",
    "read_document",
    "read_documents",
    "run_corpus",
]
