"""Survival estimates: endpoint, timepoint, value, confidence interval or SE, and arm.

Within a sentence each percentage belongs to the nearest endpoint named before it ("2-year
DFS was 81.6% vs 49.4%"). Endpoints listed together share a timepoint ("the 6-year EFS and
OS") and are paired with values in order when the sentence says "respectively". A sentence
that names no endpoint but refers back ("the rates were 49.4% and 65.8%, respectively")
takes the endpoints of the sentence before it.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.arms import (
    ARM_LABEL,
    COMPARISON,
    GROUP,
    RESPECTIVELY,
    ArmContext,
    SentenceArms,
)
from extractor.nlp.endpoints import (
    COORDINATION,
    ENDPOINT,
    SENTENCE_TIMEPOINT,
    EndpointMention,
    endpoint_mentions,
    last_semicolon,
    timepoint_of,
)
from extractor.nlp.facts import (
    claim,
    doc_text,
    facts,
    is_claimed,
    make_fact,
    sentence_text,
    title_drug,
)
from extractor.nlp.numbers import (
    ANY_NUMBER,
    NOT_A_RATE_AFTER,
    NUMBER,
    PERCENT,
    PERCENTAGE,
    SPACE,
    TIME_UNIT,
    TIMEPOINT,
    interval_after,
    is_interval_part,
    may_hold_a_percentage,
    months,
    parse_number,
    qualifier_before,
    standard_error_after,
)
from extractor.nlp.patient_states import stated_as_status
from extractor.nlp.studies import DocumentTrials
from extractor.nlp.tables import CELL_VALUE, GROUP_SIZE, Cell, TableRow, table_rows

# "OS was 72% at 5 years": the timepoint after the value.
# ... but not "88%, at 2 years 76%": a timepoint that leads the next value is that value's
_TIMEPOINT_AFTER_VALUE = re.compile(
    rf"^{SPACE}*,?{SPACE}*(?:at|after){SPACE}+{TIMEPOINT}(?!{SPACE}*[,:]?{SPACE}*{NUMBER}{SPACE}?%)",
    re.I,
)
# "OS at 1 year was 88%, at 2 years 76%": a timepoint right before the value
_TIMEPOINT_LEADS_VALUE = re.compile(
    rf"\b(?:at|after){SPACE}+{TIMEPOINT}{SPACE}*[,:]?{SPACE}*$", re.I
)
# "at 6 years", "the 2-year estimates", "3-year EFS": a time at which outcomes are given
_OUTCOME_TIME = re.compile(
    rf"(?:\b(?:at|after|by){SPACE}+(?={ANY_NUMBER})|(?={ANY_NUMBER}{SPACE}?[-‑–]?{SPACE}?"
    rf"{TIME_UNIT}{SPACE}*[-‑]?{SPACE}*(?:estimates?|rates?|figures?|survival|probabilit\w+"
    r"|outcomes?|results?|EFS|OS|DFS|RFS|LFS|PFS|CIR|event|overall|disease|relapse|leuka?emia)\b))"
    rf"{TIMEPOINT}",
    re.I,
)
# "At two years, DFS was 81.6%. Overall survival was 93.3%.": a sentence that opens with its
# timepoint frames the sentences that follow it in the paragraph and name none of their own.
_FRAMING = re.compile(
    rf"^{SPACE}*(?:(?P<framing>at|after){SPACE}+)?{TIMEPOINT}(?(framing)|{SPACE}+(?:on|later|out)),",
    re.I,
)
_SAME_TIME = re.compile(
    r"\b(?:at|by|over|in)\s+(?:that|the\s+same)\s+(?:point|time|time\s?point|stage|mark|period)\b"
    r"|\bby\s+then\b",
    re.I,
)
_IN_ORDER = re.compile(r"\brespectively\b|\bcorresponding\b|\bequivalent\b", re.I)
# "46.1% (SE 2.1) for EFS", "the 47.0% 4-year EFS", "46.1% event-free survival", "36% and
# 39% 3-year EFS", "47.0% – event-free survival at 4 years": a value followed by its endpoint
_FOR_ENDPOINT = re.compile(
    rf"{SPACE}*(?:\([^()]*\){SPACE}*)?(?:[–—]{SPACE}*)?(?:(?:for|in{SPACE}+terms{SPACE}+of){SPACE}+(?:the{SPACE}+)?"
    rf"|(?:(?:,|and){SPACE}*{NUMBER}{PERCENT}{SPACE}*)*"
    rf"(?:{ANY_NUMBER}{SPACE}?(?:-|‑){SPACE}?(?:year|month)s?{SPACE}+)?)",
    re.I,
)
# "the corresponding values", "the corresponding blinatumomab estimates"
# "; among 214 controls, the values were", "the 6-year figures of Interfant-06"
_CORRESPONDING = re.compile(
    rf"\b(?:(?:corresponding|equivalent|respective|matching)\s+(?:[\w-]+\s+){{0,2}}?"
    rf"|(?:the|these|those)\s+(?:two\s+|same\s+)?|the\s+{TIMEPOINT}{SPACE}*)"
    r"(?:values|rates|figures|estimates|proportions|percentages)\b",
    re.I,
)
_OTHER_OUTCOME = re.compile(
    r"\b(?:non-?relapse|treatment-related|transplant-related|toxic)\s+(?:mortality|deaths?)"
    r"|(?-i:\b(?:NRM|TRM)\b)|\bdeaths?\s+in\s+(?:first\s+)?(?:complete\s+)?remission",
    re.I,
)
_ANOTHER_MEASURE = re.compile(r"\b(?:that|those)\s+of\b", re.I)
# "That compares with 65.8% of 214 babies who had only chemotherapy": the same measure
_COMPARES_BACK = re.compile(r"^\W*(?:that|this)\s+compares?\s+(?:with|to)\b", re.I)
# "the rates were", "that figure was", "the matching estimates", "That compares with 65.8%"
_ANAPHORA = re.compile(
    r"\b(?:the|these|those|that|this|corresponding)\s+(?:corresponding\s+|equivalent\s+"
    r"|matching\s+|two\s+|same\s+)?(?:rates|figures?|estimates?|values?|proportions|numbers?)\b"
    rf"|\brespectively\b|,\s+it\s+was\b|{_COMPARES_BACK.pattern}",
    re.I,
)
# A sentence about another measure does not refer back to the survival figures before it.
_OTHER_MEASURE = re.compile(
    r"remission|response|\bMRD\b|residual disease|adverse|toxicit|\bgrade\b|hazard|risk", re.I
)
# "75% of infants", "70% were relapses": a proportion, not a survival estimate.
_NOT_SURVIVAL_AFTER = re.compile(
    rf"^{SPACE}*(?:of|were|was|had|died|relapsed|occurred)\b(?!{SPACE}+(?:achieved|reached"
    rf"|observed|reported|seen|obtained|recorded|estimated)\b)",
    re.I,
)
_GROUP_LABEL = re.compile(
    rf"\b{GROUP}\b|\b(?:experimental|comparator|placebo|alone|only|standard|chemotherapy)\b|\+",
    re.I,
)
# "Value: 46.1 (2.1)": a result line that does not name its group
_GENERIC_LABEL = re.compile(r"\s*(?:values?|results?|estimates?|rates?|overall|total)\s*$", re.I)
_NAMES_A_GROUP = re.compile(rf"\b{GROUP}\b", re.I)  # "above that of the controls (49.4%)"


@Language.factory("survival")
class SurvivalEstimates:
    """Survival facts, into ``doc._.survival``; a sentence may refer back to the one before."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        found = facts(doc, "survival")
        previous: list[EndpointMention] = []
        frame: float | None = None  # "At two years, ...": a timepoint that frames what follows
        last_time: float | None = None  # the last timepoint a figure was given
        previous_end = -1
        about = title_drug(doc)
        context = ArmContext(own=about.label_ if about else None)
        found.extend(self._table_estimates(doc))
        for sent in doc.sents:
            text = sentence_text(sent)
            if (
                sent.start
                and "\n" in doc_text(doc)[doc[sent.start - 1].sent.end_char : sent.end_char]
            ):
                context.comparator = None  # a comparison holds within its paragraph
            # what the sentence just before said holds here too, if no line break comes first
            adjacent = not doc_text(doc)[previous_end : sent.start_char].strip(" \t\u00a0")
            framed = frame is not None and adjacent
            stated = (
                stated_as_status(
                    doc,
                    sent,
                    text,
                    # "over the same period", "at two years", "three-year figures: 66.2 per
                    # cent event-free"
                    (last_time if adjacent and _SAME_TIME.search(text) else None)
                    or timepoint_of(SENTENCE_TIMEPOINT.search(text) or _OUTCOME_TIME.search(text))
                    or (frame if framed else last_time if adjacent else None),
                )
                if may_hold_a_percentage(text)
                else []
            )
            if stated:
                starts = [f["start"] - sent.start_char for f in stated]
                arms = SentenceArms(text, starts, [], context)
                for fact, start in zip(stated, starts, strict=True):
                    fact["arm"] = arms.arm_of(start, fact["end"] - sent.start_char)
                _fill_arms(doc, sent, stated, arms)
            found.extend(stated)
            mentions = endpoint_mentions(text)
            if not any(m.timepoint_months for m in mentions):
                # "At two years, ...": a frame; "... at that point": the time just given
                carried = frame if framed else last_time if _SAME_TIME.search(text) else None
                said = {m.endpoint: m.timepoint_months for m in previous if adjacent}
                for mention in mentions:
                    # "2-year DFS of 81.6% ... Its comparator ... (DFS 49.4%": the same endpoint
                    mention.timepoint_months = carried or said.get(mention.endpoint)
            values = _values(doc, sent, text) if may_hold_a_percentage(text) else []
            referring_back = (
                not mentions
                and bool(_ANAPHORA.search(text) or _SAME_TIME.search(text))
                and not _OTHER_MEASURE.search(text)
            )
            if mentions or referring_back:
                found.extend(
                    self._estimates(
                        doc,
                        sent,
                        text,
                        mentions or _retimed(previous, text),
                        values,
                        referring_back,
                        context,
                    )
                )
            times = [f["timepoint_months"] for f in found if f["timepoint_months"] is not None]
            last_time = times[-1] if times else None
            if mentions or stated or (referring_back and values):
                previous_end = sent.end_char
                frame = timepoint_of(_FRAMING.match(text)) or (frame if framed else None)
            if mentions:
                previous = mentions
            elif stated:  # "... 93.3 per cent were still alive and 81.6 per cent were alive with
                # no return ...": what the next sentence's "equivalent figures" refer to
                previous = [
                    EndpointMention(f["endpoint"], 0, 0, f["timepoint_months"]) for f in stated
                ]
        # "EFS has stayed below 50%": a bound with no time and no interval is a remark
        found[:] = [f for f in found if not _a_remark(f)]
        _one_timepoint_for_all(doc_text(doc), found)
        trials = DocumentTrials(doc_text(doc), doc[0].sent.end_char if len(doc) else 0)
        drugs = [d.start_char for d in doc.spans.get("drugs", [])]
        for fact in found:
            start, end = fact["sentence_start"], fact["sentence_end"]
            names_a_drug = any(start <= d < end for d in drugs)
            fact["study"] = trials.trial_at(fact["start"], start, end, names_a_drug)
        return doc

    def _table_estimates(self, doc: Doc) -> list[dict]:
        """Figures in "|" tables. A wide table names the endpoint in the row label and the
        arm in the header ("DFS at 2 years | 81.6 (70.2–94.9) | 49.4 (...)"); a long table
        has columns for the endpoint, the timepoint and the estimate, one row per arm."""
        estimates = []
        for row in table_rows(doc_text(doc)):
            named = row.column(r"\b(?:endpoint|outcome)s?\b")
            cells: list[tuple[Cell, str | None]]
            row_time = None
            if named is not None:
                estimate = row.column(r"estimate|value|rate|%|result")
                mentions = endpoint_mentions(named.text)
                # "EFS, 6 years", or "48" under "Time (months)"
                row_time = _time_in_column(row) or timepoint_of(
                    re.search(TIMEPOINT, named.text, re.I)
                )
                cells = [(estimate, row.label.text)] if estimate else []
                in_percent = True  # a survival estimate above 1 in a long table is a percentage
            elif not row.header and not ENDPOINT.search(row.label.text):
                # "Outcome: overall survival at 2 years … Historical controls: 65.8 (59.5 to
                # 72.8)": a registry's result list names the endpoint above, the arm on the line
                mentions = endpoint_mentions(row.caption)
                if _GENERIC_LABEL.match(row.label.text):
                    arm = None
                elif _names_a_group(doc, row.label):
                    arm = row.label.text
                else:
                    continue  # "Grade 3 or higher anaemia, %: 17" under a results heading
                cells = [(row.cells[0], arm)]
                in_percent = row.in_percent
            elif not ENDPOINT.search(row.label.text):
                # "Cohort | N | 2-year DFS, % (95% CI) | 2-year OS, % (95% CI)": the endpoint
                # heads the column, the row names the arm
                for index, cell in enumerate(row.cells):
                    heading = row.column_name(index) or ""
                    mentions = endpoint_mentions(heading)
                    if len({m.endpoint for m in mentions}) != 1:
                        continue
                    # "… | Time point | EFS": a column of timepoints, else the caption's
                    time = row.column(r"\btime")
                    timepoint = (
                        mentions[0].timepoint_months
                        or timepoint_of(re.search(TIMEPOINT, time.text, re.I) if time else None)
                        or timepoint_of(re.search(TIMEPOINT, row.caption, re.I))
                    )
                    arm = GROUP_SIZE.sub(" ", row.label.text).strip() or None
                    spread_is_se = bool(_SE_NAMED.search(row.caption))
                    estimates.extend(
                        self._table_cell(
                            doc,
                            cell,
                            row.in_percent,
                            mentions[0].endpoint,
                            timepoint,
                            arm,
                            spread_is_se,
                        )
                    )
                continue
            else:
                mentions = endpoint_mentions(row.label.text)
                cells = [(cell, row.column_name(i)) for i, cell in enumerate(row.cells)]
                in_percent = row.in_percent
            if len({m.endpoint for m in mentions}) != 1:
                continue
            timepoint = next((m.timepoint_months for m in mentions if m.timepoint_months), None)
            if timepoint is None:  # "EFS, all participants, 6 years: 46.1%", "Time frame: 6
                # years", "Table 1. Outcomes at 2 years"
                timepoint = row_time or timepoint_of(
                    re.search(TIMEPOINT, row.label.text, re.I)
                    or re.search(TIMEPOINT, row.caption, re.I)
                )
            spread_is_se = bool(_SE_NAMED.search(row.caption))
            for cell, arm in cells:
                estimates.extend(
                    self._table_cell(
                        doc, cell, in_percent, mentions[0].endpoint, timepoint, arm, spread_is_se
                    )
                )
        return estimates

    def _table_cell(
        self,
        doc: Doc,
        cell: Cell,
        in_percent: bool,
        endpoint: str,
        timepoint: float | None,
        arm: str | None,
        spread_is_se: bool = False,
    ) -> list[dict]:
        """One estimate from a table cell; a bare "(2.1)" after it is its SE when the table
        says its spread is a standard error."""
        value = CELL_VALUE.match(cell.text)
        number = parse_number(value["number"]) if value else None
        if not value or number is None or not 1 < number <= 100:
            return []
        if not (value["percent"] or in_percent):
            return []
        rest = cell.text[value.end() :]
        ci = interval_after(rest, number)
        se = None if ci else standard_error_after(rest)
        bare = _BARE_SPREAD.match(rest) if spread_is_se and not (ci or se) else None
        spread = parse_number(bare["spread"]) if bare else None
        if bare and spread is not None:
            se = spread, bare.end()
        start = cell.start + value.start("number")
        end = cell.start + value.end() + (ci[2] if ci else se[1] if se else 0)
        if not claim(doc, start, end):
            return []
        return [
            make_fact(
                doc,
                start,
                end,
                endpoint=endpoint,
                timepoint_months=timepoint,
                value_pct=number,
                ci_low=ci[0] if ci else None,
                ci_high=ci[1] if ci else None,
                se=se[0] if se else None,
                qualifier=None,
                arm=arm,
                n=None,
            )
        ]

    def _estimates(
        self,
        doc: Doc,
        sent: Span,
        text: str,
        mentions: list[EndpointMention],
        values: list[re.Match[str]],
        referring_back: bool,
        context: ArmContext,
    ) -> list[dict]:
        pairs = _pair(text, mentions, values, referring_back)
        named_here = [] if referring_back else [m.start for m in mentions]
        arms = SentenceArms(text, [value.start() for _, value in pairs], named_here, context)
        estimates = []
        for mention, value in pairs:
            number = parse_number(value["number"])
            rest = text[value.end() :]
            if (
                number is None
                or number > 100
                or (_NOT_SURVIVAL_AFTER.match(rest) and not _COMPARES_BACK.match(text))
                or NOT_A_RATE_AFTER.match(rest)
            ):
                continue
            ci, se, length = _spread(value, rest, number)
            bare = None if ci or se or not _SE_NAMED.search(text) else _BARE_SPREAD.match(rest)
            if bare:  # "46.1% (SE 2.1) and 58.2% (2.1)": the label is given once
                se, length = parse_number(bare["spread"]), bare.end()
            shared = None if ci or se else _SHARED_SE.search(text)
            se = se if shared is None else parse_number(shared["se"])
            end = value.end() + length
            # "47.0% (SE 2.6) at 4 years ... and 46.1% (SE 2.1) at 6 years": the value's own
            timepoint = timepoint_of(
                _TIMEPOINT_AFTER_VALUE.match(text[end:])
                or _TIMEPOINT_LEADS_VALUE.search(text, max(0, value.start() - 25), value.start())
            )
            if timepoint is None:
                timepoint = mention.timepoint_months
            start_char, end_char = sent.start_char + value.start(), sent.start_char + end
            if not claim(doc, start_char, end_char):
                continue
            estimates.append(
                make_fact(
                    doc,
                    start_char,
                    end_char,
                    endpoint=mention.endpoint,
                    timepoint_months=timepoint,
                    value_pct=number,
                    ci_low=ci[0] if ci else None,
                    ci_high=ci[1] if ci else None,
                    se=se,
                    qualifier=qualifier_before(text[: value.start()]),
                    arm=arms.arm_of(value.start(), end),
                    n=None,
                )
            )
        _fill_arms(doc, sent, estimates, arms)
        return estimates


