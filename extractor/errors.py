"""The one exception hierarchy of the package.

    ExtractorError                 anything this package raises on purpose
    ├── DocumentError              a file could not be read into a Document
    ├── PipelineError              the NLP pipeline could not be built or run
    ├── StoreError                 the evidence database could not be opened or written
    ├── ConfigError                a corpus definition or option is wrong
    └── HarvestError               a remote service failed past the retries, or refused

Messages name the thing that failed and say what to do next; the CLI shows them as they are.
"""

from __future__ import annotations

from pathlib import Path


class ExtractorError(Exception):
    """Base class for every error this package raises on purpose."""


class DocumentError(ExtractorError):
    """A file could not be turned into a Document (empty, binary, malformed...)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class PipelineError(ExtractorError):
    """The NLP pipeline could not be built or failed on a document."""


class StoreError(ExtractorError):
    """The evidence database could not be opened, migrated or written."""


class ConfigError(ExtractorError):
    """A corpus definition, command-line option or setting is wrong."""


class HarvestError(ExtractorError):
    """A remote service (NCBI E-utilities) kept failing after the retries, or answered with an
    error of its own."""
