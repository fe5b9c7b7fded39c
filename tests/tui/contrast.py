"""WCAG contrast of every text cell of a screen, read from Textual's SVG screenshot.

``App.export_screenshot()`` is the public way to get what the compositor drew.
Rich writes one ``<rect>`` (background) and one ``<text>`` (foreground class)
per segment, both at the segment's cell; the two are matched by that cell.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

CHAR_WIDTH = 20 * 0.61
LINE_HEIGHT = 20 * 1.22
# Rich's SVG theme: the colours of segments that set none.
DEFAULT_BACKGROUND = "#292929"

_CLASS = re.compile(r"\.(terminal-[\w-]+)\s*\{\s*fill:\s*(#[0-9a-fA-F]{6})")
_RECT = re.compile(
    r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"'
    r' height="[\d.]+" shape-rendering="crispEdges"/>'
)
_TEXT = re.compile(r'<text class="([\w-]+)" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')


@dataclass(frozen=True)
class Cell:
    """One character on screen with the colours it is drawn in."""

    line: int
    column: int
    char: str
    foreground: str
    background: str

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.foreground, self.background)


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _is_decoration(char: str) -> bool:
    """Box drawing, block elements and spaces: lines and bars, not text."""
    return char.isspace() or 0x2500 <= ord(char) <= 0x259F


def text_cells(svg: str) -> list[Cell]:
    """Every character of text on the screenshot, with its colours."""
    fills = dict(_CLASS.findall(svg))
    backgrounds: dict[tuple[int, int], tuple[str, int]] = {}
    for fill, x, y, width in _RECT.findall(svg):
        line = round((float(y) - 1.5) / LINE_HEIGHT)
        column = round(float(x) / CHAR_WIDTH)
        for offset in range(round(float(width) / CHAR_WIDTH)):
            backgrounds[line, column + offset] = (fill, 0)
    cells: list[Cell] = []
    for css_class, x, y, content in _TEXT.findall(svg):
        line = round((float(y) - 20) / LINE_HEIGHT)
        column = round(float(x) / CHAR_WIDTH)
        for offset, char in enumerate(html.unescape(content)):
            if _is_decoration(char):
                continue
            background = backgrounds.get((line, column + offset), (DEFAULT_BACKGROUND, 0))[0]
            cells.append(Cell(line, column + offset, char, fills[css_class], background))
    return cells


def screen_lines(svg: str) -> list[str]:
    """The screenshot's text, line by line (spaces where nothing is drawn)."""
    rows: dict[int, dict[int, str]] = {}
    for _css_class, x, y, content in _TEXT.findall(svg):
        line = round((float(y) - 20) / LINE_HEIGHT)
        column = round(float(x) / CHAR_WIDTH)
        for offset, char in enumerate(html.unescape(content).replace("\xa0", " ")):
            rows.setdefault(line, {})[column + offset] = char
    last = max(rows, default=-1)
    return [
        "".join(
            rows.get(n, {}).get(c, " ") for c in range(max(rows.get(n, {0: ""}), default=0) + 1)
        )
        for n in range(last + 1)
    ]