def _retimed(mentions: list[EndpointMention], text: str) -> list[EndpointMention]:
    """The endpoints a sentence refers back to, at the timepoint it gives its own figures ("In
    MLL-10, the corresponding figures at 3 years were 66.2% and 85.2%")."""
    return _at_time(mentions, timepoint_of(SENTENCE_TIMEPOINT.search(text)))


def _at_time(mentions: list[EndpointMention], timepoint: float | None) -> list[EndpointMention]:
    """The same endpoints at another timepoint, when one is given."""
    if timepoint is None:
        return mentions
    return [EndpointMention(m.endpoint, m.start, m.end, timepoint) for m in mentions]


def _time_in_column(row: TableRow) -> float | None:
    """The timepoint a long table's time column gives: "6 years", or "48" under "Time
    (months)"."""
    for heading, cell in zip(row.header[1:], row.cells, strict=False):
        if not re.search(r"\btime|\blandmark", heading.text, re.I):
            continue
        written = timepoint_of(re.search(TIMEPOINT, cell.text, re.I))
        unit = re.search(r"\b(?:months?|years?)\b", heading.text, re.I)
        bare = parse_number(cell.text) if unit else None
        return written if written is not None else months(bare, unit[0]) if unit and bare else None
    return None


def _names_a_group(doc: Doc, label: Cell) -> bool:
    """Whether a result line's label names a group of patients: "Historical controls", "Arm
    A, experimental", "Blinatumomab + Interfant-06" (a treatment), not a measure."""
    end = label.start + len(label.text)
    treatment = any(label.start <= d.start_char < end for d in doc.spans.get("drugs", []))
    return treatment or bool(_GROUP_LABEL.search(label.text))


