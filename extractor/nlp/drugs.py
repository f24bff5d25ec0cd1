"""Drug mentions: a PhraseMatcher over the drug dictionary of drug-named-entity-recognition.

Brand names and abbreviations resolve to one lower-case generic name with the dictionary's
ids (DrugBank, MeSH, MedlinePlus). ``data/drug_overrides.jsonl`` adds the abbreviations the
dictionary lacks (MTX, 6-MP, ARA-C...) and removes entries that are not drugs in this
literature (enzymes measured as laboratory values, such as gamma-glutamyltransferase).
An abbreviation defined in the text ("methotrexate (MTX)") becomes a mention too.
"""

from __future__ import annotations

import bz2
import pickle
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractor.errors import PipelineError
from extractor.nlp.facts import facts, make_fact
from extractor.nlp.lexicons import DATA, phrase_matcher, read_jsonl

OVERRIDES = DATA / "drug_overrides.jsonl"
ID_FIELDS = ("drugbank_id", "mesh_id", "medline_plus_id")
# Dictionary entries that are chemical names or salts rather than names people write.
_UNLIKELY_VARIANT = re.compile(r"[\[\](){},;]|\d{2,}")
# Dictionary entries that name a class of substances ("CYP3A inhibitors", "tyrosine kinases"),
# which in this literature describe mechanisms, not the drugs given.
_DRUG_CLASS = re.compile(
    r"(?:inhibitors|kinases|agents|antagonists|agonists|blockers|drugs|antibodies|compounds"
    r"|enzymes|interferons|hormones|vitamins|anthracyclines|glucocorticoids|corticosteroids"
    r"|immunoglobulins|steroids|antibiotics|antifungals|antimetabolites|antineoplastics"
    r"|cytotoxics|antiemetics|analgesics|transferases?)$|^cytochrome|^antibodies\b"
)


def _a_common_word(text: str, drug: DrugEntry) -> bool:
    """A short brand name or acronym written as a lower-case word is an English word: "sits"
    (SITS), "emend" (Emend). Brands and acronyms are written with capitals; generic names
    ("dexamethasone") are not."""
    return text.isalpha() and text.islower() and len(text) <= 6 and text != drug.name


@dataclass(frozen=True)
class DrugEntry:
    """A generic drug with its dictionary ids."""

    name: str
    ids: dict[str, str | None] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class DrugLexicon:
    """Variant spelling (lower case unless case-sensitive) → generic drug."""

    variants: dict[str, DrugEntry]
    case_sensitive: dict[str, DrugEntry]

    def lookup(self, text: str) -> DrugEntry | None:
        return self.case_sensitive.get(text) or self.variants.get(text.lower())


@spacy.registry.misc("extractor.drug_lexicon.v1")
def create_drug_lexicon(overrides: str = str(OVERRIDES)) -> DrugLexicon:
    """The drug dictionary shipped in drug-named-entity-recognition, plus our overrides."""
    return _load_lexicon(overrides)


@cache
def _load_lexicon(overrides: str) -> DrugLexicon:
    try:
        source = resources.files("drug_named_entity_recognition") / "drug_ner_dictionary.pkl.bz2"
        with bz2.open(str(source), "rb") as handle:
            dictionary = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, ModuleNotFoundError) as err:
        raise PipelineError(
            f"cannot read the drug dictionary of drug-named-entity-recognition ({err}); "
            "reinstall it with `pip install drug-named-entity-recognition`"
        ) from err
    canonical_data: dict[str, dict[str, Any]] = dictionary["drug_canonical_to_data"]

    def entry(canonical: str) -> DrugEntry:
        data = canonical_data.get(canonical, {})
        return DrugEntry(canonical.lower(), {k: data.get(k) for k in ID_FIELDS})

    variants = {
        variant: entry(canonicals[0])
        for variant, canonicals in dictionary["drug_variant_to_canonical"].items()
        if canonicals
        and 3 <= len(variant) <= 40
        and len(variant.split()) <= 4
        and not _UNLIKELY_VARIANT.search(variant)
        and not _DRUG_CLASS.search(canonicals[0])
    }
    case_sensitive: dict[str, DrugEntry] = {}
    for rule in read_jsonl(Path(overrides)):
        pattern = rule["pattern"]
        if rule.get("exclude"):
            variants.pop(pattern.lower(), None)
            continue
        name = rule["name"].lower()
        target = entry(name) if name in canonical_data else DrugEntry(name, {})
        if rule.get("case_sensitive"):
            case_sensitive[pattern] = target
        else:
            variants[pattern.lower()] = target
    return DrugLexicon(variants, case_sensitive)


@Language.factory(
    "drug_mentions",
    default_config={"lexicon": {"@misc": "extractor.drug_lexicon.v1"}},
)
class DrugMentions:
    """Marks drug mentions as ``doc.spans["drugs"]`` and facts in ``doc._.drugs``."""

    def __init__(self, nlp: Language, name: str, *, lexicon: DrugLexicon) -> None:
        self.name = name
        self.lexicon = lexicon
        self.matcher = phrase_matcher(nlp, "DRUG", lexicon.variants, "LOWER")
        self.exact_matcher = phrase_matcher(nlp, "DRUG", lexicon.case_sensitive, "ORTH")

    def __call__(self, doc: Doc) -> Doc:
        found = [doc[s:e] for _, s, e in [*self.matcher(doc), *self.exact_matcher(doc)]]
        spans = []
        for span in filter_spans(found):
            drug = self.lexicon.lookup(span.text)
            if drug is not None and not _a_common_word(span.text, drug):
                spans.append(Span(doc, span.start, span.end, label=drug.name))
        spans.extend(self._defined_abbreviations(doc, spans))
        spans = sorted(filter_spans(spans), key=lambda s: s.start)
        doc.spans["drugs"] = spans
        found_facts = facts(doc, "drugs")
        for span in spans:
            drug = self.lexicon.lookup(span.label_) or DrugEntry(span.label_, {})
            found_facts.append(
                make_fact(doc, span.start_char, span.end_char, name=span.label_, ids=drug.ids)
            )
        return doc

    @staticmethod
    def _defined_abbreviations(doc: Doc, drugs: list[Span]) -> list[Span]:
        """Each occurrence of an abbreviation whose long form is a drug ("... (MTX)").

        scispaCy's detector lists every occurrence of a defined short form.
        """
        extra: list[Span] = []
        if not Doc.has_extension("abbreviations"):
            return extra
        for short in doc._.abbreviations:
            long_form = short._.long_form
            # The drug ends the long form and is most of it: "high-dose methotrexate (HDMTX)";
            # the detector may give only part of a drug name: "cytosine [arabinoside] (ARA)".
            drug = next((d for d in drugs if d.end == long_form.end), None)
            if drug is None or long_form.start < drug.start - 1:
                continue
            extra.append(Span(doc, short.start, short.end, label=drug.label_))
        return extra
