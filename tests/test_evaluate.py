"""`extractor evaluate` on a small gold folder of our own."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.errors import ConfigError
from extractor.evaluate import baseline_of, below_baseline, evaluate

TEXT = "Thirty infants received blinatumomab. The 2-year OS was 93.3% and the 2-year EFS 80%."
GOLD = {
    "id": "note",
    "drugs": ["blinatumomab"],
    "cohorts": [{"n": 30}],
    "survival": [
        {"endpoint": "OS", "timepoint_months": 24, "value_pct": 93.3},
        {"endpoint": "DFS", "timepoint_months": 24, "value_pct": 75.0},
    ],
}


@pytest.fixture
def folders(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "docs" / "note.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "gold" / "note.json").write_text(json.dumps(GOLD), encoding="utf-8")
    return tmp_path


def test_scores_misses_and_false_hits(folders, nlp):
    report = evaluate(folders / "gold", folders / "docs", nlp).to_dict()["all"]
    survival = report["fields"]["survival"]
    assert (survival["tp"], survival["fp"], survival["fn"]) == (1, 1, 1)
    assert survival["missed"][0]["endpoint"] == "DFS"
    assert survival["false"][0]["text"] == "80%"
    assert report["fields"]["drugs"]["f1"] == 1.0


def test_cli_table_json_and_baseline(folders):
    args = ["evaluate", "--gold", str(folders / "gold"), "--documents", str(folders / "docs")]
    table = CliRunner().invoke(cli, args)
    assert table.exit_code == 0, table.output
    assert "survival" in table.stdout and "missed note survival" in table.stdout
    as_json = CliRunner().invoke(cli, [*args, "--json"])
    report = json.loads(as_json.stdout)
    assert report["all"]["fields"]["cohorts"]["f1"] == 1.0

    baseline = folders / "baseline.json"
    baseline.write_text(json.dumps(baseline_of(report)), encoding="utf-8")
    assert CliRunner().invoke(cli, [*args, "--baseline", str(baseline)]).exit_code == 0
    higher = baseline_of(report)
    higher["all"]["f1"]["survival"] = 0.9
    baseline.write_text(json.dumps(higher), encoding="utf-8")
    failed = CliRunner().invoke(cli, [*args, "--baseline", str(baseline)])
    assert failed.exit_code == 1 and "all survival 0.5 < 0.9" in failed.output
    assert below_baseline(report, higher) == ["all survival 0.5 < 0.9"]


def test_gold_without_its_document_is_a_clear_error(folders, nlp):
    (folders / "gold" / "lost.json").write_text('{"id": "lost"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="lost"):
        evaluate(folders / "gold", folders / "docs", nlp)