def _fill_arms(doc: Doc, sent: Span, estimates: list[dict], arms: SentenceArms) -> None:
    """Arms for the figures of a sentence that none named: the study's own treatment across
    a comparison with controls, else the treatment the sentence (or the title) is about."""
    named = [d for d in doc.spans.get("drugs", []) if sent.start <= d.start < sent.end]
    for estimate in estimates:
        at = estimate["start"] - sent.start_char
        if estimate["arm"] is None:
            drugs_before = {d.label_ for d in named if d.end_char <= estimate["start"]}
            # a drug named after the figure ("… the prednisone prophase") may be incidental
            treated = drugs_before if len(drugs_before) == len({d.label_ for d in named}) else None
            estimate["arm"] = arms.own_side_arm(at) or (
                arms.treated_arm(at, treated) if treated is not None else None
            )


def _a_remark(fact: dict) -> bool:
    return (
        fact["qualifier"] in ("<", ">")
        and fact["timepoint_months"] is None
        and fact["ci_low"] is None
        and fact["se"] is None
    )


def _one_timepoint_for_all(text: str, found: list[dict]) -> None:
    """A news piece that gives every timed figure at two years means two years where it drops
    the timepoint ("Overall survival was 93.3% versus 65.8%"): when at least two figures state
    a timepoint, all state the same one and the text names no other outcome time ("the 2-year
    estimates", "at 6 years"), an untimed figure takes it, marked as inferred."""
    times = {f["timepoint_months"] for f in found if f["timepoint_months"] is not None}
    timed = sum(1 for f in found if f["timepoint_months"] is not None)
    untimed = any(f["timepoint_months"] is None for f in found)
    if untimed and len(times) == 1 and timed >= 2:  # only then is the whole text scanned
        times |= {timepoint_of(m) for m in _OUTCOME_TIME.finditer(text)}
    for fact in found:
        inferred = fact["timepoint_months"] is None and len(times) == 1 and timed >= 2
        if inferred:
            fact["timepoint_months"] = next(iter(times))
        fact["timepoint_inferred"] = inferred


