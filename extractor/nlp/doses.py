"""Doses: amount (or range), unit in one notation, route, frequency, duration and days.

"blinatumomab (15 μg/m2 of body-surface area per day as a 28-day continuous infusion)",
"prednisolone 60 mg/m²/day for 7 days", "cytarabine 75–100 mg/m2 on days 1–5",
"163 mg every 12 hours". A dose is attached to the nearest drug named in its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.evidence import Fact
from extractor.nlp.arms import RESPECTIVELY
from extractor.nlp.facts import (
    SentenceReader,
    doc_text,
    facts,
    make_fact,
    sentence_text,
    title_drug,
)
from extractor.nlp.lexicons import DATA, read_jsonl
from extractor.nlp.numbers import (
    BASIS,
    DASH,
    MASS_UNIT,
    NUMBER,
    PER_DAY,
    SPACE,
    SPELLED_NUMBER,
    SURFACE_AREA,
    normalise_unit,
    parse_number,
)

DOSE = re.compile(
    rf"(?P<amount>{NUMBER}|(?i:{SPELLED_NUMBER}))(?:{SPACE}*{DASH}{SPACE}*(?P<amount_max>{NUMBER}))?{SPACE}*"
    rf"(?P<mass>{MASS_UNIT})(?!\w)(?P<basis>{BASIS})?(?!{SPACE}?/{SPACE}?(?:d?L|l|ml)\b)"
    rf"(?P<area>{SURFACE_AREA})?(?P<per_day>{PER_DAY})?",
)
ROUTES: tuple[tuple[str, str], ...] = (
    ("continuous infusion", r"continuous(?:\s+intravenous)?\s+infusion|(?-i:\bCIVI?\b)"),
    ("intravenous", r"intravenous(?:ly)?|(?-i:\bIV\b)|\bi\.v\."),
    ("oral", r"\boral(?:ly)?\b|by\s+mouth|(?-i:\bPO\b)|\bp\.o\."),
    ("intrathecal", r"intrathecal(?:ly)?|(?-i:\bIT\b)"),
    ("subcutaneous", r"subcutaneous(?:ly)?|(?-i:\bSC\b)|\bs\.c\."),
    ("intramuscular", r"intramuscular(?:ly)?|(?-i:\bIM\b)|\bi\.m\."),
)
ROUTE = re.compile("|".join(f"(?P<r{i}>{p})" for i, (_, p) in enumerate(ROUTES)), re.I)
FREQUENCY = re.compile(
    r"(?P<twice>twice\s+(?:daily|a\s+day)|(?-i:\bBI?D\b)|\bb\.i\.d\.)"
    r"|(?P<thrice>three\s+times\s+(?:daily|a\s+day)|(?-i:\bTID\b))"
    r"|every\s+(?P<hours>\d+)\s+hours|\bq(?P<qh>\d+)h\b"
    r"|(?P<weekly>once\s+(?:a\s+|every\s+)?week(?:ly)?|\bweekly\b|^/\s*w(?:ee)?k\b)"
    r"|(?P<daily>once\s+daily|once\s+a\s+day|\bdaily\b|(?-i:\bQD\b)|\bq\.d\.)",
    re.I,
)
# "28-day", "for 7 days", "for the first 7 days", "over 2 weeks", "× 28 d"
DURATION = re.compile(
    rf"(?P<days>\d+)(?:-|‑|{SPACE})day\b|\b(?:for|lasting|over)"
    rf"(?:{SPACE}+the{SPACE}+(?:first|next|last|following))?{SPACE}+(?P<for_n>\d+){SPACE}+"
    rf"(?P<for_unit>days?|weeks?|d)\b|[×x]{SPACE}*(?P<times>\d+){SPACE}*d(?:ays?)?\b",
    re.I,
)
_A_CYCLE = re.compile(rf"{SPACE}*(?:treatment{SPACE}+)?cycles?\b", re.I)
_DURATION_BEFORE = re.compile(rf"(?P<days>\d+)(?:-|‑|{SPACE})day\b[^,;.\d]{{0,40}}$", re.I)
# "on days 1-7", "days 8 to 28", "from day 1 to day 7", "days 8, 15 and 22"
DAYS = re.compile(
    rf"\b(?:on{SPACE}+)?days?{SPACE}+(?P<days>\d+(?:{SPACE}*(?:,|and|{DASH}){SPACE}*"
    rf"(?:days?{SPACE}+)?\d+)*)",
    re.I,
)
# "a strong CYP3A4 inhibitor (e.g. posaconazole)": an example of a class, not the dosed drug
# "(think posaconazole or voriconazole)"
_AN_EXAMPLE = re.compile(
    r"(?:\be\.g\.|\bsuch\s+as|\bincluding|\bfor\s+(?:example|instance)|\blike|\bthink)[\s,(]*"
    r"(?:[\w-]+(?:\s*,\s*|\s+and\s+|\s+or\s+))*$",
    re.I,
)
_ANOTHER_CLAUSE = re.compile(r",|;|\b(?:with|and|plus|then|before|after|followed)\b", re.I)
_MEMBERS_OF_A_CLASS = re.compile(
    r"\s*(?P<members>(?:[\w-]+(?:\s*,\s*|\s+and\s+|\s+or\s+))+[\w-]+)\s+(?:are|is)\s+"
    r"(?:all\s+|each\s+)?(?:(?:strong|moderate|potent|weak)\s+)?[\w-]*\s*(?:inhibitors|inducers"
    r"|antifungals|azoles)\b",
    re.I,
)
_A_POINT_IN_TIME = re.compile(
    r"\b(?:before|after|prior\s+to|until)\s+(?:the\s+|each\s+|every\s+)?(?:first\s+|last\s+)?$",
    re.I,
)
# The mass units each drug of this literature is dosed in (blinatumomab in μg, dexamethasone
# in mg, pegaspargase in IU): a dose in another unit is not that drug's.
DOSE_UNITS = {
    entry["drug"]: tuple(entry["units"]) for entry in read_jsonl(DATA / "dose_units.jsonl")
}
_NEAR = 30  # characters: how far a drug name may stand from its dose and still be preferred
_AFTER = 90  # characters after a dose read for its schedule
_SENTENCES_BACK = 3  # how far back a dose without a drug in its sentence looks for one


@Language.factory("doses")
class Doses(SentenceReader):
    """Dose facts, into ``doc._.doses`` (needs ``doc.spans["drugs"]``)."""

    key = "doses"

    def read(self, doc: Doc, sent: Span) -> Iterator[Fact]:
        drugs = list(doc.spans.get("drugs", []))
        text, offset = sentence_text(sent), sent.start_char
        matches = list(DOSE.finditer(text))
        previous: Span | None = None
        respective = _respective_drugs(drugs, sent, text, matches)
        for index, match in enumerate(matches):
            dose_start, dose_end = offset + match.start(), offset + match.end()
            # "dexamethasone 5 mg/m², up to a maximum dose of 20 mg, before Blincyto": a dose
            # that follows another with no drug named between them is the same drug's.
            between = index and any(
                offset + matches[index - 1].end() <= d.start_char < dose_start for d in drugs
            )
            drug = previous if previous and index and not between else None
            amount = parse_number(match["amount"])
            mass = normalise_unit(match["mass"], None, False)
            if respective:
                drug = respective[index]
            drug = previous = drug or _nearest_drug(drugs, sent, dose_start, dose_end, amount, mass)
            if drug is None or amount is None:
                continue
            schedule = _schedule(text, matches, index)
            yield make_fact(
                doc,
                dose_start,
                offset + schedule.end,
                drug=drug.label_,
                amount=amount,
                amount_max=parse_number(match["amount_max"]) if match["amount_max"] else None,
                unit=normalise_unit(match["mass"], match["basis"], bool(match["per_day"])),
                route=schedule.route,
                frequency=schedule.frequency,
                duration_days=schedule.duration_days,
                days=schedule.days,
            )


@dataclass(frozen=True)
class Schedule:
    """How a dose is given, read around it, and where its text ends in the sentence."""

    end: int
    route: str | None
    frequency: str | None
    duration_days: float | None
    days: str | None


def _schedule(text: str, matches: list[re.Match[str]], index: int) -> Schedule:
    """Route, frequency, duration and days of dose ``index``: read after it up to the next
    dose, then (for what is missing) before it back to the dose before."""
    match = matches[index]
    stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
    after = text[match.end() : min(stop, match.end() + _AFTER)]
    since = matches[index - 1].end() if index else 0
    before = text[max(since, match.start() - 40) : match.start()]
    days = DAYS.search(after[:40])
    duration_after = DURATION.search(after)
    if days and duration_after and duration_after.start() > days.end():
        duration_after = None  # "for days 1–7 ... a 14-day break": the days say it
    if duration_after and _A_CYCLE.match(after, duration_after.end()):
        duration_after = None  # "in 28-day cycles": how long a cycle lasts, not the dose
    duration = duration_after or _DURATION_BEFORE.search(
        text[max(0, match.start() - 50) : match.start()]
    )
    frequency = _frequency(after[:40])
    shared = None
    if frequency is None and index + 1 < len(matches):
        # "160 mg and 95 mg/m2 twice daily": a frequency after a listed pair holds for both
        joined = re.fullmatch(rf"{SPACE}*(?:,|and|or){SPACE}*", text[match.end() : stop])
        following = matches[index + 1]
        shared = _frequency(text[following.end() : following.end() + 40]) if joined else None
    # "5 g/m2 over 24 h, with intrathecal methotrexate 6 mg": the route of what comes next
    clause = _ANOTHER_CLAUSE.search(after)
    route = _route(after[: clause.start()] if clause else after)
    end = match.end()
    for extra in (duration_after, route and route[1], frequency and frequency[1]):
        if extra is not None:
            end = max(end, match.end() + extra.end())
    route = route or _route(before)
    frequency = frequency or shared or _frequency(before)  # "by mouth once a day at 50 mg/m²"
    return Schedule(
        end=end,
        route=route[0] if route else None,
        frequency=frequency[0] if frequency else None,
        duration_days=_duration_days(duration) or _days_spanned(days),
        days=_day_list(days),
    )


def _nearest_drug(
    drugs: list[Span], sent: Span, start: int, end: int, amount: float | None, mass: str
) -> Span | None:
    """The drug a dose belongs to: one just before it, else one just after, else the closest
    in its sentence; for a dose with no drug in its sentence, the drug that amount was given
    for already, else the one drug the title names, else the last one named in the sentences
    just before ("Revumenib is taken twice daily. Patients over 40 kg take 270 mg"), else the
    only drug named before. Never a drug the lexicon doses in another mass unit."""
    text = doc_text(sent.doc)
    # not a drug named as an example ("such as posaconazole") unless the dose follows its name
    # ("such as ziftomenib 600 mg"), nor one never dosed in this mass unit (dexamethasone in μg)
    candidates = [
        d for d in drugs if not _named_as_an_example(d) or not text[d.end_char : start].strip()
    ]
    drugs = [d for d in candidates if _may_be_dosed_in(d, mass)]
    in_sentence = [d for d in drugs if sent.start_char <= d.start_char < sent.end_char]
    before = [d for d in in_sentence if d.end_char <= start]
    after = [d for d in in_sentence if d.start_char >= end]
    # not a drug named as a point in time ("Dexamethasone, before the first blinatumomab
    # infusion: 5 mg/m2"), unless the dose is written right after it
    timing = [
        d
        for d in before
        if _A_POINT_IN_TIME.search(text, max(0, d.start_char - 30), d.start_char)
        and text[d.end_char : start].strip()
    ]
    before = [d for d in before if d not in timing] or before
    if before and start - before[-1].end_char <= _NEAR:
        return before[-1]
    if (
        after
        and after[0].start_char - end <= _NEAR
        and not _ANOTHER_CLAUSE.search(text[end : after[0].start_char])
    ):
        return after[0]  # "15 μg/m2/day of blinatumomab", not "..., with dexamethasone"
    # further away, the drug named before the dose: "the blinatumomab label ... starts at
    # 5 μg/m2/day for 7 days, with dexamethasone given before each cycle"
    if before or after:
        return before[-1] if before else after[0]
    # the drug an amount was already given for: "… (maximum 20 mg). … the 20 mg cap …"
    repeated = [
        f["drug"]
        for f in facts(sent.doc, "doses")
        if (f["amount"], f["unit"].split("/")[0]) == (amount, mass)
    ]
    named_earlier = [d for d in drugs if d.start_char < sent.start_char]
    if repeated:
        return next((d for d in reversed(named_earlier) if d.label_ == repeated[-1]), None)
    # the one drug the title names, when it may be dosed so: a label, formulary entry or
    # review about revumenib doses it line after line, other drugs named in passing
    about = title_drug(sent.doc) if sent.start else None
    if about is not None and _may_be_dosed_in(about, mass):
        return about
    # the last drug named in the sentences just before, unless the text doses it in another
    # mass unit ("dexamethasone 5 mg/m2 …. Infants received 15 µg/m2/day" is not its dose)
    earlier = _sentences_before(sent, _SENTENCES_BACK)
    named = [
        d
        for d in drugs
        if earlier <= d.start_char < sent.start_char and not _dosed_in_other_units(d, mass)
    ]
    if named:
        return named[-1]
    # A label or abstract about one drug doses it far from its name: "Cycle 1: 9 μg/day".
    # (one drug named before, counting those never dosed so: "Blinatumomab was stopped and
    # dexamethasone given … Patients took 270 mg" is not guessed)
    if len({d.label_ for d in candidates if d.start_char < sent.start_char}) == 1 and named_earlier:
        return named_earlier[-1]
    return None


def _respective_drugs(
    drugs: list[Span], sent: Span, text: str, matches: list[re.Match[str]]
) -> list[Span]:
    """ "mercaptopurine and methotrexate … at 50 mg/m2 per day and 20 mg/m2 per week,
    respectively": as many drugs listed before the doses as doses, paired in order."""
    if len(matches) < 2 or not RESPECTIVELY.search(text, matches[-1].end()):
        return []
    first = sent.start_char + matches[0].start()
    listed = [d for d in drugs if sent.start_char <= d.start_char < first]
    if len({d.label_ for d in listed}) != len(listed) or len(listed) != len(matches):
        return []
    return listed


