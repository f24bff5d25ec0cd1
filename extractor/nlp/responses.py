"""Response rates: complete remission, CR/CRh, overall response, MRD negativity, in percent.

A percentage that no other fact holds, in a sentence that names a response measure, is a
response rate for the measure named nearest before it (or after it when none comes before).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import Fact
from extractor.nlp.facts import SentenceReader, claim, doc_text, facts, make_fact, sentence_text
from extractor.nlp.numbers import (
    NOT_A_RATE_AFTER,
    NUMBER,
    PERCENTAGE,
    SPACE,
    is_interval_part,
    may_hold_a_percentage,
    parse_number,
)
from extractor.nlp.tables import rates_in_row, table_rows

MEASURES: tuple[tuple[str, str], ...] = (
    (
        "CR/CRh",
        r"CR\s*/\s*CRh|complete\s+remission\s+or\s+complete\s+remission\s+with\s+"
        r"partial\s+ha?ematologic(?:al)?\s+recovery",
    ),
    ("MRD positivity", r"MRD[- ]positiv\w*|positive\s+for\s+MRD"),
    (
        "MRD negativity",
        r"MRD[- ]negativ\w*|negative\s+(?:for\s+)?MRD|(?:minimal|measurable)\s+"
        r"residual\s+disease|(?-i:\bMRD\b)|\bno\s+(?:measurable|detectable|evidence\s+of)\s+"
        r"(?:residual\s+)?(?:leuka?emia|disease)|\b(?:undetectable|unmeasurable)\s+(?:residual\s+)?"
        r"(?:leuka?emia|disease)",
    ),
    ("complete remission", r"complete\s+(?:remission|response)|(?-i:\bCR\b)"),
    (
        "overall response",
        r"overall\s+response|objective\s+response|response\s+rate|(?-i:\bORR\b)"
        r"|responded|\bresponses?\b",
    ),
    ("remission", r"(?<!\bin )(?<!continuous )\bremission\b"),
)
# "48% of patients were MRD positive", "93% achieved CR": the measure follows its value.
_OWN_MEASURE_BETWEEN = re.compile(
    r"\s*(?:\)\s*)?,?\s*(?:of\s+(?:the\s+)?(?:[\w-]+\s+){1,3}?)?(?:were|was|had|achieved|became"
    r"|reached|attained|remained)\s+(?:in\s+|an?\s+)?(?:\w+\s+)?$",
    re.I,
)
MEASURE = re.compile("|".join(f"(?P<m{i}>{p})" for i, (_, p) in enumerate(MEASURES)), re.I)
TIMEPOINT = re.compile(
    r"\b(?:at\s+the\s+end\s+of|after|following|by\s+the\s+end\s+of)\s+(?P<when>(?:the\s+)?"
    r"(?:induction|consolidation|blinatumomab(?:\s+infusion)?|the\s+infusion|infusion|"
    r"(?:the\s+)?first\s+(?:course|cycle)|\w+\s+(?:course|cycle|block)s?))"
    r"|\b(?:on|at|by)\s+(?P<day>day\s+\d+)",
    re.I,
)


# "28/30 (93)" or "28/30 (93%)": responders of evaluable, and the share
_COUNT_AND_SHARE = re.compile(
    rf"{SPACE}*\d+{SPACE}*/{SPACE}*\d+{SPACE}*\({SPACE}*(?P<number>{NUMBER})(?P<percent>{SPACE}?%)?{SPACE}*\)"
)


@Language.factory("response_rates")
class ResponseRates(SentenceReader):
    """Response-rate facts, into ``doc._.response_rates``."""

    key = "response_rates"

    def __call__(self, doc: Doc) -> Doc:
        facts(doc, self.key).extend(self._table_rates(doc))
        return super().__call__(doc)

    def _table_rates(self, doc: Doc) -> Iterator[Fact]:
        """ "MRD-negative after the infusion, n/N (%) | 28/30 (93)": a measure per row."""
        for row in table_rows(doc_text(doc)):
            measure = MEASURE.search(row.label.text)
            if measure is None:
                continue
            for end, value in rates_in_row(doc, row, _COUNT_AND_SHARE):
                yield make_fact(
                    doc,
                    row.label.start,
                    end,
                    measure=MEASURES[int((measure.lastgroup or "m0")[1:])][0],
                    value_pct=value,
                    timepoint=None,
                    n=None,
                )

    def read(self, doc: Doc, sent: Span) -> Iterator[Fact]:
        text, offset = sentence_text(sent), sent.start_char
        if not may_hold_a_percentage(text):
            return
        measures = list(MEASURE.finditer(text))
        if not measures:
            return
        when = TIMEPOINT.search(text)
        for value in PERCENTAGE.finditer(text):
            number = parse_number(value["number"])
            if (
                number is None
                or number > 100
                or NOT_A_RATE_AFTER.match(text[value.end() :])
                or is_interval_part(text, value.start())
            ):
                continue
            if not claim(doc, offset + value.start(), offset + value.end()):
                continue
            # "48% of patients were MRD positive": a measure named just after the value is
            # its own; otherwise the one named before it.
            after = [
                m
                for m in measures
                if m.start() >= value.end()
                and _OWN_MEASURE_BETWEEN.match(text[value.end() : m.start()])
            ]
            before = [m for m in measures if m.end() <= value.start()]
            measure = after[0] if after else before[-1] if before else measures[0]
            label = MEASURES[int((measure.lastgroup or "m0")[1:])][0]
            start = min(measure.start(), value.start())
            end = max(measure.end(), value.end())
            yield make_fact(
                doc,
                offset + start,
                offset + end,
                measure=label,
                value_pct=number,
                timepoint=(when["when"] or when["day"]) if when else None,
                n=None,
            )
