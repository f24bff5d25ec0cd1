"""Which studies each document reports on, and which it only mentions.

A document *reports* a study when
- PubMed's DataBankList gives the study's NCT number (``via`` "databank");
- its headline (title and description) names the trial, not as the chemotherapy it gave
  ("the Interfant-06 backbone") ("title");
- its headline matches a catalogue study's terms and names no other trial as its own
  ("catalogue"): how a study without a trial name, such as the blinatumomab cohort, is found;
- it links to a paper (by DOI or PMID) that reports the study ("cited paper"): news about a
  paper reports what the paper reports.
Every other trial name, NCT or registry number in its text is a mention ("text", "registry
number"). A registry number named beside a trial name, or in a paper that reports one trial,
belongs to that trial. Phase and design are read from the documents that report a study
alone, from sentences naming no other trial, and the most common reading wins.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from extractor.errors import ConfigError
from extractor.nlp.studies import TrialMention, trial_mentions

# Registry numbers: ClinicalTrials.gov, EU CTR/CTIS, ISRCTN, UMIN, jRCT, ANZCTR, DRKS, ChiCTR
REGISTRY_NUMBER = re.compile(
    r"\b(NCT\d{8}|(?<=EudraCT )\d{4}-\d{6}-\d{2}|EudraCT\s*(?:No\.?|number)?:?\s*\d{4}-\d{6}-\d{2}"
    r"|ISRCTN\d{8}|UMIN\d{9}|jRCT\w{8,12}|ACTRN\d{14}|DRKS\d{8}|ChiCTR[-\w]{6,20})\b"
)
_DOI_IN_TEXT = re.compile(
    r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)", re.I
)
_PMID_IN_TEXT = re.compile(r"\bPMID:?\s*(\d{5,9})\b")
_PHASE = re.compile(
    r"\bphase[\s-]*(IV|III|II|I|[1-4])(?:[ab])?(?:\s*(?:/|-|and)\s*(IV|III|II|I|[1-4]))?\b", re.I
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_DESIGNS = (
    ("non-randomised", re.compile(r"\bnon-?randomi[sz]ed\b", re.I)),
    ("randomised", re.compile(r"(?<!non-)(?<!non)\brandomi[sz]ed\b", re.I)),
    ("single-arm", re.compile(r"\bsingle[\s-]arm\b", re.I)),
    ("historically controlled", re.compile(r"\bhistoric(?:al)?\s+controls?\b", re.I)),
    ("dose-escalation", re.compile(r"\bdose[\s-]escalation\b", re.I)),
    ("retrospective", re.compile(r"\bretrospective\b", re.I)),
    ("prospective", re.compile(r"\bprospective\b", re.I)),
    ("observational", re.compile(r"\bobservational\b", re.I)),
    ("multicentre", re.compile(r"\bmulti-?cent(?:er|re)\b", re.I)),
)
_DESIGN_ORDER = [name for name, _ in _DESIGNS]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n+")
_FUTURE = re.compile(r"\b(?:will|planned|plans|is opening|ongoing|in progress)\b", re.I)


def study_key(name: str) -> str:
    """What names of one study share: "Interfant-06", "INTERFANT 06" and "Interfant06"."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def study_slug(name: str) -> str:
    """A study's id: "interfant-06", "interfant-06-blinatumomab"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class CatalogueStudy:
    """A study the corpus defines (``[[studies]]`` in corpus.toml): one without a trial name, or
    one whose treatment, historical controls or other names the text alone does not give."""

    name: str
    intervention: str | None = None
    control_from: str | None = None
    headline_terms: tuple[tuple[str, ...], ...] = ()
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, entry: Mapping[str, Any]) -> CatalogueStudy:
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ConfigError(f"a [[studies]] entry needs a name: {dict(entry)}")
        groups = entry.get("headline_terms", [])
        if not all(isinstance(g, list) and all(isinstance(t, str) for t in g) for g in groups):
            raise ConfigError(
                f"study {entry['name']!r}: headline_terms must be a list of lists of words"
            )
        return cls(
            name=entry["name"].strip(),
            intervention=entry.get("intervention"),
            control_from=entry.get("control_from"),
            headline_terms=tuple(tuple(t.lower() for t in group) for group in groups),
            aliases=tuple(entry.get("aliases", ())),
        )

    @property
    def key(self) -> str:
        return study_key(self.name)

    def matches_headline(self, headline: str) -> bool:
        words = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", headline.lower()))
        return bool(self.headline_terms) and all(words & set(g) for g in self.headline_terms)


@dataclass(frozen=True)
class StoredDocument:
    """What linking needs of a stored document."""

    id: str
    title: str
    text: str
    metadata: dict[str, Any]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StoredDocument:
        return cls(row["id"], row["title"] or "", row["text"], json.loads(row["metadata"] or "{}"))

    @property
    def headline(self) -> str:
        return f"{self.title}\n{self.metadata.get('description') or ''}"

    @property
    def title_end(self) -> int:
        return len(self.title) if self.title and self.text.startswith(self.title) else 0

    @property
    def year(self) -> int | None:
        year = self.metadata.get("year") or str(self.metadata.get("published") or "")[:4]
        return int(year) if str(year).isdigit() else None

    @property
    def kind(self) -> str:
        """ "paper" (a PubMed record or an article with a DOI), "news" or "document"."""
        if self.metadata.get("pmid") or self.metadata.get("doi") or self.id.startswith("pmid:"):
            return "paper"
        if self.id.startswith("news:") or self.metadata.get("url"):
            return "news"
        return "document"


@dataclass(frozen=True)
class StudyLink:
    """One document's tie to one study, and the text that shows it."""

    document_id: str
    study: str  # study_key
    role: str  # reports or mentions
    via: str
    evidence: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass
