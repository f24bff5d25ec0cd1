"""Survival stated as the state of patients: "47.0 percent of the babies (SE 2.6) were alive
without relapse or other events" (EFS), "93.3% were alive" (OS), "the share who were alive and
free of leukaemia was 81.6 percent" (DFS), with the value compared to in the same breath
("..., against 65.8% of 214 babies").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from extractor.nlp.arms import GROUP
from extractor.nlp.endpoints import ENDPOINT, SENTENCE_TIMEPOINT, timepoint_of
from extractor.nlp.facts import claim, doc_text, make_fact
from extractor.nlp.numbers import (
    ANY_NUMBER,
    NUMBER,
    PERCENT,
    PERCENTAGE,
    ROSE,
    SPACE,
    TIME_UNIT,
    TIMEPOINT,
    interval_after,
    months,
    parse_number,
    qualifier_before,
    standard_error_after,
)

# The state of patients that names an endpoint: "alive" (OS), "alive without relapse or other
# events" (EFS), "alive and free of leukaemia" (DFS), "relapse-free" (RFS), "survived six years
# without relapse or another serious event" (EFS, at six years), "alive and in continuous
# remission" (DFS), "had come through without their cancer returning" (DFS), "had not had their
# leukaemia come back or another serious problem" (EFS).
# "without a relapse or other events", "without a relapse, death or another serious event"
_AND_OTHER = r"[\s,]+(?:\w+[\s,]+){0,2}?or\s+(?:(?:other|any|another|an?|serious|major)\s+)*"
# "without the leukaemia coming back", "without their leukaemia having returned"
_COMING_BACK = (
    r"(?:\s+(?:coming\s+back|returning|recurring|relapsing"
    r"|having\s+(?:come\s+back|returned|recurred|relapsed)))?"
)
_STATUS = (
    rf"(?P<status>(?:(?:(?:survived|(?:come|came|got|gotten)\s+through)(?:{SPACE}+(?:for{SPACE}+)?"
    rf"(?:at{SPACE}+least{SPACE}+)?{TIMEPOINT}|{SPACE}+that{SPACE}+long"
    rf"|{SPACE}+(?:over|for|during){SPACE}+the{SPACE}+same{SPACE}+(?:period|time))?)"
    r"|alive)"
    r"(?:(?:\s+and)?\s+(?:without|with\s+no(?:\s+(?:return|signs?|evidence)\s+of)?"
    r"|free\s+(?:of|from))\s+(?:any\s+|their\s+|the\s+|an?\s+|such\s+)?(?P<free_of>\w+)"
    r"(?P<events>\s+events?\b)?"
    rf"{_COMING_BACK}(?:{_AND_OTHER}(?P<or_free_of>\w+))?"
    r"|\s+and\s+(?P<alive_and>\w+)[-‑]free"
    r"|\s+and\s+(?P<remission>in\s+(?:continuous\s+|complete\s+|first\s+)?remission)"
    r"|\s+and\s+(?:had\s+|have\s+)?(?P<alive_not_relapsed>not\s+relapsed"
    r"(?:\s+or\s+had\s+(?:another|any|an?|other)\s+(?:serious\s+)?(?P<or_relapsed>\w+))?))?"
    r"|(?P<free>\w+)[-‑]free\b"
    r"|not\s+relapsed"
    r"|(?:not\s+had|no\s+(?:signs?|evidence)\s+of)\s+(?:their\s+|the\s+|a\s+|any\s+)?"
    r"(?P<back>\w+)\s+(?:(?:come|coming)\s+back|returning)"
    rf"(?:{_AND_OTHER}(?P<or_back>\w+))?)"
)
# "47.0 percent of the babies (SE 2.6) were alive ...", "72% of infants survived", "93.3% of
# the babies who had blinatumomab were alive", "93.3 per cent of the 30 babies treated were
# alive", "… (93.3%) were alive", "81.6 per cent – were alive …", "93.3% (95% CI 84.9-100)
# were alive", "46.1pc had survived that long": the value comes first.
_STATUS_AFTER = re.compile(
    rf"(?P<lead_aside>{SPACE}*\([^()]{{1,60}}\))?"
    rf"(?:{SPACE}+of{SPACE}+(?:the{SPACE}+|all{SPACE}+|these{SPACE}+)?(?:[\w-]+{SPACE}+){{0,3}}?"
    rf"(?:{GROUP}|them)(?:{SPACE}+(?:in|on|from){SPACE}+(?:the{SPACE}+|that{SPACE}+|this{SPACE}+)?"
    rf"[\w-]+)?"
    rf"(?:{SPACE}+(?:treated|enrolled|(?:who{SPACE}+(?:had|received|got|were{SPACE}+given)|given)"
    rf"{SPACE}+(?:the{SPACE}+)?[\w-]+))?"
    rf"(?P<aside>{SPACE}*\([^()]{{1,40}}\))?{SPACE}*,?{SPACE}*"
    r"(?:were|was|are|is|remained|remain|had)?"
    rf"|{SPACE}*[)\],]?{SPACE}*(?:[–—]{SPACE}*)?(?:were|was|remained|had)"
    rf"|{SPACE}*[)\]]?{SPACE}*(?=survived)"
    rf"|{SPACE}+(?=alive\b|\w+[-‑]free\b(?![-‑{SPACE}]*survival)))\s*(?:still\s+)?"
    rf"{_STATUS}",
    re.I,
)
# "…, 85.2 per cent overall": after another state, the share alive
_OVERALL_AFTER = re.compile(rf"{SPACE}+overall(?={SPACE}*(?:[,.;)]|$))", re.I)
# "The share who were alive and free of leukemia was 81.6 percent": the state named first
# "the probability of being alive without an event four years after diagnosis was 47.0%"
_STATUS_BEFORE = re.compile(
    rf"\b(?:(?:share|proportion|percentage)\s+(?:of\s+(?:the\s+)?[\w-]+\s+)?(?:who\s+(?:(?:were"
    rf"|was|remained)\s+)?|that\s+(?:were|was)\s+)?|(?:probability|likelihood|chances?)\s+of"
    rf"\s+(?:being\s+|staying\s+)?)(?:still\s+)?{_STATUS}"
    rf"(?:{SPACE}+{ANY_NUMBER}{SPACE}?[-‑]?{SPACE}?{TIME_UNIT}{SPACE}+(?:after|from|since)"
    rf"{SPACE}+[\w-]+)?\s+(?:was|were|stood\s+at"
    rf"|reached|came\s+to|(?P<change>{ROSE}\s+from))"
    rf"\s+(?P<number>{NUMBER}){PERCENT}",
    re.I,
)
# "more than four in five alive (85.2%)", "event-free at 3 years (66.2%)": the value in
# brackets after the state
_STATUS_THEN_VALUE = re.compile(
    rf"\b{_STATUS}(?:{SPACE}+at{SPACE}+(?P<at_value>{ANY_NUMBER}){SPACE}?[-‑]?{SPACE}?"
    rf"(?P<at_unit>{TIME_UNIT}))?{SPACE}*\({SPACE}*(?P<number>{NUMBER}){PERCENT}"
    rf"(?!{SPACE}*(?:CI\b|confidence))",
    re.I,
)
# "roughly four in five infants (81.6%; 95% CI, 70.2-94.9) were alive …", "fewer than half
# (46.1% at six years) survived without an event": the state after the bracket of the value
_STATUS_AFTER_BRACKET = re.compile(
    rf"(?P<closing>[^()]{{0,60}}?)\){SPACE}*(?:(?:were|was|remained|had){SPACE}+)?(?:still\s+)?"
    rf"{_STATUS}",
    re.I,
)
# "climbed from 49.4 per cent in that earlier group to 81.6 per cent": the value it changed to
_CHANGED_TO = re.compile(rf"[^.;%]{{0,40}}?\bto{SPACE}+(?P<number>{NUMBER}){PERCENT}", re.I)
# "... were alive at the two-year mark, against 65.8% of 214 babies"
_COMPARED_VALUE = re.compile(
    rf"[^.;%]{{0,40}}?\b(?:against|versus|vs\.?|compared{SPACE}+(?:with|to)){SPACE}+"
    rf"(?:(?:just|only|about|around|roughly|nearly|almost){SPACE}+)?(?P<number>{NUMBER}){PERCENT}",
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


def _status_endpoint(match: re.Match[str], doc: Doc) -> str | None:
    """The endpoint a patient state names: alive → OS, without relapse → RFS, event-free → EFS,
    "alive and free of leukaemia" → DFS (the disease, in plain words; "leukaemia-free" is LFS).
    A state of the relapse family (DFS, RFS, LFS) takes the one of them the text names."""
    words = [match[g] for g in _FREE_OF_GROUPS if match[g]]
    if match["or_free_of"] or match["or_back"] or match["or_relapsed"] or match["events"]:
        # "without relapse or other events", "free of leukemia events", "had not relapsed or
        # had another serious event"
        return "EFS"
    if match["remission"]:
        endpoint: str | None = "DFS"
    elif match["back"]:  # "had not had their leukaemia come back"
        endpoint = _PLAIN.get(match["back"].lower(), _FREE_OF.get(match["back"].lower()))
    elif _NOT_RELAPSED.search(match["status"]):  # "had not relapsed"
        endpoint = "RFS"
    elif not words:
        return "OS"
    else:
        plain = {} if match["free"] else _PLAIN
        named = [plain.get(w.lower(), _FREE_OF.get(w.lower().rstrip("s"))) for w in words]
        if "EFS" in named:
            return "EFS"
        endpoint = named[0]
    family = _endpoints_named(doc) & _RELAPSE_FAMILY if endpoint in _RELAPSE_FAMILY else set()
    if len(family) == 1:
        return family.pop()  # "alive and had not relapsed" in a text about its 2-year DFS
    return endpoint


def _endpoints_named(doc: Doc) -> set[str]:
    """The endpoints a document names anywhere, found once per document."""
    if "extractor.endpoints" not in doc.user_data:
        named = {m.lastgroup or "OS" for m in ENDPOINT.finditer(doc_text(doc))}
        doc.user_data["extractor.endpoints"] = named
    return doc.user_data["extractor.endpoints"]


_FREE_OF_GROUPS = ("free_of", "alive_and", "free")
_PLAIN = {"leukemia": "DFS", "leukaemia": "DFS"}  # the disease named in plain words
_NOT_RELAPSED = re.compile(r"\bnot\s+relapsed\b", re.I)
_RELAPSE_FAMILY = {"DFS", "RFS", "LFS"}


# a value stated with a patient state: its match, where its text ends, its interval and SE
Stated = tuple[re.Match[str], int, tuple[float, float, int] | None, float | None]


def stated_as_status(doc: Doc, sent: Span, text: str, timepoint: float | None) -> list[dict]:
    """Values stated as a share of patients alive, event-free or free of relapse, and the
    value they are compared with ("93.3% were alive ..., against 65.8% of 214 babies"), all
    at the sentence's ``timepoint``."""
    estimates = []
    for state in [*_STATUS_BEFORE.finditer(text), *_STATUS_THEN_VALUE.finditer(text)]:
        estimates.extend(_state_then_value(doc, sent, text, state, timepoint))
    for value in PERCENTAGE.finditer(text):
        estimates.extend(_value_then_state(doc, sent, text, value, timepoint, bool(estimates)))
    return estimates