def _spread(
    value: re.Match[str], after: str, number: float
) -> tuple[tuple[float, float, int] | None, float | None, int]:
    """The interval or standard error given with a value, and how far it runs into ``after``:
    "47.0 ± 2.6%" carries its SE inside the value, "81.6% (95% CI, 70.2–94.9)" after it."""
    if value["plus_minus"]:
        return None, parse_number(value["plus_minus"]), 0
    ci = interval_after(after, number)
    if ci:
        return ci, None, ci[2]
    se = standard_error_after(after)
    timepoint = None if se else _TIMEPOINT_AFTER_VALUE.match(after)
    if timepoint:  # "47.0% at 4 years (standard error [SE], 2.6%)"
        later = standard_error_after(after[timepoint.end() :])
        se = (later[0], timepoint.end() + later[1]) if later else None
    return None, (se[0] if se else None), (se[1] if se else 0)


_SE_NAMED = re.compile(r"\b(?:SE|s\.e\.|standard\s+errors?)(?:\b|(?<=\.))", re.I)
_BARE_SPREAD = re.compile(rf"{SPACE}*\({SPACE}*(?P<spread>{NUMBER}){SPACE}*%?{SPACE}*\)")
# "..., each carrying a standard error of 2.1": one SE for every figure of the sentence
_SHARED_SE = re.compile(
    rf"\b(?:each|both)\b[^.;]{{0,40}}?(?:\bstandard{SPACE}+error{SPACE}+(?:of{SPACE}+)?|±{SPACE}*)"
    rf"(?P<se>{NUMBER})",
    re.I,
)
# "46.1 and 58.2%", "(36 vs. 39%)": a number that shares the percent sign of the next one
_SHARES_PERCENT_SIGN = re.compile(
    rf"(?<!-)(?P<number>{NUMBER})(?P<plus_minus>(?!x)x)?(?={SPACE}*(?:,|and|vs\.?|versus|or)"
    rf"{SPACE}*{NUMBER}{PERCENT}(?!{SPACE}*(?:CIs?\b|confidence)))",
    re.I,
)
# "58.2% (2.1%)": a bracketed percentage right after a value is its spread, not a figure
_BARE_PERCENT = re.compile(rf"{SPACE}*\({SPACE}*{NUMBER}{SPACE}*%{SPACE}*\)")
_SPREAD_BEFORE = re.compile(
    r"\b(?:range|ranges|ranging|bounds?|limits?|interval|uncertainty|margin)\b[^.;%\d]{0,40}$",
    re.I,
)
_COUNTED_SHARE_BEFORE = re.compile(
    rf"\b\d+{SPACE}*(?:(?:out{SPACE}+)?of{SPACE}+(?:the{SPACE}+)?|/{SPACE}*)\d+(?:{SPACE}+[\w-]+){{0,2}}"
    rf"{SPACE}*[(\[]{SPACE}*$",
    re.I,
)
# "ranged from 36% to 66.2%", "could lie anywhere between 70.2% and 94.9%"
_RANGE_BEFORE = re.compile(
    r"\b(?:(?:rang(?:ed|ing)|var(?:ied|ying))\s+(?:from\s+|between\s+)?|between\s+)$", re.I
)
_RANGE_AFTER = re.compile(rf"{SPACE}*(?:-|–|to|and){SPACE}*{NUMBER}{PERCENT}", re.I)


