"""Which trial a figure reports on: "Interfant-06", "MLL-10", "AALL0631", "AUGMENT-101".

A review or news piece sets several trials side by side, so each figure takes the trial
named nearest before it in its sentence (else the first one after it there), else the last
one named earlier in its paragraph, else the one trial the document's title names. A trial
named as the chemotherapy a study built on ("the Interfant-06 backbone", "blinatumomab +
Interfant-06") is not the study reporting the figure and is passed over.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# Trial names as written: "Interfant-06", "MLL-10", "AUGMENT-101", "AALL0631", "UKALL2003".
TRIAL = re.compile(r"\b(?!COVID-)(?:[A-Z][A-Za-z]{2,}-\d{2,3}|[A-Z]{3,}\d{3,4})\b(?![-/]\w)")
# "Interfant-06 chemotherapy", "an Interfant-06-based regimen": the treatment, not the study
_AS_TREATMENT = re.compile(
    r"[\s-]*(?:(?:type|style|like|based)\b[\s-]*)?(?:chemotherapy|backbone|protocol|regimen"
    r"|therapy|treatment|courses?|blocks?|schedule|drugs)\b",
    re.I,
)
# "blinatumomab + Interfant-06", "added to Interfant-06": the chemotherapy a drug joined
_ADDED_TO = re.compile(r"(?:\+|\bplus|\badded\s+to|\binto)\s*(?:the\s+)?$", re.I)

# "58.2% (SE 2.1) in Interfant-06": a trial named right after the figure
_RIGHT_AFTER = re.compile(r"[^,;:]{1,30}?\b(?:in|on|from|for|of)\s+(?:the\s+)?", re.I)


@dataclass(frozen=True)
class TrialMention:
    """A trial named in the text, where; ``as_treatment`` when it names the chemotherapy a
    study gave ("the Interfant-06 backbone") rather than the study."""

    name: str
    start: int
    as_treatment: bool = False

    @property
    def end(self) -> int:
        return self.start + len(self.name)


def trial_mentions(text: str) -> list[TrialMention]:
    """Every trial name in the text, in order."""
    return [
        TrialMention(
            m.group(),
            m.start(),
            bool(
                _AS_TREATMENT.match(text, m.end())
                or _ADDED_TO.search(text, max(0, m.start() - 20), m.start())
            ),
        )
        for m in TRIAL.finditer(text)
    ]


class DocumentTrials:
    """The trials a document names, asked which one a figure at some offset reports on."""

    def __init__(self, text: str, title_end: int) -> None:
        self.text = text
        self.mentions = [m for m in trial_mentions(text) if not m.as_treatment]
        self._starts = [m.start for m in self.mentions]
        in_title = {m.name for m in self.mentions if m.start < title_end}
        self.title_trial = next(iter(in_title)) if len(in_title) == 1 else None

    def trial_at(
        self, start: int, sentence_start: int, sentence_end: int, names_a_drug: bool = False
    ) -> str | None:
        """The trial a figure starting at ``start`` in the given sentence reports on. A
        sentence that names a drug but no trial may be about another study ("In contrast,
        blinatumomab …"): it takes no trial from the sentences before or the title."""
        if not self.mentions:
            return None
        index = bisect.bisect_left(self._starts, start)
        before = self.mentions[:index]
        after = self.mentions[index:]
        if (
            after
            and after[0].start < sentence_end
            and _RIGHT_AFTER.fullmatch(self.text, start, after[0].start)
        ):
            return after[0].name  # "58.2% in Interfant-06"
        # "… at 4 years in Interfant-99; EFS 46.1% … at 6 years in Interfant-06": its clause's
        clause_start = max(sentence_start, self.text.rfind(";", 0, start) + 1)
        clause_end = self.text.find(";", start, sentence_end)
        clause_end = sentence_end if clause_end < 0 else clause_end
        in_clause = [m for m in before if m.start >= clause_start]
        if in_clause:
            return in_clause[-1].name
        if after and after[0].start < clause_end:
            return after[0].name
        in_sentence = [m for m in before if m.start >= sentence_start]
        if in_sentence:
            return in_sentence[-1].name
        if after and after[0].start < sentence_end:
            return after[0].name
        if names_a_drug:
            return None
        paragraph_start = self.text.rfind("\n", 0, sentence_start) + 1
        in_paragraph = [m for m in before if m.start >= paragraph_start]
        if in_paragraph:
            return in_paragraph[-1].name
        return self.title_trial
