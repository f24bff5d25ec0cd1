"""Endpoints named in a sentence and the timepoints written with them.

"5-year EFS", "EFS at 4 years", "EFS (5 years)", "event-free and overall survival at six
years", "6 yr: EFS …; OS …": each endpoint mention keeps the timepoint the sentence gives it,
normalised to EFS, OS, DFS, RFS, PFS, LFS or CIR and to months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.nlp.numbers import ANY_NUMBER, SPACE, TIME_UNIT, TIMEPOINT, months, parse_number

# "event-free survival", and "event-free" in "event-free and overall survival"
_FREE = (
    rf"(?:-|‑|{SPACE})free(?:(?:-|‑|{SPACE})survival|(?=(?:{SPACE}*,{SPACE}*[\w-]+)*{SPACE}*,?"
    rf"{SPACE}+(?:and|or){SPACE}+(?:[\w-]+{SPACE}+)?survival))"
)
# "survival without the disease returning", "survival without an event"
_WITHOUT = r"\bsurvival\s+without\s+(?:the\s+|any\s+|their\s+)?"
ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("EFS", rf"event{_FREE}|{_WITHOUT}an?\s+events?\b|(?-i:\bp?EFS\b)"),
    ("DFS", rf"disease{_FREE}|{_WITHOUT}(?:disease|cancer|leuka?emia)\b|(?-i:\bp?DFS\b)"),
    ("RFS", rf"relapse{_FREE}|{_WITHOUT}(?:a\s+)?relapse\b|(?-i:\bRFS\b)"),
    ("PFS", rf"progression{_FREE}|(?-i:\bPFS\b)"),
    ("LFS", rf"leuka?emia{_FREE}|(?-i:\bLFS\b)"),
    (
        "CIR",
        r"cumulative\s+incidences?\s+of\s+(?:any\s+)?relapses?|relapse\s+(?:incidence|rates?)"
        r"|(?-i:\bCIR\b)",
    ),
    ("OS", r"overall\s+survival|(?-i:\bp?OS\b)|\bsurvival\b"),
)
ENDPOINT = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in ENDPOINTS), re.I)
# "5-year EFS", "5-year probability of EFS", "5-year estimated overall survival"
_TIMEPOINT_BEFORE = re.compile(
    rf"{TIMEPOINT}{SPACE}*(?:-|‑)?(?:{SPACE}*(?:estimated|probability|probabilities|rates?"
    rf"|estimates?|cumulative|actuarial)(?:{SPACE}+of)?)*{SPACE}*$",
    re.I,
)
# "EFS at 4 years", "EFS rates at 3 years", "EFS (±SE) at 5 years"
# "EFS rate three years after diagnosis"
_TIMEPOINT_IN_BRACKETS = re.compile(
    rf"^{SPACE}*\({SPACE}*(?:at{SPACE}+)?{TIMEPOINT}{SPACE}*\)", re.I
)
# "pEFS 6 y = 46.1%", "EFS @24 mo"
_TIMEPOINT_AFTER = re.compile(
    rf"^{SPACE}*(?:\([^()]{{1,12}}\){SPACE}*)?(?:(?:rates?|estimates?|probabilit(?:y|ies))"
    rf"{SPACE}+)?(?:(?P<preposition>at|after|of|@){SPACE}*)?{TIMEPOINT}"
    rf"(?(preposition)|(?:{SPACE}+(?:after|from|since)\b|{SPACE}*[=:]))",
    re.I,
)

SENTENCE_TIMEPOINT = re.compile(
    rf"(?:\b(?:at|after)(?:{SPACE}+the)?{SPACE}+|@{SPACE}*|(?={ANY_NUMBER}{SPACE}?(?:-|{SPACE})?{TIME_UNIT}{SPACE}+"
    rf"(?:on|later|after|from|since|out)\b))"
    rf"{TIMEPOINT}",
    re.I,
)

# "Whole cohort, 6 yr: EFS 46.1% (SE 2.1); OS 58.2% (SE 2.1)": a timepoint heading a list
# "Six-year figures: event-free survival 46.1 per cent, overall survival 58.2 per cent"
_LIST_TIMEPOINT = re.compile(
    rf"(?<![\w-]){TIMEPOINT}(?:{SPACE}*[-‑]?{SPACE}*(?:figures|results|estimates|outcomes|data))?"
    rf"{SPACE}*:",
    re.I,
)

_NEXT_IN_CLAUSE = re.compile(
    r"[^;]{0,40}?%[^;%]{0,30}?\b(?:and|while|whereas|with)\s+(?:an?\s+|the\s+|its\s+)?", re.I
)

# "EFS and OS", "EFS, and the OS", "3-year EFS and 3-year OS", "the EFS rate and OS rate",
# "an EFS and an OS": endpoints listed together.
COORDINATION = re.compile(
    r"^\)?\s*(?:(?:rates?|estimates?|probabilit(?:y|ies))\s*)?(?:,|/|and|or|&)?\s*(?:,|/|and|or|&)?"
    rf"\s*(?:(?:the|an?|its)\s+)?(?:{TIMEPOINT}\s*(?:-|‑)?\s*)?$",
    re.I,
)


@dataclass
class EndpointMention:
    """An endpoint named in a sentence, where, and the timepoint written with it."""

    endpoint: str
    start: int
    end: int
    timepoint_months: float | None


def endpoint_mentions(text: str) -> list[EndpointMention]:
    """Endpoints named in a sentence, each with the timepoint written next to it."""
    mentions: list[EndpointMention] = []
    matches = list(ENDPOINT.finditer(text))
    if not matches:
        return mentions  # most sentences name no endpoint: skip the timepoint patterns
    fallback = SENTENCE_TIMEPOINT.search(text) or _LIST_TIMEPOINT.search(text)
    for match in matches:
        endpoint = match.lastgroup or "OS"
        timepoint = timepoint_of(
            _TIMEPOINT_BEFORE.search(text[max(0, match.start() - 30) : match.start()])
        )
        if timepoint is None:  # "EFS at 4 years", "EFS (5 years)"
            timepoint = timepoint_of(
                _TIMEPOINT_AFTER.match(text[match.end() :])
                or _TIMEPOINT_IN_BRACKETS.match(text[match.end() :])
            )
        if (
            timepoint is None
            and mentions
            and COORDINATION.match(text[mentions[-1].end : match.start()])
        ):
            timepoint = mentions[-1].timepoint_months
        previous = mentions[-1] if mentions else None
        if (
            previous
            and previous.endpoint == endpoint
            and re.fullmatch(r"\s*[(,]\s*", text[previous.end : match.start()])
        ):
            # "event-free survival (EFS)", "(disease-free survival, DFS)" name one endpoint
            previous.end = match.end()
            continue
        mentions.append(EndpointMention(endpoint, match.start(), match.end(), timepoint))
    # A coordinated list names its timepoint once, before or after: "EFS and OS at 5 years".
    for earlier, later in zip(reversed(mentions[:-1]), reversed(mentions[1:]), strict=True):
        if earlier.timepoint_months is None and COORDINATION.match(text[earlier.end : later.start]):
            earlier.timepoint_months = later.timepoint_months
    # "2-year OS 93.3% ... as compared with ... OS 65.8%": a repeated endpoint keeps its
    # timepoint within its clause; "… at 4 years in Interfant-99; EFS 46.1% … at 6 years" not,
    # unless the sentence names one time only ("EFS and OS (6 years) | EFS 46.1%; OS 58.2%").
    one_time = len(_outcome_times(text)) == 1
    for index, mention in enumerate(mentions):
        if mention.timepoint_months is None:
            mention.timepoint_months = next(
                (
                    m.timepoint_months
                    for m in reversed(mentions[:index])
                    if m.endpoint == mention.endpoint
                    and m.timepoint_months is not None
                    and (one_time or not semicolon_between(text, m.end, mention.start))
                ),
                None,
            )
    # "a 6-year EFS of 46.1% and overall survival of 58.2%": the next endpoint of the clause
    for earlier, later in zip(mentions, mentions[1:], strict=False):
        if later.timepoint_months is None and _NEXT_IN_CLAUSE.fullmatch(
            text, earlier.end, later.start
        ):
            later.timepoint_months = earlier.timepoint_months
    if fallback:
        for mention in mentions:
            if mention.timepoint_months is None:
                # "EFS 46.1% (SE 2.1) and OS 58.2% (SE 2.1) at 6 years": its own clause's first
                clause_start = text.rfind(";", 0, mention.start) + 1
                clause_end = text.find(";", mention.end)
                own = SENTENCE_TIMEPOINT.search(
                    text, clause_start, clause_end if clause_end >= 0 else len(text)
                )
                mention.timepoint_months = timepoint_of(own or fallback)
    # "six-year EFS was 46.1% and overall survival 58.2%": a later endpoint in the same clause
    # keeps the one timepoint the sentence gives.
    timed = {m.timepoint_months for m in mentions if m.timepoint_months is not None}
    if len(timed) == 1:
        for earlier, later in zip(mentions, mentions[1:], strict=False):
            if (
                later.timepoint_months is None
                and earlier.timepoint_months is not None
                and not semicolon_between(text, earlier.end, later.start)
            ):
                later.timepoint_months = earlier.timepoint_months
    return mentions


def _outcome_times(text: str) -> set[float | None]:
    """The times in months a sentence names in years or months (not days or weeks: those
    are durations of treatment)."""
    return {
        timepoint_of(m)
        for m in re.finditer(TIMEPOINT, text, re.I)
        if m["tp_unit"].lower()[:1] in ("y", "m")
    }


def timepoint_of(match: re.Match[str] | None) -> float | None:
    if match is None:
        return None
    value = parse_number(match["tp_value"])
    return months(value, match["tp_unit"]) if value is not None else None


def last_semicolon(text: str, start: int, end: int) -> int | None:
    """Where the last semicolon outside brackets stands in ``text[start:end]``, if one does."""
    depth, last = 0, None
    for index in range(start, end):
        char = text[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)  # one opened before ``start`` closes
        elif char == ";" and depth == 0:
            last = index
    return last


def semicolon_between(text: str, start: int, end: int) -> bool:
    return last_semicolon(text, start, end) is not None
