"""Number, percentage, unit and time grammar shared by the extraction components.

The patterns work on the document text as read, so they tolerate what real documents do:
non-breaking spaces, thin spaces, "81.6%while", the Lancet's decimal point "47·0", en and em
dashes in ranges, "μ" (Greek mu) or "µ" (micro sign), "m2" or "m²", spelled-out numbers.
"""

from __future__ import annotations

import re

# A number as written: digits with thousands separators or a decimal point (".", "·").
# "1,234", "47.0", "47·0", and the decimal comma of "46,1 %" or "70,2–94,9" (one or two digits
# after the comma, then a percent sign, a dash or a bracket: not a thousands separator)
NUMBER = (
    r"(?:(?<![\w.,])\d{1,3},\d{1,2}(?![\d,])(?=\s?%|\s?[–-]\s?\d|\s?\))"
    r"|(?<![\w.])\d{1,3}(?:,\d{3})+(?:[.·]\d+)?(?![\d,]*\d)|(?<![\w.])\d+(?:[.·]\d+)?)"
)
SPACE = r"[ \t\u00a0\u2009\u202f]"
DASH = r"(?:-|–|—|‑|−|\bto\b)"
# "47%", "47 per cent", "47 percent", and the "47pc" of British and Irish newspapers
PERCENT = rf"(?:{SPACE}?%|{SPACE}?per{SPACE}?cent\b|{SPACE}percent\b|(?-i:pc)\b)"

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_DIGIT_WORD = "|".join(list(_UNITS)[:10])
# "Thirty", "one hundred and sixty", and the spoken decimal "eighty-one point six"
SPELLED_NUMBER = (
    rf"\b(?:(?:{_WORD})(?:[- ](?:{'|'.join(_UNITS)}))?"
    rf"(?:{SPACE}hundred(?:{SPACE}(?:and{SPACE})?(?:{_WORD})(?:-(?:{'|'.join(_UNITS)}))?)?)?"
    rf"(?:{SPACE}point(?:{SPACE}(?:{_DIGIT_WORD}))+)?)\b"
)
ANY_NUMBER = rf"(?:{NUMBER}|{SPELLED_NUMBER})"


def parse_number(text: str) -> float | None:
    """Read a number written in digits or words ("1,234", "47·0", "Thirty-two").

    Returns None for text that is not a number.
    """
    cleaned = text.strip().lower().replace("\u00a0", " ")
    if not cleaned:
        return None
    if cleaned[0].isdigit() or cleaned[0] in ".·":
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:[.·]\d+)?", cleaned):
            cleaned = cleaned.replace(",", "")
        elif re.fullmatch(r"\d+,\d{1,2}", cleaned):  # a decimal comma: "46,1"
            cleaned = cleaned.replace(",", ".")
        cleaned = cleaned.replace("·", ".")
        try:
            return float(cleaned)
        except ValueError:
            return None
    return _parse_words(cleaned)


def _parse_words(text: str) -> float | None:
    whole, _, decimals = text.partition(" point ")
    value = _parse_whole_words(whole)
    if value is None or not decimals:
        return value
    digits = [_UNITS.get(word) for word in decimals.split()]
    if any(d is None or d > 9 for d in digits):
        return None
    return float(f"{int(value)}.{''.join(str(d) for d in digits)}")


def _parse_whole_words(text: str) -> float | None:
    total = 0
    current = 0
    seen = False
    for word in re.split(r"[\s-]+", text):
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        else:
            return None
        seen = True
    total += current
    return float(total) if seen else None


def as_int(value: float | None) -> int | None:
    """A whole count from a parsed number (None when it has a fraction)."""
    if value is None or value != int(value):
        return None
    return int(value)


# ---- durations and timepoints ------------------------------------------------------------

_MONTHS_PER = {
    "year": 12.0,
    "yr": 12.0,
    "y": 12.0,
    "month": 1.0,
    "mo": 1.0,
    "week": 12 / 52,
    "wk": 12 / 52,
    "day": 12 / 365.25,
}
TIME_UNIT = r"(?:years?|yrs?|y|months?|mos?|weeks?|wks?|days?)"
TIMEPOINT = (
    rf"(?P<tp_value>{ANY_NUMBER}){SPACE}?(?:-|‑|–|{SPACE})?{SPACE}?(?P<tp_unit>{TIME_UNIT})\b"
)