def _state_then_value(
    doc: Doc, sent: Span, text: str, state: re.Match[str], timepoint: float | None
) -> list[dict]:
    """ "The share who were alive … was 81.6% (95% CI 70.2-94.9), against 49.4%", "alive
    (85.2%)": the state named first, its value with its spread, and the value compared."""
    rest = text[state.end() :]
    ci = interval_after(rest, parse_number(state["number"]) or 0)
    error = None if ci else standard_error_after(rest)
    spread_end = state.end() + (ci[2] if ci else error[1] if error else 0)
    stated: list[Stated] = [(state, spread_end, ci, error[0] if error else None)]
    other = _COMPARED_VALUE.match(text, spread_end) or (
        _CHANGED_TO.match(text, spread_end) if state.groupdict().get("change") else None
    )
    stated += [(other, other.end(), None, None)] if other else []
    endpoint = _status_endpoint(state, doc)
    return _status_facts(doc, sent, text, stated, endpoint, _own_time(state, timepoint))


def _value_then_state(
    doc: Doc,
    sent: Span,
    text: str,
    value: re.Match[str],
    timepoint: float | None,
    after_a_state: bool,
) -> list[dict]:
    """ "93.3% of the babies were alive", "(81.6%; 95% CI …) were alive", and after another
    state "…, 85.2 per cent overall": the value first, then the state it is a share of."""
    status = _STATUS_AFTER.match(text, value.end())
    overall = None if status or not after_a_state else _OVERALL_AFTER.match(text, value.end())
    if overall:  # "66.2 per cent event-free, 85.2 per cent overall"
        ci, se = _spread_in(value, "")
        return _status_facts(doc, sent, text, [(value, overall.end(), ci, se)], "OS", timepoint)
    if status is None:
        bracketed = (
            _STATUS_AFTER_BRACKET.match(text, value.end())
            if text[: value.start()].rstrip().endswith("(")
            else None
        )
        if bracketed is None:
            return []
        own = timepoint_of(SENTENCE_TIMEPOINT.search(bracketed["closing"]))
        ci, se = _spread_in(value, f"({bracketed['closing'].lstrip(' ;,')})")
        stated: list[Stated] = [(value, bracketed.end(), ci, se)]
        endpoint = _status_endpoint(bracketed, doc)
        return _status_facts(
            doc, sent, text, stated, endpoint, own or _own_time(bracketed, timepoint)
        )
    endpoint = _status_endpoint(status, doc)
    if endpoint is None:
        return []
    ci, se = _spread_in(value, status["lead_aside"] or status["aside"] or "")
    later = _SE_LATER.match(text, status.end())
    se = se or (parse_number(later["se"]) if later else None)
    stated = [(value, status.end(), ci, se)]
    other = _COMPARED_VALUE.match(text, status.end())
    if other:
        stated.append((other, other.end(), None, None))
    # "… were alive without such events after six years": the clause's own time
    after = _TIME_AFTER_STATUS.match(text, status.end())
    time = timepoint_of(after) if after else _own_time(status, timepoint)
    return _status_facts(doc, sent, text, stated, endpoint, time)


_TIME_AFTER_STATUS = re.compile(rf"{SPACE}+(?:at|after|by){SPACE}+{TIMEPOINT}", re.I)


def _own_time(status: re.Match[str], timepoint: float | None) -> float | None:
    """ "survived six years without relapse", "event-free at 3 years (66.2%)": the state's own
    timepoint, else the sentence's."""
    groups = status.groupdict()
    for value_group, unit_group in (("tp_value", "tp_unit"), ("at_value", "at_unit")):
        value = parse_number(groups[value_group]) if groups.get(value_group) else None
        if value is not None:
            return months(value, groups[unit_group])
    return timepoint


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
