"""Evidence extraction for infant KMT2A-rearranged ALL literature.

from extractor import build_pipeline, extract_document, read_document
evidence = extract_document(read_document("paper.txt"), build_pipeline())
"""

from extractor.corpus import Corpus, load_corpus
from extractor.documents import Document, read_document, read_documents
from extractor.errors import DocumentError, ExtractorError
from extractor.extract import extract_document, extract_documents
from extractor.nlp.pipeline import PIPELINE_VERSION, build_pipeline
from extractor.runner import run_corpus
from extractor.version import __version__

__all__ = [
    "PIPELINE_VERSION",
    "Corpus",
    "Document",
    "DocumentError",
    "ExtractorError",
    "__version__",
    "build_pipeline",
    "extract_document",
    "extract_documents",
    "load_corpus",
    "read_document",
    "read_documents",
    "run_corpus",
]
