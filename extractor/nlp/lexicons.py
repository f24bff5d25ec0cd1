"""Lexicon files (JSON lines in ``data/``) and the phrase matchers built from them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer

from extractor.errors import PipelineError

DATA = Path(__file__).parent / "data"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSON-lines lexicon file, with the line of any that is broken."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as err:
                raise PipelineError(f"{path}:{number}: not a JSON object ({err})") from err


def phrase_matcher(nlp: Language, label: str, phrases: Iterable[str], attr: str) -> PhraseMatcher:
    """A PhraseMatcher over phrases tokenized as documents will be ("LOWER" or "ORTH")."""
    matcher = PhraseMatcher(nlp.vocab, attr=attr)
    matcher.add(label, list(cast(Tokenizer, nlp.tokenizer).pipe(phrases)))
    return matcher
