"""Forest plots of study-level survival findings (rows of the ``survival_by_study`` view).

One horizontal row per finding: the study and arm on the left, the point estimate with its 95% CI
on a 0–100% axis in the middle, and the figures in words on the right. Built on
``matplotlib.figure.Figure`` with the Agg canvas, never pyplot, so it is safe inside a web server.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from extractor.errors import ConfigError

FORMATS = ("png", "svg")

FONT = "DejaVu Sans"  # bundled with matplotlib, so every glyph we write (– — ≥ … †) is there
FONT_SIZE = 9.0
_LOCK = threading.Lock()

# role -> (legend label, marker, colour); Okabe–Ito colours, distinguishable by the colour-blind.
ROLES: dict[str | None, tuple[str, str, str]] = {
    "experimental": ("experimental arm", "o", "#0072B2"),
    "control": ("control arm", "s", "#D55E00"),
    "overall": ("all patients", "D", "#009E73"),
    None: ("arm role not stated", "^", "#6B6B6B"),
}

# Layout, in inches.
ROW_H = 0.3
PLOT_W = 3.6
EDGE = 0.2
GAP = 0.3
COL_GAP = 0.22
INDENT = 0.18
MAX_LABEL = 60


@dataclass(frozen=True)
class _Line:
    """One row of the plot: a subheading (``row`` is None) or a finding."""

    label: str
    row: Mapping[str, Any] | None = None


def _num(value: float) -> str:
    """A percentage or month count without trailing zeros: 81.6, 100, 18.5."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _months(value: Any) -> str:
    return "1 month" if value == 1 else f"{_num(float(value))} months"


def _combo(row: Mapping[str, Any]) -> tuple[str, float]:
    tp = row.get("timepoint_months")
    return (str(row["endpoint"]), math.inf if tp is None else float(tp))


def _heading(endpoint: str, tp: float) -> str:
    return endpoint if math.isinf(tp) else f"{endpoint} at {_months(tp)}"


def _label(row: Mapping[str, Any]) -> str:
    label = str(row["study"]) + (f" — {row['arm']}" if row.get("arm") else "")
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _sort_key(row: Mapping[str, Any]) -> tuple[str, float, str, str]:
    return (*_combo(row), str(row["study"]).casefold(), str(row.get("arm") or "").casefold())


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def default_title(rows: Sequence[Mapping[str, Any]]) -> str:
    """A title from the data, e.g. "DFS and OS at 24 months by study"."""
    endpoints = sorted({str(r["endpoint"]) for r in rows})
    months = sorted({float(r["timepoint_months"]) for r in rows if r.get("timepoint_months")})
    title = _and(endpoints)
    if months:
        unit = "month" if months == [1.0] else "months"
        title += f" at {_and([_num(m) for m in months])} {unit}"
    return title + " by study"


def _has_ci(row: Mapping[str, Any]) -> bool:
    return row.get("ci_low") is not None and row.get("ci_high") is not None


