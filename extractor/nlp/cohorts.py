"""Cohort sizes: how many patients a study, an arm, a control group or a subgroup holds.

"Thirty infants", "482 infants were enrolled", "214 historic controls", "(n = 45)",
"68 patients, of whom 60 had...". Counts of events ("3 patients died") are not cohorts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import Fact
from extractor.nlp.facts import SentenceReader, doc_text, facts, make_fact, sentence_text
from extractor.nlp.numbers import ANY_NUMBER, NUMBER, SPACE, SPELLED_NUMBER, as_int, parse_number
from extractor.nlp.tables import table_rows

PEOPLE = (
    r"(?:patients?|infants?|children|child|participants?|subjects?|controls?|cases|"
    r"babies|adults|adolescents|individuals|neonates|newborns|recipients|persons|people|"
    r"youngsters|kids|toddlers|boys|girls|men|women|volunteers|enrollees|enrolees|pts?)"
)
# Words that may stand between a count and its noun: "214 historic controls", "30 newly
# diagnosed infants"; a verb or preposition there means the number counts something else.
_FUNCTION_WORDS = (
    "were|was|had|have|has|is|are|of|in|with|and|or|but|from|per|at|to|the|a|an|who|which|that"
    "|than|as|by|for|on|while|whereas|years?|months?|days?|weeks?|about|into|over|under|after"
    "|before|during|without|within|among"
)
# "medium- and high-risk", "medium-risk and high-risk": one modifier.
_MODIFIER = (
    rf"(?:(?!(?:{_FUNCTION_WORDS})\b)[A-Za-z]\w*(?:-\w*)?{SPACE}+(?:and|or){SPACE}+)?"
    rf"(?!(?:{_FUNCTION_WORDS})\b)[A-Za-z][\w/-]*"
)
COUNT = re.compile(
    rf"(?<![<≤>≥/\w-])(?<!<{SPACE})(?P<number>{ANY_NUMBER})(?!{SPACE}?%|[.,]\d)"
    rf"(?P<words>(?:{SPACE}+{_MODIFIER}){{0,3}}?){SPACE}+(?P<noun>{PEOPLE})\b",
    re.I,
)
# "n = 1,234" but not the comma that ends "n=30, age <1 y"
N_EQUALS = re.compile(rf"\b[nN]{SPACE}*[=:]{SPACE}*(?P<number>\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)")
_SHARE_AFTER = re.compile(rf"{SPACE}*[,;]{SPACE}*\d+(?:[.·]\d+)?{SPACE}?%")
_NOT_A_GROUP = (
    r"(?:years?|months?|weeks?|days?|hours?|h|mg|g|kg|ml|cycles?|courses?|doses?|centres?"
    r"|centers?|countries|sites|hospitals|events?|deaths?|relapses?|per|to|and|or|of|vs)"
)
# "n = 68 (60 KMT2A-r)", "68 patients (60 with KMT2A-r)": a subgroup in brackets after a count.
SUBGROUP_IN_BRACKETS = re.compile(
    rf"^{SPACE}*\({SPACE}*(?P<number>\d+)(?!{SPACE}*%|[.,]\d){SPACE}+(?:with{SPACE}+|had{SPACE}+)?"
    rf"(?!{_NOT_A_GROUP}\b)(?P<label>[A-Za-z][\w/+-]*(?:\s+[\w/+-]+){{0,2}}?)\s*[,;)]"
)
# "Of 210 infants, 180 (86%) had KMT2A-r ALL": a subgroup counted with its share.
WITH_SHARE = re.compile(
    rf"(?<![\w.,-])(?P<number>\d+){SPACE}*\({SPACE}*{NUMBER}{SPACE}?%{SPACE}*\){SPACE}+"
    rf"(?:had|carried|harbou?red|presented{SPACE}+with|were{SPACE}+positive{SPACE}+for)\b",
    re.I,
)
# "330 of the babies": part of a cohort named before.
OF_THE = re.compile(
    rf"(?<![\w.,-])(?P<number>\d+|{SPELLED_NUMBER}){SPACE}+of{SPACE}+(?:the|these|those|them|(?:its|their)"
    rf"(?:{SPACE}+[\d,]+)?){SPACE}+(?P<words>(?:{_MODIFIER}{SPACE}+){{0,2}}?)(?P<noun>{PEOPLE})\b",
    re.I,
)
# "KMT2A rearrangement (KMT2Ar): 60 (88%)": a count with its share under a subgroup label
# (a gene, a rearrangement, a risk group), not under an event ("Differentiation syndrome: 11").
LABELLED_SHARE = re.compile(
    rf"(?P<label>\b(?:[A-Z][A-Z0-9]{{2,}}\d\w*|\w*rearrange\w*|mutat\w*|germline|translocation"
    rf"|fusion|[\w-]+{SPACE}risk)\b[^:;.]{{0,30}}?):{SPACE}*(?P<number>\d+){SPACE}*\("
    rf"{SPACE}*{NUMBER}{SPACE}?%{SPACE}*\)"
)
# "482 and 651 infants, respectively": a count that shares the noun of the next one
SHARES_NOUN = re.compile(
    rf"(?<![\w.,-])(?P<number>\d[\d,]*){SPACE}+(?:and|or){SPACE}+(?=\d[\d,]*{SPACE}+"
    rf"(?:{_MODIFIER}{SPACE}+){{0,2}}?(?P<noun>{PEOPLE})\b)",
    re.I,
)
# "Actual enrolment: 651", "Number randomised (both arms combined): 330"
REGISTRY_FIELD = re.compile(
    rf"\b(?:(?:actual|anticipated|target(?:ed)?){SPACE}+)?(?P<field>enrol(?:l)?ment|number{SPACE}+"
    rf"(?:enrol(?:l)?ed|randomi[sz]ed|treated|analy[sz]ed|of{SPACE}+(?:patients|participants)))"
    rf"(?:{SPACE}*\([^()]{{0,40}}\))?{SPACE}*:{SPACE}*(?P<number>\d[\d,]*)\b",
    re.I,
)
# "Randomised after induction: 330", "Treated: 68", "Participants randomized after induction
# (medium/high risk): 330": a result line that labels its count with what was done
LABELLED_COUNT = re.compile(
    rf"(?:^|[–•|;:]){SPACE}*(?P<field>(?:(?:participants?|patients?|infants?|children){SPACE}+)?"
    rf"(?:randomi[sz]ed|treated|enrol(?:l)?ed|included|analy[sz]ed|evaluable|registered)"
    rf"(?:{SPACE}+(?!\d)[\w/-]+){{0,3}}?)(?:{SPACE}*\([^()]{{0,40}}\))?{SPACE}*:{SPACE}*"
    rf"(?P<number>\d[\d,]*)\b(?!{SPACE}*%)",
    re.I,
)
# "randomised after induction (330)"
COUNT_IN_BRACKETS = re.compile(
    rf"\b(?P<field>(?:randomi[sz]ed|randomly{SPACE}+assigned|treated|enrol(?:l)?ed))"
    rf"(?:{SPACE}+(?!\d)[\w/-]+){{0,3}}?{SPACE}*\({SPACE}*(?P<number>\d[\d,]*){SPACE}*\)",
    re.I,
)
# "Treated: 68 (KMT2A-r 60, NPM1m 8)", "KMT2A-r: 60": a gene-named subgroup before its count
GENE_LABELLED = re.compile(
    rf"(?:^|[;,(|]){SPACE}*(?P<label>[A-Z][A-Z0-9]*\d[A-Z0-9]*(?:-r|m)?)(?![\w-]){SPACE}*:?{SPACE}*"
    rf"(?P<number>\d+)\b(?!{SPACE}*(?:%|[A-Za-zμµ]))"
)
# "NPM1 mutation: the remaining 8 (12%)": the rest of a cohort split before.
REMAINING = re.compile(
    rf"\bthe{SPACE}+(?:remaining|other){SPACE}+(?P<number>\d+)\b(?!{SPACE}*(?:%|[A-Za-z]))",
    re.I,
)
OF_WHOM = re.compile(
    rf"\bof{SPACE}+(?:whom|them|these){SPACE}*,?{SPACE}*(?P<number>{ANY_NUMBER})\b"
    rf"|(?P<number2>{ANY_NUMBER}){SPACE}+of{SPACE}+(?:whom|them|these)\b",
    re.I,
)
# "...; 60 had a KMT2A rearrangement", "(68 treated, 60 with KMT2A rearrangement)", "including
# 60 with a KMT2A rearrangement", "(60 KMT2A-rearranged, ...)": a count
# whose group is a genetic feature, after the cohort it is part of.
GENETIC_SUBGROUP = re.compile(
    rf"(?:^|[;,(]|\b(?:including|and|of{SPACE}+(?:whom|them))\b){SPACE}*(?P<number>\d+),?{SPACE}+"
    rf"(?:(?:had|carried|harbou?red|with)(?:{SPACE}+[a-z]+){{0,2}}?(?:{SPACE}+with)?{SPACE}+"
    rf"(?P<label>(?:an?{SPACE}+)?(?:[\w-]*[A-Z0-9][\w-]*{SPACE}+)?(?:rearrange\w*|mutat\w*"
    rf"|translocation|fusion)|[A-Z][A-Z0-9]{{2,}}\w*(?:-r)?)"
    rf"|(?P<adjective>[A-Z][A-Z0-9]{{2,}}\w*[-‑](?:rearranged|mutated|positive))\b)",
)
# "68 treated", "30 pts were treated": a count whose noun is left out before its verb
# "330 MR/HR randomised": a group label may stand between
COUNTED_BY_VERB = re.compile(
    rf"(?:^|[;,(]|\b(?:and|of)\b){SPACE}*(?P<number>\d+){SPACE}+(?:(?-i:[A-Z][\w/+-]*){SPACE}+)?"
    rf"(?:were{SPACE}+)?"
    rf"(?P<verb>treated|enrolled|enroled|included|evaluable|eligible|analy[sz]ed"
    rf"|(?:randomly{SPACE}+)?(?:assigned|allocated)|randomi[sz]ed|underwent{SPACE}+"
    rf"randomi[sz]ation)\b(?!{SPACE}+(?:with|for|by|in)\b)",
    re.I,
)
_EVENT_AFTER = re.compile(
    rf"^{SPACE}*(?:\([^()]{{1,20}}\){SPACE}*)?"
    rf"(?:(?:subsequently|later|eventually|ultimately|also|have|had){SPACE}+)?"
    rf"(?:died|relapsed|relapse|developed|experienced|had{SPACE}+"
    rf"(?:a{SPACE}+)?(?:relapse|events?)|suffered|withdrew|were{SPACE}+excluded)\b",
    re.I,
)
# "grade 3 infections occurred in 45 patients (38%)" counts events, not a cohort.
_EVENT_BEFORE = re.compile(
    r"\b(?:occurred|observed|seen|reported|developed|died|relapsed)\s+(?:in|among)\s+(?:only\s+)?$"
    r"|\bexperienced\s+by\s+$",
    re.I,
)
# "28 patients (93%) were MRD-negative": the share of a cohort that responded, not a cohort
_RESPONDERS_AFTER = re.compile(
    rf"{SPACE}*\({SPACE}*{NUMBER}{SPACE}*%{SPACE}*\){SPACE}+(?:were|was|had|achieved|reached"
    rf"|became|remained){SPACE}+(?:in{SPACE}+|an?{SPACE}+)?(?:MRD|minimal|measurable|complete|CR"
    rf"|negative|positive|in{SPACE}+remission|responders?)",
    re.I,
)
# "three in four babies", "one out of five children": a proportion, not a count
_PROPORTION_BEFORE = re.compile(
    rf"{ANY_NUMBER}{SPACE}+(?:in|of|out{SPACE}+of)(?:{SPACE}+every)?{SPACE}+$", re.I
)
_SUBGROUP_BEFORE = re.compile(
    r"\b(?:including|among\s+them|of\s+whom|of\s+these|among\s+the)\s*,?\s*$", re.I
)
# "120 were infants": a part of the cohort named before.
WERE = re.compile(
    rf"(?<![\w.,-])(?P<number>\d+){SPACE}+(?:were|was){SPACE}+(?:{_MODIFIER}{SPACE}+)?"
    rf"(?P<noun>{PEOPLE})\b",
    re.I,
)
_PREPOSITION = re.compile(r"^(?:in|among|for|of|with)\s+(?:the\s+)?", re.I)
_PLANNED = re.compile(
    r"\b(?:planned|will\s+(?:enrol|enroll|include|recruit|treat)"
    r"|(?:aims?|hopes?|plans?|intends?)\s+to"
    r"|target(?:ed)?\s+(?:enrol|accrual)|is\s+expected|anticipated\b|estimated\s+enrol)",
    re.I,
)
_ARM = re.compile(r"\b(?:randomi[sz]ed|randomly\s+assigned|allocated|assigned\s+to|arm)\b", re.I)
_CONTROL = re.compile(r"\b(?:controls?|historic(?:al)?|comparator|comparable)\b", re.I)
_RANDOMISED_TO = re.compile(
    rf"(?:^|[:;,]|\band\b){SPACE}*(?P<number>\d+){SPACE}+to{SPACE}+(?:the{SPACE}+)?"
    rf"(?P<arm>[A-Za-z][\w/+-]*(?:{SPACE}+(?!and\b)[\w/+-]+){{0,2}}?)(?={SPACE}*(?:[,;.)]|and\b|$))"
)
# "214 infants served as historical controls"
_SERVED_AS_CONTROLS = re.compile(
    r"[^.;,]{0,40}?\b(?:served|acted|were\s+used|formed)\s+(?:as\s+)?(?:the\s+)?"
    r"(?:historical\s+|external\s+|matched\s+)?(?:controls?|comparators?|comparison)",
    re.I,
)
_MINIMUM_COUNT = 2
_DIGIT = re.compile(r"\d")
_SPELLED = re.compile(SPELLED_NUMBER, re.I)
# The words naming a subgroup before "(n = 45)": "KMT2A-r (n = 45)".
_LABEL_BEFORE = re.compile(r"([\w/+-]+(?:\s+[\w/+-]+){0,3})\s*[(\[,]?\s*$")


@Language.factory("cohorts")
class CohortSizes(SentenceReader):
    """Cohort facts, into ``doc._.cohorts``."""

    key = "cohorts"

    def __call__(self, doc: Doc) -> Doc:
        facts(doc, self.key).extend(self._table_counts(doc))
        return super().__call__(doc)

    def _table_counts(self, doc: Doc) -> Iterator[Fact]:
        """ "Study | n | Endpoint ..." tables: a count per row, the row label says whose."""
        seen: set[int] = set()
        for row in table_rows(doc_text(doc)):
            cell = row.column(r"^\s*(?:n|no\.?|number|patients|participants|infants|children)\s*$")
            count = re.match(r"\s*(?P<number>\d[\d,]*)\s*$", cell.text) if cell else None
            n = as_int(parse_number(count["number"])) if count else None
            if cell is None or n is None or n < _MINIMUM_COUNT or n in seen:
                continue
            seen.add(n)
            label = row.label.text
            yield make_fact(
                doc,
                cell.start,
                cell.start + len(cell.text),
                n=n,
                role="control" if _CONTROL.search(label) else "total",
                description=label,
            )

    def read(self, doc: Doc, sent: Span) -> Iterator[Fact]:
        seen: set[int] = set()  # a sentence that says "651 infants (n = 651)" has one cohort
        text = sentence_text(sent)
        counts = [*_counts(text), *_counts_of_defined_groups(text, _defined_groups(doc))]
        for start, end, n, role, description in counts:
            if _RATIO_BEFORE.search(text, 0, start):
                continue  # "nine in ten of the babies", "three out of four of these babies"
            if 1900 <= n <= 2099 and _YEAR_BEFORE.search(text, 0, start):
                continue  # "Since 1999 infants with ALL are treated …", "Between 2006 and 2016"
            if n not in seen:
                seen.add(n)
                yield make_fact(
                    doc,
                    sent.start_char + start,
                    sent.start_char + end,
                    n=n,
                    role=role,
                    description=description,
                )


Count = tuple[int, int, int, str, str | None]  # start, end, n, role, description
_RATIO_BEFORE = re.compile(
    rf"\b(?:(?:\d+|{SPELLED_NUMBER}){SPACE}+in|out{SPACE}+of){SPACE}+$", re.I
)
_YEAR_BEFORE = re.compile(
    rf"\b(?:since|in|from|until|till|between|during|by|before|after|and){SPACE}+$", re.I
)
# "a single-arm phase 2 trial enrolled infants": the number names a phase, not a count
_NUMBERED_BEFORE = re.compile(
    rf"\b(?:phase|grade|stage|step|part|type|level|cycle|block|cohort|arm|group|version)"
    rf"{SPACE}*$",
    re.I,
)
_PEOPLE_LAST = re.compile(rf"\b{PEOPLE}$", re.I)


def _defined_groups(doc: Doc) -> dict[str, str]:
    """Abbreviations the text defines for groups of people: "historical controls (HC)"."""
    if "cohort_groups" not in doc.user_data:
        abbreviations = doc._.abbreviations if Doc.has_extension("abbreviations") else []
        doc.user_data["cohort_groups"] = {
            short.text: short._.long_form.text
            for short in abbreviations
            if _PEOPLE_LAST.search(short._.long_form.text) and not _PEOPLE_LAST.search(short.text)
        }
    return doc.user_data["cohort_groups"]


def _counts_of_defined_groups(text: str, groups: dict[str, str]) -> Iterator[Count]:
    """ "214 HC were available", where HC stands for historical controls."""
    if not groups:
        return
    names = "|".join(re.escape(short) for short in sorted(groups, key=len, reverse=True))
    for match in re.finditer(rf"(?<![\w.,-])(?P<number>\d+){SPACE}+(?P<noun>{names})\b", text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            description = groups[match["noun"]]
            yield (
                match.start(),
                match.end(),
                n,
                _role(text, match.start(), match.end(), description),
                description,
            )


def _counts(text: str) -> Iterator[Count]:
    """Cohort sizes of one sentence: "30 infants", then "(n = 45)", then "of whom 60"."""
    if not (_DIGIT.search(text) or _SPELLED.search(text)):
        return  # no number in digits or words: nothing to count
    for match in COUNT.finditer(text):
        n = as_int(parse_number(match["number"]))
        if (
            n is None
            or n < _MINIMUM_COUNT
            or _EVENT_AFTER.match(text[match.end() :])
            or _EVENT_BEFORE.search(text[: match.start()])
            or _PROPORTION_BEFORE.search(text[: match.start()])
            or _RESPONDERS_AFTER.match(text, match.end())
            or _NUMBERED_BEFORE.search(text[: match.start()])
        ):
            continue
        description = f"{match['words'].strip()} {match['noun']}".strip()
        role = _role(text, match.start(), match.end(), description)
        yield match.start(), match.end(), n, role, description
        yield from _subgroup_in_brackets(text, match.end())
    for match in OF_THE.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            description = f"{match['words'].strip()} {match['noun']}".strip()
            role = _role(text, match.start(), match.end(), description)
            yield (
                match.start(),
                match.end(),
                n,
                "subgroup" if role == "total" else role,
                description,
            )
    for match in N_EQUALS.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is None or _SHARE_AFTER.match(text, match.end()):
            continue  # "neutropenia (n = 12, 40%)": patients with an event, not a cohort
        label = _LABEL_BEFORE.search(text[: match.start()])
        named = _PREPOSITION.sub("", label.group(1)) if label else None
        in_brackets = text[max(0, match.start() - 2) : match.start()].rstrip().endswith("(")
        role = _role(text, match.start(), match.end(), named or "")
        if in_brackets and role == "total":
            role = "subgroup"
        yield match.start(), match.end(), n, role, named
        yield from _subgroup_in_brackets(text, match.end())
    for match in [*WERE.finditer(text), *WITH_SHARE.finditer(text), *REMAINING.finditer(text)]:
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            noun = match.groupdict().get("noun")
            end = match.end() if noun else match.end("number")
            yield match.start(), end, n, "subgroup", noun
    for match in LABELLED_SHARE.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            yield match.start("number"), match.end(), n, "subgroup", match["label"].strip()
    for match in GENETIC_SUBGROUP.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            yield (
                match.start("number"),
                match.end(),
                n,
                "subgroup",
                match["label"] or match["adjective"],
            )
    for match in REGISTRY_FIELD.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            field = match["field"].lower()
            role = "arm" if "randomi" in field else "planned" if _PLANNED.search(text) else "total"
            yield match.start(), match.end(), n, role, match["field"]
    for match in [*LABELLED_COUNT.finditer(text), *COUNT_IN_BRACKETS.finditer(text)]:
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            field = match["field"].lower()
            role = "arm" if "randomi" in field else "planned" if _PLANNED.search(text) else "total"
            yield match.start("number"), match.end(), n, role, match["field"]
    for match in GENE_LABELLED.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            yield match.start("label"), match.end(), n, "subgroup", match["label"]
    for match in SHARES_NOUN.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            description = match["noun"]
            yield (
                match.start(),
                match.end("number"),
                n,
                _role(text, match.start(), match.end(), description),
                description,
            )
    for match in COUNTED_BY_VERB.finditer(text):
        n = as_int(parse_number(match["number"]))
        if n is not None and n >= _MINIMUM_COUNT:
            verb = match["verb"].lower()
            role = (
                "arm" if "randomi" in verb or "assigned" in verb or "allocated" in verb else "total"
            )
            yield match.start("number"), match.end(), n, role, match["verb"]
    if _ARM.search(text):  # "330 were randomized: 166 to ADE/MAE and 164 to IB"
        for match in _RANDOMISED_TO.finditer(text):
            n = as_int(parse_number(match["number"]))
            if n is not None and n >= _MINIMUM_COUNT:
                yield match.start("number"), match.end(), n, "arm", match["arm"]
    for match in OF_WHOM.finditer(text):
        group = "number" if match["number"] else "number2"
        n = as_int(parse_number(match[group]))
        if n is not None and n >= _MINIMUM_COUNT:
            yield match.start(group), match.end(group), n, "subgroup", None


def _subgroup_in_brackets(text: str, end: int) -> Iterator[Count]:
    """The subgroup a bracket gives right after a count: "n = 68 (60 KMT2A-r)"."""
    match = SUBGROUP_IN_BRACKETS.match(text[end:])
    n = as_int(parse_number(match["number"])) if match else None
    if match and n is not None and n >= _MINIMUM_COUNT:
        yield end + match.start("number"), end + match.end("label"), n, "subgroup", match["label"]


def _role(text: str, start: int, end: int, description: str) -> str:
    """planned, control, arm, subgroup or total, from the words around a count."""
    if _PLANNED.search(text):
        return "planned"
    if (
        _CONTROL.search(description)
        or re.match(r"[^.;]{0,80}\((?:historic(?:al)?\s+)?controls?\)", text[end:])
        or _SERVED_AS_CONTROLS.match(text, end)
    ):
        return "control"
    opened = text.rfind("(", 0, start)
    inside = opened > text.rfind(")", 0, start)
    if (
        _ARM.search(text[end : end + 60].split(";")[0])
        or "randomi" in description.lower()
        # "330 were randomly assigned (ADE/MAE, n = 166; IB, n = 164)": the arms listed
        or (inside and _ARM.search(text[max(0, opened - 40) : opened]))
    ):
        return "arm"
    if _SUBGROUP_BEFORE.search(text[:start]):
        return "subgroup"
    return "total"
