"""Cohort sizes: how many patients a study, an arm, a control group or a subgroup holds.

"Thirty infants", "482 infants were enrolled", "214 historic controls", "(n = 45)",
"68 patients, of whom 60 had...". Counts of events ("3 patients died") are not cohorts.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extractor.nlp.facts import facts, make_fact
from extractor.nlp.numbers import ANY_NUMBER, SPACE, as_int, parse_number

PEOPLE = (
    r"(?:patients?|infants?|children|child|participants?|subjects?|controls?|cases|"
    r"babies|adults|adolescents|individuals|neonates|newborns|recipients|persons|people)"
)
# Words that may stand between a count and its noun: "214 historic controls", "30 newly
# diagnosed infants"; a verb or preposition there means the number counts something else.
_FUNCTION_WORDS = (
    "were|was|had|have|has|is|are|of|in|with|and|or|but|from|per|at|to|the|a|an|who|which|that"
    "|than|as|by|for|on|while|whereas|years?|months?|days?|weeks?"
)
# "medium- and high-risk" is one modifier.
_MODIFIER = (
    rf"(?:[A-Za-z]\w*-{SPACE}+(?:and|or){SPACE}+)?(?!(?:{_FUNCTION_WORDS})\b)[A-Za-z][\w/-]*"
)
COUNT = re.compile(
    rf"(?<![<≤>≥/\w-])(?<!<{SPACE})(?P<number>{ANY_NUMBER})(?!{SPACE}?%|[.,]\d)"
    rf"(?P<words>(?:{SPACE}+{_MODIFIER}){{0,3}}?){SPACE}+(?P<noun>{PEOPLE})\b",
    re.I,
)
N_EQUALS = re.compile(rf"\b[nN]{SPACE}*[=:]{SPACE}*(?P<number>\d[\d,]*)")
OF_WHOM = re.compile(
    rf"\bof{SPACE}+(?:whom|them|these){SPACE}*,?{SPACE}*(?P<number>\d+)\b"
    rf"|\b(?P<number2>\d+){SPACE}+of{SPACE}+(?:whom|them|these)\b",
    re.I,
)
_EVENT_AFTER = re.compile(
    rf"^{SPACE}*(?:\w+{SPACE}+)?(?:died|relapsed|relapse|developed|experienced|had{SPACE}+"
    rf"(?:a{SPACE}+)?(?:relapse|events?)|suffered|withdrew|were{SPACE}+excluded)\b",
    re.I,
)
_PLANNED = re.compile(
    r"\b(?:planned|will\s+(?:enrol|enroll|include|recruit|treat)|aims?\s+to"
    r"|target(?:ed)?\s+(?:enrol|accrual)|is\s+expected)",
    re.I,
)
_ARM = re.compile(r"\b(?:randomi[sz]ed|randomly\s+assigned|allocated|assigned\s+to|arm)\b", re.I)
_CONTROL = re.compile(r"\b(?:controls?|historic(?:al)?|comparator|comparable)\b", re.I)
_MINIMUM_COUNT = 2


@Language.factory("cohorts")
def create_cohorts(nlp: Language, name: str) -> CohortSizes:
    return CohortSizes(name)


class CohortSizes:
    """Adds cohort facts to ``doc._.cohorts``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        found = facts(doc, "cohorts")
        for sent in doc.sents:
            text, offset = sent.text, sent.start_char
            for match in COUNT.finditer(text):
                n = as_int(parse_number(match["number"]))
                if n is None or n < _MINIMUM_COUNT or _EVENT_AFTER.match(text[match.end() :]):
                    continue
                description = f"{match['words'].strip()} {match['noun']}".strip()
                role = _role(text, match.end(), description)
                found.append(
                    make_fact(
                        doc,
                        offset + match.start(),
                        offset + match.end(),
                        n=n,
                        role=role,
                        description=description,
                    )
                )
            for match in N_EQUALS.finditer(text):
                n = as_int(parse_number(match["number"]))
                if n is None or any(
                    f["n"] == n and f["sentence_start"] == sent.start_char for f in found
                ):
                    continue
                label = re.search(
                    r"([\w/+-]+(?:\s+[\w/+-]+){0,3})\s*[(\[,]?\s*$", text[: match.start()]
                )
                description = label.group(1) if label else None
                role = (
                    "subgroup"
                    if match.start() > 0 and "(" in text[max(0, match.start() - 2) : match.start()]
                    else None
                )
                found.append(
                    make_fact(
                        doc,
                        offset + match.start(),
                        offset + match.end(),
                        n=n,
                        role=role or _role(text, match.end(), description or ""),
                        description=description,
                    )
                )
            for match in OF_WHOM.finditer(text):
                group = "number" if match["number"] else "number2"
                n = as_int(parse_number(match[group]))
                if n is not None and not any(
                    f["n"] == n and f["sentence_start"] == sent.start_char for f in found
                ):
                    found.append(
                        make_fact(
                            doc,
                            offset + match.start(group),
                            offset + match.end(group),
                            n=n,
                            role="subgroup",
                            description=None,
                        )
                    )
        return doc


def _role(text: str, end: int, description: str) -> str:
    if _PLANNED.search(text):
        return "planned"
    if _CONTROL.search(description) or re.match(
        r"[^.;]{0,80}\((?:historic(?:al)?\s+)?controls?\)", text[end:]
    ):
        return "control"
    if _ARM.search(text[end : end + 60]):
        return "arm"
    return "total"
