"""Charts as inline SVG (matplotlib): vector, text drawn as paths, nothing to fetch.

Text becomes outlines, so the dashboard needs no web font and shows Japanese
titles the same everywhere. Each SVG's ids get a prefix of their own, because
several SVGs share one HTML document.
"""

from __future__ import annotations

import functools
import io
import itertools
import re

# Japanese glyphs: the Noto CJK font the site build installs; DejaVu for the rest.
_JAPANESE_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "TakaoGothic")
PALETTE = ("#2f6f9f", "#e07b39", "#5b9f4a", "#9f4a8a", "#c9a227", "#6b6b6b")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IDS = re.compile(r'(\bid="|url\(#|href="#)')
_counter = itertools.count(1)


@functools.cache
def _pyplot():
    """pyplot, imported at the first chart (half a second the CSV files need not wait)."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must come before pyplot
    import matplotlib.pyplot as plt

    return plt


def _ticker():
    from matplotlib import ticker

    return ticker


def _style(plt) -> None:
    import matplotlib
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    families = [name for name in _JAPANESE_FONTS if name in installed]
    plt.rcParams.update(
        {
            "font.family": [*families, "DejaVu Sans"],
            "font.size": 9,
            "svg.fonttype": "path",
            "text.parse_math": False,  # a "$" in a title is a dollar sign, not TeX
            "svg.hashsalt": "mag-report",  # the same data draws the same file
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        }
    )


def to_svg(figure, label: str) -> str:
    """The figure as an <svg> element for inline use, labelled for screen readers."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    _pyplot().close(figure)
    svg = buffer.getvalue()
    svg = _COMMENT.sub("", svg[svg.index("<svg") :])
    svg = _IDS.sub(rf"\g<1>c{next(_counter)}-", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(label)}" ', 1)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _figure(width: float, height: float):
    plt = _pyplot()
    _style(plt)
    return plt.subplots(figsize=(width, height), layout="constrained")


def bars(labels, values, label: str, *, horizontal=False, percent=False, line=None) -> str:
    """A bar chart; ``line`` draws a reference value (a threshold) across it."""
    labels = [_short(text) for text in labels]
    height = max(2.4, 0.28 * len(labels) + 0.8) if horizontal else 2.6
    figure, axes = _figure(7.2, height)
    if horizontal:
        axes.barh(labels[::-1], values[::-1], color=PALETTE[0])
        if line is not None:
            axes.axvline(line, color=PALETTE[1], linestyle="--", linewidth=1)
    else:
        axes.bar(labels, values, color=PALETTE[0])
        if len(labels) > 12:
            axes.tick_params(axis="x", labelrotation=90)
    if percent:
        axis = axes.xaxis if horizontal else axes.yaxis
        axis.set_major_formatter(_ticker().PercentFormatter(1.0))
    axes.set_title(label, loc="left")
    return to_svg(figure, label)


def stacked(labels, series: dict[str, list[float]], label: str) -> str:
    """Horizontal bars split by series (shares of a whole, e.g. the format mix)."""
    labels = [_short(text) for text in labels]
    figure, axes = _figure(7.2, max(2.4, 0.3 * len(labels) + 1.0))
    left = [0.0] * len(labels)
    for name, values in series.items():
        axes.barh(labels[::-1], values[::-1], left=left[::-1], label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.xaxis.set_major_formatter(_ticker().PercentFormatter(1.0))
    axes.legend(ncols=len(series), loc="upper left", bbox_to_anchor=(0, -0.08), frameon=False)
    axes.set_title(label, loc="left")
    return to_svg(figure, label)


def grouped(groups: list[str], series: dict[str, list[float]], label: str, *, percent=True) -> str:
    """Bars side by side: one group per x position, one bar per series."""
    figure, axes = _figure(7.2, 2.8)
    width = 0.8 / max(1, len(series))
    for number, (name, values) in enumerate(series.items()):
        positions = [x + (number - (len(series) - 1) / 2) * width for x in range(len(groups))]
        axes.bar(positions, values, width=width, label=name)
    axes.set_xticks(range(len(groups)), groups)
    if percent:
        axes.yaxis.set_major_formatter(_ticker().PercentFormatter(1.0))
    axes.legend(
        ncols=min(5, len(series)), loc="upper left", bbox_to_anchor=(0, -0.1), frameon=False
    )
    axes.set_title(label, loc="left")
    return to_svg(figure, label)


def _short(text: str, limit: int = 28) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
