"""Hazard ratios, stated ("HR 0.22; 95% CI 0.08 to 0.59; P = .002") or implied by a stated
risk reduction ("a 78% reduction in the risk of relapse or death" → 0.22)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import Fact
from extractor.nlp.facts import SentenceReader, claim, make_fact, sentence_text
from extractor.nlp.numbers import NUMBER, PERCENT, SPACE, interval_after, parse_number

STATED = re.compile(
    rf"(?:hazard{SPACE}+ratio|(?-i:\bHR\b))(?:{SPACE}*[(\[](?-i:HR)[)\]])?"
    rf"(?:{SPACE}+(?:for|of){SPACE}+(?P<what>[^,;:=()0-9]{{3,50}}?))?"
    rf"{SPACE}*(?:was|of|=|,|:)?{SPACE}*(?:was{SPACE}+)?(?P<value>\d*[.·]\d+|\d+)(?![\d%])",
    re.I,
)
REDUCTION = re.compile(
    rf"(?P<value>{NUMBER}){PERCENT}{SPACE}+(?:relative{SPACE}+)?(?:reduction|decrease|lower)"
    rf"{SPACE}+(?:in{SPACE}+)?(?:the{SPACE}+)?risk{SPACE}+(?:of|for){SPACE}+"
    rf"(?P<what>[^,;.]{{3,60}}?)(?=[,;.]|{SPACE}+(?:with|in|among|for|and{SPACE}+an?)\b|$)"
    rf"|(?P<verb>reduced|lowered|cut|and)(?:{SPACE}+the)?{SPACE}+risk{SPACE}+(?:of|for){SPACE}+"
    rf"(?P<what2>[^,;.]{{3,60}}?){SPACE}+by{SPACE}+(?P<value2>{NUMBER}){PERCENT}"
    # "the risk of progression or death was reduced by 78%", "risk of death ↓85%",
    # "Reduction in the risk of death | 85%" (a table row)
    rf"|\b(?:reduction{SPACE}+in{SPACE}+(?:the{SPACE}+)?)?risk{SPACE}+(?:of|for){SPACE}+"
    rf"(?P<what4>[^,;.|↓]{{3,60}}?){SPACE}*(?:↓|\|){SPACE}*(?P<value4>{NUMBER}){PERCENT}"
    rf"|\brisk{SPACE}+(?:of|for){SPACE}+(?P<what3>[^,;.]{{3,60}}?){SPACE}+(?:was|were|is|being)"
    rf"{SPACE}+(?:reduced|lowered|cut|decreased){SPACE}+by{SPACE}+(?P<value3>{NUMBER}){PERCENT}",
    re.I,
)
P_VALUE = re.compile(rf"^.{{0,60}}?\b[Pp]{SPACE}*(?P<op>[=<>≤])\s*(?P<p>0?[.·]\d+)")
_ENDPOINT_WORDS: tuple[tuple[str, str], ...] = (
    ("EFS", r"\bevents?\b|event-free|\bEFS\b"),
    ("DFS", r"(?:relapse|progression|recurrence|disease)\b.*\bdeath|disease-free|\bDFS\b"),
    ("RFS", r"relapse-free|\bRFS\b"),
    ("CIR", r"\brelapse\b"),
    ("OS", r"\bdeath\b|\bdying\b|mortality|overall survival|\bOS\b"),
)


@Language.factory("hazard_ratios")
class HazardRatios(SentenceReader):
    """Hazard-ratio facts, into ``doc._.hazard_ratios``."""

    key = "hazard_ratios"

    def read(self, doc: Doc, sent: Span) -> Iterator[Fact]:
        text, offset = sentence_text(sent), sent.start_char
        for match in STATED.finditer(text):
            value = parse_number(match["value"])
            if value is None or value <= 0 or value > 20:
                continue
            rest = text[match.end() :]
            ci = interval_after(rest)
            p = P_VALUE.match(rest)
            end = match.end() + (ci[2] if ci else 0)
            if not claim(doc, offset + match.start(), offset + end):
                continue
            yield make_fact(
                doc,
                offset + match.start(),
                offset + end,
                value=value,
                endpoint=_endpoint(match["what"] or text),
                ci_low=ci[0] if ci else None,
                ci_high=ci[1] if ci else None,
                p_value=parse_number(p["p"]) if p else None,
                derived_from=None,
            )
        stated_reduction = False
        for match in REDUCTION.finditer(text):
            # "lowered the risk of relapse by 78% and the risk of death by 85%"
            if match["verb"] == "and" and not stated_reduction:
                continue
            stated_reduction = True
            percent = parse_number(
                match["value"] or match["value2"] or match["value3"] or match["value4"]
            )
            if percent is None or not 0 < percent < 100:
                continue
            if not claim(doc, offset + match.start(), offset + match.end()):
                continue
            yield make_fact(
                doc,
                offset + match.start(),
                offset + match.end(),
                value=round(1 - percent / 100, 4),
                endpoint=_endpoint(
                    match["what"] or match["what2"] or match["what3"] or match["what4"]
                ),
                ci_low=None,
                ci_high=None,
                p_value=None,
                derived_from=f"{percent:g}% risk reduction",
            )


def _endpoint(what: str) -> str | None:
    for endpoint, pattern in _ENDPOINT_WORDS:
        if re.search(pattern, what, re.I):
            return endpoint
    return None
