"""Median follow-up: "median follow-up of 26 months (range, 3-60)", "a median 26.3 months of
follow-up", "after a median follow-up of 4.1 years"."""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import Fact
from extractor.nlp.facts import SentenceReader, make_fact, sentence_text
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
class FollowUp(SentenceReader):
    """Median follow-up facts (in months), into ``doc._.follow_up``."""

    key = "follow_up"

    def read(self, doc: Doc, sent: Span) -> Iterator[Fact]:
        text, offset = sentence_text(sent), sent.start_char
        for match in FOLLOW_UP.finditer(text):
            value = parse_number(match["value"] or match["value2"])
            unit = match["unit"] or match["unit2"]
            if value is None:
                continue
            end = match.end()
            low = high = None
            spread = RANGE.match(text[end:])
            if spread:
                low_v, high_v = parse_number(spread["low"]), parse_number(spread["high"])
                range_unit = spread["unit"] or unit
                if low_v is not None and high_v is not None:
                    low, high = months(low_v, range_unit), months(high_v, range_unit)
                    end += spread.end()
            yield make_fact(
                doc,
                offset + match.start(),
                offset + end,
                median_months=months(value, unit),
                range_low_months=low,
                range_high_months=high,
            )
