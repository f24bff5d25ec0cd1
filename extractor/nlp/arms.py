"""Which arm (or study) a figure in a sentence belongs to.

In order of how directly the text says it: a label just before the value ("controls 49.4%",
"lestaurtinib arm 36%"), a phrase just after it ("81.6% in the blinatumomab cohort", "36%
with lestaurtinib", "39% for chemotherapy alone"), "with and without X, respectively", the
arm named on the value's side of a comparison ("... versus 49.4% among 214 historical
controls"), the one trial the sentence names ("Interfant-06 then enrolled 651 infants: 6-year
EFS 46.1%"), and last the treatment a sentence about one treatment (or the title) names
("Blinatumomab, given after induction, was followed by a 2-year OS of 93.3%"). When none of
these is there the arm is None, not a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.nlp.numbers import SPELLED_NUMBER
from extractor.nlp.studies import TRIAL

GROUP = (
    r"(?:those|controls?|arms?|groups?|cohorts?|infants|patients|children|babies|participants"
    r"|recipients)"
)
# "as compared with 49.4% and 65.8%, respectively": the values after it belong to the other arm.
COMPARISON = re.compile(
    r"\b(?:compared\s+with|compared\s+to|versus|vs\.?|v\.?|(?:as\s+)?against"
    # "than" compares groups, not ages: "younger than 6 months"
    r"|than(?!\s+(?:[\w.]+\s+){1,2}?(?:months?|years?|weeks?|days?|kg)\b))\s",
    re.I,
)
_ARM_TAIL = (
    r"(?:\s+(?:with|without|treated|receiving|given|on|who\s+(?:got|had|received|were\s+given))\b"
    r"[^,;.()%]{0,50}?)?"
    r"(?=\s+(?:is|was|were|are|had|have|who|which|compared|versus|vs)\b"
    r"|\s+and\s+(?:\d|the\b|in\b|for\b|among\b)"
    r"|\s+the\s+(?:rates?|figures|estimates|corresponding|values)\b|\s*[,;.()]|$)"
)
_SIDE = r"(?:arms?|groups?|cohorts?|controls?|alone|only)"
_AFTER = re.compile(
    # "35% and 48% in the chemotherapy group": values listed for one group share it
    rf"(?:\s*(?:,|and)\s*\d+(?:[.·]\d+)?\s?%)*"
    rf"\s*(?:,\s*)?(?:in|among|for)\s+(?:the\s+)?(?:\d+\s+)?(?P<arm>[^,;.()%]{{0,40}}?\b{GROUP}\b"
    rf"{_ARM_TAIL})"
    rf"|\s*(?:,\s*)?for\s+(?P<alone>[^,;.()%]{{3,40}}?\b{_SIDE})\b"
    r"|\s*(?:,\s*)?with\s+(?P<treatment>[^,;.()%]{3,40}?)(?=\s*[,;.)]|\s+(?:and|"
    r"versus|vs|compared|while|whereas)\b|$)"
    # "60.1% for intermediate risk", "55% (SR)": a risk group, or a short label in brackets
    r"|\s*(?:,\s*)?(?:in|for)\s+(?:the\s+)?(?P<risk>(?:standard|intermediate|medium|high|low"
    r"|very[- ]high)[- ]risk\b(?:\s+(?:patients|infants|children|group|arm|cohort))?)"
    r"|\s*\((?P<bracketed>(?!(?:SE|CI|n|N|EFS|OS|DFS|RFS|PFS|LFS|CIR|NS|ns|P|p)\))[A-Z][\w+-]{0,15})\)",
    re.I,
)
_IN_SENTENCE = re.compile(
    rf"\b(?:among|in|for|of(?=\s+the\b))\s+(?:the\s+)?(?:\d+\s+)?(?P<arm>[^,;.()%]{{0,40}}?\b{GROUP}\b{_ARM_TAIL})",
    re.I,
)
# "...; controls 65.8%": a segment that is only an arm's label before its value
# "controls: ", "the chemotherapy-only arm ", "Arm II: "
ARM_LABEL = re.compile(
    rf"\s*(?:(?:[\w+/-]+\s+){{0,2}}?[\w+/-]*{_SIDE}|(?:arm|group|cohort)\s+(?:[A-Z]|[IVX]+|\d+)\b)"
    r"\s*:?\s*",
    re.I,
)
# "as compared with the historical controls (DFS 49.4%": the group named after the comparison
_FAR_SIDE = re.compile(
    rf"\s*(?:that\s+of\s+|those\s+of\s+)?(?:the\s+)?(?:\d+\s+)?(?P<arm>[^,;.()%\d]{{0,40}}?\b{GROUP}\b"
    rf"{_ARM_TAIL}|[^,;.()%\d]{{3,40}}?\b(?:alone|only)\b)",
    re.I,
)
# "controls 49.4%", "lestaurtinib arm 36%", "chemotherapy-only arm: 39%"
_LABEL_BEFORE = re.compile(
    rf"(?:^|[,;:(]|\b(?:vs|v|versus)\b\.?)\s*\b(?P<arm>(?:[\w+/-]+\s+){{0,2}}?[\w+/-]*{_SIDE}"
    r"|(?!(?:EFS|OS|DFS|RFS|PFS|LFS|CIR|was|were|is|of|at|and|versus|against|compared|than|with"
    r"|from|to|reached|remained|about|around|approximately|nearly|almost|some|over|under|more"
    r"|less|only|just|roughly)\b)[a-z][\w+-]{3,})\s*:?\s*$",
    re.I,
)
# "36% and 39% with and without lestaurtinib, respectively", "93.3% and 65.8% with
# blinatumomab and in historical controls, respectively"
_WITH_AND_WITHOUT = re.compile(
    r"\bwith\s+and\s+without\s+(?P<what>[^,;.()]{3,60}?)\s*,?\s+respectively\b", re.I
)
_RESPECTIVE_ARMS = re.compile(
    r"\b(?P<first>(?:with|in|among|for)\s+[^,;.()%]{3,50}?)\s+and\s+"
    r"(?P<second>(?:with|without|in|among|for)\s+[^,;.()%]{3,50}?)\s*,?\s+respectively\b",
    re.I,
)
# "for MR and HR patients": two groups that share their noun
_GROUPS_SHARING_A_NOUN = re.compile(
    rf"\b(?:in|among|for)\s+(?:the\s+)?(?P<first>[\w-]+)\s+and\s+(?P<second>[\w-]+)\s+"
    rf"(?P<noun>{GROUP})\b",
    re.I,
)
RESPECTIVELY = re.compile(r"\brespectively\b", re.I)
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|while|whereas)\b|\b(?:while|whereas)\b", re.I)


_SHARE_OF = re.compile(
    rf"^(?:\d+|{SPELLED_NUMBER}|half)\s+of\s+(?:the\s+|these\s+|those\s+)?", re.I
)
# "high-risk infants": who a treatment was for, when named away from the value
_RISK_GROUP = re.compile(rf"(?:the\s+)?[a-z]+[- ]risk\s+{GROUP}", re.I)
# "in 30 infants", "among the patients", "which 482 infants …", "the drug", "reached only": the
# whole population, a relative clause, a pronoun or a verb, not the name of an arm
_NOT_AN_ARM = re.compile(
    rf"(?:(?:the|these|those|all|\d+|{SPELLED_NUMBER})\s+)*(?:patients|infants|children|babies"
    r"|participants|cases|cohort|group)|(?:which|who|whom|that|whose)\b.*"
    r"|(?:the|this|that)\s+(?:drug|agent|inhibitor|treatment|therapy)|it|them|only|just|alone"
    r"|(?:reached|remained|stood|fell|rose|was|were|is|are)\b.*"
    r"|.*\b(?:confidence|bound|range|interval|limit|standard\s+error)\b.*"
    # "a 6-yr OS of 58", "all infants with ALL survived event-free", "eight in ten babies",
    # "every 100 babies", "reported", "left": an outcome, a ratio or a verb, not a group
    r"|.*\b(?:EFS|OS|DFS|RFS|PFS|LFS|CIR|survival|survived)\b.*"
    r"|.*\b(?:in|every|out\s+of)\s+(?:ten|\d+)\b.*|[a-z]+ed|left",
    re.I,
)


# The far side of a comparison that makes the near side the study's own treatment group.
_COMPARATOR = re.compile(r"\bcontrols?\b|historic|comparison|comparator|\balone\b|\bonly\b", re.I)


@dataclass
class ArmContext:
    """What a document has said about its arms before the sentence being read."""

    own: str | None = None  # the one drug the document's title names
    comparator: str | None = None  # the far-side arm of the last comparison in the paragraph


class SentenceArms:
    """The arms one sentence names, asked for one value at a time.

    ``value_starts`` are where the sentence's values start and ``mention_starts`` where its
    endpoints are named: a comparison puts the values after it on the other arm's side until
    the clause ends or a new endpoint is named ("DFS was 81.6% vs 49.4% in the controls, and OS
    was 93.3% as against 65.8%"). Ask for the values in the order they are written.
    """

    def __init__(
        self,
        text: str,
        value_starts: list[int],
        mention_starts: list[int],
        context: ArmContext | None = None,
    ) -> None:
        self.text = text
        self.context = context or ArmContext()
        self.trials = [] if COMPARISON.search(text) else sorted(set(TRIAL.findall(text)))
        self.side: dict[int, tuple[int, int]] = {}  # value start → (from, to) of its side
        self.respective: dict[int, str] = {}
        # values on the far side of a comparison → the group named right after it, if any
        self.compared: dict[int, str | None] = {}
        self.compared_arm = self.context.comparator
        starts = sorted(value_starts)
        side_start, compared, far_arm = 0, False, None
        for since, start in zip([0, *starts], starts, strict=False):
            # a break inside brackets does not end the side: "controls (DFS 49.4%; OS 65.8%)"
            clauses = [
                b.end()
                for b in _CLAUSE_BREAK.finditer(text, since, start)
                if since and not _in_brackets(text, b.start())
            ]
            # an endpoint named after "compared with the controls (DFS 49.4%" stays on that side
            comparison = COMPARISON.search(text, max(clauses, default=since), start)
            breaks = clauses + [
                m
                for m in mention_starts
                if since and since <= m < start and not _in_brackets(text, m)
            ]
            if comparison:
                side_start, compared = comparison.end(), True
                far_arm = _named(_FAR_SIDE.match(text, comparison.end()))
            elif breaks:
                side_start, compared = max(breaks), False
            if compared:
                self.compared[start] = far_arm
                self.side[start] = (side_start, len(text))
            else:
                # the side ends at the next comparison or clause: "81.6% …; in the controls, …"
                ends = [m.start() for m in [COMPARISON.search(text, start)] if m] + [
                    b.start()
                    for b in _CLAUSE_BREAK.finditer(text, start)
                    if not _in_brackets(text, b.start())
                ][:1]
                self.side[start] = (side_start, min(ends, default=len(text)))
        if len(starts) == 2:
            self.respective = dict(zip(starts, _respective_arms(text, starts[-1]), strict=False))

    def arm_of(self, start: int, end: int) -> str | None:
        """The arm of the value at ``text[start:end]`` (its interval included), or None."""
        arm = self._named_arm(start, end) or self.compared.get(start)
        if start in self.compared:
            # "vs 49.4% in the controls, and OS was 93.3% as against 65.8%": the same controls
            arm = self.compared_arm = arm or self.compared_arm
        if arm is None and len(self.trials) == 1:
            return self.trials[0]
        return arm

    def own_side_arm(self, start: int) -> str | None:
        """For a value left without an arm once the sentence is read: the study's own treatment
        when the other side of its comparison is a control group ("81.6% vs 49.4% in the
        historical controls" in a blinatumomab paper)."""
        self.context.comparator = self.compared_arm
        if start in self.compared or not self.compared or not self.context.own:
            return None
        return self.context.own if _COMPARATOR.search(self.compared_arm or "") else None

    def treated_arm(self, start: int, drugs: set[str]) -> str | None:
        """For a value still without an arm, not on the far side of a comparison: the one drug
        its sentence names ("blinatumomab, given after induction to 30 infants, was followed
        by a 2-year overall survival of 93.3%"), else, when the sentence names no drug, the
        one drug the document's title names ("Two years later, 93.3% of them were alive" in a
        report on blinatumomab). Not in a sentence that names a trial or another group."""
        if start in self.compared or TRIAL.search(self.text):
            return None
        if COMPARISON.search(self.text) or _COMPARATOR.search(self.text):
            return None  # a sentence that also speaks of another group
        if len(drugs) == 1:
            return next(iter(drugs))
        return self.context.own if not drugs else None

    def _named_arm(self, start: int, end: int) -> str | None:
        label = _LABEL_BEFORE.search(self.text[max(0, start - 50) : start])
        if label and not _NOT_AN_ARM.fullmatch(label["arm"].strip()):
            return label["arm"].strip()
        if start in self.respective:
            return self.respective[start]
        after = _named(_AFTER.match(self.text, end))
        if after:
            return after
        # the arm named on the value's side, nearest before it, else the first after it
        side_from, side_to = self.side.get(start, (0, len(self.text)))
        named = list(_IN_SENTENCE.finditer(self.text[:side_to], side_from))
        before = [m for m in named if m.end() <= start]
        arm = _named(before[-1] if before else next(iter(named), None))
        # "… reserved transplantation for high-risk infants": named elsewhere in the sentence,
        # a risk group is who a treatment was for, not whose figure this is
        return None if arm and _RISK_GROUP.fullmatch(arm) else arm


def _in_brackets(text: str, position: int) -> bool:
    before = text[:position]
    return before.count("(") + before.count("[") > before.count(")") + before.count("]")


def _respective_arms(text: str, last_value: int) -> tuple[str, ...]:
    """The two arms a sentence lists before "respectively", if it does, or after both of its
    values ("53.8% vs 41.5% in the HR and MR groups")."""
    both = _WITH_AND_WITHOUT.search(text)
    if both:
        return f"with {both['what'].strip()}", f"without {both['what'].strip()}"
    groups = _GROUPS_SHARING_A_NOUN.search(text)
    if groups and (RESPECTIVELY.search(text) or groups.start() > last_value):
        # "for MR and HR patients, respectively", "… vs 41.5% in the HR and MR groups"
        return f"{groups['first']} {groups['noun']}", f"{groups['second']} {groups['noun']}"
    listed = _RESPECTIVE_ARMS.search(text)
    if listed:
        return _preposition_off(listed["first"]), _preposition_off(listed["second"])
    return ()


def _preposition_off(phrase: str) -> str:
    return re.sub(r"^(?:in|among|for|with)\s+(?:the\s+)?", "", phrase.strip(), flags=re.I)


def _named(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    groups = match.groupdict()
    found = next(
        (
            groups.get(g)
            for g in ("arm", "alone", "treatment", "risk", "bracketed")
            if groups.get(g)
        ),
        None,
    )
    found = _SHARE_OF.sub("", (found or "").strip())  # "ten of the babies who got X"
    return None if not found or _NOT_AN_ARM.fullmatch(found) else found
