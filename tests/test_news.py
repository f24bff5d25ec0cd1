"""The news harvester against real loopback sites: feeds, robots.txt, conditional GET,
retries, politeness, deduplication; and the corpus's recorded snapshot served offline."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import httpx
import pytest

from extractor import store
from extractor.errors import ConfigError
from extractor.harvest.news import (
    NewsSources,
    canonical_url,
    harvest_news,
    news_client,
    news_document_id,
    url_key,
)
from extractor.harvest.polite import HostLimiter, retry_after
from extractor.harvest.web_snapshot import WebSnapshot, recorded_file
from tests.news_site import (
    ATOM,
    COOKIE_TEXT,
    FOOTER_TEXT,
    NAVIGATION_TEXT,
    RELATED_TEXT,
    RSS,
    NewsSite,
    Page,
    article_page,
    feed_page,
)

CORPUS = Path(__file__).parent.parent / "corpora" / "infant-kmt2a-all"
TERMS = ["infant", "KMT2A", "MLL-rearranged", "acute lymphoblastic", "Interfant", "menin"]

BLINATUMOMAB = [
    "Thirty babies with KMT2A-rearranged leukaemia had one month of blinatumomab after "
    "induction chemotherapy.",
    "Two years later 81.6% were free of disease, against 49.4% of earlier infants treated "
    "with chemotherapy alone.",
]
INTERFANT = [
    "Interfant-06 enrolled 651 infants between 2006 and 2016.",
    "Event-free survival at six years was 46.1% and overall survival 58.2%.",
]
MLL10 = [
    "The Japanese MLL-10 trial kept transplant for infants at high risk.",
    "Three-year event-free survival was 66.2% and overall survival 85.2%.",
]


@pytest.fixture
def site():
    with NewsSite(slow_seconds=0.6) as running:
        base = running.url
        running.pages["/robots.txt"] = Page("User-agent: *\nDisallow: /private/\n", "text/plain")
        running.pages["/feed.rss"] = feed_page(
            RSS,
            [
                ("Antibody lifts survival of infants", f"{base}/news/blinatumomab", "KMT2A"),
                ("Lung screening in adults", f"{base}/news/lung", "Smokers aged 55 to 74."),
                ("Menin inhibitors for infants", f"{base}/private/menin", "Members only."),
            ],
        )
        running.pages["/feed.atom"] = feed_page(
            ATOM,
            [
                ("Interfant-06 at six years", f"{base}/news/interfant-06", "651 babies."),
                ("MLL-10 in Japan", f"{base}/news/mll-10", "Infants with KMT2A-r ALL."),
            ],
        )
        running.pages["/news/blinatumomab"] = Page(
            article_page(
                "Antibody lifts survival of infants",
                BLINATUMOMAB,
                canonical=f"{base}/news/blinatumomab",
                description="One month of blinatumomab for infants.",
            ),
            etag='"blina-1"',
            last_modified="Thu, 16 May 2024 09:00:00 GMT",
        )
        running.pages["/news/interfant-06"] = Page(
            article_page("Interfant-06 at six years", INTERFANT, published="2019-05-21"),
            etag='"interfant-1"',
        )
        running.pages["/news/mll-10"] = Page(
            article_page("MLL-10 in Japan", MLL10, published="2022-06-13"),
            last_modified="Mon, 13 Jun 2022 16:45:00 GMT",
        )
        yield running


@pytest.fixture
def db(tmp_path):
    return store.open_store(tmp_path / "e.db")


def sources_of(site: NewsSite, feeds=("/feed.rss", "/feed.atom"), urls=()) -> NewsSources:
    return NewsSources(
        feeds=[site.url + f for f in feeds], urls=[site.url + u for u in urls], topic_terms=TERMS
    )


def harvest(db, sources: NewsSources, timeout: float = 2.0, **options):
    settings = {"per_host_per_second": 500.0, "backoff": 0.01, "max_tries": 3}
    with news_client(timeout=timeout) as http:
        return harvest_news(db, sources, http, **(settings | options))


def documents(db) -> dict[str, dict]:
    return {row["id"]: row for row in db.query("SELECT * FROM documents ORDER BY id")}


def page_row(db, url: str) -> dict:
    row = store.news_page(db, url)
    assert row is not None, url
    return row


def paths_seen(site: NewsSite) -> list[str]:
    return [path for _, path, _ in site.seen]


# ---- topics, URLs and ids ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Two infants in remission", True),  # plural
        ("KMT2A-rearranged leukaemia", True),
        ("MLL rearranged ALL in babies", True),  # a hyphen written as a space
        ("Acute  Lymphoblastic leukaemia", True),
        ("Interfant-06 results", True),
        ("Meningitis vaccine uptake", False),  # "menin" is not a word of it
        ("Infantry training injuries", False),
        ("Lung cancer screening", False),
        ("<p>Results for <b>infants</b></p>", True),  # markup in a feed summary
    ],
)
def test_topic_terms_match_whole_words(text, kept):
    assert NewsSources(topic_terms=TERMS).on_topic(text) is kept


def test_no_topic_terms_keep_everything_and_config_is_checked():
    assert NewsSources(feeds=["https://example.org/rss"]).on_topic("anything at all")
    assert NewsSources.from_config({}) == NewsSources([], [], [])
    assert NewsSources.from_config({"feeds": [" https://a.org/rss "]}).feeds == [
        "https://a.org/rss"
    ]
    with pytest.raises(ConfigError, match=r"\[news\] feeds must be a list of strings"):
        NewsSources.from_config({"feeds": "https://a.org/rss"})
    with pytest.raises(ConfigError, match="'www.a.org/rss' is not an http"):
        NewsSources.from_config({"urls": ["www.a.org/rss"]})


def test_canonical_urls_drop_tracking_and_ids_are_stable():
    url = "HTTPS://WWW.Example.org:443/news/a/?utm_source=rss&id=7&fbclid=x#comments"
    assert canonical_url(url) == "https://www.example.org/news/a/?id=7"
    assert url_key(url) == url_key("https://www.example.org/news/a?id=7")
    assert canonical_url("http://example.org:8080") == "http://example.org:8080/"
    document_id = news_document_id("https://www.example.org/news/a/")
    assert document_id == news_document_id("https://www.example.org/news/a?utm_medium=feed")
    assert document_id.startswith("news:example.org/") and len(document_id.split("/")[1]) == 12


def test_retry_after_in_seconds_or_as_a_date_is_capped():
    assert retry_after("3") == 3.0
    assert retry_after("3600") == 60.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after("soon") is None and retry_after(None) is None


def test_the_limiter_spaces_each_host_on_its_own_and_honours_a_crawl_delay():
    now = [0.0]
    limiter = HostLimiter(2.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    limiter.slow_down("slow.example", 3.0)
    starts = []
    for host in ["a.example", "a.example", "b.example", "slow.example", "slow.example"]:
        limiter.wait(host)
        starts.append((host, now[0]))
    assert starts == [
        ("a.example", 0.0),
        ("a.example", 0.5),
        ("b.example", 0.5),
        ("slow.example", 0.5),
        ("slow.example", 3.5),
    ]


# ---- feeds and articles ------------------------------------------------------------------


def test_off_topic_entries_are_recorded_not_fetched(db, site):
    summary = harvest(db, sources_of(site))
    assert (summary.found, summary.new, summary.failed) == (5, 3, 0)
    assert "/news/lung" not in paths_seen(site)
    off_topic = page_row(db, f"{site.url}/news/lung")
    assert off_topic["status"] == "off-topic" and off_topic["feed_url"] == f"{site.url}/feed.rss"
    assert off_topic["document_id"] is None
    ledger = next(db.query("SELECT * FROM harvests"))
    assert ledger["status"] == "finished" and ledger["found"] == 5
    assert f"{site.url}/news/lung" in json.loads(ledger["items"])


def test_an_article_is_stored_as_trafilatura_reads_it(db, site):
    harvest(db, sources_of(site))
    row = page_row(db, f"{site.url}/news/blinatumomab")
    document = documents(db)[row["document_id"]]
    text = document["text"]
    assert text.split("\n\n") == ["Antibody lifts survival of infants", *BLINATUMOMAB]
    for chrome in (COOKIE_TEXT, FOOTER_TEXT, RELATED_TEXT, *NAVIGATION_TEXT.split()):
        assert chrome not in text
    metadata = json.loads(document["metadata"])
    assert metadata["url"] == f"{site.url}/news/blinatumomab"
    assert metadata["published"] == "2024-05-16"
    assert metadata["feed"] == f"{site.url}/feed.rss"
    assert metadata["description"] == "One month of blinatumomab for infants."
    assert metadata["language"] == "en-GB"
    assert document["format"] == "html" and document["source"] == metadata["url"]
    assert row["document_id"] == news_document_id(f"{site.url}/news/blinatumomab")
    assert (row["status"], row["etag"]) == ("stored", '"blina-1"')
    assert row["content_hash"] == document["content_hash"]


def test_an_atom_feed_and_pages_without_a_canonical_link(db, site):
    harvest(db, sources_of(site, feeds=["/feed.atom"]))
    interfant = json.loads(
        documents(db)[news_document_id(f"{site.url}/news/interfant-06")]["metadata"]
    )
    assert interfant["url"] == f"{site.url}/news/interfant-06"  # the URL it was fetched from
    assert interfant["published"] == "2019-05-21"


def test_a_rerun_asks_with_validators_and_stores_nothing_again(db, site):
    harvest(db, sources_of(site))
    before = documents(db)
    summary = harvest(db, sources_of(site))
    assert (summary.new, summary.revised, summary.unchanged, summary.fetched) == (0, 0, 3, 3)
    assert documents(db) == before  # text, content_hash, updated_at: all as they were
    etag_only = site.requests_for("/news/interfant-06")[-1]
    assert etag_only["If-None-Match"] == '"interfant-1"' and "If-Modified-Since" not in etag_only
    date_only = site.requests_for("/news/mll-10")[-1]
    assert date_only["If-Modified-Since"] == "Mon, 13 Jun 2022 16:45:00 GMT"
    assert "If-None-Match" not in date_only
    assert page_row(db, f"{site.url}/news/mll-10")["harvest_id"] == summary.harvest_id


def test_a_changed_page_replaces_its_document(db, site):
    harvest(db, sources_of(site))
    document_id = news_document_id(f"{site.url}/news/blinatumomab")
    site.pages["/news/blinatumomab"] = Page(
        article_page(
            "Antibody lifts survival of infants",
            [*BLINATUMOMAB[:1], "Updated: two-year overall survival was 93.3%."],
            canonical=f"{site.url}/news/blinatumomab",
        ),
        etag='"blina-2"',
    )
    summary = harvest(db, sources_of(site))
    assert (summary.new, summary.revised, summary.unchanged) == (0, 1, 2)
    stored = documents(db)
    assert len(stored) == 3 and "93.3%" in stored[document_id]["text"]
    assert page_row(db, f"{site.url}/news/blinatumomab")["etag"] == '"blina-2"'


def test_direct_urls_are_checked_against_the_topic_terms_after_fetching(db, site):
    site.pages["/news/knees"] = Page(article_page("Knee surgery", ["Recovery takes weeks."] * 2))
    summary = harvest(db, sources_of(site, feeds=[], urls=["/news/mll-10", "/news/knees"]))
    assert (summary.found, summary.new, summary.skipped) == (2, 1, 1)
    assert page_row(db, f"{site.url}/news/knees")["status"] == "off-topic"
    assert page_row(db, f"{site.url}/news/mll-10")["feed_url"] is None


def test_a_feed_that_is_not_a_feed_and_a_page_without_an_article_are_failures(db, site):
    site.pages["/empty"] = Page("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    summary = harvest(db, sources_of(site, feeds=["/news/mll-10"], urls=["/empty"]))
    assert summary.failed == 2
    reasons = dict(summary.failures)
    assert "is not an RSS or Atom feed" in reasons[f"{site.url}/news/mll-10"]
    assert "no article body found" in reasons[f"{site.url}/empty"]
    assert page_row(db, f"{site.url}/empty")["status"] == "failed"
    recorded = {r["item"] for r in db.query("SELECT item FROM harvest_failures")}
    assert recorded == {f"{site.url}/news/mll-10", f"{site.url}/empty"}


# ---- robots.txt --------------------------------------------------------------------------


def test_a_feed_that_robots_txt_disallows_is_a_failure_that_says_so(db, site):
    site.pages["/robots.txt"] = Page("User-agent: extractor\nDisallow: /feed\n", "text/plain")
    summary = harvest(db, sources_of(site))
    assert (summary.found, summary.failed) == (0, 2)
    assert "robots.txt disallows it" in summary.failures[0][1]
    assert paths_seen(site) == ["/robots.txt"]


def test_robots_txt_is_read_once_and_a_disallowed_page_is_never_fetched(db, site):
    summary = harvest(db, sources_of(site))
    assert not any(path.startswith("/private/") for path in paths_seen(site))
    assert paths_seen(site).count("/robots.txt") == 1
    assert page_row(db, f"{site.url}/private/menin")["status"] == "disallowed"
    assert summary.skipped == 2  # the off-topic entry and the disallowed one


def test_a_robots_txt_that_answers_500_skips_its_host_and_is_recorded(db, site):
    with NewsSite() as other:
        other.pages["/news/menin"] = Page(article_page("Menin inhibitors", MLL10))
        other.fault("/robots.txt", "500", "500", "500")
        site.pages["/feed.rss"] = feed_page(
            RSS, [("Menin inhibitors in infants", f"{other.url}/news/menin", "")]
        )
        summary = harvest(db, sources_of(site))
        assert "/news/menin" not in paths_seen(other)
    assert summary.new == 2  # the Atom feed's pages, on the host that answers
    assert page_row(db, f"{other.url}/news/menin")["status"] == "disallowed"
    assert summary.failed == 1
    ((item, reason),) = summary.failures
    assert item == f"{other.url}/robots.txt" and "HTTP 500" in reason
    assert "skipped" in reason


def test_a_missing_robots_txt_allows_everything(db, site):
    del site.pages["/robots.txt"]
    site.pages["/private/menin"] = Page(article_page("Menin inhibitors", MLL10))
    summary = harvest(db, sources_of(site))
    assert summary.new == 4 and "/private/menin" in paths_seen(site)


# ---- duplicates --------------------------------------------------------------------------


def test_tracking_parameters_and_redirects_lead_to_one_document(db, site):
    base = site.url
    site.pages["/old/blinatumomab"] = Page(status=301, location="/news/blinatumomab")
    site.pages["/feed.rss"] = feed_page(
        RSS,
        [
            ("Infants: blinatumomab", f"{base}/news/blinatumomab?utm_source=rss", ""),
            ("Infants: blinatumomab (moved)", f"{base}/old/blinatumomab", ""),
            ("Infants: blinatumomab", f"{base}/news/blinatumomab", ""),
        ],
    )
    summary = harvest(db, sources_of(site, feeds=["/feed.rss"]))
    assert (summary.found, summary.new, summary.skipped) == (3, 1, 2)
    assert len(documents(db)) == 1
    statuses = [
        page_row(db, f"{base}{path}")["status"]
        for path in ("/news/blinatumomab?utm_source=rss", "/old/blinatumomab", "/news/blinatumomab")
    ]
    assert statuses == ["stored", "duplicate", "duplicate"]
    # fetched once, as the redirect's target; known by its URL when listed: not fetched again
    assert paths_seen(site).count("/news/blinatumomab") == 1


def test_the_same_text_under_two_canonical_urls_is_stored_once(db, site):
    for path in ("/a/copy", "/b/copy"):
        site.pages[path] = Page(article_page("Infants and KMT2A", INTERFANT, canonical=path))
    summary = harvest(db, sources_of(site, feeds=[], urls=["/a/copy", "/b/copy"]))
    assert (summary.new, summary.skipped) == (1, 1)
    first, second = page_row(db, f"{site.url}/a/copy"), page_row(db, f"{site.url}/b/copy")
    assert (first["status"], second["status"]) == ("stored", "duplicate")
    assert second["document_id"] == first["document_id"]
    assert second["canonical_url"] == f"{site.url}/b/copy"


# ---- faults and politeness ---------------------------------------------------------------


@pytest.mark.parametrize("fault", ["503", "429", "truncate", "slow"])
def test_a_failing_answer_is_retried(db, site, fault):
    site.fault("/news/blinatumomab", fault)
    summary = harvest(db, sources_of(site), timeout=0.3)
    assert (summary.new, summary.failed, summary.retries) == (3, 0, 1)
    assert len(site.requests_for("/news/blinatumomab")) == 2


def test_retry_after_is_honoured(db, site):
    site.fault("/news/mll-10", "429:1")
    harvest(db, sources_of(site, feeds=["/feed.atom"]))
    first, second = [t for t, path, _ in site.seen if path == "/news/mll-10"]
    assert second - first >= 0.95


def test_a_page_that_keeps_timing_out_fails_alone_and_loses_nothing(db, site):
    harvest(db, sources_of(site))
    before = documents(db)
    site.fault("/news/interfant-06", "slow", "slow", "slow")
    summary = harvest(db, sources_of(site), timeout=0.3)
    assert (summary.failed, summary.unchanged) == (1, 2)
    ((item, reason),) = summary.failures
    assert item == f"{site.url}/news/interfant-06"
    assert "gave up after 3 tries" in reason and "ReadTimeout" in reason
    assert documents(db) == before
    row = page_row(db, item)
    assert row["status"] == "failed" and row["document_id"] in before
    assert next(db.query("SELECT status FROM harvests WHERE id = ?", [summary.harvest_id])) == {
        "status": "finished"
    }
    again = harvest(db, sources_of(site))  # the next harvest finds it unchanged (304)
    assert (again.unchanged, again.failed) == (3, 0)
    assert page_row(db, item)["status"] == "stored"


def test_requests_to_a_host_never_start_faster_than_the_limit(db, site):
    for number in range(4):
        path = f"/news/extra-{number}"
        site.pages[path] = Page(article_page(f"Infants {number}", [f"Infant story {number}."]))
    sources = sources_of(site, urls=[f"/news/extra-{n}" for n in range(4)])
    summary = harvest(db, sources, per_host_per_second=10.0)
    starts = [t for t, _, _ in site.seen]
    assert summary.requests == len(starts) == 10
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    # arrival times at the server: a little jitter on a gap, none on the whole
    assert min(gaps) >= 0.08 and starts[-1] - starts[0] >= 0.9 - 0.01


def test_a_crawl_delay_slows_the_host_down(db, site):
    site.pages["/robots.txt"] = Page("User-agent: extractor\nCrawl-delay: 2\n", "text/plain")
    now = [0.0]
    starts: list[float] = []
    with news_client(event_hooks={"request": [lambda _: starts.append(now[0])]}) as http:
        harvest_news(
            db,
            sources_of(site, feeds=["/feed.atom"]),
            http,
            per_host_per_second=100.0,
            clock=lambda: now[0],
            sleep=lambda seconds: now.__setitem__(0, now[0] + seconds),
        )
    assert len(starts) == 4  # robots.txt, the feed, two pages
    assert [round(b - a, 3) for a, b in zip(starts, starts[1:], strict=False)] == [0.01, 2, 2]


# ---- the recorded snapshot ---------------------------------------------------------------

SNAPSHOT = CORPUS / "snapshot" / "news"


def corpus_sources() -> NewsSources:
    config = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))
    return NewsSources.from_config(config["news"])


def test_the_snapshot_maps_urls_to_files():
    onclive = SNAPSHOT / "www.onclive.com"
    assert recorded_file(SNAPSHOT, "www.onclive.com", "/rss") == onclive / "rss.xml"
    assert recorded_file(SNAPSHOT, "www.onclive.com", "/robots.txt") == onclive / "robots.txt"
    feed = SNAPSHOT / "www.insideprecisionmedicine.com" / "feed" / "index.xml"
    assert recorded_file(SNAPSHOT, "www.insideprecisionmedicine.com", "/feed/") == feed
    assert recorded_file(SNAPSHOT, "www.onclive.com", "/nowhere") is None
    assert recorded_file(SNAPSHOT, "www.onclive.com", "/../../corpus.toml") is None


def test_the_snapshot_answers_as_the_real_hosts_would():
    with WebSnapshot(SNAPSHOT) as snapshot, snapshot.client() as http:
        feed = http.get("https://www.onclive.com/rss")
        assert feed.status_code == 200 and str(feed.url) == "https://www.onclive.com/rss"
        assert feed.headers["Content-Type"].startswith("application/rss+xml")
        etag, modified = feed.headers["ETag"], feed.headers["Last-Modified"]
        assert http.get(feed.url, headers={"If-None-Match": etag}).status_code == 304
        assert http.get(feed.url, headers={"If-Modified-Since": modified}).status_code == 304
        assert http.get("https://news.example.net/robots.txt").status_code == 404
        moved = http.get("https://www.insideprecisionmedicine.com/feed")  # the folder's "/"
        assert str(moved.url) == "https://www.insideprecisionmedicine.com/feed/"
        assert moved.history[0].status_code == 301 and b"<rss" in moved.content
        tracked = http.get("https://www.onclive.com/rss?utm_source=newsletter")
        assert tracked.content == feed.content
    assert snapshot.seen[0][1] == "/www.onclive.com/rss"


def test_the_corpus_news_harvests_from_its_snapshot_and_then_finds_nothing_new(db):
    sources = corpus_sources()
    now = [0.0]
    fake_time = {"clock": lambda: now[0], "sleep": lambda s: now.__setitem__(0, now[0] + s)}
    with WebSnapshot(SNAPSHOT) as snapshot, snapshot.client() as http:
        first = harvest_news(db, sources, http, **fake_time)
        assert len(snapshot.seen) == first.requests == 11  # 3 robots.txt, 3 feeds, 5 pages
        second = harvest_news(db, sources, http, **fake_time)
    assert (first.found, first.new, first.skipped, first.failed) == (8, 5, 3, 0)
    stored = documents(db)
    assert sorted(stored) == sorted(
        [
            news_document_id(
                "https://www.insideprecisionmedicine.com/topics/oncology/blinatumomab-added-to-"
                "chemotherapy-lifts-survival-in-infants-with-kmt2a-rearranged-all/"
            ),
            news_document_id(
                "https://www.insideprecisionmedicine.com/topics/oncology/menin-inhibitor-"
                "revumenib-brings-remissions-in-kmt2a-rearranged-acute-leukemia/"
            ),
            news_document_id(
                "https://www.ecancer.org/en/news/16187-interfant-06-neither-consolidation-"
                "strategy-wins-for-infants-with-acute-lymphoblastic-leukaemia"
            ),
            news_document_id(
                "https://www.ecancer.org/en/news/23104-one-month-of-blinatumomab-reshapes-"
                "treatment-for-babies-with-kmt2a-rearranged-leukaemia"
            ),
            news_document_id(
                "https://www.onclive.com/view/mll-10-risk-stratified-therapy-improves-outcomes-"
                "for-infants-with-kmt2a-rearranged-all"
            ),
        ]
    )
    for document in stored.values():
        assert document["source"].startswith("https://www.") and "utm_" not in document["source"]
        assert "cookie" not in document["text"].lower()
    blinatumomab = next(d for d in stored.values() if "lifts-survival" in d["source"])
    assert "81.6% (95% CI 70.2–94.9) | 49.4% (95% CI 42.7–57.1)" in blinatumomab["text"]
    assert (second.new, second.revised, second.unchanged, second.failed) == (0, 0, 5, 0)
    assert documents(db) == stored
    second_run = snapshot.seen[len(snapshot.seen) // 2 :]
    not_pages = ("/robots.txt", "/feed/", "/rss")
    pages = [(h, status) for _, path, h, status in second_run if not path.endswith(not_pages)]
    assert [status for _, status in pages] == [304] * 5
    assert all(
        "If-None-Match" in headers and "If-Modified-Since" in headers for headers, _ in pages
    )


def test_the_snapshot_client_keeps_what_it_is_given():
    with WebSnapshot(SNAPSHOT) as snapshot, snapshot.client(timeout=3.0) as http:
        assert http.timeout == httpx.Timeout(3.0)
        assert http.headers["User-Agent"].startswith("extractor/")
