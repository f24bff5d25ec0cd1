"""Plain-text tables: rows of cells split by "|" under a header row, and "label: value" lines
under a heading, as trial registries lay out their results.

    Table 1. Main results (percentages unless stated otherwise)
    Endpoint | Blinatumomab (n=30) | Controls (n=214)
    Disease-free survival at 2 years (95% CI) | 81.6 (70.2–94.9) | 49.4 (42.7–57.1)

    Outcome: disease-free survival at 2 years
    Unit of measure: percentage of participants; dispersion: 95% confidence interval
    Blinatumomab + Interfant-06: 81.6 (70.2 to 94.9)
    Historical controls: 49.4 (42.7 to 57.1)

Each row keeps its label (first cell), its value cells with offsets into the document text,
the header cell above each value (the arm), the caption (the lines of the paragraph above the
table or list) and whether the caption, header or label say the figures are percentages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc

from extractor.nlp.facts import claim
from extractor.nlp.numbers import NUMBER, SPACE, parse_number

# "(percentages unless stated otherwise)", "n (%)", "%": but not the "95%" of "95% CI"
_PERCENT_NOTE = re.compile(r"(?<![\d.])%|\bper\s?cent\b|\bpercentages?\b", re.I)
# "81.6 (70.2–94.9)", "17", "78%": a number leading a cell
CELL_VALUE = re.compile(rf"{SPACE}*(?P<number>{NUMBER})(?P<percent>{SPACE}?%)?")
GROUP_SIZE = re.compile(r"\s*[(\[]\s*[nN]\s*=\s*[\d,]+\s*[)\]]\s*")
# "Historical controls: 49.4 (42.7 to 57.1)", "Anaemia: 17": a label, a colon and only a figure
_LABELLED_VALUE = re.compile(
    rf"^[ \t]*(?P<label>[^:\n\d|][^:\n|]{{0,59}}?)[ \t]*:[ \t]*(?P<value>{NUMBER}{SPACE}?%?"
    rf"(?:{SPACE}*\([^()\n]{{1,40}}\))?)[ \t]*\.?[ \t]*$"
)


@dataclass(frozen=True)
class Cell:
    """A cell's text and where it stands in the document."""

    start: int
    text: str


@dataclass(frozen=True)
class TableRow:
    """One row under a header: its label, value cells and the header's cell for each."""

    label: Cell
    cells: tuple[Cell, ...]
    header: tuple[Cell, ...]
    in_percent: bool
    caption: str = ""

    def column(self, pattern: str) -> Cell | None:
        """This row's value cell under the first header that matches ``pattern``."""
        for heading, cell in zip(self.header[1:], self.cells, strict=False):
            if re.search(pattern, heading.text, re.I):
                return cell
        return None

    def column_name(self, index: int) -> str | None:
        """The header of value cell ``index`` without its group size: "Controls (n=214)"."""
        if index + 1 >= len(self.header):
            return None
        return GROUP_SIZE.sub(" ", self.header[index + 1].text).strip() or None


def table_rows(text: str) -> Iterator[TableRow]:
    """Every row of every "|" table in a text, each with the header row above it, then every
    "label: value" line under its heading."""
    yield from _bar_rows(text)
    yield from _aligned_rows(text)
    yield from _labelled_rows(text)


def _bar_rows(text: str) -> Iterator[TableRow]:
    if "|" not in text:
        return
    caption, header = "", None
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        if "|" not in line:
            caption = line if line.strip() else caption  # a blank line may follow a caption
            header = None
            continue
        cells = _cells(line.rstrip("\r\n"), start)
        if header is None:
            header = cells
            percent = bool(_PERCENT_NOTE.search(caption) or _PERCENT_NOTE.search(line))
            continue
        yield TableRow(
            label=cells[0],
            cells=tuple(cells[1:]),
            header=tuple(header),
            in_percent=percent or bool(_PERCENT_NOTE.search(cells[0].text)),
            caption=caption.strip(),
        )


