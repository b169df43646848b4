"""Charts as small hand-written inline SVG: vector, nothing to fetch, no plotting library.

The text stays text (<text> elements): the browser draws it with the dashboard's
font stack, so Japanese titles need no embedded font and can be searched and
copied. Every piece of text is escaped. Sizes are in viewBox units, so a chart
scales with the page. No ids are used, so several SVGs can share one document.
"""

from __future__ import annotations

import math
from html import escape

PALETTE = ("#2f6f9f", "#e07b39", "#5b9f4a", "#9f4a8a", "#c9a227", "#6b6b6b")
FONT = 'system-ui,"Noto Sans CJK JP",sans-serif'  # the dashboard's own stack
WIDTH = 720
FONT_SIZE = 11
_AXIS = "#444"
_GRID = "#e3e3e3"
_TICKS = 9  # at most about this many axis steps, at round values: the steps matplotlib chose


def bars(labels, values, label: str, *, horizontal=False, percent=False, line=None) -> str:
    """A bar chart; ``line`` draws a reference value (a threshold) across it."""
    labels = [_short(text) for text in labels]
    values = [float(v or 0) for v in values]
    top = max([*values, line or 0])
    if horizontal:
        return _horizontal(labels, {"": values}, label, top, percent=percent, line=line)
    return _vertical(labels, {"": values}, label, top, percent=percent)


def stacked(labels, series: dict[str, list[float]], label: str) -> str:
    """Horizontal bars split by series (shares of a whole, e.g. the format mix)."""
    labels = [_short(text) for text in labels]
    totals = [sum(column) for column in zip(*series.values(), strict=True)] or [0]
    return _horizontal(labels, series, label, max(totals), percent=True, stack=True)


def grouped(groups: list[str], series: dict[str, list[float]], label: str, *, percent=True) -> str:
    """Bars side by side: one group per x position, one bar per series."""
    groups = [_short(text) for text in groups]
    top = max((v or 0 for values in series.values() for v in values), default=0)
    return _vertical(groups, series, label, top, percent=percent)


def _vertical(labels, series, label, top, *, percent) -> str:
    ticks = nice_ticks(top)
    tick_width = max(len(_number(t, percent)) for t in ticks) * FONT_SIZE * 0.62
    left, right, top_y = 12 + tick_width, WIDTH - 10, 34
    rotate = len(labels) > 12
    below = 10 + (max(map(_text_width, labels), default=0) if rotate else FONT_SIZE + 4)
    plot_h = 180
    legend = 22 if len(series) > 1 else 0
    height = top_y + plot_h + below + legend + 8
    bottom = top_y + plot_h
    parts = _y_grid(ticks, left, right, top_y, bottom, percent=percent)
    slot = (right - left) / max(1, len(labels))
    width = slot * 0.8 / max(1, len(series))
    for position, text in enumerate(labels):
        start = left + slot * position + slot * 0.1
        for number, values in enumerate(series.values()):
            length = _scale(values[position], ticks[-1], plot_h)
            x = start + number * width
            parts.append(_rect(x, bottom - length, width, length, PALETTE[number % len(PALETTE)]))
        centre = left + slot * (position + 0.5)
        if rotate:
            parts.append(
                _text(centre, bottom + 8, text, anchor="end", rotate=True, baseline="middle")
            )
        else:
            parts.append(_text(centre, bottom + FONT_SIZE + 4, text, anchor="middle"))
    parts.append(_line(left, bottom, right, bottom, _AXIS))
    parts.append(_legend(series, left, height - legend + 6))
    return _svg(height, label, parts)


