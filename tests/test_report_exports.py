"""readers.csv, the report's largest file, is written by a specialised formatter.

It must write exactly the bytes the general CSV writer (``_write``: ``_cell`` and the
csv module) writes, for every value a reader's features can take, and hand anything
it was not made for back to the general writer.
"""

from __future__ import annotations

import math
import os
import random
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from analytics.report import exports
from analytics.report.forked import Forked
from analytics.report.segments import FEATURES
from mag_core import ContentError

AWKWARD = [
    None,
    0,
    0.0,
    -0.0,
    0.1 + 0.2,
    1e-5,
    -1e-5,
    0.00005,
    0.00015,
    0.5,
    2.0,
    100.0,
    1000,
    10.05,
    123.45678,
    2**63 - 1,
    10**30,
    1e22,
    2.0**70,
    -3.5,
    -1000,
    math.inf,
    -math.inf,
    math.nan,
    0.99995,
    9.99999,
]


def general(report, folder: Path) -> bytes:
    """readers.csv as the general writer writes it."""
    rows = (
        [reader, report.segments[reader], *(values[name] for name in FEATURES)]
        for reader, values in sorted(report.features.items())
    )
    path = exports._write(folder / "general.csv", ["reader", "segment", *FEATURES], rows)
    return (folder / path).read_bytes()


def fast(report, folder: Path) -> bytes:
    return (folder / exports._readers(report, folder)).read_bytes()


def planted(features: dict[str, list], segments: dict[str, object]):
    return SimpleNamespace(
        features={r: dict(zip(FEATURES, values, strict=True)) for r, values in features.items()},
        segments=segments,
    )


def awkward_report(seed: int, readers: int = 400):
    rng = random.Random(seed)  # noqa: S311 - planted data, not secrets
    segments = ["busy", "light", "core-2", "dormant_x", None]
    features, segment_of = {}, {}
    for number in range(readers):
        reader = f"r{rng.randrange(10**9):09d}{number}"
        features[reader] = [
            rng.choice(AWKWARD) if rng.random() < 0.6 else rng.uniform(-1e6, 1e6) for _ in FEATURES
        ]
        segment_of[reader] = rng.choice(segments)
    return planted(features, segment_of)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_readers_csv_equals_the_general_writer_byte_for_byte(tmp_path, seed):
    report = awkward_report(seed)
    assert exports._plain_table(*_parts(report)) is not None  # the fast path is taken
    assert fast(report, tmp_path) == general(report, tmp_path)


def test_every_awkward_value_in_every_column(tmp_path):
    features = {f"a{n:06d}": [value] * len(FEATURES) for n, value in enumerate(AWKWARD)}
    report = planted(features, dict.fromkeys(features))
    assert exports._plain_table(*_parts(report)) is not None
    written = fast(report, tmp_path)
    assert written == general(report, tmp_path)


def test_floats_are_cut_to_four_decimals_without_trailing_zeros(tmp_path):
    values = {"a000001": 0.1 + 0.2, "a000002": -0.0, "a000003": 100.0, "a000004": 1e-5}
    report = planted({r: [v] * len(FEATURES) for r, v in values.items()}, dict.fromkeys(values))
    lines = fast(report, tmp_path).decode("utf-8-sig").split("\r\n")
    assert [line.split(",")[2] for line in lines[1:-1]] == ["0.3", "-0", "100", "0"]
    assert lines[-1] == ""


@pytest.mark.parametrize(
    ("reader", "segment", "value"),
    [
        ("=cmd", "busy", 1),  # an id outside the collector's pattern: formula guard
        ("r0001,x", "busy", 1),  # would need quoting
        ("r000001", "-minus", 1),  # a label the guard prefixes, quoted by the csv module
        ("r000001", 'a"b,c', 1),
        ("r000001", "busy", True),  # a type the fast path does not format
        ("r000001", "busy", "=1+1"),
        ("r000001", "busy", 1.5),
    ],
)
def test_what_the_fast_path_does_not_cover_is_still_written_the_general_way(
    tmp_path, reader, segment, value
):
    report = planted({reader: [value] * len(FEATURES), "r000000": [1] * len(FEATURES)}, {})
    report.segments = {reader: segment, "r000000": None}
    assert fast(report, tmp_path) == general(report, tmp_path)


def test_an_id_that_would_start_a_formula_is_guarded(tmp_path):
    report = planted({"-1+2": [1] * len(FEATURES)}, {"-1+2": "@x"})
    text = fast(report, tmp_path).decode("utf-8-sig")
    assert text.split("\r\n")[1].startswith("'-1+2,'@x,1,")


def test_no_readers_writes_the_header_only(tmp_path):
    report = planted({}, {})
    assert fast(report, tmp_path) == general(report, tmp_path)


def _parts(report):
    readers = sorted(report.features)
    rows = [tuple(report.features[r][name] for name in FEATURES) for r in readers]
    return readers, [report.segments[r] for r in readers], rows


def _fail(path: str, line: int):
    raise ContentError(path, "bad", line=line)


def _unpicklable():
    return lambda: None


def test_a_forked_function_returns_its_value_or_raises_its_error_here():
    assert Forked(sorted, [3, 1, 2]).result() == [1, 2, 3]
    with pytest.raises(ContentError, match=r"articles\.csv:3: bad") as raised:
        Forked(_fail, "articles.csv", 3).result()
    assert (raised.value.path, raised.value.line) == ("articles.csv", 3)
    with pytest.raises(RuntimeError, match="function"):
        Forked(_unpicklable).result()
    with pytest.raises(RuntimeError, match="stopped without a result"):
        Forked(os._exit, 3).result()


def test_a_forked_child_is_stopped_when_this_process_fails_first():
    child = Forked(time.sleep, 60)
    started = time.monotonic()
    child.cancel()
    assert time.monotonic() - started < 30
