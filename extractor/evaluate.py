"""Evaluating the pipeline on gold annotations: precision, recall and F1 per kind of fact.

Gold files (``<id>.json`` in the acceptance format) name their document by id; the texts are
looked up among the documents under a corpus folder. A gold file may say ``"split":
"held-out"``: such documents were written before the extractor was tuned, and their scores
are reported apart from those it was tuned on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from extractor.documents import Document, find_documents, read_documents
from extractor.errors import ConfigError, DocumentError
from extractor.extract import extract_document
from extractor.scoring import FIELDS, DetailScore, FieldScore, core_f1, detail_scores, score

ALL = "all"


@dataclass
class Evaluation:
    """Scores of one evaluation run, overall and per split."""

    scores: dict[str, dict[str, FieldScore]]
    documents: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain figures for ``--json``: per split, per kind, with every miss and false hit."""
        return {
            split: {
                "documents": len(self.documents[split]),
                "core_micro_f1": round(core_f1(kinds), 3),
                "fields": {
                    kind: {
                        "tp": s.tp,
                        "fp": s.fp,
                        "fn": s.fn,
                        "precision": round(s.precision, 3),
                        "recall": round(s.recall, 3),
                        "f1": round(s.f1, 3),
                        "missed": [_brief(doc, item) for doc, item in s.missed],
                        "false": [_brief(doc, item) for doc, item in s.false],
                    }
                    for kind, s in kinds.items()
                },
                "details": {
                    name: {
                        "agreed": d.agreed,
                        "given": d.given,
                        "wrong": d.wrong,
                        "share": round(d.share, 3),
                        "disagreements": [
                            {"document": doc, "text": text, "gold": wanted, "found": got}
                            for doc, text, wanted, got in d.disagreements
                        ],
                    }
                    for name, d in self.details(split).items()
                },
            }
            for split, kinds in self.scores.items()
        }

    def details(self, split: str) -> dict[str, DetailScore]:
        """Agreement on intervals, arms, units… of the facts matched in one split."""
        return detail_scores(self.scores[split])


def _brief(doc_id: str, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"document": doc_id, "name": item}
    keep = {
        k: v
        for k, v in item.items()
        if k not in ("sentence", "sentence_start", "sentence_end", "mentions", "ids")
    }
    return {"document": doc_id, **keep}


def read_gold(gold_dir: Path) -> dict[str, dict[str, Any]]:
    """Gold annotations by document id."""
    if not gold_dir.is_dir():
        raise ConfigError(f"gold folder {gold_dir} does not exist")
    golds = {}
    for path in sorted(gold_dir.glob("*.json")):
        try:
            golds[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ConfigError(f"gold file {path} is not valid JSON: {err}") from err
    if not golds:
        raise ConfigError(f"no gold files (*.json) in {gold_dir}")
    return golds


def gold_documents(
    golds: dict[str, Any], documents_root: Path, gold_dir: Path
) -> dict[str, Document]:
    """The documents the gold files annotate, found by id under ``documents_root``.

    Files named after a gold id are read first; the others are searched only for ids still
    missing (a PubMed set or JSON list holds documents under other names), and a file there
    that is not a document (a baseline, a corpus.toml) is passed over.
    """
    gold_dir = gold_dir.resolve()
    paths = [p for p in find_documents(documents_root) if gold_dir not in p.resolve().parents]
    named = [p for p in paths if p.stem in golds]
    found = {d.id: d for p in named for d in read_documents(p) if d.id in golds}
    for path in (p for p in paths if p not in named):
        if set(golds) <= set(found):
            break
        try:
            found.update({d.id: d for d in read_documents(path) if d.id in golds})
        except DocumentError:
            continue
    missing = sorted(set(golds) - set(found))
    if missing:
        raise ConfigError(
            f"no document under {documents_root} for gold file(s): "
            f"{', '.join(missing)}; add the texts or remove the gold files"
        )
    return found


def evaluate(gold_dir: Path, documents_root: Path, nlp: Language) -> Evaluation:
    """Run the pipeline on every gold document and score it, overall and per split."""
    golds = read_gold(gold_dir)
    documents = gold_documents(golds, documents_root, gold_dir)
    predictions = {doc_id: extract_document(doc, nlp) for doc_id, doc in documents.items()}
    splits: dict[str, list[str]] = {ALL: sorted(golds)}
    for doc_id, gold in sorted(golds.items()):
        splits.setdefault(str(gold.get("split", "tuning")), []).append(doc_id)
    return Evaluation(
        scores={
            name: score({d: golds[d] for d in ids}, predictions) for name, ids in splits.items()
        },
        documents=splits,
    )


def format_report(evaluation: Evaluation, show_errors: bool = True) -> str:
    """A plain-text table per split, then every miss and false hit."""
    lines = []
    for split, kinds in evaluation.scores.items():
        lines.append(f"{split} ({len(evaluation.documents[split])} documents)")
        lines.append(f"  {'field':<15} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>4} {'fn':>4}")
        for kind in FIELDS:
            s = kinds[kind]
            lines.append(
                f"  {kind:<15} {s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f} "
                f"{s.tp:>5} {s.fp:>4} {s.fn:>4}"
            )
        lines.append(f"  core micro-F1 (drugs, doses, cohorts, survival): {core_f1(kinds):.3f}")
        lines.append("  details of matched facts (agreed / given in gold; wrong = another value):")
        lines.extend(
            f"    {name:<22} {d.agreed:>4} / {d.given:<4} {d.share:.3f}   wrong {d.wrong}"
            for name, d in evaluation.details(split).items()
        )
    if show_errors:
        for kind, s in evaluation.scores[ALL].items():
            for label, items in (("missed", s.missed), ("false ", s.false)):
                for doc_id, item in items:
                    shown = json.dumps(_brief(doc_id, item), ensure_ascii=False)[:200]
                    lines.append(f"{label} {doc_id} {kind}: {shown}")
        for name, d in evaluation.details(ALL).items():
            for doc_id, text, wanted, got in d.disagreements:
                lines.append(f"detail {doc_id} {name}: gold {wanted} found {got} in {text!r}")
    return "\n".join(lines)


def below_baseline(report: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Every F1 of a ``to_dict`` report that is lower than the same figure in a baseline."""
    falls = []
    for split, figures in baseline.items():
        current = report.get(split, {})
        pairs = [("core micro-F1", figures.get("core_micro_f1"), current.get("core_micro_f1"))]
        pairs += [
            (kind, f1, current.get("fields", {}).get(kind, {}).get("f1"))
            for kind, f1 in figures.get("f1", {}).items()
        ]
        pairs += [
            (name, share, current.get("details", {}).get(name, {}).get("share"))
            for name, share in figures.get("details", {}).items()
        ]
        for name, wanted, found in pairs:
            if wanted is not None and (found is None or found < wanted):
                falls.append(f"{split} {name} {found} < {wanted}")
    return falls


def baseline_of(report: dict[str, Any]) -> dict[str, Any]:
    """The figures of a report that a baseline file keeps: core and per-field F1 per split."""
    return {
        split: {
            "core_micro_f1": figures["core_micro_f1"],
            "f1": {kind: f["f1"] for kind, f in figures["fields"].items()},
            "details": {name: d["share"] for name, d in figures["details"].items()},
        }
        for split, figures in report.items()
    }
