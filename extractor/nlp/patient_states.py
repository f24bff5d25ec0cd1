"""Survival stated as the state of patients: "47.0 percent of the babies (SE 2.6) were alive
without relapse or other events" (EFS), "93.3% were alive" (OS), "the share who were alive and
free of leukaemia was 81.6 percent" (DFS), with the value compared to in the same breath
("..., against 65.8% of 214 babies").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from extractor.nlp.arms import GROUP
from extractor.nlp.facts import claim, make_fact
from extractor.nlp.numbers import (
    NUMBER,
    PERCENT,
    PERCENTAGE,
    ROSE,
    SPACE,
    TIMEPOINT,
    interval_after,
    months,
    parse_number,
    qualifier_before,
    standard_error_after,
)

# The state of patients that names an endpoint: "alive" (OS), "alive without relapse or other
# events" (EFS), "alive and free of leukaemia" (DFS), "relapse-free" (RFS), "survived six years
# without relapse or another serious event" (EFS, at six years).
_STATUS = (
    rf"(?P<status>(?:survived(?:{SPACE}+(?:for{SPACE}+)?(?:at{SPACE}+least{SPACE}+)?{TIMEPOINT})?"
    r"|alive)"
    r"(?:(?:\s+and)?\s+(?:without|with\s+no(?:\s+(?:return|signs?|evidence)\s+of)?"
    r"|free\s+(?:of|from))\s+(?:any\s+|their\s+|the\s+|an?\s+)?(?P<free_of>\w+)"
    r"(?:\s+(?:\w+\s+){0,2}?or\s+(?:(?:other|any|another|serious|major)\s+)*(?P<or_free_of>\w+))?"
    r"|\s+and\s+(?P<alive_and>\w+)[-‑]free)?|(?P<free>\w+)[-‑]free\b)"
)
# "47.0 percent of the babies (SE 2.6) were alive ...", "72% of infants survived", "93.3% of
# the babies who had blinatumomab were alive", "93.3 per cent of the 30 babies treated were
# alive", "… (93.3%) were alive", "81.6 per cent – were alive …": the value comes first.
_STATUS_AFTER = re.compile(
    rf"(?:{SPACE}+of{SPACE}+(?:the{SPACE}+|all{SPACE}+|these{SPACE}+)?(?:[\w-]+{SPACE}+){{0,3}}?"
    rf"(?:{GROUP}|them)(?:{SPACE}+(?:in|on|from){SPACE}+(?:the{SPACE}+)?[\w-]+)?"
    rf"(?:{SPACE}+(?:treated|enrolled|(?:who{SPACE}+(?:had|received|got|were{SPACE}+given)|given)"
    rf"{SPACE}+(?:the{SPACE}+)?[\w-]+))?"
    rf"(?P<aside>{SPACE}*\([^()]{{1,40}}\))?{SPACE}*,?{SPACE}*"
    r"(?:were|was|are|is|remained|remain)?"
    rf"|{SPACE}*[)\]]?{SPACE}*(?:[–—]{SPACE}*)?(?:were|was|remained)"
    rf"|{SPACE}*[)\]]{SPACE}*(?=survived))\s*(?:still\s+)?"
    rf"{_STATUS}",
    re.I,
)
# "The share who were alive and free of leukemia was 81.6 percent": the state named first
_STATUS_BEFORE = re.compile(
    rf"\b(?:share|proportion|percentage)\s+(?:of\s+(?:the\s+)?[\w-]+\s+)?(?:who\s+(?:were|was"
    rf"|remained)\s+|that\s+(?:were|was)\s+)?(?:still\s+)?{_STATUS}\s+(?:was|were|stood\s+at"
    rf"|reached|came\s+to|(?P<change>{ROSE}\s+from))"
    rf"\s+(?P<number>{NUMBER}){PERCENT}",
    re.I,
)
# "climbed from 49.4 per cent in that earlier group to 81.6 per cent": the value it changed to
_CHANGED_TO = re.compile(rf"[^.;%]{{0,40}}?\bto{SPACE}+(?P<number>{NUMBER}){PERCENT}", re.I)
# "... were alive at the two-year mark, against 65.8% of 214 babies"
_COMPARED_VALUE = re.compile(
    rf"[^.;%]{{0,40}}?\b(?:against|versus|vs\.?|compared{SPACE}+(?:with|to)){SPACE}+"
    rf"(?P<number>{NUMBER}){PERCENT}",
    re.I,
)
# "..., give or take a standard error of 2.6 points"
_SE_LATER = re.compile(
    rf"[^.;]{{0,40}}?\b(?:standard{SPACE}+error|SE)(?:{SPACE}+of|{SPACE}*[,:=])?{SPACE}*(?P<se>{NUMBER})",
    re.I,
)
_FREE_OF = {
    "cancer": "DFS",
    "event": "EFS",
    "disease": "DFS",
    "relapse": "RFS",
    "leukemia": "LFS",
    "leukaemia": "LFS",
    "progression": "PFS",
}


def _status_endpoint(match: re.Match[str]) -> str | None:
    """The endpoint a patient state names: alive → OS, without relapse → RFS, event-free → EFS,
    "alive and free of leukaemia" → DFS (the disease, in plain words; "leukaemia-free" is LFS)."""
    words = [match[g] for g in ("or_free_of", "free_of", "alive_and", "free") if match[g]]
    if not words:
        return "OS"
    plain = {"leukemia": "DFS", "leukaemia": "DFS"} if not match["free"] else {}
    named = [plain.get(w.lower(), _FREE_OF.get(w.lower().rstrip("s"))) for w in words]
    if "EFS" in named or match["or_free_of"]:  # "without relapse or other events/setbacks"
        return "EFS"
    return named[0]


# a value stated with a patient state: its match, where its text ends, its interval and SE
Stated = tuple[re.Match[str], int, tuple[float, float, int] | None, float | None]


def stated_as_status(doc: Doc, sent: Span, text: str, timepoint: float | None) -> list[dict]:
    """Values stated as a share of patients alive, event-free or free of relapse, and the
    value they are compared with ("93.3% were alive ..., against 65.8% of 214 babies"), all
    at the sentence's ``timepoint``."""
    estimates = []
    for subject_first in _STATUS_BEFORE.finditer(text):
        endpoint = _status_endpoint(subject_first)
        other = _COMPARED_VALUE.match(text, subject_first.end()) or (
            _CHANGED_TO.match(text, subject_first.end()) if subject_first["change"] else None
        )
        stated: list[Stated] = [(subject_first, subject_first.end(), None, None)]
        stated += [(other, other.end(), None, None)] if other else []
        estimates.extend(
            _status_facts(doc, sent, text, stated, endpoint, _own_time(subject_first, timepoint))
        )
    for value in PERCENTAGE.finditer(text):
        status = _STATUS_AFTER.match(text, value.end())
        endpoint = status and _status_endpoint(status)
        if not status or endpoint is None:
            continue
        ci, se = _spread_in(value, status["aside"] or "")
        later = _SE_LATER.match(text, status.end())
        se = se or (parse_number(later["se"]) if later else None)
        stated = [(value, status.end(), ci, se)]
        other = _COMPARED_VALUE.match(text, status.end())
        if other:
            stated.append((other, other.end(), None, None))
        estimates.extend(
            _status_facts(doc, sent, text, stated, endpoint, _own_time(status, timepoint))
        )
    return estimates


