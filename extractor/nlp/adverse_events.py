"""Adverse events: event (one name from ``data/adverse_events.jsonl``), lowest grade counted,
and the percentage of patients.

"grade 3 or worse adverse events were anaemia (17%) and neutropenia, febrile neutropenia and
raised GGT, 7% each": a percentage belongs to the events named since the previous one, all
of them when followed by "each", in order with "respectively", else the last one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extractor.nlp.facts import claim, facts, is_claimed, make_fact
from extractor.nlp.numbers import PERCENTAGE, SPACE, parse_number

LEXICON = Path(__file__).parent / "data" / "adverse_events.jsonl"
GRADE = re.compile(
    rf"\bgrades?{SPACE}*(?:(?P<op>≥|>=|>){SPACE}*)?(?P<grade>[1-5]|I{{1,3}}V?|IV)"
    rf"(?P<plus>{SPACE}*(?:or|and){SPACE}+(?:worse|higher|above|greater|more|over)|{SPACE}*"
    rf"(?:-|–|/|to){SPACE}*(?:[1-5]|I{{1,3}}V?|IV)|\+)?",
    re.I,
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_EACH = re.compile(rf"^{SPACE}*(?:\)|,)?{SPACE}*(?:each|apiece)\b", re.I)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_NOT_A_RATE_AFTER = re.compile(rf"^{SPACE}*(?:CI\b|confidence|reduction|lower|risk)", re.I)


def load_event_patterns(path: Path = LEXICON) -> re.Pattern[str]:
    """One regex over every event spelling, longest first, each group named by its event."""
    spellings: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            spellings.extend((pattern, entry["event"]) for pattern in entry["patterns"])
    spellings.sort(key=lambda item: len(item[0]), reverse=True)
    alternatives = []
    for pattern, _ in spellings:
        escaped = re.escape(pattern).replace(r"\ ", rf"{SPACE}+")
        alternatives.append(f"(?-i:{escaped})" if pattern.isupper() else escaped)
    return re.compile("|".join(rf"(?<!\w)(?:{a})(?!\w)" for a in alternatives), re.I)


@Language.factory("adverse_events")
def create_adverse_events(nlp: Language, name: str) -> AdverseEvents:
    return AdverseEvents(name)


class AdverseEvents:
    """Adds adverse-event facts to ``doc._.adverse_events``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.pattern = load_event_patterns()
        self.events: dict[str, str] = {}
        for line in LEXICON.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                self.events.update({p.lower(): entry["event"] for p in entry["patterns"]})

    def __call__(self, doc: Doc) -> Doc:
        found = facts(doc, "adverse_events")
        for sent in doc.sents:
            text, offset = sent.text, sent.start_char
            if not self.pattern.search(text):
                continue
            grade = _grade(text)
            for named, rates in _runs(self.pattern, text):
                rates = [
                    r for r in rates if not is_claimed(doc, offset + r.start(), offset + r.end())
                ]
                for event, rate in self._pair(text, named, rates) if rates else ():
                    value = parse_number(rate["number"])
                    if value is None:
                        continue
                    claim(doc, offset + rate.start(), offset + rate.end())
                    name = self.events.get(
                        re.sub(r"\s+", " ", event.group(0).lower()), event.group(0).lower()
                    )
                    found.append(
                        make_fact(
                            doc,
                            offset + event.start(),
                            offset + rate.end(),
                            event=name,
                            grade_min=grade,
                            value_pct=value,
                            n=None,
                        )
                    )
        return doc

    @staticmethod
    def _pair(
        text: str, named: list[re.Match[str]], rates: list[re.Match[str]]
    ) -> list[tuple[re.Match[str], re.Match[str]]]:
        """Events and the rates that follow them: in order, all at once ("each"), or the last."""
        if len(rates) > 1 and len(rates) == len(named) and _RESPECTIVELY.search(text):
            return list(zip(named, rates, strict=True))
        if _EACH.match(text[rates[0].end() :]):
            return [(event, rates[0]) for event in named]
        return [(named[-1], rates[0])]


def _runs(
    events: re.Pattern[str], text: str
) -> list[tuple[list[re.Match[str]], list[re.Match[str]]]]:
    """Alternating runs of event names and the percentages after them."""
    items = sorted([*events.finditer(text), *PERCENTAGE.finditer(text)], key=lambda m: m.start())
    runs: list[tuple[list[re.Match[str]], list[re.Match[str]]]] = []
    for item in items:
        is_event = item.re is events
        if is_event and (not runs or runs[-1][1]):
            runs.append(([item], []))
        elif is_event:
            runs[-1][0].append(item)
        elif runs and not _NOT_A_RATE_AFTER.match(text[item.end() :]):
            runs[-1][1].append(item)
    return [(named, rates) for named, rates in runs if rates]


def _grade(text: str) -> int | None:
    match = GRADE.search(text)
    if match is None:
        return None
    grade = match["grade"].lower()
    number = int(grade) if grade.isdigit() else _ROMAN[grade]
    return number + 1 if match["op"] == ">" else number
