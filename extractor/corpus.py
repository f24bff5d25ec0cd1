"""Corpus definitions: a folder with a ``corpus.toml`` that says what the corpus is and where its
documents are (PubMed query and news sources are read by the harvester, the study catalogue by
``extractor.linking``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extractor.errors import ConfigError

CORPUS_FILE = "corpus.toml"
BUNDLED_CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "infant-kmt2a-all"


@dataclass(frozen=True)
class Corpus:
    """A named collection of documents and the sources it is harvested from."""

    name: str
    root: Path
    documents_dir: Path
    description: str = ""
    pubmed: dict[str, Any] = field(default_factory=dict)
    news: dict[str, Any] = field(default_factory=dict)
    studies: list[dict[str, Any]] = field(default_factory=list)


def default_corpus_dir() -> Path:
    """The bundled infant KMT2A-r ALL corpus: ./corpora/infant-kmt2a-all, else the one beside
    the package (an editable install or a clone)."""
    local = Path("corpora") / "infant-kmt2a-all"
    return local if (local / CORPUS_FILE).exists() else BUNDLED_CORPUS


def load_corpus(path: str | Path) -> Corpus:
    """Read a corpus folder; a folder without ``corpus.toml`` is a corpus of its own files."""
    root = Path(path)
    if not root.is_dir():
        raise ConfigError(f"corpus folder {root} does not exist; pass a folder of documents")
    definition = root / CORPUS_FILE
    if not definition.exists():
        return Corpus(name=root.resolve().name, root=root, documents_dir=root)
    try:
        config = tomllib.loads(definition.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{definition} is not valid TOML: {err}") from err
    folder = root / config.get("documents", {}).get("folder", "documents")
    if not folder.is_dir():
        raise ConfigError(f"{definition} names documents folder {folder}, which does not exist")
    return Corpus(
        name=config.get("name", root.resolve().name),
        root=root,
        documents_dir=folder,
        description=config.get("description", ""),
        pubmed=config.get("pubmed", {}),
        news=config.get("news", {}),
        studies=config.get("studies", []),
    )
