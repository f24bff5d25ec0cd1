"""Serving the evidence database with Datasette, read-only, described by metadata.

``datasette_metadata`` describes every table, view and column (units included), sets sort
orders, facets and label columns, and defines the canned queries that compare studies;
``datasette_instance`` opens a database with it and with the plugin of
``extractor.datasette_plugin`` (source pages, forest plots, links between findings and their
sources). ``serve`` runs it until interrupted; ``serve_in_background`` runs it on a loopback
port in a thread, for tests and notebooks.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn
from datasette.app import Datasette
from datasette.plugins import pm

from extractor import datasette_plugin
from extractor.errors import ConfigError
from extractor.evidence import EVIDENCE_KINDS, PROVENANCE_FIELDS
from extractor.study_store import FINDING_COLUMNS, VIEW_COLUMNS

PLUGIN_NAME = "extractor"

# One description per column name; _TABLE_COLUMNS below says where a name means something else.
COLUMN_DESCRIPTIONS: dict[str, str] = {
    "id": "Row id",
    "document_id": "Document the fact was read from (documents.id)",
    "text": "The exact text of the fact in the document",
    "start": "Character offset where the fact starts in documents.text",
    "end": "Character offset where the fact ends in documents.text (exclusive)",
    "sentence": "The sentence the fact was read from",
    "sentence_start": "Character offset where the sentence starts in documents.text",
    "sentence_end": "Character offset where the sentence ends in documents.text (exclusive)",
    "extractor_version": "Version of the extractor and pipeline that produced the fact",
    "run_id": "Extraction run that stored the fact (extraction_runs.id)",
    "name": "Drug, normalised to one lower-case generic name",
    "drugbank_id": "DrugBank id of the drug",
    "mesh_id": "MeSH id of the drug",
    "medline_plus_id": "MedlinePlus id of the drug",
    "drug": "Drug the dose is for, as a lower-case generic name",
    "amount": "Dose amount, in the unit of the unit column",
    "amount_max": "Upper end of a dose range, in the unit of the unit column",
    "unit": "Dose unit in one notation (μg/m2/day, mg/m2, mg/kg, IU/m2...)",
    "route": "Route of administration (oral, intravenous, continuous infusion...)",
    "frequency": "How often the dose is given (daily, every 12 hours...)",
    "schedule": "How often and how long the dose is given (every 12 hours, one 28-day course...)",
    "duration_days": "Duration of the course, in days",
    "days": "Days of the cycle the dose is given on, as written (days 1-7...)",
    "n": "Number of patients",
    "role": "Cohort role: total, arm, control, subgroup or planned",
    "description": "What the cohort is, in the document's words",
    "endpoint": "Survival endpoint code (EFS, OS, DFS, RFS, PFS, LFS, CIR; see endpoints)",
    "endpoint_name": "Survival endpoint in words",
    "timepoint_months": "Timepoint of the estimate, in months",
    "timepoint_inferred": "1 when the timepoint is the one the document states for all its "
    "figures rather than this one's",
    "value_pct": "Value in percent (0-100)",
    "ci_low": "Lower bound of the 95% confidence interval, in percent",
    "ci_high": "Upper bound of the 95% confidence interval, in percent",
    "se": "Standard error, in percentage points",
    "qualifier": "Qualifier of the estimate as written (estimated, cumulative...)",
    "arm": "Treatment arm or group the figure belongs to",
    "arm_role": "Role of the arm: experimental, control or overall (all patients)",
    "study": "Trial or study name",
    "study_id": "Study the finding belongs to (studies.id); empty when no study could be named",
    "value": "Hazard ratio (no unit)",
    "p_value": "P value (no unit)",
    "derived_from": "The stated risk reduction the hazard ratio was derived from, if derived",
    "event": "Adverse event, as named in the document",
    "grade_min": "Lowest CTCAE grade counted (grade 3 means grade 3 or higher)",
    "measure": "Response measure (complete remission, MRD negativity...)",
    "timepoint": "When the response was measured, as written (end of induction...)",
    "median_months": "Median follow-up, in months",
    "range_low_months": "Shortest follow-up, in months",
    "range_high_months": "Longest follow-up, in months",
    "year": "Year of the earliest source reporting the finding",
    "sources": "Documents reporting the finding (documents.id), separated by '; '",
    "source_count": "Number of documents reporting the finding",
    "source_kinds": "Kinds of the reporting documents (paper, news...), separated by ', '",
    "conflicts": "How the sources disagree (e.g. on the CI), when they do; empty when they agree",
    "finding_id": "Id of the finding in its findings table; links to its sources",
}

_TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {
        "id": "Document id: pmid:<PMID> for PubMed records, news:<site>/<hash> for news "
        "articles, the file name otherwise",
        "source": "Where the document was read from: URL or file path",
        "title": "Title",
        "format": "Format the text was read from (pubmed-xml, html, txt, json)",
        "text": "Full text as read; every offset in the evidence tables indexes this text",
        "metadata": "JSON: PMID, DOI, journal, year, authors, NCT ids (papers); URL, site, "
        "published date (news)",
        "content_hash": "SHA-256 of the text",
        "added_at": "When the document was first stored (UTC, ISO 8601)",
        "updated_at": "When the document was last stored (UTC, ISO 8601)",
        "extracted_hash": "content_hash of the text its evidence was extracted from",
        "extracted_version": "Extractor version its evidence was extracted with",
    },
    "extraction_runs": {
        "id": "Run id",
        "pipeline_version": "Version of the NLP pipeline",
        "corpus": "Corpus or folder extracted",
        "started_at": "Start time (UTC, ISO 8601)",
        "finished_at": "End time (UTC, ISO 8601); empty if the run did not finish",
        "documents_ok": "Number of documents extracted",
        "documents_failed": "Number of documents that failed",
        "counts": "JSON: rows stored per evidence table",
    },
    "extraction_errors": {
        "run_id": "Run the error happened in (extraction_runs.id)",
        "path": "File that could not be read or extracted",
        "document_id": "Document id, when the file was read",
        "error": "What went wrong",
        "occurred_at": "When (UTC, ISO 8601)",
    },
    "harvests": {
        "id": "Harvest id",
        "source": "pubmed or news",
        "query": "The Entrez search term, or the news sources",
        "mindate": "Earliest publication date searched",
        "maxdate": "Latest publication date searched",
        "started_at": "Start time (UTC, ISO 8601)",
        "finished_at": "End time (UTC, ISO 8601)",
        "status": "running, finished or failed",
        "found": "Number of items the search found",
        "new": "Number of new documents stored",
        "revised": "Number of documents stored again because their record was revised",
        "unchanged": "Number of items skipped as unchanged",
        "failed": "Number of items that failed",
        "skipped": "Number of items skipped (off-topic, disallowed, duplicate)",
        "fetched": "Number of items fetched",
        "requests": "Number of HTTP requests made",
        "retries": "Number of HTTP requests retried",
        "items": "JSON list of the PMIDs or URLs the search found",
        "error": "Why the harvest stopped, if it failed",
    },
    "harvest_failures": {
        "harvest_id": "Harvest (harvests.id)",
        "item": "PMID or URL that failed",
        "error": "What went wrong",
        "occurred_at": "When (UTC, ISO 8601)",
    },
    "pubmed_records": {
        "pmid": "PubMed id",
        "document_id": "Document stored from the record (documents.id)",
        "date_revised": "The record's DateRevised, to fetch it again only when revised",
        "raw_xml": "The record's PubMed XML as fetched",
        "fetched_at": "When fetched (UTC, ISO 8601)",
        "harvest_id": "Harvest that fetched it (harvests.id)",
    },
    "news_pages": {
        "url": "URL of the page as listed in the feed",
        "canonical_url": "The page's canonical URL",
        "feed_url": "Feed that listed the page",
        "document_id": "Document stored from the page (documents.id)",
        "status": "stored, duplicate, off-topic, disallowed or failed",
        "etag": "ETag validator, for conditional GET",
        "last_modified": "Last-Modified validator, for conditional GET",
        "content_hash": "SHA-256 of the article text",
        "fetched_at": "When fetched (UTC, ISO 8601)",
        "harvest_id": "Harvest that fetched it (harvests.id)",
    },
    "endpoints": {"code": "Endpoint code", "name": "Endpoint in words"},
    "studies": {
        "id": "Study slug, e.g. interfant-06",
        "name": "Study name as usually written",
        "aliases": "JSON list of other names the study goes by",
        "nct_ids": "JSON list of ClinicalTrials.gov ids",
        "registry_ids": "JSON list of other registry ids (EudraCT, UMIN...)",
        "phase": "Trial phase",
        "design": "Design (randomised, single-arm, historical control...)",
        "intervention": "What the study tested",
        "first_year": "Year the study started or was first reported",
        "documents": "Number of documents reporting the study",
    },
    "document_studies": {
        "document_id": "Document (documents.id)",
        "study_id": "Study (studies.id)",
        "role": "reports (the document gives the study's results) or mentions",
        "via": "How the link was found: title, text, databank, registry number, cited paper "
        "or catalogue",
        "evidence": "The text that links the document to the study",
        "start": "Character offset where the evidence starts in documents.text",
        "end": "Character offset where the evidence ends in documents.text (exclusive)",
    },
    "finding_sources": {
        "finding_table": "Findings table of the finding (survival_findings, dose_findings, "
        "cohort_findings)",
        "finding_id": "Id of the finding in its findings table",
        "fact_table": "Evidence table of the fact (survival_estimates, doses, cohorts)",
        "fact_id": "Id of the fact in its evidence table",
        "document_id": "Document the fact was read from (documents.id)",
        "attributed_by": "How the fact was attributed to the study (text, title, cited paper...)",
    },
    "cohorts_by_study": {"n": "Number of patients in the cohort"},
    "cohort_findings": {"n": "Number of patients in the cohort"},
    "survival_by_study": {
        "n": "Number of patients the estimate is for",
        "value_pct": "Survival (or cumulative incidence for CIR), in percent",
    },
    "survival_findings": {
        "n": "Number of patients the estimate is for",
        "value_pct": "Survival (or cumulative incidence for CIR), in percent",
    },
    "survival_estimates": {
        "value_pct": "Survival (or cumulative incidence for CIR), in percent",
        "study": "Trial the document names for this figure, as written",
        "n": "Number of patients the estimate is for",
    },
    "hazard_ratios": {
        "endpoint": "Endpoint the hazard ratio is for",
        "ci_low": "Lower bound of the 95% confidence interval (no unit)",
        "ci_high": "Upper bound of the 95% confidence interval (no unit)",
    },
    "adverse_events": {
        "value_pct": "Patients with the event, in percent",
        "n": "Number of patients with the event",
    },
    "response_rates": {
        "value_pct": "Patients responding, in percent",
        "n": "Number of patients assessed",
    },
}

EVIDENCE_FACETS: dict[str, list[str]] = {
    "survival_estimates": ["endpoint", "timepoint_months", "document_id"],
    "doses": ["drug", "unit", "route"],
    "cohorts": ["role", "document_id"],
    "drug_mentions": ["name", "document_id"],
    "hazard_ratios": ["endpoint"],
    "adverse_events": ["event", "grade_min"],
    "response_rates": ["measure"],
}


# The canned queries: named parameters only; a blank parameter matches everything.
SURVIVAL_ACROSS_STUDIES = """\
SELECT finding_id, study, arm, arm_role, endpoint, timepoint_months, value_pct, ci_low, ci_high,
  se, n, year, source_count, source_kinds, conflicts, sources
