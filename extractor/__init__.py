"""Evidence extraction for infant KMT2A-rearranged ALL literature.

from extractor import build_pipeline, extract_document, read_document
evidence = extract_document(read_document("paper.txt"), build_pipeline())

from extractor import EutilsClient, PubmedQuery, harvest_pubmed, open_store
with EutilsClient(email="you@example.org") as client:
    summary = harvest_pubmed(open_store("evidence.db"), client, PubmedQuery("infant KMT2A"))

from extractor import comparison_rows, export_comparison, open_store, save_survival_plot
db = open_store("evidence.db")
rows = comparison_rows(db, "survival_by_study", endpoint="DFS", timepoint_months=24)
save_survival_plot(rows, "dfs.png")
export_comparison(db, "xlsx", "comparison.xlsx", study="Interfant-06")
"""

from extractor.comparison import COMPARISON_VIEWS, comparison_rows
from extractor.corpus import Corpus, load_corpus
from extractor.documents import Document, read_document, read_documents
from extractor.errors import DocumentError, ExtractorError
from extractor.export import export_comparison
from extractor.extract import extract_document, extract_documents
from extractor.findings import link_studies
from extractor.harvest.eutils import EutilsClient
from extractor.harvest.pubmed import PubmedQuery, harvest_pubmed
from extractor.harvest.sources import HarvestOptions, harvest_corpus
from extractor.linking import CatalogueStudy
from extractor.nlp.pipeline import PIPELINE_VERSION, build_pipeline
from extractor.plot import render_survival, save_survival_plot, survival_forest
from extractor.runner import run_corpus
from extractor.store import open_store
from extractor.version import __version__

__all__ = [
    "COMPARISON_VIEWS",
    "PIPELINE_VERSION",
    "CatalogueStudy",
    "Corpus",
    "Document",
    "DocumentError",
    "EutilsClient",
    "ExtractorError",
    "HarvestOptions",
    "PubmedQuery",
    "__version__",
    "build_pipeline",
    "comparison_rows",
    "export_comparison",
    "extract_document",
    "extract_documents",
    "harvest_corpus",
    "harvest_pubmed",
    "link_studies",
    "load_corpus",
    "open_store",
    "read_document",
    "read_documents",
    "render_survival",
    "run_corpus",
    "save_survival_plot",
    "survival_forest",
]