def _values(doc: Doc, sent: Span, text: str) -> list[re.Match[str]]:
    """Percentages of a sentence that no other fact holds, skipping interval bounds."""
    values: list[re.Match[str]] = []
    skip_until = 0
    found = [*PERCENTAGE.finditer(text), *_SHARES_PERCENT_SIGN.finditer(text)]
    for match in sorted(found, key=lambda m: m.start()):
        if match.start() < skip_until:
            continue
        if is_claimed(doc, sent.start_char + match.start(), sent.start_char + match.end()):
            continue
        rest = text[match.end() :]
        if re.match(rf"{SPACE}*(?:CIs?\b|confidence)", rest, re.I):
            continue
        if is_interval_part(text, match.start()):
            continue  # "each ±2.1%", "95% CI 70.2 to 94.9": a spread or a bound
        if _COUNTED_SHARE_BEFORE.search(text, max(0, match.start() - 50), match.start()):
            continue  # "28 of the 30 infants (93%) were MRD-negative": a share of a count
        if _SPREAD_BEFORE.search(text, max(0, match.start() - 50), match.start()):
            continue  # "with a lower confidence bound of 70.2%": a limit, not an estimate
        ranged = _RANGE_AFTER.match(rest)
        if ranged and _RANGE_BEFORE.search(text, 0, match.start()):
            skip_until = match.end() + ranged.end()  # "ranged from 36% to 66.2%": a summary
            continue
        values.append(match)
        _, _, spread = _spread(match, rest, parse_number(match["number"]) or 0)
        bare = _BARE_PERCENT.match(rest)
        skip_until = match.end() + (spread or (bare.end() if bare else 0))
    return values


