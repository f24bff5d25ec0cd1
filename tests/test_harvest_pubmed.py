"""Harvesting PubMed into a real SQLite store from a loopback E-utilities server: incremental,
resumable after kill -9, and complete under faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest

from extractor import store
from extractor.corpus import Corpus
from extractor.harvest.eutils import EutilsClient
from extractor.harvest.pubmed import PubmedQuery, harvest_pubmed, pubmed_document_id
from extractor.nlp.pipeline import PIPELINE_VERSION
from extractor.runner import run_corpus
from tests.eutils_server import EutilsServer, revised, synthetic_pubmed

QUERY = PubmedQuery(
    "infant KMT2A acute lymphoblastic leukemia", date(2000, 1, 1), date(2005, 12, 31)
)


def client_for(server: EutilsServer, **options: object) -> EutilsClient:
    settings: dict = {"email": "curator@example.org", "api_key": "k3y", "backoff": 0.01}
    return EutilsClient(base_url=server.url, **(settings | {"timeout": 2.0} | options))


def stored_pmids(db) -> list[str]:
    return [r["pmid"] for r in db.query("SELECT pmid FROM pubmed_records ORDER BY pmid")]


def fetched_ids(pubmed, since: int = 0) -> list[str]:
    """PMIDs the server sent in EFetch answers (history slices resolved), from request ``since``."""
    ids = []
    for params in pubmed.efetch_requests()[since:]:
        if "id" in params:
            ids += params["id"].split(",")
        else:
            found = pubmed.history.get(params["WebEnv"], [])
            start = int(params["retstart"])
            ids += found[start : start + int(params["retmax"])]
    return ids


def test_a_first_harvest_pages_the_history_server_and_a_rerun_fetches_nothing(tmp_path):
    pubmed = synthetic_pubmed(450)
    db = store.open_store(tmp_path / "e.db")
    with EutilsServer(pubmed) as server, client_for(server) as client:
        first = harvest_pubmed(db, client, QUERY, batch_size=200)
        fetches = len(pubmed.efetch_requests())
        again = harvest_pubmed(db, client, QUERY, batch_size=200)
    assert (first.found, first.new, first.failed, first.fetched) == (450, 450, 0, 450)
    assert [
        (p.get("retstart"), p.get("retmax"), p["retmode"]) for p in pubmed.efetch_requests()
    ] == [
        ("0", "200", "xml"),
        ("200", "200", "xml"),
        ("400", "200", "xml"),
    ]
    assert (again.found, again.new, again.revised, again.unchanged) == (450, 0, 0, 450)
    assert len(pubmed.efetch_requests()) == fetches  # nothing fetched the second time
    assert len(stored_pmids(db)) == db.table("documents").count == 450
    harvests = list(db.query("SELECT status, found, new, unchanged, items FROM harvests"))
    assert [(h["status"], h["new"], h["unchanged"]) for h in harvests] == [
        ("finished", 450, 0),
        ("finished", 0, 450),
    ]
    assert '"30000000"' in harvests[0]["items"]


def test_a_stored_record_keeps_its_raw_xml_and_plain_text(tmp_path):
    pubmed = synthetic_pubmed(3)
    db = store.open_store(tmp_path / "e.db")
    with EutilsServer(pubmed) as server, client_for(server) as client:
        harvest_pubmed(db, client, QUERY)
    record = db.table("pubmed_records").get("30000001")
    assert record["raw_xml"].startswith("<PubmedArticle>") and "<sup>2</sup>" in record["raw_xml"]
    assert record["date_revised"] == "2000-01-02"
    document = db.table("documents").get(pubmed_document_id("30000001"))
    assert "blinatumomab 15 \u03bcg/m2/day" in document["text"]  # markup made plain
    assert "KMT2A-rearranged" in document["text"] and "<" not in document["text"]
    assert document["source"] == "https://pubmed.ncbi.nlm.nih.gov/30000001/"


def test_a_revised_record_is_fetched_again_and_re_extracted(tmp_path, nlp):
    pubmed = synthetic_pubmed(30)
    db_path = tmp_path / "e.db"
    db = store.open_store(db_path)
    empty = tmp_path / "local"
    empty.mkdir()
    local = Corpus(name="local", root=empty, documents_dir=empty)
    with EutilsServer(pubmed) as server, client_for(server) as client:
        harvest_pubmed(db, client, QUERY)
        run_corpus(local, db_path, nlp)  # extracts what the harvest stored
        pmid = "30000007"
        pubmed.revise(revised(pubmed.articles[pmid], date.today()))
        before = len(pubmed.efetch_requests())
        again = harvest_pubmed(db, client, QUERY)
        assert fetched_ids(pubmed, before) == [pmid]  # only the modified record
    assert (again.new, again.revised, again.unchanged) == (0, 1, 29)
    document_id = pubmed_document_id(pmid)
    assert [d.id for d in store.documents_to_extract(db, PIPELINE_VERSION)] == [document_id]
    run_corpus(local, db_path, nlp)
    values = [
        r["value_pct"]
        for r in db.query(
            "SELECT value_pct FROM survival_estimates WHERE document_id = ?", [document_id]
        )
    ]
    assert values == [80.9]  # the revised text's figure, the old one gone
    assert db.table("pubmed_records").get(pmid)["date_revised"] == date.today().isoformat()


def test_an_expired_webenv_falls_back_to_id_lists(tmp_path):
    pubmed = synthetic_pubmed(450)
    db = store.open_store(tmp_path / "e.db")
    pubmed.faults.extend(["", "", "expire"])  # the search, the first batch, then expiry
    with EutilsServer(pubmed) as server, client_for(server) as client:
        summary = harvest_pubmed(db, client, QUERY, batch_size=200)
    assert (summary.new, summary.failed, summary.error) == (450, 0, None)
    assert ["id" in p for p in pubmed.efetch_requests()] == [False, False, True, True]
    assert len(stored_pmids(db)) == 450


def test_max_records_limits_the_fetch_and_the_next_run_completes_it(tmp_path):
    pubmed = synthetic_pubmed(120)
    db = store.open_store(tmp_path / "e.db")
    with EutilsServer(pubmed) as server, client_for(server) as client:
        first = harvest_pubmed(db, client, QUERY, max_records=50, batch_size=20)
        second = harvest_pubmed(db, client, QUERY, batch_size=20)
    assert (first.new, first.skipped) == (50, 70)
    assert (second.new, second.unchanged) == (70, 50)
    assert len(stored_pmids(db)) == 120


def test_a_service_that_keeps_failing_stops_the_harvest_and_keeps_what_was_stored(tmp_path):
    pubmed = synthetic_pubmed(300)
    db = store.open_store(tmp_path / "e.db")
    pubmed.faults.extend(["", "", "503", "503", "503"])
    with EutilsServer(pubmed) as server, client_for(server, max_tries=3) as client:
        summary = harvest_pubmed(db, client, QUERY, batch_size=100)
    assert summary.new == 100 and "gave up after 3 tries" in (summary.error or "")
    assert len(stored_pmids(db)) == 100
    harvest = db.table("harvests").get(summary.harvest_id)
    assert harvest["status"] == "failed" and "HTTP 503" in harvest["error"]


def test_a_thousand_records_with_faults_are_all_stored_once(tmp_path):
    pubmed = synthetic_pubmed(1_200)
    faults = ["429", "", "503", "truncate", "", "busy", "429:1", "slow", "", "503"]
    pubmed.faults.extend(faults)
    pubmed.slow_seconds = 2.5  # past the client's timeout
    db = store.open_store(tmp_path / "e.db")
    with EutilsServer(pubmed) as server, client_for(server) as client:
        summary = harvest_pubmed(db, client, QUERY, batch_size=200)
    assert (summary.found, summary.new, summary.failed) == (1_200, 1_200, 0)
    assert summary.retries == sum(1 for f in faults if f) == 7
    assert len(stored_pmids(db)) == db.table("documents").count == 1_200
    assert (
        db.execute("SELECT count(DISTINCT document_id) FROM pubmed_records").fetchone()[0] == 1_200
    )


def test_a_harvest_killed_mid_way_resumes_with_every_record_stored_once(tmp_path):
    pubmed = synthetic_pubmed(600)
    pubmed.slow_seconds = 0.5
    pubmed.faults.extend(["slow"] * 40)  # every answer takes a while
    db_path = tmp_path / "e.db"
    with EutilsServer(pubmed) as server:
        command = [
            *(sys.executable, "-m", "extractor", "harvest", "--db", str(db_path)),
            *("--query", QUERY.term, "--since", "2000-01-01", "--batch-size", "50"),
            *("--eutils-url", server.url, "--api-key", "k3y", "--no-news"),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(pubmed.efetch_requests()) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # in the middle of an EFetch batch
        process.wait()
        db = store.open_store(db_path)
        kept = stored_pmids(db)
        assert 0 < len(kept) < 600 and len(kept) % 50 == 0  # whole batches only
        assert db.table("harvests").get(1)["status"] == "running"  # never finished
        pubmed.faults.clear()
        before = len(pubmed.efetch_requests())
        with EutilsClient(base_url=server.url, api_key="k3y", backoff=0.01) as client:
            resumed = harvest_pubmed(db, client, QUERY.since(date(2000, 1, 1)), batch_size=50)
    assert not set(fetched_ids(pubmed, before)) & set(kept)  # nothing stored is fetched again
    assert (resumed.new, resumed.unchanged) == (600 - len(kept), len(kept))
    assert len(stored_pmids(db)) == db.table("documents").count == 600


@pytest.mark.parametrize("value", ["2019", "2019/06/01", "2019-06-01"])
def test_corpus_dates_are_read_in_the_forms_ncbi_takes(value):
    query = PubmedQuery.from_config({"query": "infant ALL", "mindate": value})
    assert query.mindate is not None and query.mindate.year == 2019


def test_a_corpus_without_a_query_is_a_clear_error():
    from extractor.errors import ConfigError

    with pytest.raises(ConfigError, match="no \\[pubmed\\] query; give one with --query"):
        PubmedQuery.from_config({})


def test_the_harvest_command_reads_its_settings_from_the_environment(tmp_path):
    from click.testing import CliRunner

    from extractor.cli import cli

    pubmed = synthetic_pubmed(60)
    db_path = tmp_path / "e.db"
    with EutilsServer(pubmed) as server:
        environment = {"NCBI_EUTILS_URL": server.url, "NCBI_EMAIL": "me@example.org"}
        arguments = ["harvest", "--db", str(db_path), "--query", "infant ALL", "--max", "25"]
        result = CliRunner().invoke(cli, arguments, env=environment)
    assert result.exit_code == 0, result.output
    assert "pubmed: found 60, new 25, revised 0, unchanged 0, failed 0, skipped 35" in result.output
    assert all(params["email"] == "me@example.org" for *_, params in pubmed.seen)
    assert "api_key" not in pubmed.seen[0][3]
    assert store.open_store(db_path).table("pubmed_records").count == 25


def test_the_harvest_command_fails_clearly_when_the_service_refuses(tmp_path):
    from click.testing import CliRunner

    from extractor.cli import cli

    pubmed = synthetic_pubmed(10)
    pubmed.faults.append("refuse")  # a final <ERROR> in a 200
    with EutilsServer(pubmed) as server:
        arguments = [
            *("harvest", "--db", str(tmp_path / "e.db"), "--query", "infant ALL"),
            *("--eutils-url", server.url),
        ]
        result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 1
    assert "harvest stopped" in result.output and "Invalid query_key" in result.output