def _horizontal(labels, series, label, top, *, percent, line=None, stack=False) -> str:
    ticks = nice_ticks(top)
    left = 12 + max(map(_text_width, labels), default=0)
    right, top_y, row = WIDTH - 24, 34, 22
    bottom = top_y + row * len(labels)
    legend = 22 if len(series) > 1 else 0
    height = bottom + FONT_SIZE + 16 + legend
    plot_w = right - left
    parts = _x_grid(ticks, left, right, top_y, bottom, percent=percent)
    for position, text in enumerate(labels):
        y = top_y + row * position
        start = 0.0
        for number, values in enumerate(series.values()):
            length = _scale(values[position], ticks[-1], plot_w)
            colour = PALETTE[number % len(PALETTE)]
            parts.append(_rect(left + start, y + 3, length, row - 6, colour))
            start += length if stack else 0
        parts.append(_text(left - 6, y + row / 2, text, anchor="end", baseline="middle"))
    if line is not None:
        x = left + _scale(line, ticks[-1], plot_w)
        parts.append(_line(x, top_y, x, bottom, PALETTE[1], dashed=True))
    parts.append(_line(left, top_y, left, bottom, _AXIS))
    parts.append(_legend(series, left, height - legend + 4))
    return _svg(height, label, parts)


def nice_ticks(top: float, count: int = _TICKS) -> list[float]:
    """Axis values from 0 up to at least ``top`` at a round step (1, 2, 2.5 or 5 × 10^n)."""
    if not top or top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    steps = math.ceil(top / step - 1e-9)
    return [round(step * n, 12) for n in range(steps + 1)]


def _y_grid(ticks, left, right, top, bottom, *, percent) -> list[str]:
    parts = []
    for value in ticks:
        y = bottom - _scale(value, ticks[-1], bottom - top)
        parts.append(_line(left, y, right, y, _GRID))
        parts.append(_text(left - 6, y, _number(value, percent), anchor="end", baseline="middle"))
    return parts


def _x_grid(ticks, left, right, top, bottom, *, percent) -> list[str]:
    parts = []
    for value in ticks:
        x = left + _scale(value, ticks[-1], right - left)
        parts.append(_line(x, top, x, bottom, _GRID))
        parts.append(_text(x, bottom + FONT_SIZE + 4, _number(value, percent), anchor="middle"))
    return parts


def _legend(series, x, y) -> str:
    if len(series) < 2:
        return ""
    parts = []
    for number, name in enumerate(series):
        parts.append(_rect(x, y - 9, 10, 10, PALETTE[number % len(PALETTE)], kind="key"))
        parts.append(_text(x + 14, y, _short(name, 14)))
        x += 14 + _text_width(_short(name, 14)) + 16
    return "".join(parts)


def _svg(height: float, label: str, parts: list[str]) -> str:
    title = escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-label="{title}" '
        f'font-family="{escape(FONT)}" font-size="{FONT_SIZE}" fill="{_AXIS}">'
        f"<title>{title}</title>"
        f'<text x="4" y="18" font-size="13">{title}</text>' + "".join(parts) + "</svg>"
    )


def _rect(x, y, width, height, colour, *, kind="bar") -> str:
    return (
        f'<rect class="{kind}" x="{x:.1f}" y="{y:.1f}" width="{max(0.0, width):.2f}" '
        f'height="{max(0.0, height):.2f}" fill="{colour}"/>'
    )


def _line(x1, y1, x2, y2, colour, *, dashed=False) -> str:
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{dash}/>'
    )


def _text(x, y, text, *, anchor="start", baseline=None, rotate=False) -> str:
    extra = f' dominant-baseline="{baseline}"' if baseline else ""
    if rotate:
        extra += f' transform="rotate(-90 {x:.1f} {y:.1f})"'
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _scale(value, top, length) -> float:
    """Length of ``value`` on an axis ending at ``top``; NaN, negative and infinite stay in it."""
    value = float(value or 0)
    return min(max(0.0, value), top) / top * length if math.isfinite(value) else 0.0


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.12g}%"
    return f"{value:,.12g}"


def _text_width(text: str) -> float:
    """An estimate of the drawn width: wide (CJK) characters one em, the others about 0.6."""
    return sum(FONT_SIZE if ord(ch) > 0x2E7F else FONT_SIZE * 0.6 for ch in text)


def _short(text: str, limit: int = 28) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
