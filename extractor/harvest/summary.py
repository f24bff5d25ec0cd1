"""What one harvest did, for the ledger, the command line and a notebook."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class HarvestSummary:
    """Counts of one harvest (PubMed or news). ``found`` is what the search or feeds listed;
    ``new``, ``revised`` and ``unchanged`` are what was fetched and stored or kept; ``failed``
    items are in ``failures`` (item, reason) and in the ``harvest_failures`` table."""

    harvest_id: int
    source: str
    found: int = 0
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0  # listed but not wanted (off-topic, disallowed, a duplicate, past --max)
    fetched: int = 0  # records or pages received (new, revised or unchanged)
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None  # why the harvest stopped early, if it did

    def counts(self) -> dict[str, int]:
        """The ``harvests`` table's count columns."""
        return {
            "found": self.found,
            "new": self.new,
            "revised": self.revised,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "skipped": self.skipped,
            "fetched": self.fetched,
            "requests": self.requests,
            "retries": self.retries,
        }