def _cells(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """The right-hand text: estimate with CI, n, and the number of sources."""
    value = f"{_num(float(row['value_pct']))}%"
    if _has_ci(row):
        value += f" ({_num(float(row['ci_low']))}–{_num(float(row['ci_high']))})"
    elif row.get("se") is not None:
        value += f" (SE {_num(float(row['se']))})"
    else:
        value += " (no CI)"
    n = f"n={row['n']}" if row.get("n") is not None else "n not stated"
    count = int(row.get("source_count") or 0)
    sources = f"{count} source{'' if count == 1 else 's'}" + ("†" if row.get("conflicts") else "")
    return value, n, sources


def _lines(rows: Sequence[Mapping[str, Any]]) -> list[_Line]:
    """Findings in plot order, with a subheading before each endpoint/timepoint group if several."""
    ordered = sorted(rows, key=_sort_key)
    headed = len({_combo(r) for r in ordered}) > 1
    lines: list[_Line] = []
    for row in ordered:
        if headed and (not lines or _combo(lines[-1].row or {}) != _combo(row)):
            lines.append(_Line(_heading(*_combo(row))))
        lines.append(_Line(_label(row), row))
    return lines


@contextmanager
def _style() -> Iterator[None]:
    """Our rcParams, under a lock: rcParams are global, so threads must not interleave."""
    with (
        _LOCK,
        mpl.rc_context(
            {"font.family": FONT, "font.size": FONT_SIZE, "svg.hashsalt": "extractor-plot"}
        ),
    ):
        yield


def _width(renderer: Any, text: str, weight: str = "normal", size: float = FONT_SIZE) -> float:
    """Rendered width of a text in inches."""
    prop = FontProperties(family=FONT, size=size, weight=weight)
    width, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
    return float(width) / renderer.dpi


def survival_forest(rows: Sequence[Mapping[str, Any]], *, title: str | None = None) -> Figure:
    """A forest plot of survival findings, one row per finding, grouped by endpoint/timepoint."""
    if not rows:
        raise ConfigError(
            "no survival findings match the chosen endpoint, timepoint and study; widen the filters"
        )
    with _style():
        return _forest(rows, title or default_title(rows))


def _forest(rows: Sequence[Mapping[str, Any]], title: str) -> Figure:
    lines = _lines(rows)
    headed = any(line.row is None for line in lines)
    cells = [_cells(line.row) if line.row else ("", "", "") for line in lines]
    conflicts = any(r.get("conflicts") for r in rows)
    missing_ci = any(not _has_ci(r) for r in rows)

    # Measure every text first, then size the figure around the columns.
    fig = Figure(dpi=100)
    renderer = FigureCanvasAgg(fig).get_renderer()
    label_w = max(
        _width(renderer, line.label, "bold" if line.row is None else "normal")
        + (INDENT if headed and line.row is not None else 0.0)
        for line in lines
    )
    col_w = [max(_width(renderer, c[i]) for c in cells) for i in range(3)]
    right_w = sum(col_w) + 2 * COL_GAP
    width = max(EDGE + label_w + GAP + PLOT_W + GAP + right_w + EDGE, 7.0)
    width = max(width, _width(renderer, title, "bold", 11) + 2 * EDGE)
    # Spare width goes to the label column, so the plot and the text stay next to each other.
    label_w = width - (EDGE + GAP + PLOT_W + GAP + right_w + EDGE)
    notes = []
    if len({r.get("n") for r in rows if r.get("n")}) > 1:
        notes.append("Marker area proportional to n.")
    if conflicts:
        notes.append("† sources report conflicting values.")
    top, bottom = 0.75, 0.7 + (0.3 if notes else 0.0)
    height = top + ROW_H * (len(lines) + 0.4) + bottom
    fig.set_size_inches(width, height)

    ax = fig.add_axes(
        (
            (EDGE + label_w + GAP) / width,
            bottom / height,
            PLOT_W / width,
            ROW_H * (len(lines) + 0.4) / height,
        )
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(len(lines) - 0.3, -0.7)
    ax.set_yticks([])
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("% (95% CI)")
    ax.grid(axis="x", color="#E3E3E3", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)

    def offset(inches: float) -> Any:
        """Axes-x, data-y coordinates shifted sideways by some inches."""
        return ax.get_yaxis_transform() + ScaledTranslation(inches, 0, fig.dpi_scale_trans)

    left = -(GAP + label_w)
    band = blended_transform_factory(fig.transFigure, ax.transData)
    max_n = max((int(r["n"]) for r in rows if r.get("n")), default=0)
    finding = 0
    for y, (line, cell) in enumerate(zip(lines, cells, strict=True)):
        row = line.row
        if row is None:
            ax.text(
                0,
                y,
                line.label,
                transform=offset(left),
                ha="left",
                va="center",
                fontweight="bold",
                parse_math=False,
            )
            continue
        if finding % 2 == 0:
            ax.add_patch(
                Rectangle(
                    (EDGE / 2 / width, y - 0.5),
                    1 - EDGE / width,
                    1,
                    transform=band,
                    facecolor="#F4F6F8",
                    edgecolor="none",
                    zorder=0,
                    clip_on=False,
                )
            )
        finding += 1
        indent = INDENT if headed else 0.0
        ax.text(
            0,
            y,
            line.label,
            transform=offset(left + indent),
            ha="left",
            va="center",
            parse_math=False,
        )
        x = GAP
        for i, text in enumerate(cell):
            ax.text(
                1,
                y,
                text,
                transform=offset(x),
                ha="left",
                va="center",
                color="black" if i == 0 else "#555555",
                parse_math=False,
            )
            x += col_w[i] + COL_GAP
        _, marker, colour = ROLES.get(row.get("arm_role"), ROLES[None])
        value = min(max(float(row["value_pct"]), 0.0), 100.0)
        if _has_ci(row):
            low = min(max(float(row["ci_low"]), 0.0), 100.0)
            high = min(max(float(row["ci_high"]), 0.0), 100.0)
            ax.plot(
                [low, high],
                [y, y],
                color=colour,
                linewidth=1.6,
                solid_capstyle="butt",
                zorder=2,
                clip_on=False,
            )
            ax.plot(
                [low, high],
                [y, y],
                linestyle="none",
                marker="|",
                markersize=7,
                color=colour,
                zorder=2,
                clip_on=False,
            )
        size = 45.0 if not row.get("n") or not max_n else 25 + 75 * int(row["n"]) / max_n
        ax.scatter(
            [value],
            [y],
            s=size,
            marker=marker,
            zorder=3,
            clip_on=False,
            linewidths=1.3,
            edgecolors=colour,
            facecolors=colour if _has_ci(row) else "white",
        )

    fig.text(
        EDGE / width,
        1 - 0.2 / height,
        title,
        ha="left",
        va="top",
        fontsize=11,
        fontweight="bold",
        parse_math=False,
    )
    handles = [
        Line2D([], [], linestyle="none", marker=marker, color=colour, markersize=7, label=label)
        for role, (label, marker, colour) in ROLES.items()
        if any(
            r.get("arm_role") == role or (role is None and r.get("arm_role") not in ROLES)
            for r in rows
        )
    ]
    if missing_ci:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="o",
                color="#6B6B6B",
                markerfacecolor="white",
                markersize=7,
                label="no CI reported",
            )
        )
    fig.legend(
        handles=handles,
        loc="upper left",
        ncol=len(handles),
        frameon=False,
        bbox_to_anchor=(EDGE / width, 1 - 0.42 / height),
        handletextpad=0.3,
        columnspacing=1.4,
        borderaxespad=0,
        borderpad=0,
    )
    if notes:
        fig.text(
            EDGE / width,
            0.15 / height,
            "   ".join(notes),
            ha="left",
            va="bottom",
            fontsize=7.5,
            color="#555555",
            parse_math=False,
        )
    return fig


def render_survival(
    rows: Sequence[Mapping[str, Any]], fmt: str = "png", *, title: str | None = None
) -> bytes:
    """The forest plot as PNG or SVG bytes; the same rows give byte-identical SVG."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown plot format {fmt!r}; choose one of {', '.join(FORMATS)}")

    fig = survival_forest(rows, title=title)
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    with _style():
        fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()


def save_survival_plot(
    rows: Sequence[Mapping[str, Any]], path: str | Path, *, title: str | None = None
) -> Path:
    """Write the forest plot to a .png or .svg file; returns the path."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ConfigError(f"{path}: unknown plot format; name the file .png or .svg")
    path.write_bytes(render_survival(rows, fmt, title=title))
    return path