def _aligned_rows(text: str) -> Iterator[TableRow]:
    """Rows of tables whose columns are lined up with spaces, under a header of three or more
    columns. A row whose first column is blank continues the row above ("Interfant-06 … EFS
    6 y 46.1" then "… OS 6 y 58.2"): it keeps that row's label. A short line within the first
    column heads a group of rows and does not end the table."""
    if "   " not in text:
        return
    caption, header, label = "", None, None
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        cells = _spaced_cells(line.rstrip("\r\n"), start)
        if header is None:
            if len(cells) >= 3 and "|" not in line:
                header, label = cells, None
                percent = bool(_PERCENT_NOTE.search(caption) or _PERCENT_NOTE.search(line))
            elif line.strip():
                caption = line
            continue
        if len(cells) == 1 and cells[0][0] + len(cells[0][1].text) < header[1][0]:
            continue  # "AALL0631 (COG)" heads the rows indented under it: the table goes on
        if len(cells) < 2 or "|" in line:
            caption, header = line, None
            continue
        columns = _under(header, cells)
        if columns[0].text:
            label = columns[0]
        if label is None:
            continue
        yield TableRow(
            label=label,
            cells=tuple(columns[1:]),
            header=tuple(c for _, c in header),
            in_percent=percent or bool(_PERCENT_NOTE.search(label.text)),
            caption=caption.strip(),
        )


def _spaced_cells(line: str, start: int) -> list[tuple[int, Cell]]:
    """The cells of a line split at runs of two or more spaces or a tab, each with the column
    of the line it starts at."""
    return [
        (m.start(), Cell(start + m.start(), m.group()))
        for m in re.finditer(r"[^ \t]+(?: [^ \t]+)*", line)
    ]


def _under(header: list[tuple[int, Cell]], cells: list[tuple[int, Cell]]) -> list[Cell]:
    """Each header column's cell in a row (empty where the row leaves it blank): a cell goes
    under the last heading that starts at or before it, with two characters' slack."""
    columns = [Cell(-1, "")] * len(header)
    for column, cell in cells:
        index = max((i for i, (c, _) in enumerate(header) if c <= column + 2), default=0)
        if not columns[index].text:
            columns[index] = cell
    return columns


def _labelled_rows(text: str) -> Iterator[TableRow]:
    """ "Label: value" lines, each under the lines of its paragraph that come before them."""
    if ":" not in text:
        return
    heading: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        if not line.strip():
            heading = []
            continue
        match = _LABELLED_VALUE.match(line.rstrip("\r\n"))
        if match is None or not heading:
            heading.append(line.strip())
            continue
        caption = "\n".join(heading)
        yield TableRow(
            label=Cell(start + match.start("label"), match["label"]),
            cells=(Cell(start + match.start("value"), match["value"]),),
            header=(),
            in_percent=any(
                _PERCENT_NOTE.search(t) for t in (caption, match["label"], match["value"])
            ),
            caption=caption,
        )


def rates_in_row(
    doc: Doc, row: TableRow, *patterns: re.Pattern[str]
) -> Iterator[tuple[int, float]]:
    """Each percentage a row's value cells give, claimed for one fact: where it ends in the
    document and its value. A cell is read by the first of ``patterns`` that matches it."""
    for cell in row.cells:
        value = next((m for p in (*patterns, CELL_VALUE) if (m := p.match(cell.text))), None)
        number = parse_number(value["number"]) if value else None
        if value is None or number is None or not (value["percent"] or row.in_percent):
            continue
        start, end = cell.start + value.start("number"), cell.start + value.end()
        if claim(doc, start, end):
            yield end, number


def _cells(line: str, start: int) -> list[Cell]:
    cells, position = [], 0
    for part in line.split("|"):
        stripped = part.strip()
        cells.append(Cell(start + position + part.find(stripped), stripped))
        position += len(part) + 1
    return [c for c in cells if c.text] if line.strip().startswith("|") else cells