FROM survival_by_study
WHERE (:endpoint = '' OR lower(endpoint) = lower(:endpoint))
  AND (:timepoint_months = '' OR timepoint_months = CAST(:timepoint_months AS REAL))
  AND (:study = '' OR lower(study) = lower(:study) OR lower(study_id) = lower(:study))
ORDER BY endpoint, timepoint_months, study, arm"""

DOSES_OF_DRUG = """\
SELECT finding_id, drug, study, amount, amount_max, unit, route, schedule, duration_days, year,
  sources, source_kinds, source_count, study_id
FROM dosing_by_study
WHERE :drug = '' OR lower(drug) = lower(:drug)
ORDER BY drug, study, amount"""

COHORTS_OF_STUDY = """\
SELECT finding_id, study, arm, role, n, description, year, sources, source_kinds, source_count,
  study_id
FROM cohorts_by_study
WHERE :study = '' OR lower(study) = lower(:study) OR lower(study_id) = lower(:study)
ORDER BY study, role, n DESC"""

SOURCES_OF_FINDING = """\
SELECT fs.finding_table, fs.finding_id, fs.document_id, d.title AS document_title, fs.text,
  fs.sentence, fs.start, fs.[end], fs.attributed_by, fs.fact_table, fs.fact_id
FROM finding_sources fs
LEFT JOIN documents d ON d.id = fs.document_id
WHERE fs.finding_table = :table AND fs.finding_id = CAST(:finding_id AS INTEGER)
ORDER BY fs.document_id, fs.start"""

STUDIES_OVERVIEW = """\
SELECT s.name AS study, s.id AS study_id, s.phase, s.design, s.intervention, s.first_year,
  s.nct_ids, s.registry_ids,
  (SELECT group_concat(document_id, '; ') FROM (
     SELECT DISTINCT document_id FROM document_studies
     WHERE study_id = s.id AND role = 'reports' ORDER BY document_id)) AS reported_in,
  (SELECT group_concat(document_id, '; ') FROM (
     SELECT DISTINCT document_id FROM document_studies
     WHERE study_id = s.id AND role = 'mentions' ORDER BY document_id)) AS mentioned_in,
  (SELECT count(*) FROM survival_findings f WHERE f.study_id = s.id) AS survival_findings,
  (SELECT count(*) FROM dose_findings f WHERE f.study_id = s.id) AS dose_findings,
  (SELECT count(*) FROM cohort_findings f WHERE f.study_id = s.id) AS cohort_findings
