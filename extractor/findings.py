"""Study-level findings: each result once, with every document that reports it.

After ``extractor.linking`` has tied documents to studies, each survival figure, dose and
cohort size is given a study and an arm:
- a control arm in a document reporting a study with historical controls ("control_from" in
  the catalogue) belongs to the trial the controls came from (Interfant-06);
- an arm that names a linked study's intervention (blinatumomab) belongs to that study;
- else the trial named beside the figure, else the one study the document reports.
The same survival figure (endpoint, timepoint and value, a whole number matching a rounded
one) from several documents is one finding. A figure given to a document's sole study, or with
a named arm, outweighs one only named near a trial; a figure with decimals is one finding
whatever the attributions, the majority choosing its study (dissent is kept in ``conflicts``),
while a whole-number figure is split by study. Doses and cohorts are one finding per study and
value. Everything here is recomputed from the evidence tables by ``link_studies``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from extractor.linking import CatalogueStudy, StoredDocument, StudyLinker, study_key
from extractor.nlp.studies import DocumentTrials
from extractor.study_store import save_links

_CONTROL = re.compile(
    r"\b(?:controls?|comparison|comparator|historic(?:al)?|alone|without|placebo|observation"
    r"|standard|earlier|previous|prior)\b",
    re.I,
)
_OVERALL = re.compile(r"\b(?:whole|entire|all|overall|total)\b", re.I)
_DAILY = {"daily", "once daily", "per day", "a day", "once a day"}

# Facts whose study is this sure outweigh "weak" ones, only named near a trial.
STRONG, WEAK = 2, 1


@dataclass
class Attributed:
    """One fact, the study and arm it was given, and why."""

    row: dict[str, Any]
    document: StoredDocument
    study: str | None  # study key
    arm: str | None
    arm_role: str | None
    weight: int
    by: str
    own: bool = False  # the study is one its document reports (or that study's controls)


def link_studies(
    db: sqlite_utils.Database, catalogue: Iterable[CatalogueStudy] = ()
) -> dict[str, int]:
    """Link every stored document to its studies and its facts to study-level findings,
    replacing the previous links in one transaction; rows written per table."""
    linker = StudyLinker(catalogue)
    documents = [
        StoredDocument.from_row(row)
        for row in db.query("SELECT id, title, text, metadata FROM documents ORDER BY id")
    ]
    for document in documents:
        linker.add(document)
    studies, document_studies = linker.rows()
    attribution = _Attribution(linker, db)
    survival = [attribution.survival(row) for row in _facts(db, "survival_estimates")]
    doses = [attribution.dose(row) for row in _facts(db, "doses")]
    cohorts = [attribution.cohort(row) for row in _facts(db, "cohorts")]
    return save_links(
        db,
        studies,
        document_studies,
        {
            "survival_findings": survival_findings(survival, linker, attribution.cohort_sizes),
            "dose_findings": dose_findings(doses, linker),
            "cohort_findings": cohort_findings(cohorts, linker),
        },
    )


def _facts(db: sqlite_utils.Database, table: str) -> list[dict[str, Any]]:
    return [
        dict(row) for row in db.query(f"SELECT * FROM [{table}] ORDER BY document_id, start, id")
    ]


class _Attribution:
    """Gives each fact a study and an arm, document by document."""

    def __init__(self, linker: StudyLinker, db: sqlite_utils.Database) -> None:
        self.linker = linker
        self.drugs: dict[str, set[str]] = defaultdict(set)
        for row in db.query("SELECT document_id, name, text FROM drug_mentions"):
            self.drugs[row["document_id"]] |= {str(row["name"]).lower(), row["text"].lower()}
        self.cohort_sizes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in db.query("SELECT document_id, n, role, description FROM cohorts"):
            self.cohort_sizes[row["document_id"]].append(dict(row))
        self._trials: dict[str, DocumentTrials] = {}
        self._arm_values: Counter[tuple[Any, ...]] = Counter(
            _arm_key(row)
            for row in db.query(
                "SELECT DISTINCT document_id, endpoint, timepoint_months, arm, value_pct "
                "FROM survival_estimates WHERE arm IS NOT NULL"
            )
        )

    def survival(self, row: dict[str, Any]) -> Attributed:
        found = self._attribute(row, row.get("arm"), row.get("study"))
        if found.arm_role == "experimental" and self._arm_values[_arm_key(row)] > 1:
            found.weight = WEAK  # one arm with two values at one endpoint: a misread arm
        return found

    def dose(self, row: dict[str, Any]) -> Attributed:
        # a dose is the regimen of the study a document reports before any trial named near it
        reported = self.linker.reported_by(row["document_id"])
        named = None if len(reported) == 1 else self._named_trial(row)
        found = self._attribute(row, row.get("drug"), named)
        found.arm, found.arm_role = None, None  # a dose has a drug, not an arm
        return found

    def cohort(self, row: dict[str, Any]) -> Attributed:
        role = row.get("role")
        arm = row.get("description") if role in ("arm", "control", "subgroup") else None
        if role == "control":
            arm = arm if arm and _CONTROL.search(arm) else "controls"
        return self._attribute(row, arm, self._named_trial(row))

    def _attribute(self, row: dict[str, Any], arm: str | None, named: str | None) -> Attributed:
        found = self._attribute_in(row, arm, named)
        found.own = found.study is not None and (
            found.study in self.linker.reported_by(found.document.id)
            or found.by.startswith("historical controls of")
        )
        return found

    def _attribute_in(self, row: dict[str, Any], arm: str | None, named: str | None) -> Attributed:
        document = self.linker.documents[row["document_id"]]
        reported = self.linker.reported_by(document.id)
        linked = self.linker.linked_to(document.id)
        role = self._arm_role(arm, document.id, row)
        for key in reported:
            study = self.linker.studies[key].catalogue
            if role == "control" and study and study.control_from:
                control = study_key(study.control_from)
                return Attributed(
                    row, document, control, "historical controls", "control", STRONG,
                    f"historical controls of {study.name}",
                )  # fmt: skip
        for key in linked:
            study = self.linker.studies[key].catalogue
            if study and study.intervention and role != "control":
                names = f"{arm or ''} {row.get('drug') or ''}".lower()
                if study.intervention.lower() in names:
                    return Attributed(
                        row, document, key, study.intervention, "experimental", STRONG,
                        f"names {study.name}'s intervention",
                    )  # fmt: skip
        label = _arm_label(arm, role, self.linker)
        if named:
            key = study_key(named)
            weight = STRONG if key in reported or role in ("experimental", "control") else WEAK
            return Attributed(row, document, key, label, role, weight, f"{named} named beside it")
        if len(reported) == 1:
            study = self.linker.studies[reported[0]].catalogue
            if study and study.intervention and role in (None, "overall"):
                label, role = study.intervention, "experimental"  # a single-arm study
            return Attributed(
                row, document, reported[0], label, role, STRONG, "the study its document reports"
            )
        return Attributed(row, document, None, label, role, WEAK, "no study named")

    def _arm_role(self, arm: str | None, document_id: str, row: dict[str, Any]) -> str | None:
        if not arm:
            return None
        if _CONTROL.search(arm):
            return "control"
        if _OVERALL.search(arm) or study_key(arm) in self.linker.studies:
            return "overall"
        words = arm.lower()
        if row.get("drug") or any(drug in words for drug in self.drugs[document_id] if drug):
            return "experimental"
        return "subgroup"

    def _named_trial(self, row: dict[str, Any]) -> str | None:
        document = self.linker.documents[row["document_id"]]
        trials = self._trials.get(document.id)
        if trials is None:
            trials = self._trials[document.id] = DocumentTrials(document.text, document.title_end)
        return trials.trial_at(row["start"], row["sentence_start"], row["sentence_end"])


def _arm_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["document_id"], row["endpoint"], row["timepoint_months"], row["arm"])


def _arm_label(arm: str | None, role: str | None, linker: StudyLinker) -> str | None:
    if role == "overall" or (arm and study_key(arm) in linker.studies):
        return "all patients"
    if not arm:
        return None
    label = re.sub(r"^(?:the|an?)\s+", "", arm.strip(), flags=re.I)
    return re.sub(r"\s+(?:group|arm|cohort)$", "", label, flags=re.I)


# ---- survival --------------------------------------------------------------------------


def survival_findings(
    facts: Sequence[Attributed],
    linker: StudyLinker,
    cohort_sizes: dict[str, list[dict[str, Any]]] | None = None,
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Survival facts grouped into findings, each with its sources."""
    valued = [fact for fact in facts if fact.row.get("value_pct") is not None]
    by_figure: dict[tuple[Any, ...], list[Attributed]] = defaultdict(list)
    for key, fact in zip(_figure_keys(valued), valued, strict=True):
        by_figure[key].append(fact)
    findings = []
    for (endpoint, timepoint, _), group in sorted(by_figure.items(), key=_sort_key):
        value = group[0].row["value_pct"]
        for study, members, dissent in _split_by_study(group, float(value) != int(value)):
            findings.append(
                _survival_finding(
                    endpoint, timepoint, study, members, dissent, linker, cohort_sizes or {}
                )
            )
    return findings