def _own_time(status: re.Match[str], timepoint: float | None) -> float | None:
    """ "survived six years without relapse": the state's own timepoint, else the sentence's."""
    value = parse_number(status["tp_value"]) if status["tp_value"] else None
    return months(value, status["tp_unit"]) if value is not None else timepoint


def _status_facts(
    doc: Doc,
    sent: Span,
    text: str,
    stated: list[Stated],
    endpoint: str | None,
    timepoint: float | None,
) -> list[dict]:
    estimates = []
    for match, end, interval, error in stated:
        number = parse_number(match["number"])
        start_char, end_char = sent.start_char + match.start("number"), sent.start_char + end
        if number is None or number > 100 or not claim(doc, start_char, end_char):
            continue
        estimates.append(
            make_fact(
                doc,
                start_char,
                end_char,
                endpoint=endpoint,
                timepoint_months=timepoint,
                value_pct=number,
                ci_low=interval[0] if interval else None,
                ci_high=interval[1] if interval else None,
                se=error,
                qualifier=qualifier_before(text[: match.start("number")]),
                arm=None,
                n=None,
            )
        )
    return estimates


def _spread_in(
    value: re.Match[str], aside: str
) -> tuple[tuple[float, float, int] | None, float | None]:
    """The interval or SE of a value: inside it ("47.0 ± 2.6%") or in the aside after the
    patients ("of the babies (standard error 2.6)")."""
    if value["plus_minus"]:
        return None, parse_number(value["plus_minus"])
    ci = interval_after(aside, parse_number(value["number"]))
    error = None if ci else standard_error_after(aside)
    return ci, error[0] if error else None
