"""Median follow-up: "median follow-up of 26 months (range, 3-60)", "a median 26.3 months of
follow-up", "after a median follow-up of 4.1 years"."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extractor.nlp.facts import facts, make_fact
from extractor.nlp.numbers import DASH, NUMBER, SPACE, TIME_UNIT, months, parse_number

_FOLLOW_UP = rf"follow(?:-|‑|{SPACE})?up"
FOLLOW_UP = re.compile(
    rf"\bmedian{SPACE}+(?:duration{SPACE}+of{SPACE}+|time{SPACE}+of{SPACE}+)?{_FOLLOW_UP}"
    rf"(?:{SPACE}+(?:time|duration|period))?{SPACE}*(?:of|was|is|:|,)?{SPACE}*(?:was{SPACE}+)?"
    rf"(?P<value>{NUMBER}){SPACE}*(?P<unit>{TIME_UNIT})\b"
    rf"|\bmedian{SPACE}+(?:of{SPACE}+)?(?P<value2>{NUMBER}){SPACE}*(?P<unit2>{TIME_UNIT})"
    rf"{SPACE}+(?:of{SPACE}+)?{_FOLLOW_UP}",
    re.I,
)
RANGE = re.compile(
    rf"^{SPACE}*[(\[,;]{SPACE}*(?:range|IQR|interquartile{SPACE}+range)?{SPACE}*[,:]?{SPACE}*"
    rf"(?P<low>{NUMBER}){SPACE}*{DASH}{SPACE}*(?P<high>{NUMBER}){SPACE}*(?P<unit>{TIME_UNIT})?"
    rf"{SPACE}*[)\]]?",
    re.I,
)


@Language.factory("follow_up")
def create_follow_up(nlp: Language, name: str) -> FollowUp:
    return FollowUp(name)


class FollowUp:
    """Adds median follow-up facts (in months) to ``doc._.follow_up``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        found = facts(doc, "follow_up")
        for match in FOLLOW_UP.finditer(doc.text):
            value = parse_number(match["value"] or match["value2"])
            unit = match["unit"] or match["unit2"]
            if value is None:
                continue
            end = match.end()
            low = high = None
            spread = RANGE.match(doc.text[end:])
            if spread:
                low_v, high_v = parse_number(spread["low"]), parse_number(spread["high"])
                range_unit = spread["unit"] or unit
                if low_v is not None and high_v is not None:
                    low, high = months(low_v, range_unit), months(high_v, range_unit)
                    end += spread.end()
            found.append(
                make_fact(
                    doc,
                    match.start(),
                    end,
                    median_months=months(value, unit),
                    range_low_months=low,
                    range_high_months=high,
                )
            )
        return doc