def months(value: float, unit: str) -> float:
    """Convert an amount of time to months ("2", "year" → 24.0)."""
    unit = unit.lower().rstrip("s") or "y"
    if unit == "mo":
        unit = "month"
    factor = _MONTHS_PER.get(unit)
    if factor is None:
        raise ValueError(f"not a unit of time: {unit!r}")
    return round(value * factor, 2)


# ---- dose units ---------------------------------------------------------------------------

_MASS = {
    "mg": "mg",
    "g": "g",
    "μg": "μg",
    "µg": "μg",
    "mcg": "μg",
    "ug": "μg",
    "ng": "ng",
    "iu": "IU",
    "international units": "IU",
    "international unit": "IU",
    "u": "U",
    "units": "U",
    "unit": "U",
    "ml": "mL",
    "mmol": "mmol",
    "microgram": "μg",
    "micrograms": "μg",
    "milligram": "mg",
    "milligrams": "mg",
    "gram": "g",
    "grams": "g",
}
MASS_UNIT = (
    rf"(?:(?i:international{SPACE}units?)|mg|g|[μµu]g|mcg|ng|IU|U|units?|m[lL]|mmol"
    r"|(?i:micro|milli)?(?i:grams?))"
)
BASIS = (
    rf"(?:{SPACE}?/{SPACE}?(?:m(?:2|²|\^2)|kg|dose)|{SPACE}per{SPACE}(?:kg|m(?:2|²)|square{SPACE}"
    rf"met(?:re|er)s?|kilogram)|{SPACE}?·{SPACE}?(?:m(?:-2|⁻²)|kg(?:-1|⁻¹)))"
)
SURFACE_AREA = rf"(?:{SPACE}+of{SPACE}+body[- ]surface(?:{SPACE}+area)?)"
PER_DAY = (
    rf"(?:{SPACE}?/{SPACE}?(?:day|d)\b|{SPACE}(?:per|a|each|every){SPACE}day\b|{SPACE}daily\b"
    rf"|{SPACE}?·{SPACE}?d(?:-1|⁻¹))"
)


def normalise_unit(mass: str, basis: str | None, per_day: bool) -> str:
    """One notation for a dose unit: 'µg', 'm²', 'per day' → 'μg/m2/day'."""
    unit = _MASS.get(mass.lower(), mass)
    if basis:
        b = basis.lower()
        if "kg" in b or "kilogram" in b:
            unit += "/kg"
        elif "dose" in b:
            unit += "/dose"
        else:
            unit += "/m2"
    if per_day:
        unit += "/day"
    return unit


# ---- percentages and intervals ---------------------------------------------------------------

PLUS_MINUS = r"(?:±|\+/[-−]|\+[-−](?!\d))"  # "±", and "+/-" as typed in ASCII
# "47.0% ", "46.1 per cent", and "47.0 ± 2.6%" where the standard error shares the sign
PERCENTAGE = re.compile(
    rf"(?P<number>{NUMBER}|{SPELLED_NUMBER})(?:{SPACE}*{PLUS_MINUS}{SPACE}*(?P<plus_minus>{NUMBER}))?"
    rf"{PERCENT}",
    re.I,
)
_CI = re.compile(
    rf"^{SPACE}*[(\[,;]?{SPACE}*(?:(?:\d+{SPACE}?%{SPACE}?)?(?:CI|confidence{SPACE}interval)\b"
    rf"(?:{SPACE}*\[CI\])?)?"
    rf"{SPACE}*[,:=]?{SPACE}*(?P<low>{NUMBER}){PERCENT}?{SPACE}*(?:{DASH}|(?P<comma>[,;])){SPACE}*"
    rf"(?P<high>{NUMBER}){PERCENT}?(?:{SPACE}*[)\]])?"
)
_SE = re.compile(
    rf"^{SPACE}*(?:\(|\[|,)?{SPACE}*(?:(?:SE\b|s\.e\.|standard{SPACE}error\b)(?:{SPACE}*\[SE\])?{SPACE}*[,:=]?|{PLUS_MINUS})"
    rf"{SPACE}*(?P<se>{NUMBER}){PERCENT}?(?:{SPACE}*[)\]])?"
)
_QUALIFIERS = (
    ("<", re.compile(r"(?:below|less than|under|lower than|fewer than|<|≤|<=)\s*$", re.I)),
    (">", re.compile(r"(?:more than|over|above|greater than|exceeding|at least|>|≥|>=)\s*$", re.I)),
    ("≈", re.compile(r"(?:about|around|approximately|roughly|nearly|almost|some|~|≈)\s*$", re.I)),
)


