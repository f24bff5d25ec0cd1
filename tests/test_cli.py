"""The CLI on real files: extract, run, export; every command has help and is documented."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from extractor import store
from extractor.cli import cli
from extractor.nlp.pipeline import PIPELINE_VERSION

REPO = Path(__file__).resolve().parents[1]

NEWS = (
    "Thirty infants with KMT2A-rearranged ALL received blinatumomab 15\u00a0µg/m²/day as a "
    "28-day continuous infusion. The 2-year DFS was 81.6% (95% CI 70.2–94.9) and the 2-year OS "
    "93.3%. Among 214 historical controls the rates were 49.4% and 65.8%, respectively.\n"
)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "news.txt").write_text(NEWS, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe")
    (folder / "broken.xml").write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
    return folder


def test_every_command_has_help_and_is_documented():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert command.help, name
        assert f"extractor {name}" in readme, f"README does not show `extractor {name}`"


def test_extract_prints_one_json_object_per_document(corpus):
    result = CliRunner().invoke(cli, ["extract", str(corpus / "news.txt")])
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    evidence = json.loads(line)
    assert evidence["id"] == "news"
    assert [d["name"] for d in evidence["drugs"]] == ["blinatumomab"]
    assert {(s["endpoint"], s["value_pct"]) for s in evidence["survival"]} == {
        ("DFS", 81.6),
        ("OS", 93.3),
        ("DFS", 49.4),
        ("OS", 65.8),
    }


def test_extract_table_and_bad_file(corpus):
    result = CliRunner().invoke(
        cli, ["extract", str(corpus / "news.txt"), str(corpus / "empty.txt"), "--format", "table"]
    )
    assert result.exit_code == 1
    assert "survival" in result.stdout
    assert "empty.txt" in result.stderr and "empty" in result.stderr


def test_run_stores_good_documents_and_records_bad_ones(corpus, tmp_path):
    db = tmp_path / "evidence.db"
    result = CliRunner().invoke(cli, ["run", str(corpus), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from documents").fetchone() == (1,)
        assert conn.execute("select count(*) from survival_estimates").fetchone() == (4,)
        errors = dict(conn.execute("select path, error from extraction_errors"))
    assert set(map(lambda p: Path(p).name, errors)) == {"empty.txt", "binary.txt", "broken.xml"}
    assert "not well-formed XML" in next(e for p, e in errors.items() if p.endswith(".xml"))


def test_run_twice_leaves_the_same_rows(corpus, tmp_path):
    db = tmp_path / "evidence.db"

    def rows() -> list[tuple]:
        with sqlite3.connect(db) as conn:
            return conn.execute(
                "select document_id, endpoint, timepoint_months, value_pct, start, end "
                "from survival_estimates order by start"
            ).fetchall()

    CliRunner().invoke(cli, ["run", str(corpus), "--db", str(db)])
    first = rows()
    CliRunner().invoke(cli, ["run", str(corpus), "--db", str(db)])
    assert rows() == first and len(first) == 4


def test_export_formats_open_in_their_readers(corpus, tmp_path):
    db = tmp_path / "evidence.db"
    CliRunner().invoke(cli, ["run", str(corpus), "--db", str(db)])
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--kind", "survival"])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(float(r["value_pct"]) for r in table) == [49.4, 65.8, 81.6, 93.3]

    out = tmp_path / "doses.json"
    CliRunner().invoke(
        cli, ["export", "--db", str(db), "--kind", "doses", "--format", "json", "-o", str(out)]
    )
    (dose,) = json.loads(out.read_text(encoding="utf-8"))
    assert (dose["drug"], dose["amount"], dose["unit"]) == ("blinatumomab", 15.0, "μg/m2/day")

    xlsx = tmp_path / "survival.xlsx"
    result = CliRunner().invoke(
        cli,
        [
            "export",
            "--db",
            str(db),
            "--kind",
            "survival_estimates",
            "--format",
            "xlsx",
            "-o",
            str(xlsx),
        ],
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    assert "value_pct" in header and sheet.max_row == 5


def test_export_xlsx_needs_a_file(corpus, tmp_path):
    db = tmp_path / "evidence.db"
    CliRunner().invoke(cli, ["run", str(corpus), "--db", str(db)])
    result = CliRunner().invoke(
        cli, ["export", "--db", str(db), "--kind", "doses", "--format", "xlsx"]
    )
    assert result.exit_code != 0 and "-o" in result.output


def test_two_files_with_one_document_id_are_not_merged(corpus, tmp_path):
    (corpus / "news.html").write_text("<p>The 2-year OS was 50%.</p>", encoding="utf-8")
    db = tmp_path / "evidence.db"
    result = CliRunner().invoke(cli, ["run", str(corpus), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        (text,) = conn.execute("select text from documents where id = 'news'").fetchone()
        errors = [e for (e,) in conn.execute("select error from extraction_errors")]
    assert text == "The 2-year OS was 50%."  # news.html is read first, news.txt is refused
    assert any("holds document 'news', which" in e and "news.html" in e for e in errors)


def test_run_offline_harvests_the_bundled_snapshot_then_extracts_it(tmp_path):
    db_path = tmp_path / "evidence.db"
    result = CliRunner().invoke(cli, ["run", "--offline", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "pubmed: found 26, new 26" in result.output
    assert "news: found 8, new 5" in result.output  # 2 off-topic entries, 1 duplicate link
    assert "Linked: 7 studies" in result.output
    db = store.open_store(db_path)
    ids = [r["id"] for r in db.query("SELECT id FROM documents")]
    assert len(ids) == 8 + 26 + 5
    assert sum(i.startswith("pmid:") for i in ids) == 26
    assert sum(i.startswith("news:") for i in ids) == 5
    assert not store.documents_to_extract(db, PIPELINE_VERSION)  # all extracted
    blinatumomab = db.execute(
        "SELECT count(*) FROM survival_estimates "
        "WHERE value_pct = 81.6 AND document_id LIKE 'news:%'"
    ).fetchone()[0]
    assert blinatumomab >= 1  # the news articles' figures are extracted too
    again = CliRunner().invoke(cli, ["run", "--offline", "--db", str(db_path)])
    assert "pubmed: found 26, new 0, revised 0, unchanged 26" in again.output
    assert "news: found 8, new 0, revised 0, unchanged 5" in again.output