def _may_be_dosed_in(drug: Span, mass: str) -> bool:
    """Whether the lexicon allows ``drug`` a dose in ``mass`` (a drug it lacks may have any)."""
    return mass in DOSE_UNITS.get(drug.label_, (mass,))


def _dosed_in_other_units(drug: Span, mass: str) -> bool:
    """Whether the doses found so far for ``drug`` are all in a mass unit other than ``mass``."""
    units = {f["unit"].split("/")[0] for f in facts(drug.doc, "doses") if f["drug"] == drug.label_}
    return bool(units) and mass not in units


def _named_as_an_example(drug: Span) -> bool:
    """A drug named as a member of a class, not as the one dosed: "a strong CYP3A4 inhibitor
    (e.g. posaconazole)", "Posaconazole, voriconazole and itraconazole are strong CYP3A4
    inhibitors"."""
    sent, text = drug.sent, doc_text(drug.doc)
    before = text[max(sent.start_char, drug.start_char - 60) : drug.start_char]
    if _AN_EXAMPLE.search(before):
        return True
    members = _MEMBERS_OF_A_CLASS.match(text, sent.start_char, sent.end_char)
    return members is not None and drug.end_char <= members.end("members")


def _sentences_before(sent: Span, count: int) -> int:
    """Where the sentence ``count`` sentences before this one starts."""
    for _ in range(count):
        if sent.start == 0:
            break
        sent = sent.doc[sent.start - 1].sent
    return sent.start_char