def _figure_keys(facts: Sequence[Attributed]) -> list[tuple[Any, ...]]:
    """Each fact's (endpoint, timepoint, value); a whole number joins the one figure with
    decimals that rounds to it at that endpoint and timepoint ("82%" and "81.6%")."""
    precise: dict[tuple[Any, ...], set[float]] = defaultdict(set)
    for fact in facts:
        value = round(float(fact.row["value_pct"]), 1)
        if value != int(value):
            place = (fact.row["endpoint"], fact.row["timepoint_months"], round(value))
            precise[place].add(value)
    keys = []
    for fact in facts:
        endpoint, timepoint = fact.row["endpoint"], fact.row["timepoint_months"]
        value = round(float(fact.row["value_pct"]), 1)
        rounding = precise.get((endpoint, timepoint, value), set()) if value == int(value) else ()
        keys.append((endpoint, timepoint, next(iter(rounding)) if len(rounding) == 1 else value))
    return keys


def _sort_key(item: tuple[tuple[Any, ...], list[Attributed]]) -> tuple[Any, ...]:
    endpoint, timepoint, value = item[0]
    return (str(endpoint), timepoint if timepoint is not None else -1, value)


def _split_by_study(
    group: list[Attributed], distinctive: bool
) -> list[tuple[str | None, list[Attributed], list[Attributed]]]:
    """One figure's facts as (study, its facts, facts that named another study). A
    ``distinctive`` figure (with decimals) is one finding; another is one per study that
    some fact gives it on good grounds, weak facts joining the best supported."""
    votes: Counter[str | None] = Counter()
    for fact in group:
        votes[fact.study] += fact.weight
    strong = {fact.study for fact in group if fact.weight == STRONG and fact.study}
    if distinctive or len(strong) <= 1:
        winner = max(votes, key=lambda s: (votes[s], s is not None, s or ""))
        if strong and winner not in strong:
            winner = max(strong, key=lambda s: (votes[s], s))
        dissent = [f for f in group if f.study not in (winner, None)]
        return [(winner, group, dissent)]
    # A whole number given to several studies on good grounds: one finding each.
    parts: dict[str | None, list[Attributed]] = defaultdict(list)
    largest = max(strong, key=lambda s: (votes[s], s))
    for fact in group:
        parts[fact.study if fact.study in strong else largest].append(fact)
    return [(study, members, []) for study, members in sorted(parts.items(), key=str)]


