"""The comparison the bundled corpus answers: Interfant-06 against the blinatumomab cohort,
each result one finding that the paper and the news about it both report."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest
from click.testing import CliRunner

from extractor import store
from extractor.cli import cli
from extractor.comparison import COMPARISON_VIEWS, comparison_rows
from extractor.export import export_comparison
from extractor.plot import save_survival_plot

PAPER = "pmid:90001008"  # the NEJM-style report of the blinatumomab study
NEWS = "news:insideprecisionmedicine.com/c8bb74186c6d"  # links to the paper by its DOI


@pytest.fixture(scope="module")
def db(bundled_db):
    return store.open_store(bundled_db)


@pytest.mark.parametrize(
    ("endpoint", "treated", "controls"),
    [
        ("DFS", (81.6, 70.2, 94.9), (49.4, 42.7, 57.1)),
        ("OS", (93.3, 84.9, 100.0), (65.8, 59.5, 72.8)),
    ],
)
def test_two_year_survival_interfant06_against_the_blinatumomab_cohort(
    db, endpoint, treated, controls
):
    rows = comparison_rows(db, "survival_by_study", endpoint=endpoint, timepoint_months=24)
    found = {(r["study"], r["arm"]): r for r in rows}
    assert set(found) == {
        ("Interfant-06 + blinatumomab", "blinatumomab"),
        ("Interfant-06", "historical controls"),
    }
    for (study, arm), expected, n in [
        (("Interfant-06 + blinatumomab", "blinatumomab"), treated, 30),
        (("Interfant-06", "historical controls"), controls, 214),
    ]:
        row = found[(study, arm)]
        assert (row["value_pct"], row["ci_low"], row["ci_high"]) == expected
        assert (row["n"], row["year"]) == (n, 2023)
        sources = row["sources"].split("; ")
        assert PAPER in sources and NEWS in sources  # one finding, the paper and the story
        assert {"news", "paper"} <= set(row["source_kinds"].split(", "))


def test_the_news_reports_the_study_of_the_paper_it_links_to(db):
    links = {
        (r["study_id"], r["via"])
        for r in db.query("SELECT * FROM document_studies WHERE document_id = ?", [NEWS])
    }
    assert ("interfant-06-blinatumomab", "cited paper") in links


def test_every_trial_of_the_corpus_is_a_study(db):
    studies = {r["name"]: r for r in db.query("SELECT * FROM studies")}
    assert {
        "Interfant-99",
        "Interfant-06",
        "Interfant-06 + blinatumomab",
        "MLL-10",
        "AALL0631",
        "AUGMENT-101",
        "Interfant-21",
    } <= set(studies)
    assert json.loads(studies["Interfant-06"]["nct_ids"]) == ["NCT00550992"]
    assert json.loads(studies["AUGMENT-101"]["nct_ids"]) == ["NCT04065399"]
    assert studies["Interfant-06"]["phase"] == "phase 3"


def test_each_finding_source_points_at_its_own_text(db):
    texts = {r["id"]: r["text"] for r in db.query("SELECT id, text FROM documents")}
    sources = list(db.query("SELECT * FROM finding_sources"))
    assert len(sources) > 100
    for source in sources:
        assert texts[source["document_id"]][source["start"] : source["end"]] == source["text"]


def test_exports_of_the_bundled_comparison_hold_the_views_rows(db, tmp_path):
    counts = export_comparison(db, "xlsx", tmp_path / "comparison.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "comparison.xlsx")
    for view in COMPARISON_VIEWS:
        rows = comparison_rows(db, view)
        assert counts[view] == len(rows) > 0
        sheet = list(workbook[view].values)
        assert [dict(zip(sheet[0], values, strict=True)) for values in sheet[1:]] == rows
    export_comparison(db, "csv", tmp_path / "csv", study="Interfant-06")
    with open(tmp_path / "csv" / "survival_by_study.csv", encoding="utf-8") as handle:
        read = list(csv.DictReader(handle))
    expected = comparison_rows(db, "survival_by_study", study="Interfant-06")
    assert [r["finding_id"] for r in read] == [str(r["finding_id"]) for r in expected]
    export_comparison(db, "json", tmp_path / "comparison.json", endpoint="DFS")
    written = json.loads((tmp_path / "comparison.json").read_text(encoding="utf-8"))
    assert written["survival_by_study"] == comparison_rows(db, "survival_by_study", endpoint="DFS")


def test_the_bundled_comparison_plots(db, tmp_path):
    rows = [
        r
        for r in comparison_rows(db, "survival_by_study", timepoint_months=24)
        if r["endpoint"] in ("DFS", "OS")
    ]
    png = save_survival_plot(rows, tmp_path / "survival.png")
    svg = save_survival_plot(rows, tmp_path / "survival.svg")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    assert b"<svg" in svg.read_bytes()


def test_the_commands_export_plot_and_link(bundled_db, tmp_path):
    runner = CliRunner()
    db_option = ["--db", str(bundled_db)]
    result = runner.invoke(
        cli, ["export", *db_option, "--format", "md", "--endpoint", "DFS", "--view",
              "survival_by_study"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "| Interfant-06 + blinatumomab | interfant-06-blinatumomab | blinatumomab |" in (
        result.stdout
    )
    xlsx = tmp_path / "drug.xlsx"
    result = runner.invoke(
        cli, ["export", *db_option, "--format", "xlsx", "--drug", "blinatumomab", "-o", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(xlsx)["dosing_by_study"]["D2"].value == "blinatumomab"
    figures = [tmp_path / "os.png", tmp_path / "os.svg"]
    result = runner.invoke(
        cli, ["plot", *db_option, "--endpoint", "OS", "--timepoint", "24",
              "-o", str(figures[0]), "-o", str(figures[1])],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert all(f.stat().st_size > 1000 for f in figures)
    result = runner.invoke(cli, ["plot", *db_option, "--endpoint", "PFS", "-o", str(figures[0])])
    assert result.exit_code == 1
    assert "no survival findings match" in result.output
    result = runner.invoke(cli, ["link", *db_option])
    assert result.exit_code == 0, result.output
    assert "7 studies" in result.output