# What may follow a percentage that is not a rate of patients: an interval label ("95% CI") or
# a relative change ("78% reduction", "30% lower risk").
NOT_A_RATE_AFTER = re.compile(
    rf"^{SPACE}*(?:CIs?\b|confidence|(?:relative{SPACE}+)?(?:reduction|lower|higher|decrease"
    rf"|increase|risk)\b)",
    re.I,
)


_INTERVAL_BEFORE = re.compile(
    rf"(?:{PLUS_MINUS}|\bSE\b(?:{SPACE}+of|{SPACE}*[,:=])?|\bstandard{SPACE}+error(?:{SPACE}+of)?"
    rf"|\bCI\b{SPACE}*[,:=]?"
    rf"|{NUMBER}{PERCENT}?{SPACE}*{DASH})"
    rf"{SPACE}*$",
    re.I,
)


def may_hold_a_percentage(text: str) -> bool:
    """A cheap test before the percentage patterns: "%", "per cent", "percent" or "pc"."""
    return "%" in text or "cent" in text or "pc" in text


def is_interval_part(text: str, start: int) -> bool:
    """Whether the number at ``start`` is a standard error or a bound of an interval — not
    the value a figure changed to ("rose from 66% to 93%")."""
    before = text[max(0, start - 60) : start]
    return bool(_INTERVAL_BEFORE.search(before[-30:])) and not _CHANGED_FROM.search(before)


# "rose", "jumped", "went up": a figure that changed from one value to another
ROSE = rf"(?:rose|increased|jumped|improved|climbed|went{SPACE}+up|grew)"
# "jumped from 66% to", "rose from 49.4 per cent in that earlier group to"
_CHANGED_FROM = re.compile(
    rf"\b{ROSE}{SPACE}+from{SPACE}+"
    rf"{NUMBER}{PERCENT}[^%]{{0,40}}?\bto{SPACE}*$",
    re.I,
)


def interval_after(text: str, value: float | None = None) -> tuple[float, float, int] | None:
    """A confidence interval right after a value: "(95% CI, 70.2–94.9)" → (70.2, 94.9, length).

    Bounds may be joined by a dash, "to", or (after a CI label) a comma or semicolon.

    A bare parenthesised range counts only when it brackets the value.
    """
    match = _CI.match(text)
    if not match:
        return None
    low, high = parse_number(match["low"]), parse_number(match["high"])
    if low is None or high is None or low > high:
        return None
    labelled = "CI" in match.group(0) or "confidence" in match.group(0)
    if match["comma"] and not labelled:  # "(12, 18)" is a list; "(95% CI: 70.2; 94.9)" a range
        return None
    bracketed = "(" in match.group(0) or "[" in match.group(0)
    if not labelled and (value is None or not low <= value <= high or not bracketed):
        return None
    return low, high, match.end()


def standard_error_after(text: str) -> tuple[float, int] | None:
    """A standard error right after a value: "(SE 2.6)", "± 2.6" → (2.6, length)."""
    match = _SE.match(text)
    if not match:
        return None
    se = parse_number(match["se"])
    return (se, match.end()) if se is not None else None


def qualifier_before(text: str) -> str | None:
    """ "<", ">" or "≈" when the text just before a value bounds or rounds it."""
    tail = text[-25:]
    for symbol, pattern in _QUALIFIERS:
        if pattern.search(tail):
            return symbol
    return None
