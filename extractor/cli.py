"""The ``extractor`` command: a thin layer over the library functions."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from extractor import export, store
from extractor import serve as serving
from extractor.comparison import COMPARISON_VIEWS, comparison_rows
from extractor.corpus import default_corpus_dir, load_corpus
from extractor.documents import find_documents, read_documents
from extractor.errors import ExtractorError
from extractor.evaluate import below_baseline, evaluate, format_report
from extractor.evidence import EVIDENCE_KINDS
from extractor.extract import extract_document
from extractor.findings import link_studies
from extractor.harvest.eutils import DEFAULT_EUTILS_URL
from extractor.harvest.sources import HarvestOptions, harvest_corpus, ncbi_reachable
from extractor.harvest.summary import HarvestSummary
from extractor.linking import CatalogueStudy
from extractor.nlp.pipeline import build_pipeline
from extractor.plot import save_survival_plot
from extractor.runner import run_corpus

DEFAULT_DB = "evidence.db"
KIND_CHOICES = sorted({k.key for k in EVIDENCE_KINDS} | {k.table for k in EVIDENCE_KINDS})


def _fail(err: ExtractorError) -> click.ClickException:
    return click.ClickException(str(err))


@click.group()
@click.version_option(package_name="extractor")
def cli() -> None:
    """Extract drugs, doses, cohorts and survival figures from infant ALL literature."""
    # Known, harmless warnings of spaCy's regex compilation and scispaCy's abbreviation
    # detector; a command-line user can do nothing about them.
    warnings.filterwarnings("ignore", message="Possible set union", category=FutureWarning)
    warnings.filterwarnings("ignore", message=r"\[W036\]", category=UserWarning)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "table"]),
    default="jsonl",
    show_default=True,
    help="One evidence object per line, or tables to read.",
)
def extract(paths: tuple[Path, ...], fmt: str) -> None:
    """Print the evidence found in PATHS, files or folders (no database)."""
    nlp = build_pipeline()
    console = Console()
    failed = 0
    files = [f for p in paths for f in (find_documents(p) if p.is_dir() else [p])]
    for path in files:
        try:
            documents = read_documents(path)
        except ExtractorError as err:
            click.echo(f"error: {err}", err=True)
            failed += 1
            continue
        for document in documents:
            evidence = extract_document(document, nlp)
            if fmt == "jsonl":
                click.echo(json.dumps(evidence, ensure_ascii=False))
            else:
                _print_tables(console, evidence)
    if failed:
        sys.exit(1)


def _print_tables(console: Console, evidence: dict) -> None:
    console.rule(f"[bold]{evidence['id']}[/bold]  {evidence['document'].get('title') or ''}")
    for kind in EVIDENCE_KINDS:
        items = evidence.get(kind.key) or []
        if not items:
            continue
        table = Table(title=f"{kind.key} ({len(items)})", title_justify="left")
        columns = [
            c for c in kind.columns if c not in ("drugbank_id", "mesh_id", "medline_plus_id")
        ]
        for column in [*columns, "text"]:
            table.add_column(column, overflow="fold")
        for item in items:
            table.add_row(
                *("" if item.get(c) is None else str(item.get(c)) for c in [*columns, "text"])
            )
        console.print(table)


_database_to_write = click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(path_type=Path),
    help="SQLite evidence database to write.",
)
_database_to_read = click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="SQLite evidence database (made by `extractor run`).",
)


def _harvest_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options that say how to reach NCBI, shared by ``harvest`` and ``run``."""
    options = [
        click.option(
            "--email",
            envvar="NCBI_EMAIL",
            help="Your e-mail, sent to NCBI as it asks [env NCBI_EMAIL].",
        ),
        click.option(
            "--api-key",
            envvar="NCBI_API_KEY",
            help="NCBI API key: 10 requests/s instead of 3 [env NCBI_API_KEY].",
        ),
        click.option(
            "--eutils-url",
            envvar="NCBI_EUTILS_URL",
            default=DEFAULT_EUTILS_URL,
            show_default=True,
            help="E-utilities base URL [env NCBI_EUTILS_URL].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@cli.command()
@click.argument("corpus_dir", required=False, type=click.Path(path_type=Path))
@_database_to_write
@click.option(
    "--query", help="Entrez term (default: the corpus.toml [pubmed] query, then its news too)."
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only records published from this date (YYYY-MM-DD).",
)
@click.option(
    "--max", "max_records", type=click.IntRange(min=1), help="Fetch at most this many records."
)
@_harvest_options
@click.option(
    "--batch-size",
    default=200,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Records per EFetch request.",
)
@click.option(
    "--news/--no-news", default=True, show_default=True, help="Harvest the corpus's news feeds too."
)
@click.option(
    "--snapshot",
    is_flag=True,
    help="Harvest the corpus's recorded snapshot instead of the live services.",
)
def harvest(
    corpus_dir: Path | None,
    db_path: Path,
    query: str | None,
    since: datetime | None,
    max_records: int | None,
    email: str | None,
    api_key: str | None,
    eutils_url: str,
    batch_size: int,
    news: bool,
    snapshot: bool,
) -> None:
    """Fetch new and revised PubMed records (and news articles) into the database.

    With no --query, harvests the corpus's corpus.toml sources (the bundled corpus by
    default). Documents are stored, not extracted: `extractor run` extracts them.
    """
    options = HarvestOptions(
        email=email,
        api_key=api_key,
        eutils_url=eutils_url,
        query=query,
        since=since.date() if since else None,
        max_records=max_records,
        batch_size=batch_size,
        news=news,
    )
    console = Console(stderr=True)
    try:
        corpus = load_corpus(corpus_dir or default_corpus_dir())
        db = store.open_store(db_path)
        with _progress(console) as progress:
            tasks: dict[str, TaskID] = {}

            def advance(source: str, done: int, total: int) -> None:
                if source not in tasks:
                    tasks[source] = progress.add_task(f"harvesting {source}", total=total)
                progress.update(tasks[source], completed=done, total=total)

            summaries = harvest_corpus(db, corpus, options, live=not snapshot, on_progress=advance)
    except ExtractorError as err:
        raise _fail(err) from err
    _print_harvests(summaries)
    if any(s.error for s in summaries):
        sys.exit(1)


def _print_harvests(summaries: list[HarvestSummary]) -> None:
    console = Console()
    for s in summaries:
        rate = f"{s.fetched / s.seconds:.1f}" if s.seconds else "-"
        console.print(
            f"[bold]{s.source}[/bold]: found {s.found}, new {s.new}, revised {s.revised}, "
            f"unchanged {s.unchanged}, failed {s.failed}, skipped {s.skipped}; "
            f"{s.requests} requests, {s.retries} retries, {s.fetched} records fetched in "
            f"{s.seconds:.1f} s ({rate}/s)"
        )
    for s in summaries:
        for item, reason in s.failures[:10]:
            console.print(f"[red]failed[/red] {s.source} {item}: {reason}")
        if len(s.failures) > 10:
            console.print(
                f"... and {len(s.failures) - 10} more"
                f" (table harvest_failures, harvest {s.harvest_id})"
            )
        if s.error:
            console.print(f"[red]harvest stopped[/red] {s.source}: {s.error}")


@cli.command()
@click.argument("corpus_dir", required=False, type=click.Path(path_type=Path))
@_database_to_write
@click.option(
    "--online/--offline",
    default=None,
    help="Harvest the live services, or the corpus's recorded snapshot "
    "[default: online when NCBI answers, else offline].",
)
@click.option("--local-only", is_flag=True, help="Only the corpus's own files; no harvest.")
@_harvest_options
def run(
    corpus_dir: Path | None,
    db_path: Path,
    online: bool | None,
    local_only: bool,
    email: str | None,
    api_key: str | None,
    eutils_url: str,
) -> None:
    """Harvest a corpus's sources, then extract every document into the database.

    With no CORPUS_DIR, runs the bundled infant KMT2A-r ALL corpus. Offline, its sources are
    served from its snapshot/ folder through the same harvester.
    """
    console = Console(stderr=True)
    if local_only:
        sources = "local"
    else:
        if online is None:
            online = ncbi_reachable(eutils_url)
        sources = "live" if online else "snapshot"
    options = HarvestOptions(email=email, api_key=api_key, eutils_url=eutils_url)
    try:
        corpus = load_corpus(corpus_dir or default_corpus_dir())
        with _progress(console) as progress:
            task = progress.add_task(f"harvesting {corpus.name} ({sources})", total=None)
            nlp = build_pipeline()

            def advance(path: str, total: int) -> None:
                progress.update(task, total=total, advance=1, description=Path(path).name)

            summary = run_corpus(
                corpus, db_path, nlp=nlp, on_file=advance, sources=sources, harvest_options=options
            )
    except ExtractorError as err:
        raise _fail(err) from err
    if summary.harvests:
        _print_harvests(summary.harvests)
    table = Table(title=f"Stored in {db_path} (run {summary.run_id})", title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for kind in EVIDENCE_KINDS:
        table.add_row(kind.table, str(summary.counts.get(kind.table, 0)))
    Console().print(
        f"{summary.documents_ok} documents extracted ({sources} sources: {corpus.documents_dir}"
        + (f" and {corpus.root / 'snapshot'}" if sources == "snapshot" else "")
        + ")"
    )
    Console().print(table)
    if summary.links:
        Console().print(
            "Linked: " + ", ".join(f"{count} {name}" for name, count in summary.links.items())
        )
    for path, reason in summary.failures:
        console.print(f"[red]failed[/red] {path}: {reason}")
    if any(h.error for h in summary.harvests):
        sys.exit(1)  # what was harvested is extracted, but the harvest did not complete


@cli.command(name="export")
@_database_to_read
@click.option(
    "--view",
    "views",
    multiple=True,
    type=click.Choice(COMPARISON_VIEWS),
    help="Comparison table to export (repeatable; default: all three).",
)
@click.option(
    "--kind",
    type=click.Choice(KIND_CHOICES),
    help="Export one evidence table, fact by fact, instead of the comparison tables.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(set(export.COMPARISON_FORMATS) | set(export.FORMATS))),
    default="csv",
    show_default=True,
    help="csv, json, xlsx or md (Markdown) for comparison tables; jsonl for an evidence table.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write; a folder for CSV of several tables (default: standard output).",
)
@click.option("--study", help="Only this study (name or id, e.g. Interfant-06).")
@click.option("--endpoint", help="Only this survival endpoint (EFS, OS, DFS...).")
@click.option("--drug", help="Only doses of this drug.")
def export_command(
    db_path: Path,
    views: tuple[str, ...],
    kind: str | None,
    fmt: str,
    output: Path | None,
    study: str | None,
    endpoint: str | None,
    drug: str | None,
) -> None:
    """Export the study comparison (survival, dosing and cohorts by study) as CSV, JSON, XLSX
    (a sheet per table) or Markdown, or with --kind one evidence table with provenance."""
    try:
        db = store.open_store(db_path)
        if kind:
            rows = {kind: export.export_table(db, kind, fmt, output or sys.stdout)}
        else:
            rows = export.export_comparison(
                db,
                fmt,
                output or sys.stdout,
                views=views or COMPARISON_VIEWS,
                study=study,
                endpoint=endpoint,
                drug=drug,
            )
    except ExtractorError as err:
        raise _fail(err) from err
    if output:
        written = ", ".join(f"{count} {table} rows" for table, count in rows.items())
        click.echo(f"wrote {written} to {output}", err=True)


@cli.command()
@_database_to_read
@click.option("--endpoint", required=True, help="Survival endpoint to compare: EFS, OS, DFS...")
@click.option("--timepoint", type=float, help="Timepoint in months (default: every timepoint).")
@click.option("--study", "studies", multiple=True, help="Only these studies (repeatable).")
@click.option("--title", help="Figure title (default: from the data).")
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Figure file, .png or .svg (repeatable: -o fig.png -o fig.svg).",
)
def plot(
    db_path: Path,
    endpoint: str,
    timepoint: float | None,
    studies: tuple[str, ...],
    title: str | None,
    outputs: tuple[Path, ...],
) -> None:
    """Draw survival estimates with their 95% CIs by study and arm, forest-plot style."""
    try:
        db = store.open_store(db_path)
        rows = comparison_rows(
            db, "survival_by_study", endpoint=endpoint, timepoint_months=timepoint
        )
        if studies:
            wanted = {s.lower() for s in studies}
            rows = [r for r in rows if {r["study"].lower(), str(r["study_id"])} & wanted]
        for path in outputs:
            save_survival_plot(rows, path, title=title)
            click.echo(f"wrote {path} ({len(rows)} findings)", err=True)
    except ExtractorError as err:
        raise _fail(err) from err


@cli.command()
@click.argument("corpus_dir", required=False, type=click.Path(path_type=Path))
@_database_to_read
def link(corpus_dir: Path | None, db_path: Path) -> None:
    """Link stored documents to studies and facts to findings again (after editing the
    corpus's [[studies]] catalogue); `run` does this itself."""
    try:
        corpus = load_corpus(corpus_dir or default_corpus_dir())
        db = store.open_store(db_path)
        counts = link_studies(db, [CatalogueStudy.from_config(s) for s in corpus.studies])
    except ExtractorError as err:
        raise _fail(err) from err
    click.echo(", ".join(f"{count} {table}" for table, count in counts.items()))


@cli.command(name="evaluate")
@click.option(
    "--gold",
    "gold_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of gold <id>.json files (default: corpora/gold).",
)
@click.option(
    "--documents",
    "documents_root",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder holding the annotated documents (default: corpora/).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Fail when an F1 falls below this baseline file's.",
)
def evaluate_command(
    gold_dir: Path | None, documents_root: Path | None, as_json: bool, baseline: Path | None
) -> None:
    """Score the pipeline on gold annotations: P, R and F1 per field, misses and false hits."""
    corpora = default_corpus_dir().parent
    try:
        result = evaluate(gold_dir or corpora / "gold", documents_root or corpora, build_pipeline())
    except ExtractorError as err:
        raise _fail(err) from err
    report = result.to_dict()
    click.echo(
        json.dumps(report, ensure_ascii=False, indent=1) if as_json else format_report(result)
    )
    if baseline:
        falls = below_baseline(report, json.loads(baseline.read_text(encoding="utf-8")))
        if falls:
            raise click.ClickException("below the baseline: " + "; ".join(falls))


@cli.command()
@click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(path_type=Path, dir_okay=False),
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--live",
    is_flag=True,
    help="Show what a concurrent `extractor run` writes (the file is opened read-only but "
    "not immutable, so it is re-read as it changes).",
)
def serve(db_path: Path, host: str, port: int, live: bool) -> None:
    """Browse and query the database in Datasette (read-only), with the study comparisons,
    forest plots and each fact shown in its document."""
    mode = "read-only, live" if live else "read-only"

    def announce(url: str) -> None:
        click.echo(f"Serving {db_path} ({mode}) at {url} — press Ctrl+C to stop")

    try:
        serving.serve(db_path, host=host, port=port, live=live, announce=announce)
    except ExtractorError as err:
        raise _fail(err) from err
