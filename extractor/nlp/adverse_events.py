"""Adverse events: event (one name from ``data/adverse_events.jsonl``), lowest grade counted,
and the percentage of patients.

"grade 3 or worse adverse events were anaemia (17%) and neutropenia, febrile neutropenia and
raised GGT, 7% each": a percentage belongs to the events named since the previous one, all
of them when followed by "each", in order with "respectively", else the last one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractor.evidence import Fact
from extractor.nlp.arms import RESPECTIVELY
from extractor.nlp.facts import (
    SentenceReader,
    claim,
    doc_text,
    facts,
    is_claimed,
    make_fact,
    sentence_text,
)
from extractor.nlp.lexicons import DATA, phrase_matcher, read_jsonl
from extractor.nlp.numbers import (
    NOT_A_RATE_AFTER,
    PERCENTAGE,
    SPACE,
    is_interval_part,
    may_hold_a_percentage,
    parse_number,
)
from extractor.nlp.tables import rates_in_row, table_rows

LEXICON = DATA / "adverse_events.jsonl"
GRADE = re.compile(
    rf"\bgrades?{SPACE}*(?:(?P<op>≥|>=|>){SPACE}*)?(?P<grade>[1-5]|I{{1,3}}V?|IV)"
    rf"(?P<plus>{SPACE}*(?:or|and){SPACE}+(?:worse|higher|above|greater|more|over)|{SPACE}*"
    rf"(?:-|–|/|to){SPACE}*(?:[1-5]|I{{1,3}}V?|IV)|\+)?",
    re.I,
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_EACH = re.compile(rf"^{SPACE}*(?:\)|,)?{SPACE}*(?:each|apiece)\b", re.I)
_EACH_BEFORE = re.compile(r"\beach\b|\ball\b", re.I)
_RATE_BEFORE_EVENT = re.compile(
    rf"{PERCENTAGE.pattern}{SPACE}+of{SPACE}+(?:the{SPACE}+|all{SPACE}+)?(?:[\w-]+{SPACE}+){{0,2}}?"
    rf"(?:patients|infants|children|babies|participants){SPACE}+(?:developed|had|experienced"
    rf"|reported){SPACE}+(?:an?{SPACE}+|grade{SPACE}+\S+{SPACE}+)?$",
    re.I,
)
_PRONOUN_RATE = re.compile(
    rf"\b(?:it|this|this\s+event|this\s+complication)\s+(?:was\s+)?(?:happened|occurred|developed"
    rf"|arose|seen|reported|observed|affected)\s+(?:in\s+)?(?:about\s+|nearly\s+)?"
    rf"(?P<rate>{PERCENTAGE.pattern})",
    re.I,
)


def load_event_lexicon(path: Path = LEXICON) -> dict[str, str]:
    """Every spelling of an event → its one name ("anaemia" → "anemia")."""
    return {
        spelling: entry["event"] for entry in read_jsonl(path) for spelling in entry["patterns"]
    }


@Language.factory("adverse_events")
class AdverseEvents(SentenceReader):
    """Adverse-event facts, into ``doc._.adverse_events``.

    Event names are found by PhraseMatchers over the lexicon: case-insensitive, except
    abbreviations written in capitals (CRS, GVHD), which must match exactly.
    """

    key = "adverse_events"

    def __init__(self, nlp: Language, name: str) -> None:
        super().__init__(nlp, name)
        lexicon = load_event_lexicon()
        self.events = {spelling.lower(): event for spelling, event in lexicon.items()}
        self.matcher = phrase_matcher(nlp, "AE", (s for s in lexicon if not s.isupper()), "LOWER")
        self.exact_matcher = phrase_matcher(nlp, "AE", (s for s in lexicon if s.isupper()), "ORTH")

    def _events(self, span: Span) -> list[Span]:
        found = [*self.matcher(span, as_spans=True), *self.exact_matcher(span, as_spans=True)]
        found += [a for a in self._abbreviated(span.doc) if span.start <= a.start < span.end]
        return sorted(filter_spans(found), key=lambda event: event.start)

    def _abbreviated(self, doc: Doc) -> list[Span]:
        """Occurrences of short forms the text defines for an event: "... syndrome (DS)"."""
        if "abbreviated_events" not in doc.user_data:
            shorts = doc._.abbreviations if Doc.has_extension("abbreviations") else []
            doc.user_data["abbreviated_events"] = [
                Span(doc, short.start, short.end, label=self._name(events[0]))
                for short in shorts
                if (events := self._lexicon_events(short._.long_form))
                and events[0].end == short._.long_form.end
            ]
        return doc.user_data["abbreviated_events"]

    def _lexicon_events(self, span: Span) -> list[Span]:
        found = [*self.matcher(span, as_spans=True), *self.exact_matcher(span, as_spans=True)]
        return filter_spans(found)

    def __call__(self, doc: Doc) -> Doc:
        facts(doc, self.key).extend(self._table_events(doc))
        return super().__call__(doc)

    def _table_events(self, doc: Doc) -> Iterator[Fact]:
        """ "Grade ≥3 anaemia | 17" under a header: one event per value cell."""
        for row in table_rows(doc_text(doc)):
            label = doc.char_span(
                row.label.start, row.label.start + len(row.label.text), alignment_mode="expand"
            )
            events = self._events(label) if label is not None else []
            if len(events) != 1:
                continue
            for end, value in rates_in_row(doc, row):
                yield make_fact(
                    doc,
                    row.label.start,
                    end,
                    event=self._name(events[0]),
                    grade_min=_grade(row.label.text) or _grade(row.caption),
                    value_pct=value,
                    n=None,
                )

    def _name(self, event: Span) -> str:
        if event.label_ not in ("", "AE"):  # a defined abbreviation carries its event's name
            return event.label_
        return self.events.get(" ".join(event.text.lower().split()), event.text.lower())

    def read(self, doc: Doc, sent: Span) -> Iterator[Fact]:
        text, offset = sentence_text(sent), sent.start_char
        if not may_hold_a_percentage(text):
            return
        events = self._events(sent)
        if not events:
            yield from self._referred_to(doc, sent, text)
            return
        for event in events:
            # "Sixteen percent of patients developed differentiation syndrome"
            stated = _RATE_BEFORE_EVENT.search(text, 0, event.start_char - offset)
            if stated and claim(doc, offset + stated.start(), event.end_char):
                yield make_fact(
                    doc,
                    offset + stated.start(),
                    event.end_char,
                    event=self._name(event),
                    grade_min=_grade_of(text, event.end_char - offset),
                    value_pct=parse_number(stated["number"]),
                    n=None,
                )
        for named, rates in _runs(events, text, offset):
            rates = [r for r in rates if not is_claimed(doc, offset + r.start(), offset + r.end())]
            for event, rate in self._pair(text, named, rates) if rates else ():
                value = parse_number(rate["number"])
                if value is None:
                    continue
                claim(doc, offset + rate.start(), offset + rate.end())
                name = self._name(event)
                yield make_fact(
                    doc,
                    event.start_char,
                    offset + rate.end(),
                    event=name,
                    grade_min=_grade_of(text, rate.end()),
                    value_pct=value,
                    n=None,
                )

    def _referred_to(self, doc: Doc, sent: Span, text: str) -> Iterator[Fact]:
        """ "Differentiation syndrome is the main risk. It occurred in 16% of patients.": a
        pronoun with a rate takes the first event named in the sentence before."""
        match = _PRONOUN_RATE.search(text)
        if match is None or sent.start == 0:
            return
        before = self._events(doc[sent.start - 1].sent)
        rate = PERCENTAGE.match(text, match.start("rate"))
        value = parse_number(rate["number"]) if rate else None
        start, end = sent.start_char + match.start(), sent.start_char + match.end()
        if not before or value is None or not claim(doc, start, end):
            return
        event = before[0]  # the sentence's topic: "DS is the main risk, with fever ..."
        yield make_fact(
            doc,
            start,
            end,
            event=self._name(event),
            grade_min=_grade(text) or _grade(sentence_text(event.sent)),
            value_pct=value,
            n=None,
        )

    @staticmethod
    def _pair(
        text: str, named: list[Span], rates: list[re.Match[str]]
    ) -> list[tuple[Span, re.Match[str]]]:
        """Events and the rates that follow them: in order, all at once ("each"), or the last."""
        if len(rates) > 1 and len(rates) == len(named) and RESPECTIVELY.search(text):
            return list(zip(named, rates, strict=True))
        between = text[named[-1].end_char - named[-1].sent.start_char : rates[0].start()]
        if _EACH.match(text[rates[0].end() :]) or _EACH_BEFORE.search(between):
            return [(event, rates[0]) for event in named]
        # "Differentiation syndrome, in which … fever and lung problems, was seen in 16%",
        # "Febrile neutropenia (fever with very low counts) affected 7%": the events named in an
        # aside that explains the first one are not what the rate counts
        first_end = named[0].end_char - named[0].sent.start_char
        if len(named) > 1 and _EXPLAINING_ASIDE.match(text, first_end):
            return [(named[0], rates[0])]
        return [(named[-1], rates[0])]


def _runs(
    events: list[Span], text: str, offset: int
) -> list[tuple[list[Span], list[re.Match[str]]]]:
    """Alternating runs of event names and the percentages after them, in one sentence."""
    rates = [
        m
        for m in PERCENTAGE.finditer(text)
        if not NOT_A_RATE_AFTER.match(text[m.end() :]) and not is_interval_part(text, m.start())
    ]
    items: list[tuple[int, Span | re.Match[str]]] = sorted(
        [(e.start_char - offset, e) for e in events] + [(r.start(), r) for r in rates],
        key=lambda item: item[0],
    )
    runs: list[tuple[list[Span], list[re.Match[str]]]] = []
    for _, item in items:
        if isinstance(item, Span):
            if not runs or runs[-1][1]:
                runs.append(([item], []))
            else:
                runs[-1][0].append(item)
        elif runs:
            runs[-1][1].append(item)
    return [(named, found) for named, found in runs if found]


def _grade_of(text: str, rate_end: int) -> int | None:
    """The grade a rate counts: one written before it in its sentence ("grade ≥3 events were
    febrile neutropenia (38%)"), or for all after it ("… 7% each (all grade 3 or higher)") —
    not "53% (grade 3, 13%)", where the grade belongs to the next figure."""
    before = _grade(text[:rate_end])
    if before is not None:
        return before
    after = _ALL_GRADE_AFTER.match(text, rate_end)
    return _grade(after.group()) if after else None


# "(fever with low counts)", ", in which …", ", a class effect of …,": an aside that explains
_EXPLAINING_ASIDE = re.compile(
    r"\s*(?:\(|,\s*(?:in\s+which|which|where)\b|,\s*(?:an?|the)\b[^,;()]*,|\s[–—]\s)", re.I
)
_ALL_GRADE_AFTER = re.compile(r"[^.;(]{0,30}\((?:all|each|both)[^)]{0,30}\)", re.I)


def _grade(text: str) -> int | None:
    match = GRADE.search(text)
    if match is None:
        return None
    grade = match["grade"].lower()
    number = int(grade) if grade.isdigit() else _ROMAN[grade]
    return number + 1 if match["op"] == ">" else number
