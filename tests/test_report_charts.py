"""The dashboard's hand-drawn SVG charts, and the segment profile computed column by column."""

from __future__ import annotations

import math
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

import pytest

from analytics.report import charts
from analytics.report.segments import FEATURES, profile

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & 「記事」'


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML: every text was escaped
    assert root.tag == f"{SVG}svg"
    assert root.find(f".//{SVG}script") is None
    return root


def bar_rects(root: ET.Element, colour: str = charts.PALETTE[0]) -> list[ET.Element]:
    rects = root.iter(f"{SVG}rect")
    return [r for r in rects if r.get("fill") == colour and r.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_vertical_bars_are_one_per_value_and_as_tall_as_their_value():
    values = [3, 0, 12, 7.5, 20]
    root = parsed(charts.bars(["月", "火", "水", "木", "金"], values, "日別ページビュー"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "日別ページビュー"
    assert root.find(f"{SVG}title").text == "日別ページビュー"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
    heights = [float(r.get("height")) for r in bar_rects(root)]
    assert len(heights) == len(values)
    assert heights[1] == 0
    for height, value in zip(heights, values, strict=True):
        assert height == pytest.approx(heights[-1] * value / 20, abs=0.02)
    assert {"月", "金", "日別ページビュー"} <= set(texts(root))
    assert {"0", "20"} <= set(texts(root))  # axis values from 0 to at least the top value


def test_horizontal_percent_bars_with_a_threshold_line():
    root = parsed(
        charts.bars(["a", "b"], [0.25, 0.5], "到達率", horizontal=True, percent=True, line=0.3)
    )
    widths = [float(r.get("width")) for r in bar_rects(root)]
    assert widths[1] == pytest.approx(2 * widths[0], abs=0.02)
    assert {"0%", "50%"} <= set(texts(root))
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1
    x0 = min(float(r.get("x")) for r in bar_rects(root))
    threshold = float(dashed[0].get("x1")) - x0
    assert threshold == pytest.approx(widths[1] * 0.3 / 0.5, abs=0.2)


def test_every_text_is_escaped_and_no_markup_gets_through():
    svg = charts.bars([HOSTILE, "b"], [1, 2], HOSTILE, horizontal=True)
    svg += charts.stacked([HOSTILE], {HOSTILE: [0.4], "b": [0.6]}, HOSTILE)
    svg += charts.grouped([HOSTILE], {HOSTILE: [0.4], "b": [0.6]}, HOSTILE)
    assert "<script" not in svg
    for part in re.findall(r"<svg.*?</svg>", svg):
        root = parsed(part)
        assert root.get("aria-label") == HOSTILE
        assert HOSTILE in texts(root)


def test_stacked_bars_add_up_and_grouped_bars_are_one_per_series_and_group():
    series = {"記事": [0.5, 0.2], "動画": [0.25, 0.8]}
    root = parsed(charts.stacked(["x", "y"], series, "形式の内訳"))
    first, second = bar_rects(root), bar_rects(root, charts.PALETTE[1])
    assert len(first) == len(second) == 2
    assert float(second[0].get("x")) == pytest.approx(
        float(first[0].get("x")) + float(first[0].get("width")), abs=0.1
    )
    assert float(second[1].get("width")) == pytest.approx(4 * float(first[1].get("width")), 0.01)
    assert {"記事", "動画"} <= set(texts(root))  # the legend
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "key"]) == 2
    three = {"記事": [0.5, 0.2, 1], "動画": [0.25, 0.8, 0], "音声": [0, 0, 0.1]}
    root = parsed(charts.grouped(["busy", "light", "deep"], three, "完了率"))
    assert [len(bar_rects(root, colour)) for colour in charts.PALETTE[:3]] == [3, 3, 3]


def test_many_labels_are_turned_and_long_ones_shortened():
    labels = [f"{hour}時" for hour in range(24)]
    root = parsed(charts.bars(labels, list(range(24)), "時間帯別"))
    turned = [t for t in root.iter(f"{SVG}text") if "rotate(-90" in (t.get("transform") or "")]
    assert [t.text for t in turned] == labels
    root = parsed(charts.bars(["長" * 40], [1], "x", horizontal=True))
    assert "長" * 27 + "…" in texts(root)


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0.0, 1.0]),
        (0.83, [n / 10 for n in range(10)]),
        (0.14, [n / 50 for n in range(8)]),
        (10500, [n * 2000 for n in range(7)]),
        (71000, [n * 10000 for n in range(9)]),
        (20, [n * 2.5 for n in range(9)]),
    ],
)
def test_axis_values_are_round_and_reach_the_top(top, ticks):
    assert charts.nice_ticks(top) == pytest.approx(ticks)


def test_the_report_no_longer_needs_a_plotting_library():
    code = (
        "import sys\nfrom analytics.report import charts, cli, dashboard\n"
        "charts.bars(['a'], [1], 'x')\nprint('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["False"]


def reference_profile(features: dict[str, dict], segments: dict) -> dict[str, dict]:
    """The profile as it was computed before: reader by reader into Counters."""
    sums: dict[str, Counter] = defaultdict(Counter)
    counts: dict[str, Counter] = defaultdict(Counter)
    for reader, values in features.items():
        segment = segments[reader] or "(none)"
        for name, value in values.items():
            if value is not None:
                sums[segment][name] += value
                counts[segment][name] += 1
    return {
        segment: {name: sums[segment][name] / counts[segment][name] for name in counts[segment]}
        for segment in sums
    }


def test_the_profile_gives_exactly_the_floats_of_the_reader_by_reader_sum():
    rng = random.Random(18)  # noqa: S311 (test data, not secrets)
    features, segments = {}, {}
    for number in range(5000):
        reader = f"r{number}"
        features[reader] = {
            name: None
            if rng.random() < 0.2
            else rng.choice([rng.random(), rng.randint(0, 500), rng.random() * 1e6, 0.1])
            for name in FEATURES
        }
        segments[reader] = rng.choice(["busy", "light", "deep", None])
    features["lone"] = dict.fromkeys(FEATURES)  # no value at all: no profile
    segments["lone"] = "empty"
    features["short"] = {"pageviews": 7, "active_days": None}  # features it lacks: not measured
    segments["short"] = "busy"
    expected = reference_profile(features, segments)
    got = profile(features, segments)
    assert got == expected  # exact float equality, not approx
    assert "empty" not in got
    assert list(got) == list(expected)


def test_a_nan_value_makes_its_mean_nan_as_before_while_none_is_left_out():
    features = {
        "a": {"pageviews": 1, "engaged_s": float("nan")},
        "b": {"pageviews": None, "engaged_s": 2.0},
    }
    segments = {"a": "busy", "b": "busy"}
    got, expected = profile(features, segments), reference_profile(features, segments)
    assert got["busy"]["pageviews"] == expected["busy"]["pageviews"] == 1
    assert math.isnan(got["busy"]["engaged_s"])
    assert math.isnan(expected["busy"]["engaged_s"])


def test_empty_and_odd_values_still_draw_a_valid_chart():
    for svg in (
        charts.bars([], [], "空"),
        charts.stacked([], {}, "空"),
        charts.grouped([], {"a": []}, "空"),
        charts.bars(["a", "b", "c"], [float("nan"), float("inf"), -3], "変な値", horizontal=True),
    ):
        root = parsed(svg)
        for rect in root.iter(f"{SVG}rect"):
            assert math.isfinite(float(rect.get("width")))
            assert float(rect.get("width")) >= 0
            assert float(rect.get("height")) >= 0