def _pair(
    text: str, mentions: list[EndpointMention], values: list[re.Match[str]], referring_back: bool
) -> list[tuple[EndpointMention, re.Match[str]]]:
    """Give each value its endpoint: in order after "respectively", else the nearest before."""
    if referring_back:
        chain = mentions
        # "... respectively", "the corresponding estimates were 49.4% and 65.8%", "those
        # rates were 49.4% and 65.8%": as many values as the endpoints referred to, in order
        if len(values) == len(chain) and (len(chain) > 1 or _IN_ORDER.search(text)):
            return list(zip(chain, values, strict=True))
        return [(chain[-1], value) for value in values] if len(chain) == 1 else []
    pairs: list[tuple[EndpointMention, re.Match[str]]] = []
    # "2-year DFS was 81.6% and OS 93.3%; in the controls, the corresponding values were 49.4%
    # and 65.8%": the values after the anaphor take the endpoints named before it, in order
    # "… better than the 6-year figures of Interfant-06, 46·1% and 58·2%": at their own time
    corresponding = _CORRESPONDING.search(text, mentions[0].end) if mentions else None
    if corresponding:
        named = [m for m in mentions if m.end <= corresponding.start()]
        upto = next((m.start for m in mentions if m.start >= corresponding.end()), len(text))
        later = [v for v in values if corresponding.end() <= v.start() < upto]
        if later and len(later) == len(named):
            own_time = timepoint_of(corresponding) if corresponding["tp_value"] else None
            pairs.extend(zip(_at_time(named, own_time), later, strict=True))
            values = [v for v in values if v not in later]
    comparison = COMPARISON.search(text, mentions[-1].end) if mentions else None
    if comparison:
        compared = [v for v in values if v.start() >= comparison.end()]
        # "reported 81.6% 2-year DFS (…) and 93.3% 2-year OS (…), versus 49.4% and 65.8%"
        own = [v for v in values if v.start() < comparison.start()]
        listed = RESPECTIVELY.search(text) or len(own) == len(mentions)
        if listed and len(mentions) > 1 and len(compared) == len(mentions):
            pairs.extend(zip(mentions, compared, strict=True))
            values = [v for v in values if v.start() < comparison.start()]
    by_mention: dict[int, list[re.Match[str]]] = {}
    for value in values:
        named_after = next(
            (m for m in mentions if _FOR_ENDPOINT.fullmatch(text, value.end(), m.start)), None
        )
        if named_after:  # "46.1% (SE 2.1) for EFS and 58.2% (SE 2.1) for OS"
            pairs.append((named_after, value))
            continue
        before = [i for i, m in enumerate(mentions) if m.end <= value.start()]
        # "relapse was 41.2% and that of death in remission 8.5%": another, unnamed endpoint
        another = before and _ANOTHER_MEASURE.search(text, mentions[before[-1]].end, value.start())
        if another and not _NAMES_A_GROUP.search(text, another.end(), value.start()):
            continue
        # "the 5-year relapse rate was 30%, and non-relapse mortality 8%": another outcome
        if before and _OTHER_OUTCOME.search(text, mentions[before[-1]].end, value.start()):
            continue
        # "2-yr OS 93.3% vs 65.8%; anaemia 17%": a semicolon outside brackets ends the list
        if before and _clause_ends(text, mentions[before[-1]].end, value):
            continue
        if before:
            by_mention.setdefault(before[-1], []).append(value)
    for index, group in by_mention.items():
        chain = _coordinated_chain(text, mentions, index)
        # "EFS and OS were 58% and 70%": listed endpoints take listed values in order; "… 42%
        # and 55% in one group and 35% and 48% in the other": in turn, group after group
        if len(chain) > 1 and len(group) % len(chain) == 0:
            pairs.extend((chain[i % len(chain)], value) for i, value in enumerate(group))
        else:
            pairs.extend((mentions[index], value) for value in group)
    return sorted(pairs, key=lambda pair: pair[1].start())