class _Study:
    names: Counter[str] = field(default_factory=Counter)
    catalogue: CatalogueStudy | None = None
    registry_ids: set[str] = field(default_factory=set)
    phases: Counter[str] = field(default_factory=Counter)
    designs: Counter[str] = field(default_factory=Counter)
    stating_design: int = 0


class StudyLinker:
    """Links documents to studies; ``add`` every document, then read ``rows()``."""

    def __init__(self, catalogue: Iterable[CatalogueStudy] = ()) -> None:
        self.catalogue = {study.key: study for study in catalogue}
        self.studies: dict[str, _Study] = defaultdict(_Study)
        for key, study in self.catalogue.items():
            self.studies[key].catalogue = study
            self.studies[key].names[study.name] += 1
        self._links: dict[str, list[StudyLink]] = defaultdict(list)  # by document id
        self.documents: dict[str, StoredDocument] = {}
        self._registry_owner: dict[str, str] = {}  # registry number -> study key
        self._resolved = False

    def add(self, document: StoredDocument) -> None:
        """Link one document by what it says itself (citations are followed in ``rows``)."""
        self.documents[document.id] = document
        mentions = trial_mentions(document.text)
        for mention in mentions:
            key = study_key(mention.name)
            self.studies[key].names[mention.name] += 1
            in_title = mention.start < document.title_end and not mention.as_treatment
            via = "title" if in_title else "text"
            self._link(document, key, "reports" if in_title else "mentions", via, mention)
        described = [m for m in trial_mentions(document.headline) if not m.as_treatment]
        for mention in described:  # named in the description only
            self._link(document, study_key(mention.name), "reports", "title", mention.name)
        headline_names = {study_key(m.name) for m in described}
        for study in self.catalogue.values():
            if study.matches_headline(document.headline) and headline_names <= {
                study_key(study.control_from or "")
            }:
                self._link(document, study.key, "reports", "catalogue")
        if not self.reported_by(document.id):  # "… treated with the Interfant-06 protocol"
            for mention in mentions:
                if mention.start < document.title_end:
                    self._link(document, study_key(mention.name), "reports", "title", mention)
        reported = self.reported_by(document.id)
        for nct in document.metadata.get("nct_ids") or []:
            owner = reported[0] if len(reported) == 1 else study_key(nct)
            self._own(owner, nct)
            self._link(document, owner, "reports", "databank", nct)
        for match in REGISTRY_NUMBER.finditer(document.text):
            number = re.sub(r"^EudraCT\D*", "", match.group(1))
            named_before = [
                m for m in mentions if 0 <= match.start() - m.end < 60 and not m.as_treatment
            ]
            if named_before:
                owner = study_key(named_before[-1].name)
            elif len(reported) == 1:
                owner = reported[0]
            else:
                owner = study_key(number)
            self._own(owner, number)
            role = "reports" if owner in reported else "mentions"
            self._link(document, owner, role, "registry number", match.group(), match.start())
        reported = self.reported_by(document.id)
        if len(reported) == 1:
            self._read_design(document, reported[0])

    def reported_by(self, document_id: str) -> list[str]:
        """Keys of the studies a document reports, in the order found."""
        links = self._links.get(document_id, [])
        return list(dict.fromkeys(link.study for link in links if link.role == "reports"))

    def linked_to(self, document_id: str) -> list[str]:
        """Keys of every study a document reports or mentions."""
        return list(dict.fromkeys(link.study for link in self._links.get(document_id, [])))

    def rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The ``studies`` and ``document_studies`` rows, after following citations and
        giving each registry number to the trial it belongs to. A document has one link per
        study and way of linking, with the first text that shows it; a study it reports is
        not also listed as mentioned."""
        if not self._resolved:  # once: following citations adds links
            self._follow_citations()
            self._merge_registry_studies()
            self._resolved = True
        links: dict[tuple[str, str, str], StudyLink] = {}
        for document_id, document_links in self._links.items():
            reported = set(self.reported_by(document_id))
            for link in document_links:
                if link.role == "mentions" and link.study in reported:
                    continue
                links.setdefault((document_id, link.study, link.via), link)
        reporting: dict[str, set[str]] = defaultdict(set)
        for link in links.values():
            if link.role == "reports":
                reporting[link.study].add(link.document_id)
        studies = [
            self._study_row(key, reporting[key])
            for key in sorted({link.study for link in links.values()}, key=self._sort_name)
        ]
        document_studies = [
            {
                "document_id": link.document_id,
                "study_id": self.slug(link.study),
                "role": link.role,
                "via": link.via,
                "evidence": link.evidence,
                "start": link.start,
                "end": link.end,
            }
            for link in links.values()
        ]
        return studies, document_studies

    def _study_row(self, key: str, reporting: set[str]) -> dict[str, Any]:
        study = self.studies[key]
        years = [year for d in reporting if (year := self.documents[d].year)]
        designs = [d for d, n in study.designs.items() if n * 2 >= study.stating_design]
        ids = sorted(study.registry_ids)
        return {
            "id": self.slug(key),
            "name": self.name(key),
            "aliases": json.dumps(sorted(set(study.names) - {self.name(key)})),
            "nct_ids": json.dumps([i for i in ids if i.startswith("NCT")]),
            "registry_ids": json.dumps([i for i in ids if not i.startswith("NCT")]),
            "phase": study.phases.most_common(1)[0][0] if study.phases else None,
            "design": ", ".join(sorted(designs, key=_DESIGN_ORDER.index)) or None,
            "intervention": study.catalogue.intervention if study.catalogue else None,
            "first_year": min(years, default=None),
            "documents": len(reporting),
        }

    def _sort_name(self, key: str) -> str:
        return self.name(key).lower()

    def name(self, key: str) -> str:
        """A study's display name: the catalogue's, else its most common written form."""
        study = self.studies[key]
        if study.catalogue:
            return study.catalogue.name
        return study.names.most_common(1)[0][0] if study.names else key

    def slug(self, key: str) -> str:
        return study_slug(self.name(key))

    # ---- inner workings ------------------------------------------------------------------

    def _link(
        self,
        document: StoredDocument,
        key: str,
        role: str,
        via: str,
        evidence: TrialMention | str | None = None,
        start: int | None = None,
    ) -> None:
        if isinstance(evidence, TrialMention):
            text: str | None = evidence.name
            start = evidence.start
        else:
            text = evidence
        end = start + len(text) if start is not None and text else None
        self._links[document.id].append(StudyLink(document.id, key, role, via, text, start, end))

    def _own(self, key: str, number: str) -> None:
        self.studies[key].registry_ids.add(number)
        if key == study_key(number):
            self.studies[key].names[number] += 1
        else:
            self._registry_owner.setdefault(number, key)

    def _read_design(self, document: StoredDocument, key: str) -> None:
        others = {k for k in self.linked_to(document.id) if k != key}
        phases: set[str] = set()
        designs: set[str] = set()
        for sentence in [document.headline, *_SENTENCE_END.split(document.text)]:
            named = {study_key(m.name) for m in trial_mentions(sentence) if not m.as_treatment}
            if named & others or _FUTURE.search(sentence):
                continue
            for match in _PHASE.finditer(sentence):
                phases.add(_phase(match))
            designs |= {name for name, pattern in _DESIGNS if pattern.search(sentence)}
        study = self.studies[key]
        study.phases.update(phases)
        study.designs.update(designs)
        study.stating_design += bool(designs)

    def _follow_citations(self) -> None:
        """News that links to a paper reports the studies the paper reports."""
        by_doi = {
            str(d.metadata["doi"]).lower(): d.id
            for d in self.documents.values()
            if d.metadata.get("doi")
        }
        by_pmid = {
            str(d.metadata["pmid"]): d.id for d in self.documents.values() if d.metadata.get("pmid")
        }
        for document in self.documents.values():
            cited = [(doi, by_doi.get(doi.lower())) for doi in _cited_dois(document)]
            cited += [(f"PMID {pmid}", by_pmid.get(pmid)) for pmid in _cited_pmids(document)]
            for evidence, paper in cited:
                if paper is None or paper == document.id:
                    continue
                for key in self.reported_by(paper):
                    self._link(document, key, "reports", "cited paper", evidence)

    def _merge_registry_studies(self) -> None:
        """A study known only by a registry number that another document gives a trial."""
        for number, owner in self._registry_owner.items():
            orphan = study_key(number)
            if orphan in self.studies and orphan != owner:
                self.studies[owner].registry_ids |= self.studies[orphan].registry_ids
                for document_links in self._links.values():
                    document_links[:] = [
                        replace(link, study=owner) if link.study == orphan else link
                        for link in document_links
                    ]
                del self.studies[orphan]


def _phase(match: re.Match[str]) -> str:
    first, second = (_ROMAN.get(g.lower(), g) if g else None for g in match.groups())
    return f"phase {first}/{second}" if second else f"phase {first}"


def _cited_dois(document: StoredDocument) -> list[str]:
    found = list(document.metadata.get("cited_dois") or [])
    found += [m.group(1).rstrip(".,;)") for m in _DOI_IN_TEXT.finditer(document.text)]
    return list(dict.fromkeys(found))


def _cited_pmids(document: StoredDocument) -> list[str]:
    found = [str(p) for p in document.metadata.get("cited_pmids") or []]
    found += [m.group(1) for m in _PMID_IN_TEXT.finditer(document.text)]
    return [p for p in dict.fromkeys(found) if p != str(document.metadata.get("pmid"))]
