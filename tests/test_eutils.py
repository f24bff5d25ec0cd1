"""The E-utilities client against a real loopback server shaped like NCBI's, with faults."""

from __future__ import annotations

import re
from datetime import date

import pytest

from extractor.errors import HarvestError
from extractor.harvest.eutils import EutilsClient
from tests.eutils_server import EutilsServer, synthetic_pubmed


def client_for(server: EutilsServer, **options: object) -> EutilsClient:
    settings: dict = {"email": "curator@example.org", "backoff": 0.01, "timeout": 2.0}
    return EutilsClient(base_url=server.url, **(settings | options))


def pmids_in(xml: bytes) -> list[str]:
    return re.findall(rb"<PMID[^>]*>(\d+)</PMID>", xml)


@pytest.fixture
def pubmed():
    return synthetic_pubmed(records=450)


@pytest.fixture
def server(pubmed):
    with EutilsServer(pubmed) as running:
        yield running


def test_search_keeps_the_result_on_the_history_server(server):
    with client_for(server) as client:
        found = client.esearch("infant KMT2A ALL")
    assert (found.count, found.query_key) == (450, "1")
    assert found.webenv.startswith("MCID_")
    (_, method, path, params) = server.pubmed.seen[0]
    assert (method, path) == ("GET", "/entrez/eutils/esearch.fcgi")
    assert params["usehistory"] == "y" and params["db"] == "pubmed"


def test_fetch_pages_past_one_batch_and_sends_tool_and_email_every_time(server):
    with client_for(server) as client:
        batches = list(client.efetch_batches(client.esearch("infant ALL"), batch_size=200))
    pmids = [p for batch in batches for p in pmids_in(batch)]
    assert len(batches) == 3 and len(pmids) == len(set(pmids)) == 450
    for _, _, _, params in server.pubmed.seen:
        assert params["tool"] == "extractor" and params["email"] == "curator@example.org"
    fetches = [p for _, _, path, p in server.pubmed.seen if path.endswith("efetch.fcgi")]
    assert [(p["retstart"], p["retmax"], p["retmode"]) for p in fetches] == [
        ("0", "200", "xml"),
        ("200", "200", "xml"),
        ("400", "200", "xml"),
    ]


@pytest.mark.parametrize("fault", ["429", "503", "truncate", "slow", "busy"])
def test_a_failing_answer_is_retried(server, fault):
    server.pubmed.slow_seconds = 1.0
    server.pubmed.faults.extend([fault, fault])
    with client_for(server, timeout=0.5) as client:
        batches = list(client.efetch_batches(client.esearch("infant ALL"), batch_size=450))
    assert len(pmids_in(batches[0])) == 450
    assert client.retries == 2 and client.requests == 4


def test_retry_after_is_honoured(server):
    server.pubmed.faults.append("429:1")
    with client_for(server) as client:
        client.esearch("infant ALL")
    (first, *_), (second, *_) = server.pubmed.seen
    assert second - first >= 0.95


def test_an_error_inside_a_200_is_an_error_not_an_empty_result(server):
    server.pubmed.faults.append("refuse")
    with client_for(server) as client, pytest.raises(HarvestError, match="Invalid query_key"):
        client.esearch("infant ALL")
    assert len(server.pubmed.seen) == 1  # not retried


def test_it_gives_up_after_a_bounded_number_of_tries(server):
    server.pubmed.faults.extend(["503"] * 10)
    failure = r"gave up after 3 tries; last failure: HTTP 503"
    with client_for(server, max_tries=3) as client, pytest.raises(HarvestError, match=failure):
        client.esearch("infant ALL")
    assert len(server.pubmed.seen) == 3


@pytest.mark.parametrize(("api_key", "per_second"), [(None, 3), ("k3y", 10)])
def test_requests_never_exceed_the_rate_limit(server, api_key, per_second):
    with client_for(server, api_key=api_key) as client:
        for _ in range(per_second + 4):
            client.esearch("infant ALL")
    starts = [seen[0] for seen in server.pubmed.seen]
    for index in range(len(starts) - per_second):
        # any per_second + 1 consecutive requests span about a second; without the limiter
        # they would arrive within milliseconds (the slack absorbs loopback jitter)
        assert starts[index + per_second] - starts[index] >= 0.9
    assert all(("api_key" in p) == bool(api_key) for *_, p in server.pubmed.seen)


def test_a_long_id_list_is_posted():
    pubmed = synthetic_pubmed(records=300)
    with EutilsServer(pubmed) as server, client_for(server) as client:
        xml = client.efetch_ids(list(pubmed.articles))
    assert len(pmids_in(xml)) == 300
    assert [(m, path) for _, m, path, _ in pubmed.seen] == [("POST", "/entrez/eutils/efetch.fcgi")]


def test_a_search_larger_than_the_window_is_split_by_date_and_adds_up():
    pubmed = synthetic_pubmed(records=25_000, per_day=40)  # 625 days of 40 records
    with EutilsServer(pubmed) as server, client_for(server, api_key="k3y") as client:
        slices = client.search_in_slices("infant ALL", date(2000, 1, 1), date(2001, 12, 31))
    assert all(s.count <= 9_999 for s in slices)
    assert sum(s.count for s in slices) == 25_000
    assert len({s.webenv for s in slices}) == len(slices)


def test_a_day_holding_more_than_the_window_is_reported():
    pubmed = synthetic_pubmed(records=12_000, per_day=12_000)
    with EutilsServer(pubmed) as server, client_for(server, api_key="k3y") as client:
        slices = client.search_in_slices("infant ALL", date(2000, 1, 1), date(2000, 1, 4))
    assert [s.count for s in slices] == [12_000]  # one day cannot be split further


def test_an_unreachable_server_fails_clearly():
    client = EutilsClient(base_url="http://127.0.0.1:9/", backoff=0.01, max_tries=2, timeout=0.5)
    with client, pytest.raises(HarvestError, match="gave up after 2 tries; last failure: Connect"):
        client.esearch("infant ALL")
