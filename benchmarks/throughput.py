"""Throughput of the full extraction pipeline against scispaCy's bare tokenizer.

Both run in this one process on the same texts (the bundled corpus plus the seed article when
it is beside the repo), so their ratio holds on a noisy machine where absolute figures do not.

    python benchmarks/throughput.py [--repeat 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from extractor.corpus import default_corpus_dir, load_corpus
from extractor.documents import find_documents, read_documents
from extractor.nlp.pipeline import build_pipeline

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def corpus_texts() -> list[str]:
    """The texts to measure: every bundled document and any seed article."""
    paths = find_documents(load_corpus(default_corpus_dir()).documents_dir)
    paths += sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return [d.text for path in paths for d in read_documents(path)]


def measure(process: Callable[[str], object], texts: list[str], repeat: int) -> float:
    """Best wall-clock seconds of ``repeat`` passes over all texts (least disturbed pass)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            process(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the texts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)
    warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)

    texts = corpus_texts()
    started = time.perf_counter()
    nlp = build_pipeline()
    build_seconds = time.perf_counter() - started
    words = sum(len(nlp.tokenizer(text)) for text in texts)
    pipeline = measure(nlp, texts, args.repeat)
    tokenizer = measure(nlp.tokenizer, texts, args.repeat)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    figures = {
        "documents": len(texts),
        "tokens": words,
        "pipeline_docs_per_s": round(len(texts) / pipeline, 1),
        "pipeline_words_per_s": round(words / pipeline),
        "tokenizer_docs_per_s": round(len(texts) / tokenizer, 1),
        "tokenizer_words_per_s": round(words / tokenizer),
        "pipeline_to_tokenizer_time_ratio": round(pipeline / tokenizer, 2),
        "pipeline_build_s": round(build_seconds, 2),
        "peak_memory_mib": round(peak_mib),
    }
    if args.json:
        print(json.dumps(figures, indent=1))
        return
    print(f"{len(texts)} documents, {words} tokens, best of {args.repeat} passes")
    print(
        f"  full pipeline   {figures['pipeline_docs_per_s']:>9} docs/s "
        f"{figures['pipeline_words_per_s']:>10} words/s"
    )
    print(
        f"  bare tokenizer  {figures['tokenizer_docs_per_s']:>9} docs/s "
        f"{figures['tokenizer_words_per_s']:>10} words/s"
    )
    print(
        f"  the pipeline takes {figures['pipeline_to_tokenizer_time_ratio']}x the tokenizer's time"
    )
    print(
        f"  pipeline build {figures['pipeline_build_s']} s (drug dictionary), "
        f"peak memory {figures['peak_memory_mib']} MiB"
    )


if __name__ == "__main__":
    main()