def _route(text: str) -> tuple[str, re.Match[str]] | None:
    match = ROUTE.search(text)
    if match is None or match.lastgroup is None:
        return None
    return ROUTES[int(match.lastgroup[1:])][0], match


def _frequency(text: str) -> tuple[str, re.Match[str]] | None:
    match = FREQUENCY.search(text)
    if match is None:
        return None
    if match["twice"]:
        return "twice daily", match
    if match["thrice"]:
        return "three times daily", match
    if match["hours"] or match["qh"]:
        return f"every {match['hours'] or match['qh']} hours", match
    if match["weekly"]:
        return "weekly", match
    return "daily", match


def _duration_days(match: re.Match[str] | None) -> float | None:
    if match is None:
        return None
    if match["days"]:
        return float(match["days"])
    if match.groupdict().get("times"):
        return float(match["times"])
    count = float(match["for_n"])
    return count * 7 if match["for_unit"].lower().startswith("week") else count


def _day_list(days: re.Match[str] | None) -> str | None:
    """ "1-7" for "days 1–7", "day 1 to day 7"; "8, 15 and 22" as written."""
    if days is None:
        return None
    listed = re.sub(rf"\bdays?{SPACE}+", "", days["days"], flags=re.I)
    return re.sub(rf"{SPACE}*{DASH}{SPACE}*", "-", listed)


def _days_spanned(days: re.Match[str] | None) -> float | None:
    """How many days "on days 1-7" covers (7); None for a list of single days."""
    listed = _day_list(days)
    span = re.fullmatch(r"(\d+)-(\d+)", listed) if listed else None
    if span is None:
        return None
    first, last = int(span[1]), int(span[2])
    return float(last - first + 1) if last >= first else None
