"""Forest plots of survival findings, written to real PNG and SVG files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pytest
from matplotlib.image import imread

from extractor.errors import ConfigError
from extractor.plot import default_title, render_survival, save_survival_plot, survival_forest

SVG = "{http://www.w3.org/2000/svg}"


def finding(
    finding_id: int,
    study: str,
    arm: str | None,
    role: str | None,
    endpoint: str,
    months: float,
    value: float,
    ci: tuple[float, float] | None,
    n: int | None,
    sources: int = 1,
) -> dict[str, Any]:
    names = {"DFS": "Disease-free survival", "OS": "Overall survival", "EFS": "Event-free survival"}
    return {
        "finding_id": finding_id,
        "study": study,
        "study_id": study.lower().replace(" + ", "-").replace(" ", "-"),
        "arm": arm,
        "arm_role": role,
        "endpoint": endpoint,
        "endpoint_name": names[endpoint],
        "timepoint_months": months,
        "value_pct": value,
        "ci_low": ci[0] if ci else None,
        "ci_high": ci[1] if ci else None,
        "n": n,
        "year": 2023,
        "sources": "; ".join(f"doc{i}" for i in range(sources)),
        "source_count": sources,
        "source_kinds": "news, paper" if sources > 1 else "paper",
        "conflicts": None,
    }


BLINA = "Interfant-06 + blinatumomab"
ROWS = [
    finding(1, BLINA, "blinatumomab", "experimental", "DFS", 24.0, 81.6, (70.2, 94.9), 30, 2),
    finding(2, BLINA, "blinatumomab", "experimental", "OS", 24.0, 93.3, (84.9, 100.0), 30, 2),
    finding(
        3, "Interfant-06", "historical controls", "control", "DFS", 24.0, 49.4, (42.7, 57.1), 214
    ),
    finding(
        4, "Interfant-06", "historical controls", "control", "OS", 24.0, 65.8, (59.5, 72.8), 214
    ),
    finding(5, "MLL-10", "all patients", "overall", "EFS", 36.0, 66.2, None, None),
]
DFS = [r for r in ROWS if r["endpoint"] == "DFS"]


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def svg_of(tmp_path: Path, rows: list[dict[str, Any]], name: str = "plot.svg") -> bytes:
    with mpl.rc_context({"svg.fonttype": "none"}):
        return save_survival_plot(rows, tmp_path / name).read_bytes()


def test_png_is_a_real_image_that_grows_with_the_rows(tmp_path: Path) -> None:
    small = save_survival_plot(DFS, tmp_path / "small.png")
    large = save_survival_plot(ROWS, tmp_path / "large.png")
    assert small == tmp_path / "small.png"
    for path in (small, large):
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    small_img, large_img = imread(small), imread(large)
    assert 200 < small_img.shape[0] < 1000 and 800 < small_img.shape[1] < 3000
    assert large_img.shape[0] > small_img.shape[0] + 150


def test_svg_holds_the_labels_and_figures_as_text(tmp_path: Path) -> None:
    texts = svg_texts(svg_of(tmp_path, ROWS))
    assert f"{BLINA} — blinatumomab" in texts
    assert "Interfant-06 — historical controls" in texts
    assert "81.6% (70.2–94.9)" in texts
    assert "93.3% (84.9–100)" in texts
    assert "n=30" in texts and "n=214" in texts
    assert "2 sources" in texts and "1 source" in texts
    assert "DFS, EFS and OS at 24 and 36 months by study" in texts
    assert {"experimental arm", "control arm", "all patients"} <= set(texts)


def test_svg_is_deterministic(tmp_path: Path) -> None:
    first = svg_of(tmp_path, ROWS, "a.svg")
    assert first == svg_of(tmp_path, ROWS, "b.svg")
    assert b"<dc:date>" not in first
    # Text drawn as glyph paths (matplotlib's default) is deterministic too.
    assert render_survival(ROWS, "svg") == render_survival(ROWS, "svg")


def test_a_finding_without_ci_is_a_point_marked_as_such(tmp_path: Path) -> None:
    texts = svg_texts(svg_of(tmp_path, ROWS[4:]))
    assert "MLL-10 — all patients" in texts
    assert "66.2% (no CI)" in texts
    assert "n not stated" in texts
    assert "no CI reported" in texts
    assert "EFS at 36 months by study" in texts


def test_several_endpoints_get_subheadings_in_order(tmp_path: Path) -> None:
    texts = svg_texts(svg_of(tmp_path, ROWS))
    headings = [t for t in texts if t.endswith(" months") and " at " in t]
    assert headings == ["DFS at 24 months", "EFS at 36 months", "OS at 24 months"]
    # Studies sort by name within each group, and each group's rows follow its heading.
    labels = [t for t in texts if t in headings or " — " in t]
    assert labels == [
        "DFS at 24 months",
        "Interfant-06 — historical controls",
        f"{BLINA} — blinatumomab",
        "EFS at 36 months",
        "MLL-10 — all patients",
        "OS at 24 months",
        "Interfant-06 — historical controls",
        f"{BLINA} — blinatumomab",
    ]


def test_one_endpoint_has_no_subheading(tmp_path: Path) -> None:
    texts = svg_texts(svg_of(tmp_path, DFS))
    assert "DFS at 24 months by study" in texts
    assert "DFS at 24 months" not in texts


def test_special_characters_render_without_missing_glyphs(tmp_path: Path) -> None:
    # Warnings are errors in this suite, so a missing glyph for ≥ or – would fail here.
    row = finding(6, "AIEOP-BFM", "age ≥ 6 months", None, "OS", 60.0, 72.5, (60.1, 84.0), 44)
    row["conflicts"] = "72.5 vs 70.0"
    texts = svg_texts(svg_of(tmp_path, [row], "special.svg"))
    assert "AIEOP-BFM — age ≥ 6 months" in texts
    assert "1 source†" in texts
    assert save_survival_plot([row], tmp_path / "special.png").stat().st_size > 0


def test_title_override_and_default() -> None:
    assert default_title(DFS) == "DFS at 24 months by study"
    assert default_title(ROWS[:2]) == "DFS and OS at 24 months by study"
    fig = survival_forest(DFS, title="Blinatumomab in infants")
    assert "Blinatumomab in infants" in [t.get_text() for t in fig.texts]


def test_no_rows_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="widen the filters"):
        save_survival_plot([], tmp_path / "empty.png")
    assert not (tmp_path / "empty.png").exists()


def test_unknown_format_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.png or \.svg"):
        save_survival_plot(ROWS, tmp_path / "plot.pdf")
    with pytest.raises(ConfigError, match="unknown plot format"):
        render_survival(ROWS, "jpeg")
    assert not (tmp_path / "plot.pdf").exists()


def test_a_finding_with_a_standard_error_but_no_ci_shows_the_se(tmp_path: Path) -> None:
    row = finding(9, "Interfant-99", "all patients", "overall", "EFS", 48, 47.0, None, 482)
    texts = svg_texts(svg_of(tmp_path, [{**row, "se": 2.6}]))
    assert "47% (SE 2.6)" in texts
