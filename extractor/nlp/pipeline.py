"""The NLP pipeline: a blank English spaCy pipeline with scispaCy's tokenizer and our components."""

from __future__ import annotations

import re
import warnings

import scispacy.abbreviation  # noqa: F401  (registers the "abbreviation_detector" factory)
import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from extractor.nlp import (  # noqa: F401  (importing registers the component factories)
    adverse_events,
    cohorts,
    doses,
    drugs,
    follow_up,
    hazard_ratios,
    responses,
    survival,
)
from extractor.nlp.facts import register_extensions
from extractor.version import __version__

PIPELINE_VERSION = f"{__version__}+pipeline.1"

# Order matters where components compete for the same percentage: the first to claim it keeps it.
COMPONENTS: tuple[str, ...] = (
    "drug_mentions",
    "doses",
    "cohorts",
    "follow_up",
    "hazard_ratios",
    "survival",
    "adverse_events",
    "response_rates",
)


@Language.component("bracket_sentences")
def bracket_sentences(doc: Doc) -> Doc:
    """No sentence starts inside brackets after an abbreviation's full stop: "46.1% (s.e.
    2.1%)", "(approx. half)" are one sentence, though the sentencizer breaks after the stop."""
    depth, opened = 0, 0
    for token in doc:
        if "\n" in token.text or token.i - opened > _LONGEST_ASIDE:
            depth = 0  # a line break, or a long run, ends whatever a bracket left open
        elif token.is_sent_start and depth > 0 and _after_an_abbreviation(doc, token.i):
            token.is_sent_start = False
        if token.text in ("(", "["):
            depth, opened = depth + 1, token.i
        elif token.text in (")", "]"):
            depth = max(0, depth - 1)
    return doc


_LONGEST_ASIDE = 40  # tokens: a bracket left open longer than this was never closed


def _after_an_abbreviation(doc: Doc, i: int) -> bool:
    """Whether token ``i`` follows the full stop of an abbreviation ("s.e.", "approx.",
    "e.g.") or starts in lower case (no new sentence starts so)."""
    if i < 2 or doc[i - 1].text != ".":
        return False
    word, first = doc[i - 2].text.lower(), doc[i].text[:1]
    return "." in word or word in _ABBREVIATIONS or first.islower()


_ABBREVIATIONS = {"approx", "vs", "no", "ref", "refs", "resp", "incl", "cf", "al", "fig", "ca"}
_ABBREVIATIONS |= {"max", "min"}  # "(max. 20 mg)"


@Language.component("footnote_markers")
def footnote_markers(doc: Doc) -> Doc:
    """A footnote marker after a full stop ("no benefit.⁴ The same study …") ends the sentence
    before it; the next sentence starts after it."""
    for token in doc[1:-1]:
        if token.is_sent_start and doc[token.i - 1].text == "." and _FOOTNOTE.fullmatch(token.text):
            token.is_sent_start = False
            doc[token.i + 1].is_sent_start = True
    return doc


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FOOTNOTE = re.compile(rf"[{_SUPERSCRIPTS}]+(?:[,–-][{_SUPERSCRIPTS}]+)*")


def _tokenizer(nlp: Language) -> Tokenizer:
    """scispaCy's tokenizer, with footnote markers split from the full stop before them and
    arrows from the word they qualify ("↑GGT 7%")."""
    tokenizer = combined_rule_tokenizer(nlp)
    prefixes = tokenizer.prefix_search.__self__.pattern  # type: ignore[attr-defined]
    suffixes = tokenizer.suffix_search.__self__.pattern  # type: ignore[attr-defined]
    with warnings.catch_warnings():  # spaCy's own patterns warn of "[[" when compiled
        warnings.simplefilter("ignore", FutureWarning)
        tokenizer.prefix_search = re.compile(rf"^[↑↓]|{prefixes}").search
        tokenizer.suffix_search = re.compile(rf"(?<=\.){_FOOTNOTE.pattern}$|{suffixes}").search
    return tokenizer


@Language.component("line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a new sentence after every line break: headings, labels and captions end there.

    The break itself stays at the end of the sentence before, so no sentence is only space.
    """
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            if token.i > 0:
                token.is_sent_start = False
            doc[token.i + 1].is_sent_start = True
    return doc


def build_pipeline() -> Language:
    """A fresh pipeline; building it loads the drug dictionary, so reuse it across documents."""
    register_extensions()
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("footnote_markers")
    nlp.add_pipe("bracket_sentences")
    nlp.add_pipe("line_breaks")
    nlp.add_pipe("abbreviation_detector")
    for name in COMPONENTS:
        nlp.add_pipe(name)
    nlp.meta["name"] = "extractor"
    nlp.meta["version"] = __version__
    return nlp
