"""Datasette on the evidence database: in-process, and as a real server on 127.0.0.1.

Most tests share one real server (uvicorn in a thread, real sockets) on the comparison database
of tests/comparison_db.py: the canned queries, metadata, facets, the plugin's links, source page
and forest plot, and that the database cannot be written.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.metadata
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from datasette.app import Datasette
from datasette.plugins import pm

from extractor import datasette_plugin
from extractor.documents import Document
from extractor.errors import ConfigError
from extractor.serve import (
    RunningServer,
    datasette_instance,
    datasette_metadata,
    serve_in_background,
)
from extractor.store import open_store, save_document_evidence
from tests.comparison_db import NEWS_ID, PAPER_ID, PAPER_TEXT, build_comparison_db

TEXT = "The 2-year DFS was 81.6% and the 2-year OS was 93.3%."
BLINA = "Interfant-06 + blinatumomab"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "evidence.db"
    db = open_store(path)
    survival = [
        {
            "endpoint": e,
            "timepoint_months": 24.0,
            "value_pct": v,
            "text": f"{v}%",
            "start": TEXT.index(f"{v}%"),
            "end": TEXT.index(f"{v}%") + len(f"{v}%"),
        }
        for e, v in (("DFS", 81.6), ("OS", 93.3))
    ]
    save_document_evidence(
        db,
        Document("blina", "t.txt", "Blina", TEXT),
        {"survival": survival, "extractor_version": "test"},
    )
    db.close()
    return path


@pytest.fixture(scope="module")
def comparison_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_comparison_db(tmp_path_factory.mktemp("comparison") / "evidence.db")


@pytest.fixture(scope="module")
def server(comparison_db: Path) -> Iterator[RunningServer]:
    with serve_in_background(comparison_db) as running:
        yield running


@pytest.fixture
def client(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def _rows(client: httpx.Client, path: str, **params: str) -> list[dict]:
    response = client.get(path, params={**params, "_shape": "array"})
    assert response.status_code == 200, response.text
    return response.json()


# ---- in-process ------------------------------------------------------------------------------


def test_survival_table_json_and_metadata(db_path):
    datasette = datasette_instance(db_path)

    async def fetch() -> tuple[list, dict]:
        rows = await datasette.client.get(
            "/evidence/survival_estimates.json?_shape=array&_sort=value_pct"
        )
        metadata = await datasette.client.get("/-/metadata.json")
        return rows.json(), metadata.json()

    rows, metadata = asyncio.run(fetch())
    assert [(r["endpoint"], r["value_pct"], r["text"]) for r in rows] == [
        ("DFS", 81.6, "81.6%"),
        ("OS", 93.3, "93.3%"),
    ]
    table = metadata["databases"]["evidence"]["tables"]["survival_estimates"]
    assert "endpoint" in table["facets"]
    assert "months" in table["columns"]["timepoint_months"]


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="extractor run"):
        datasette_instance(tmp_path / "none.db")


def test_every_table_view_and_column_is_described(tmp_path):
    db = open_store(tmp_path / "evidence.db")
    described = datasette_metadata("evidence")["databases"]["evidence"]["tables"]
    names = [t for t in db.table_names() if not t.startswith("documents_fts")] + db.view_names()
    for name in names:
        assert described[name]["description"], name
        columns = db[name].columns_dict
        assert set(described[name]["columns"]) == set(columns), name
        assert all(described[name]["columns"].values()), name


def test_canned_queries_are_parameterised_selects():
    queries = datasette_metadata("evidence")["databases"]["evidence"]["queries"]
    assert set(queries) == {
        "survival_across_studies",
        "doses_of_drug",
        "cohorts_of_study",
        "sources_of_finding",
        "studies_overview",
    }
    for name, query in queries.items():
        assert query["title"] and query["description"], name
        assert query["sql"].lstrip().upper().startswith("SELECT"), name
        assert "{" not in query["sql"] and "%" not in query["sql"], name
        assert set(re.findall(r":(\w+)", query["sql"])) == set(query.get("params", [])), name


def test_the_plugin_is_registered_once_by_entry_point_or_by_hand(db_path):
    points = importlib.metadata.entry_points(group="datasette")
    assert [p.value for p in points if p.name == "extractor"] == ["extractor.datasette_plugin"]
    datasette_instance(db_path)
    datasette_instance(db_path)
    assert pm.get_plugin("extractor") is datasette_plugin
    assert [p for p in pm.get_plugins() if p is datasette_plugin] == [datasette_plugin]


def test_links_leave_other_databases_alone(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, document_id TEXT, text TEXT, "
            "start INTEGER, [end] INTEGER, sources TEXT, finding_id INTEGER)"
        )
        conn.execute("INSERT INTO notes VALUES (1, 'a:b', 'hello', 0, 5, 'x; y', 3)")
    conn.close()
    datasette_instance(path)  # registers the plugin, if its entry point has not
    datasette = Datasette(immutables=[str(path)])

    async def fetch() -> tuple[str, str]:
        table = await datasette.client.get("/other/notes")
        query = await datasette.client.get("/other?sql=select+*+from+notes")
        return table.text, query.text

    for html in asyncio.run(fetch()):
        assert "hello" in html
        assert "/-/extractor/" not in html
        assert "sources_of_finding" not in html
        assert "/documents/" not in html


# ---- the real server: canned queries ----------------------------------------------------------


def test_survival_across_studies_sets_one_endpoint_side_by_side(client):
    rows = _rows(
        client, "/evidence/survival_across_studies.json", endpoint="DFS", timepoint_months="24"
    )
    by_study = {row["study"]: row for row in rows}
    assert set(by_study) == {BLINA, "Interfant-06"}
    figures = {
        study: (r["arm"], r["value_pct"], r["ci_low"], r["ci_high"], r["n"])
        for study, r in by_study.items()
    }
    assert figures == {
        BLINA: ("blinatumomab", 81.6, 70.2, 94.9, 30),
        "Interfant-06": ("historical controls", 49.4, 42.7, 57.1, 214),
    }
    for row in rows:
        assert (row["endpoint"], row["timepoint_months"]) == ("DFS", 24.0)
        assert row["sources"].split("; ") == [NEWS_ID, PAPER_ID]
        assert (row["source_count"], row["source_kinds"]) == (2, "news, paper")


def test_survival_across_studies_blank_timepoint_means_every_timepoint(client):
    rows = _rows(client, "/evidence/survival_across_studies.json", endpoint="os")
    assert sorted((r["study"], r["timepoint_months"], r["value_pct"]) for r in rows) == [
        ("Interfant-06", 24.0, 65.8),
        (BLINA, 24.0, 93.3),
        ("MLL-10", 36.0, 85.2),
    ]
    only = _rows(client, "/evidence/survival_across_studies.json", endpoint="OS", study="mll-10")
    assert [(r["study"], r["value_pct"]) for r in only] == [("MLL-10", 85.2)]


def test_doses_of_drug(client):
    rows = _rows(client, "/evidence/doses_of_drug.json", drug="Blinatumomab")
    assert [
        (r["study"], r["amount"], r["unit"], r["route"], r["duration_days"], r["sources"])
        for r in rows
    ] == [(BLINA, 15.0, "μg/m2/day", "continuous infusion", 28.0, PAPER_ID)]
    every = _rows(client, "/evidence/doses_of_drug.json", drug="")
    assert [(r["drug"], r["study"], r["amount"], r["unit"]) for r in every] == [
        ("blinatumomab", BLINA, 15.0, "μg/m2/day"),
        ("revumenib", "unattributed", 95.0, "mg/m2"),
    ]


def test_cohorts_of_study(client):
    rows = _rows(client, "/evidence/cohorts_of_study.json", study="Interfant-06")
    assert [(r["arm"], r["role"], r["n"], r["source_count"]) for r in rows] == [
        ("historical controls", "control", 214, 2)
    ]
    every = _rows(client, "/evidence/cohorts_of_study.json")
    assert sorted((r["study"], r["n"]) for r in every) == [
        ("Interfant-06", 214),
        (BLINA, 30),
        ("MLL-10", 100),
    ]


def test_sources_of_finding_gives_every_fact_with_its_sentence(client):
    (finding,) = _rows(
        client,
        "/evidence/survival_across_studies.json",
        endpoint="DFS",
        timepoint_months="24",
        study="blinatumomab-interfant-06",
    )
    facts = _rows(
        client,
        "/evidence/sources_of_finding.json",
        table="survival_findings",
        finding_id=str(finding["finding_id"]),
    )
    assert [f["document_id"] for f in facts] == [NEWS_ID, PAPER_ID]
    for fact in facts:
        (document,) = _rows(client, "/evidence/documents.json", id=fact["document_id"])
        assert document["text"][fact["start"] : fact["end"]] == fact["text"] == "81.6%"
        assert fact["text"] in fact["sentence"] and fact["sentence"] in document["text"]
        assert fact["document_title"] == document["title"]
        assert fact["fact_table"] == "survival_estimates"
    assert facts[1]["sentence"].startswith("At a median follow-up of 26.3 months")


def test_studies_overview(client):
    rows = {r["study_id"]: r for r in _rows(client, "/evidence/studies_overview.json")}
    assert set(rows) == {"interfant-06", "blinatumomab-interfant-06", "mll-10"}
    blina = rows["blinatumomab-interfant-06"]
    assert blina["reported_in"].split("; ") == [NEWS_ID, PAPER_ID]
    assert (blina["phase"], blina["survival_findings"], blina["dose_findings"]) == ("2", 2, 1)
    interfant = rows["interfant-06"]
    assert (interfant["reported_in"], interfant["mentioned_in"]) == (PAPER_ID, NEWS_ID)
    assert interfant["nct_ids"] == '["NCT00550992"]'
    assert rows["mll-10"]["survival_findings"] == 2


# ---- the real server: metadata, facets, read-only ---------------------------------------------


def test_metadata_describes_view_columns_with_units(client):
    metadata = client.get("/-/metadata.json").json()
    tables = metadata["databases"]["evidence"]["tables"]
    survival = tables["survival_by_study"]["columns"]
    assert "percent" in survival["value_pct"] and "percent" in survival["ci_low"]
    assert "months" in survival["timepoint_months"]
    assert "patients" in survival["n"]
    assert "μg/m2/day" in tables["dosing_by_study"]["columns"]["unit"]
    assert "days" in tables["dosing_by_study"]["columns"]["duration_days"]
    assert "patients" in tables["cohorts_by_study"]["columns"]["n"]
    assert tables["studies"]["label_column"] == "name"
    assert tables["documents"]["label_column"] == "title"
    query = metadata["databases"]["evidence"]["queries"]["survival_across_studies"]
    assert query["params"] == ["endpoint", "timepoint_months", "study"]


def test_views_have_their_facets(client):
    response = client.get("/evidence/survival_by_study.json", params={"_facet": "source_kinds"})
    facets = response.json()["facet_results"]
    assert {"endpoint", "timepoint_months", "study", "arm_role", "source_kinds"} <= set(facets)
    endpoints = {f["value"]: f["count"] for f in facets["endpoint"]["results"]}
    assert endpoints == {"DFS": 2, "OS": 3, "EFS": 1}
    dosing = client.get("/evidence/dosing_by_study.json").json()["facet_results"]
    assert {"drug", "study", "unit", "route"} <= set(dosing)


def test_the_database_is_served_immutable_and_cannot_be_written(server, client, comparison_db):
    before = hashlib.sha256(comparison_db.read_bytes()).hexdigest()
    databases = client.get("/-/databases.json").json()
    assert [(d["name"], d["is_mutable"]) for d in databases] == [("evidence", False)]
    refused = client.get("/evidence.json", params={"sql": "DELETE FROM studies"})
    assert refused.status_code == 400
    db = server.datasette.get_database("evidence")
    with pytest.raises(AssertionError):
        asyncio.run(db.execute_write("DELETE FROM studies"))
    assert len(_rows(client, "/evidence/studies.json")) == 3
    assert hashlib.sha256(comparison_db.read_bytes()).hexdigest() == before


# ---- the real server: the plugin -------------------------------------------------------------


def test_source_page_marks_the_exact_span_in_its_sentence(client):
    start = PAPER_TEXT.index("81.6%")
    response = client.get(
        "/-/extractor/source/evidence/pmid~3A90001008",
        params={"start": start, "end": start + 5},
    )
    assert response.status_code == 200
    html = response.text
    assert '<mark id="fact">81.6%</mark>' in html
    sentence = re.search(r'<span class="extractor-sentence">(.*?)</span>', html, re.S)
    assert sentence is not None
    assert re.sub(r"<[^>]+>", "", sentence.group(1)) == (
        "At a median follow-up of 26.3 months, the 2-year disease-free survival was 81.6% "
        "(95% CI, 70.2 to 94.9) and the 2-year overall survival was 93.3% (95% CI, 84.9 to 100)."
    )
    assert "<h1>Blinatumomab added to chemotherapy" in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/90001008/"' in html
    assert 'href="/evidence/documents/pmid~3A90001008"' in html


def test_source_page_of_a_news_article_and_its_refusals(client):
    news = client.get("/-/extractor/source/evidence/news~3Aecancer~2Eorg~2Fac5ffeea8bc1")
    assert news.status_code == 200
    assert 'href="https://ecancer.org/en/news/blinatumomab-infants"' in news.text
    assert "<mark" not in news.text
    beyond = client.get(
        "/-/extractor/source/evidence/pmid~3A90001008", params={"start": 5, "end": 99999}
    )
    assert beyond.status_code == 400 and "not a span" in beyond.text
    missing = client.get("/-/extractor/source/evidence/pmid~3A1")
    assert missing.status_code == 404 and "pmid:1" in missing.text


def test_plot_route_draws_png_and_svg(client):
    params = {"endpoint": "DFS", "timepoint_months": "24"}
    png = client.get("/-/extractor/plot/evidence/survival.png", params=params)
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "max-age" in png.headers["cache-control"]
    svg = client.get("/-/extractor/plot/evidence/survival.svg", params=params)
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text and "Interfant-06" in svg.text
    none = client.get("/-/extractor/plot/evidence/survival.png", params={"endpoint": "PFS"})
    assert none.status_code == 404 and "No survival findings match endpoint=PFS" in none.text


def test_cells_link_sources_documents_findings_and_facts(client):
    view = client.get("/evidence/survival_by_study").text
    assert '<a href="/evidence/documents/pmid~3A90001008">pmid:90001008</a>' in view
    assert '<a href="/evidence/documents/news~3Aecancer~2Eorg~2Fac5ffeea8bc1">' in view
    assert 'href="/evidence/sources_of_finding?table=survival_findings&amp;finding_id=1"' in view
    query = client.get(
        "/evidence/survival_across_studies", params={"endpoint": "DFS", "timepoint_months": 24}
    ).text
    assert "/evidence/sources_of_finding?table=survival_findings" in query
    assert "/-/extractor/plot/evidence/survival" in query  # the script that shows the plot
    sources = client.get(
        "/evidence/sources_of_finding", params={"table": "survival_findings", "finding_id": 1}
    ).text
    start = PAPER_TEXT.index("81.6%")
    fact_link = (
        f"/-/extractor/source/evidence/pmid~3A90001008?start={start}&amp;end={start + 5}#fact"
    )
    assert f'href="{fact_link}"' in sources
    assert 'href="/evidence/survival_findings/1"' in sources
    table = client.get("/evidence/survival_estimates").text
    assert "/-/extractor/source/evidence/news~3Aecancer~2Eorg~2Fac5ffeea8bc1?start=" in table
    studies = client.get("/evidence/studies").text
    assert 'href="https://clinicaltrials.gov/study/NCT00550992"' in studies
    assert "EudraCT 2016-004674-17" in studies and "[&#34;EudraCT" not in studies


def test_serve_in_background_stops(comparison_db):
    with serve_in_background(comparison_db) as running:
        assert httpx.get(f"{running.url}-/versions.json", timeout=10).status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{running.url}-/versions.json", timeout=2)


# ---- the command -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_extractor_serve_prints_its_url_and_answers_the_json_api(db_path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--db", str(db_path), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/evidence/survival_estimates.json?_shape=array"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert response.status_code == 200
        assert sorted(r["value_pct"] for r in response.json()) == [81.6, 93.3]
        databases = httpx.get(f"http://127.0.0.1:{port}/-/databases.json", timeout=5).json()
        assert [(d["name"], d["is_mutable"]) for d in databases] == [("evidence", False)]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"at http://127.0.0.1:{port}/" in output
    assert "read-only" in output