def _clause_ends(text: str, start: int, value: re.Match[str]) -> bool:
    """Whether a semicolon outside brackets stands between ``start`` and the value, other than
    one that opens the next arm of a list ("blinatumomab 93.3%; controls 65.8%"), one before
    the same measure in other words ("; in the comparison group it was 65.8%") or one before
    a value given with its own time ("…; Interfant-06 reached 46.1% ± 2.1% at 6 years")."""
    last = last_semicolon(text, start, value.start())
    return (
        last is not None
        and not ARM_LABEL.fullmatch(text, last + 1, value.start())
        and not _SAME_MEASURE.search(text, last + 1, value.start())
        and not _TIMED_VALUE.match(text, value.end())
    )


_SAME_MEASURE = re.compile(r"\b(?:it|this|that)\s+(?:was|were|is|stood\s+at|reached)\s*$", re.I)
_TIMED_VALUE = re.compile(
    rf"(?:{SPACE}*(?:±|\+/-){SPACE}*{NUMBER}{SPACE}?%?)?(?:{SPACE}*\([^()]*\))?{SPACE}*,?"
    rf"{SPACE}*(?:at|after){SPACE}+{TIMEPOINT}",
    re.I,
)


def _coordinated_chain(
    text: str, mentions: list[EndpointMention], index: int
) -> list[EndpointMention]:
    """The endpoints listed together that end at mentions[index] ("EFS, DFS and OS")."""
    chain = [mentions[index]]
    while index > 0 and COORDINATION.match(text[mentions[index - 1].end : mentions[index].start]):
        index -= 1
        chain.insert(0, mentions[index])
    return chain
