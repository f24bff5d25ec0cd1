"""Hazard ratios, stated ("HR 0.22; 95% CI 0.08 to 0.59; P = .002") or implied by a stated
risk reduction ("a 78% reduction in the risk of relapse or death" → 0.22)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import Fact
from extractor.nlp.facts import SentenceReader, claim, make_fact, sentence_text
from extractor.nlp.numbers import (
    ANY_NUMBER,
    NUMBER,
    PERCENT,
    SPACE,
    interval_after,
    parse_number,
)

STATED = re.compile(
    rf"(?:hazard{SPACE}+ratio|(?-i:\bHR\b))(?:{SPACE}*[(\[](?-i:HR)[)\]])?"
    rf"(?:{SPACE}+(?:for|of){SPACE}+(?P<what>[^,;:=()0-9]{{3,50}}?))?"
    rf"{SPACE}*(?:was|of|=|,|:)?{SPACE}*(?:was{SPACE}+)?(?P<value>\d*[.·]\d+|\d+)(?![\d%])",
    re.I,
)
_RISK = rf"(?:risk|hazard)s?{SPACE}+(?:of|for){SPACE}+"
_WHAT = r"[^,;.|↓]{3,60}?"
_PCT = rf"(?:{NUMBER}){PERCENT}"
_LOWERED = (
    r"(?:reduced|lowered|cut|decreased|fell|dropped|declined|slashed|came\s+down|went\s+down)"
)
_BY = rf"by{SPACE}+(?:(?:a|an|about|around|roughly|nearly|almost|some|massive|striking){SPACE}+)*"
# A stated risk reduction, one alternative per way of writing it; each names its endpoint
# (what) and its percentage (value). An alternative that only continues a list ("and the risk
# of death by 85%", "and of 85% in the hazard of death") counts after a stated one.
_REDUCTIONS = (
    # "a 78% reduction in the risk of relapse or death", "an 85% lower risk of death"
    rf"(?P<value1>{NUMBER}){PERCENT}{SPACE}+(?:relative{SPACE}+)?(?:reduction|decrease|lower)"
    rf"{SPACE}+(?:in{SPACE}+)?(?:the{SPACE}+)?{_RISK}(?P<what1>[^,;.]{{3,60}}?)"
    rf"(?=[,;.]|{SPACE}+(?:with|in|among|for|and{SPACE}+an?)\b|$)",
    # "reduced the risk of relapse by 78%", "... and the risk of death by 85%", "... and that of
    # death by 85%"
    rf"(?P<verb>{_LOWERED}|and)(?:{SPACE}+the)?{SPACE}+(?:{_RISK}|that{SPACE}+of{SPACE}+)"
    rf"(?P<what2>(?:(?!{_LOWERED})[^,;.]){{3,60}}?)"
    rf"{SPACE}+{_BY}(?P<value2>{NUMBER}){PERCENT}",
    # "the risk of progression or death was reduced by 78%", "the risk of death fell by 85%"
    rf"\b{_RISK}(?P<what3>{_WHAT}){SPACE}+(?:(?:was|were|is|being){SPACE}+)?{_LOWERED}"
    rf"{SPACE}+{_BY}(?P<value3>{ANY_NUMBER}){PERCENT}",
    # "the risk of progression or death was 78% lower", "… and the risk of death 85% lower"
    rf"\b{_RISK}(?P<what4>{_WHAT}){SPACE}+(?:(?:was|were|is){SPACE}+)?(?P<value4>{NUMBER}){PERCENT}"
    rf"{SPACE}+lower\b",
    # "risk of death ↓85%", "Risk of death down 85%", "risk of death −85%", "Reduction in the
    # risk of death | 85%"
    rf"\b(?:reduction{SPACE}+in{SPACE}+(?:the{SPACE}+)?)?{_RISK}(?P<what5>{_WHAT}){SPACE}*"
    rf"(?:↓|\||down\b|[−-](?=\d)){SPACE}*(?P<value5>{NUMBER}){PERCENT}",
    # "Reductions of 78% in the hazard of progression ... and of 85% in the hazard of death"
    rf"(?:\breductions?{SPACE}+|(?P<continued>\band{SPACE}+))of{SPACE}+(?P<value6>{NUMBER}){PERCENT}"
    rf"{SPACE}+in{SPACE}+(?:the{SPACE}+)?{_RISK}(?P<what6>[^,;.]{{3,60}}?)"
    rf"(?=[,;.]|{SPACE}+(?:with|in|among|for|and)\b|$)",
    # "The reductions we reported, 78% in the risk of progression or death and 85% in the risk
    # of death", "Risk reduction: 78% for progression or death": after a reduction is named
    rf"(?P<listed>(?<![\w.]){NUMBER}){PERCENT}{SPACE}+(?:in{SPACE}+the{SPACE}+(?:risk|hazard)"
    rf"{SPACE}+of|for){SPACE}+(?P<what8>[^,;.]{{3,60}}?)(?=[,;.]|{SPACE}+and\b|$)",
    # "Progression or death: risk reduced by 78%"
    rf"(?P<what7>[A-Z][^:;.]{{2,60}}):{SPACE}*(?:the{SPACE}+)?(?:risk|hazard){SPACE}+{_LOWERED}"
    rf"{SPACE}+by{SPACE}+(?P<value7>{NUMBER}){PERCENT}",
    # "for progression or death the reduction was 78%", "progression-or-death risk down 78%"
    rf"\bfor{SPACE}+(?P<what9>{_WHAT}){SPACE}+the{SPACE}+(?:relative{SPACE}+)?reduction{SPACE}+"
    rf"(?:was|is){SPACE}+(?P<value9>{NUMBER}){PERCENT}",
    rf"\b(?P<what10>[\w]+(?:-or-[\w]+)?){SPACE}+risk{SPACE}+(?:down|↓|{_LOWERED}{SPACE}+by)"
    rf"{SPACE}*(?P<value10>{NUMBER}){PERCENT}",
)
REDUCTION = re.compile("|".join(_REDUCTIONS), re.I)
_MAY_STATE_ONE = re.compile(r"hazard|\bHR\b|risk|reduc", re.I)
_REDUCTION_NAMED = re.compile(r"\breduc(?:tions?|ed)\b|\blower\s+risk", re.I)
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
        if not _MAY_STATE_ONE.search(text):
            return  # most sentences name no hazard or risk: skip the long patterns
        for match in STATED.finditer(text):
            value = parse_number(match["value"])
            if value is None or value <= 0 or value > 20:
                continue
            rest = text[match.end() :]
            ci = interval_after(rest, value)
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
            continuing = match["verb"] == "and" or match["continued"]
            if continuing and not stated_reduction:
                continue
            if match["listed"] and not _REDUCTION_NAMED.search(text, 0, match.start()):
                continue
            stated_reduction = True
            found = match.groupdict()
            percent = parse_number(
                next(v for k, v in found.items() if k.startswith(("value", "listed")) and v)
            )
            what = next(v for k, v in found.items() if k.startswith("what") and v)
            if percent is None or not 0 < percent < 100:
                continue
            if not claim(doc, offset + match.start(), offset + match.end()):
                continue
            yield make_fact(
                doc,
                offset + match.start(),
                offset + match.end(),
                value=round(1 - percent / 100, 4),
                endpoint=_endpoint(what),
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