FROM studies s
ORDER BY s.name"""

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "survival_across_studies": {
        "title": "Survival across studies",
        "description": "One endpoint at one timepoint, study by study and arm by arm, with the "
        "95% CI, the number of patients and the documents reporting each figure. endpoint: "
        "EFS, OS, DFS, RFS, PFS, LFS or CIR; timepoint_months: e.g. 24; study: a name or id. "
        "Leave a parameter blank for all. The forest plot below the table shows the same rows.",
        "sql": SURVIVAL_ACROSS_STUDIES,
        "params": ["endpoint", "timepoint_months", "study"],
        "hide_sql": True,
    },
    "doses_of_drug": {
        "title": "Doses of a drug",
        "description": "Every dose of a drug across studies: amount, unit, route and schedule, "
        "with the documents reporting it. drug: a generic name such as blinatumomab; blank for "
        "every drug.",
        "sql": DOSES_OF_DRUG,
        "params": ["drug"],
        "hide_sql": True,
    },
    "cohorts_of_study": {
        "title": "Cohorts by study",
        "description": "Cohort sizes (patients) study by study: arms, controls and totals. "
        "study: a name or id; blank for every study.",
        "sql": COHORTS_OF_STUDY,
        "params": ["study"],
        "hide_sql": True,
    },
    "sources_of_finding": {
        "title": "Sources of a finding",
        "description": "Every fact that reports a finding, with its document, sentence and "
        "character offsets; each fact links to its place in the document. table: "
        "survival_findings, dose_findings or cohort_findings; finding_id: the finding's id.",
        "sql": SOURCES_OF_FINDING,
        "params": ["table", "finding_id"],
        "hide_sql": True,
    },
    "studies_overview": {
        "title": "Studies overview",
        "description": "Each study: phase, design, registry ids, the documents reporting or "
        "mentioning it, and how many survival, dose and cohort findings it has.",
        "sql": STUDIES_OVERVIEW,
        "hide_sql": True,
    },
}


def _described(table: str, columns: Iterable[str]) -> dict[str, str]:
    own = _TABLE_COLUMNS.get(table, {})
    return {c: own.get(c) or COLUMN_DESCRIPTIONS[c] for c in columns}


def _evidence_tables() -> dict[str, Any]:
    provenance = ("document_id", *PROVENANCE_FIELDS, "extractor_version", "run_id")
    return {
        kind.table: {
            "description": kind.description,
            "columns": _described(kind.table, ("id", *kind.columns, *provenance)),
            "facets": EVIDENCE_FACETS.get(kind.table, []),
            "sort": "document_id",
        }
        for kind in EVIDENCE_KINDS
    }


def _study_tables() -> dict[str, Any]:
    finding_descriptions = {
        "survival_findings": "Survival results, one row per result however many documents "
        "report it; finding_sources lists the facts behind each.",
        "dose_findings": "Doses, one row per dose of a drug in a study however many documents "
        "report it.",
        "cohort_findings": "Cohort sizes, one row per cohort of a study however many documents "
        "report it.",
    }
    tables: dict[str, Any] = {
        name: {
            "description": description,
            "columns": _described(name, ("id", *FINDING_COLUMNS[name])),
            "facets": ["study_id"],
        }
        for name, description in finding_descriptions.items()
    }
    tables["studies"] = {
        "description": "Trials and studies the documents report on or mention.",
        "columns": _described("studies", _TABLE_COLUMNS["studies"]),
        "label_column": "name",
        "sort": "name",
        "facets": ["phase", "design"],
    }
    tables["document_studies"] = {
        "description": "Which documents report on or mention which study, and how we know.",
        "columns": _described("document_studies", ("id", *_TABLE_COLUMNS["document_studies"])),
        "facets": ["role", "via", "study_id"],
        "sort": "document_id",
    }
    tables["endpoints"] = {
        "description": "Survival endpoints: codes and names.",
        "columns": _described("endpoints", ("code", "name")),
        "label_column": "name",
    }
    tables["finding_sources"] = {
        "description": "Each fact that reports a finding: its document, text, sentence and "
        "offsets.",
        "columns": _described(
            "finding_sources",
            (
                "id",
                *_TABLE_COLUMNS["finding_sources"],
                "text",
                "start",
                "end",
                "sentence",
            ),
        ),
        "facets": ["finding_table", "document_id"],
        "sort": "finding_id",
    }
    views = {
        "survival_by_study": (
            "Survival results study by study: one row per result, with its arm, endpoint, "
            "timepoint, value and CI in percent, patients and sources.",
            ["endpoint", "timepoint_months", "study", "arm_role"],
            "endpoint",
        ),
        "dosing_by_study": (
            "Doses study by study: one row per dose of a drug, with unit, route, schedule and "
            "sources.",
            ["drug", "study", "unit", "route"],
            "drug",
        ),
        "cohorts_by_study": (
            "Cohort sizes study by study: arms, controls and totals, in patients.",
            ["study", "role"],
            "study",
        ),
    }
    for name, (description, facets, sort) in views.items():
        tables[name] = {
            "description": description,
            "columns": _described(name, VIEW_COLUMNS[name]),
            "facets": facets,
            "sort": sort,
        }
    return tables


def _ledger_tables() -> dict[str, Any]:
    descriptions = {
        "documents": "Documents as read: their text is what offsets index.",
        "extraction_runs": "Each extraction run, its pipeline version and counts.",
        "extraction_errors": "Files that could not be read or extracted, and why.",
        "harvests": "Each harvest of PubMed or news: when, what it searched, how many items.",
        "harvest_failures": "Items a harvest could not fetch, and why.",
        "pubmed_records": "Each PubMed record fetched, with its revision date and XML.",
        "news_pages": "Each news page fetched, its validators and what became of it.",
    }
    tables: dict[str, Any] = {}
    for name, description in descriptions.items():
        columns = _TABLE_COLUMNS[name]
        if "id" not in columns and name not in ("pubmed_records", "news_pages"):
            columns = {"id": COLUMN_DESCRIPTIONS["id"], **columns}
        tables[name] = {"description": description, "columns": _described(name, columns)}
    tables["documents"] |= {"label_column": "title", "sort_desc": "updated_at"}
    tables["documents"]["facets"] = ["format"]
    for name in ("extraction_runs", "extraction_errors", "harvests", "harvest_failures"):
        tables[name]["sort_desc"] = "id"
    return tables


def datasette_metadata(database: str) -> dict[str, Any]:
    """Titles, descriptions, units, sort orders, facets and canned queries for the database."""
    return {
        "title": "Infant KMT2A-r ALL evidence",
        "description": "Drugs, doses, cohorts and survival figures from papers and news, "
        "compared study by study, each traced to its sentence.",
        "databases": {
            database: {
                "description": "Start with the canned queries: survival across studies (with "
                "a forest plot), doses of a drug, cohorts by study, the sources of a finding "
                "and an overview of the studies.",
                "tables": {**_ledger_tables(), **_evidence_tables(), **_study_tables()},
                "queries": CANNED_QUERIES,
            }
        },
    }


def register_plugin() -> None:
    """Register the plugin with Datasette unless its entry point already did."""
    if not pm.is_registered(datasette_plugin) and pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(datasette_plugin, name=PLUGIN_NAME)


def datasette_instance(db_path: str | Path, *, live: bool = False) -> Datasette:
    """A Datasette on the database file, with our metadata and plugin.

    The file is opened immutable (read-only, never locked); ``live`` opens it read-only but
    mutable instead, so that what a concurrent ``extractor run`` writes shows up.
    """
    path = Path(db_path)
    if not path.is_file():
        raise ConfigError(f"no evidence database at {path}; create it with `extractor run`")
    register_plugin()
    return Datasette(
        files=[str(path)] if live else [],
        immutables=[] if live else [str(path)],
        metadata=datasette_metadata(path.stem),
        settings={"default_page_size": 100, "truncate_cells_html": 400},
    )


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    *,
    live: bool = False,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run Datasette on the database until interrupted; ``announce`` is told its URL first."""
    datasette = datasette_instance(db_path, live=live)
    asyncio.run(datasette.invoke_startup())
    if announce is not None:
        announce(_url(host, port))
    uvicorn.run(datasette.app(), host=host, port=port, log_level="info", lifespan="on")


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class RunningServer:
    """Datasette served by uvicorn in a background thread; a context manager that stops it."""

    def __init__(
        self, datasette: Datasette, server: uvicorn.Server, thread: threading.Thread, url: str
    ) -> None:
        self.datasette = datasette
        self.url = url
        self._server = server
        self._thread = thread

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to finish its requests and stop; wait for its thread."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_background(
    db_path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    live: bool = False,
    timeout: float = 30.0,
) -> RunningServer:
    """Serve the database on ``host`` in a thread; port 0 picks a free port. Returns once the
    server accepts connections; its ``url`` ends with "/"."""
    datasette = datasette_instance(db_path, live=live)
    asyncio.run(datasette.invoke_startup())
    # Binding here, not in uvicorn, tells us the port before the thread starts.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="extractor-serve", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise ConfigError(f"Datasette did not start on {host}:{bound_port}; see the log above")
        time.sleep(0.02)
    return RunningServer(datasette, server, thread, _url(host, bound_port))
