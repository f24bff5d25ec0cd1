"""Polite HTTP for the news harvester: a per-host rate limit (or the host's Crawl-delay),
robots.txt read once per host and obeyed, and retries with backoff on 429 (``Retry-After``
honoured, capped), 5xx, timeouts and dropped connections."""

from __future__ import annotations

import random
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from extractor.errors import ConfigError, HarvestError
from extractor.harvest.eutils import RetryableError
from extractor.harvest.summary import HarvestSummary
from extractor.version import __version__

ROBOTS_AGENT = "extractor"  # the token robots.txt rules are matched against
USER_AGENT = f"{ROBOTS_AGENT}/{__version__} (literature harvester for evidence tables)"
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is cut to this


class HostLimiter:
    """At most ``per_second`` request starts on each host; a host's robots.txt Crawl-delay
    may make its spacing longer. The clock and the sleep are injectable for tests."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ConfigError(f"per_host_per_second must be above 0, not {per_second}")
        self.interval = 1.0 / per_second
        self.clock, self.sleep = clock, sleep
        self._intervals: dict[str, float] = {}
        self._next: dict[str, float] = {}

    def slow_down(self, host: str, seconds: float) -> None:
        """Space this host's requests at least ``seconds`` apart."""
        self._intervals[host] = max(self._intervals.get(host, self.interval), seconds)

    def wait(self, host: str) -> None:
        """Sleep until this host may be sent its next request."""
        now = self.clock()
        start = max(now, self._next.get(host, now))
        self._next[host] = start + self._intervals.get(host, self.interval)
        if start > now:
            self.sleep(start - now)


class Disallowed(HarvestError):
    """robots.txt does not let the harvester fetch a URL; ``reason`` says why."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


@dataclass
class _Robots:
    """One host's robots.txt: its rules, or None with the reason everything is disallowed."""

    rules: urllib.robotparser.RobotFileParser | None
    reason: str = ""

    def check(self, url: str) -> None:
        if self.rules is None:
            raise Disallowed(url, self.reason)
        if not self.rules.can_fetch(ROBOTS_AGENT, url):
            raise Disallowed(url, f"robots.txt disallows it for {ROBOTS_AGENT!r}")


class PoliteFetcher:
    """GET with robots.txt, per-host spacing, retries and redirects, counting in a summary."""

    def __init__(
        self,
        http: httpx.Client,
        summary: HarvestSummary,
        limiter: HostLimiter,
        *,
        max_tries: int = 4,
        backoff: float = 1.0,
        on_robots_failure: Callable[[str, str], None] = lambda url, reason: None,
    ) -> None:
        self.http, self.summary, self.limiter = http, summary, limiter
        self.max_tries, self.backoff = max_tries, backoff
        self.on_robots_failure = on_robots_failure
        self._robots: dict[str, _Robots] = {}

    def get(
        self, url: str, headers: dict[str, str] | None = None, *, obey_robots: bool = True
    ) -> httpx.Response:
        """The answer to a GET of ``url``, following up to 5 redirects, each hop checked
        against robots.txt (:class:`Disallowed`) and retried (:class:`HarvestError`)."""
        for _ in range(MAX_REDIRECTS + 1):
            if obey_robots:
                self.robots(url).check(url)
            response = self._retried(url, headers or {})
            if not response.has_redirect_location:
                return response
            url = urljoin(str(response.url), response.headers["Location"])
        raise HarvestError(f"{url}: more than {MAX_REDIRECTS} redirects; check the link")

    def robots(self, url: str) -> _Robots:
        """The robots.txt of the URL's host, fetched once (RFC 9309: 4xx allows everything,
        5xx or no answer disallows everything for now)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin + "/robots.txt", parts.hostname or "")
        return self._robots[origin]

    def _read_robots(self, robots_url: str, host: str) -> _Robots:
        try:
            response = self.get(robots_url, obey_robots=False)
        except HarvestError as err:
            reason = f"robots.txt could not be read ({err}); the host is skipped this run"
            self.on_robots_failure(robots_url, reason)
            return _Robots(None, reason)
        if 400 <= response.status_code < 500:
            return _Robots(_robot_rules(robots_url, []))  # no robots.txt: no restrictions
        if response.status_code != 200:
            reason = f"robots.txt answered HTTP {response.status_code}; the host is skipped"
            self.on_robots_failure(robots_url, reason)
            return _Robots(None, reason)
        rules = _robot_rules(robots_url, response.text.splitlines())
        if delay := rules.crawl_delay(ROBOTS_AGENT):
            self.limiter.slow_down(host, float(delay))
        return _Robots(rules)

    def _retried(self, url: str, headers: dict[str, str]) -> httpx.Response:
        retrying = Retrying(
            stop=stop_after_attempt(self.max_tries),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            before_sleep=self._count_retry,
            sleep=self.limiter.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(url, headers)
        except RetryableError as err:
            raise HarvestError(
                f"{url}: gave up after {self.max_tries} tries; last failure: {err}; "
                "it will be tried again on the next harvest"
            ) from err
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str, headers: dict[str, str]) -> httpx.Response:
        self.limiter.wait(urlsplit(url).hostname or "")
        self.summary.requests += 1
        try:
            response = self.http.get(url, headers=headers, follow_redirects=False)
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as err:
            raise HarvestError(f"{url} cannot be fetched ({err}); check the link") from err
        except httpx.TransportError as err:  # timeouts, refused or dropped connections
            raise RetryableError(f"{type(err).__name__}: {err}") from err
        if response.status_code == 429 or response.status_code >= 500:
            wait = retry_after(response.headers.get("Retry-After"))
            raise RetryableError(f"HTTP {response.status_code}", wait)
        return response

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server gives one; else exponential backoff with full jitter."""
        err = state.outcome.exception() if state.outcome else None
        if isinstance(err, RetryableError) and err.wait is not None:
            return err.wait
        return random.uniform(0, self.backoff * 2 ** (state.attempt_number - 1))

    def _count_retry(self, state: RetryCallState) -> None:
        self.summary.retries += 1


def _robot_rules(robots_url: str, lines: list[str]) -> urllib.robotparser.RobotFileParser:
    rules = urllib.robotparser.RobotFileParser(robots_url)
    rules.parse(lines)  # no lines, no rules: everything allowed
    return rules


def retry_after(value: str | None, cap: float = MAX_RETRY_AFTER) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), at most ``cap``."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(0.0, seconds), cap)


# ---- the harvest -------------------------------------------------------------------------