def _survival_finding(
    endpoint: str,
    timepoint: float | None,
    study: str | None,
    members: list[Attributed],
    dissent: list[Attributed],
    linker: StudyLinker,
    cohort_sizes: dict[str, list[dict[str, Any]]],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    agreeing = [f for f in members if f.study in (study, None)] or members
    arm, arm_role = _vote_arm(agreeing)
    values = Counter(f.row["value_pct"] for f in members)
    value = max(values, key=lambda v: (v != int(v), values[v]))
    cis = Counter(
        (f.row["ci_low"], f.row["ci_high"])
        for f in members
        if f.row.get("ci_low") is not None and f.row.get("ci_high") is not None
    )
    ranked = sorted(cis, key=lambda c: (cis[c], _paper_sources(members, c)), reverse=True)
    ci = ranked[0] if ranked else (None, None)
    notes = []
    if len(cis) > 1:
        notes.append(
            "95% CI differs between sources: "
            + "; ".join(
                f"{low:g}–{high:g} ({_ids(members, lambda f, c=(low, high): _ci(f) == c)})"
                for low, high in ranked
            )
        )
    if dissent:
        notes.append(
            "attributed to another study by "
            + "; ".join(
                f"{f.document.id} ({linker.name(f.study)})" for f in dissent if f.study is not None
            )
        )
    sizes: Counter[int] = Counter()
    for fact in agreeing:  # a paper's count outweighs a story's
        n = fact.row.get("n") or _arm_size(fact, arm_role, cohort_sizes, linker)
        if n:
            sizes[int(n)] += 3 - _KIND_ORDER[fact.document.kind]
    finding = {
        "study_id": linker.slug(study) if study else None,
        "arm": arm,
        "arm_role": arm_role,
        "endpoint": endpoint,
        "timepoint_months": timepoint,
        "value_pct": value,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "se": _most_common(f.row.get("se") for f in agreeing),
        "n": sizes.most_common(1)[0][0] if sizes else None,
        **_shared(members),
        "conflicts": " | ".join(notes) or None,
    }
    return finding, _sources(members, "survival_estimates")


def _ci(fact: Attributed) -> tuple[Any, Any]:
    return (fact.row.get("ci_low"), fact.row.get("ci_high"))


def _paper_sources(members: list[Attributed], ci: tuple[Any, Any]) -> int:
    return sum(1 for f in members if _ci(f) == ci and f.document.kind == "paper")


def _ids(members: list[Attributed], keep: Any) -> str:
    return ", ".join(sorted({f.document.id for f in members if keep(f)}))


def _vote_arm(facts: list[Attributed]) -> tuple[str | None, str | None]:
    """The arm most sources give, a named arm before "all patients" before none."""
    votes: Counter[tuple[str | None, str | None]] = Counter()
    for fact in facts:
        label = fact.arm.lower() if fact.arm and fact.arm_role != "subgroup" else fact.arm
        votes[(label, fact.arm_role)] += fact.weight
    rank = {"experimental": 3, "control": 3, "subgroup": 1, "overall": 2, None: 0}
    return max(votes, key=lambda a: (a[0] is not None, votes[a], rank.get(a[1], 0)))


def _arm_size(
    fact: Attributed,
    arm_role: str | None,
    cohort_sizes: dict[str, list[dict[str, Any]]],
    linker: StudyLinker,
) -> int | None:
    """Patients in the arm, from the cohort sizes of the fact's own document."""
    if not fact.own or len(linker.reported_by(fact.document.id)) > 1:
        return None  # a review's cohort sizes may be any of the studies it covers
    cohorts = cohort_sizes.get(fact.document.id, [])
    wanted = {"control": ("control",), "experimental": ("arm", "total")}.get(
        arm_role or "", ("total",)
    )
    if arm_role == "experimental" and fact.arm:
        named = [c for c in cohorts if c["role"] == "arm" and fact.arm in (c["description"] or "")]
        if named:
            return int(named[0]["n"])
        single_arm = fact.study is not None and (linker.studies[fact.study].catalogue is not None)
        wanted = ("total",) if single_arm else ()
    sizes = [
        c["n"]
        for c in cohorts
        if c["role"] in wanted
        and c["n"]
        and (arm_role == "control" or not _CONTROL.search(c["description"] or ""))
    ]
    return int(max(sizes)) if sizes else None


# ---- doses and cohorts ------------------------------------------------------------------


def dose_findings(
    facts: Sequence[Attributed], linker: StudyLinker
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Doses grouped by study, drug, amount and unit (a daily dose in a per-day unit)."""
    groups: dict[tuple[Any, ...], list[Attributed]] = defaultdict(list)
    for fact in facts:
        row = fact.row
        unit, _ = _daily_unit(row)
        key = (fact.study or "", row["drug"] or "", row["amount"], row["amount_max"], unit or "")
        groups[key].append(fact)
    findings = []
    for (study, drug, amount, amount_max, unit), members in sorted(groups.items(), key=str):
        schedules = Counter(s for f in members if (s := _daily_unit(f.row)[1]))
        findings.append(
            (
                {
                    "study_id": linker.slug(study) if study else None,
                    "drug": drug or None,
                    "amount": amount,
                    "amount_max": amount_max,
                    "unit": unit or None,
                    "route": _most_common(f.row.get("route") for f in members),
                    "schedule": schedules.most_common(1)[0][0] if schedules else None,
                    "duration_days": _most_common(f.row.get("duration_days") for f in members),
                    **_shared(members),
                },
                _sources(members, "doses"),
            )
        )
    return findings


def _daily_unit(row: dict[str, Any]) -> tuple[str | None, str | None]:
    """(unit, schedule): "50 mg/m2 once daily" is 50 mg/m2/day with no further schedule."""
    unit, frequency = row.get("unit"), row.get("frequency")
    if unit and frequency and frequency.lower() in _DAILY and not unit.endswith("/day"):
        return f"{unit}/day", None
    if unit and unit.endswith("/day") and frequency and frequency.lower() in _DAILY:
        return unit, None
    return unit, frequency


def cohort_findings(
    facts: Sequence[Attributed], linker: StudyLinker
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Cohort sizes grouped by study and size; role and arm by majority."""
    by_size: dict[int, list[Attributed]] = defaultdict(list)
    for fact in facts:
        if fact.row.get("n") is not None and fact.row.get("role") != "planned":
            by_size[int(fact.row["n"])].append(fact)
    groups = {
        (study or "", n): members
        for n, group in by_size.items()
        for study, members, _ in _split_by_study(group, distinctive=False)
    }
    findings = []
    for (study, n), members in sorted(groups.items()):
        roles = Counter(f.row["role"] for f in members)
        role = max(roles, key=lambda r: (roles[r], r == "control", r))
        arm = _most_common(f.arm for f in members if f.row["role"] == role)
        findings.append(
            (
                {
                    "study_id": linker.slug(study) if study else None,
                    "arm": arm,
                    "role": role,
                    "n": n,
                    "description": _most_common(f.row.get("description") for f in members),
                    **_shared(members),
                },
                _sources(members, "cohorts"),
            )
        )
    return findings


# ---- shared ----------------------------------------------------------------------------


def _most_common(values: Iterable[Any]) -> Any:
    counts = Counter(v for v in values if v is not None and v != "")
    return counts.most_common(1)[0][0] if counts else None


_KIND_ORDER = {"paper": 0, "news": 1, "document": 2}


def _shared(members: list[Attributed]) -> dict[str, Any]:
    """year (first reported, by a document giving it to its own study, else by any),
    sources, source_count and source_kinds of a finding."""
    documents = {f.document.id: f.document for f in members}
    ordered = sorted(documents.values(), key=lambda d: (_KIND_ORDER[d.kind], d.id))
    own = [f.document.year for f in members if f.own and f.document.year]
    years = own or [d.year for d in ordered if d.year]
    return {
        "year": min(years) if years else None,
        "sources": "; ".join(d.id for d in ordered),
        "source_count": len(ordered),
        "source_kinds": ", ".join(sorted({d.kind for d in ordered})),
    }


def _sources(members: list[Attributed], table: str) -> list[dict[str, Any]]:
    return [
        {
            "fact_table": table,
            "fact_id": f.row["id"],
            "document_id": f.document.id,
            "attributed_by": f.by,
            "text": f.row["text"],
            "start": f.row["start"],
            "end": f.row["end"],
            "sentence": f.row["sentence"],
        }
        for f in members
    ]
