"""CSV exports of the report (UTF-8 with a BOM, so spreadsheet programs read the Japanese)."""

from __future__ import annotations

import csv
import io
import itertools
import operator
import re
from collections import Counter
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path

from mag_core.formats import FORMAT_ORDER

from . import goals_exports
from .archive import SHOWN
from .compute import Report
from .segments import FEATURES, rules_text


def _write(path: Path, header: list[str], rows: Iterable[Iterable]) -> str:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([_cell(value) for value in row] for row in rows)
    return path.name


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, tuple | list):
        return " ".join(map(str, value))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a title is never run as a spreadsheet formula
    return value


def write_all(report: Report, folder: Path) -> list[str]:
    """Write every CSV into ``folder``; returns the file names."""
    names = [
        _articles(report, folder),
        _write(
            folder / "daily.csv",
            ["date", "article", "pageviews"],
            ((day, article, n) for (day, article), n in sorted(report.usage.daily.items())),
        ),
        _write(
            folder / "hourly.csv",
            ["hour", "pageviews"],
            ((hour, report.usage.hourly[hour]) for hour in range(24)),
        ),
        _readers(report, folder),
        _segments(report, folder),
        _write(
            folder / "segment_formats.csv",
            ["segment", "format", "used", "judged", "finished", "finish_rate"],
            ((r.segment, r.format, r.used, r.judged, r.finished, r.rate) for r in report.formats),
        ),
        _write(
            folder / "audience.csv",
            [
                "article",
                "title",
                "segment",
                "intended",
                "readers",
                "segment_size",
                "reach",
                "lift",
                "reached",
            ],
            (
                (
                    r.article,
                    r.title,
                    r.segment,
                    r.intended,
                    r.readers,
                    r.size,
                    r.reach,
                    r.lift,
                    r.reached,
                )
                for r in report.reach
            ),
        ),
    ]
    if report.departments is not None:
        names.append(_departments(report, folder))
    names += goals_exports.write_all(report.goals, folder)
    if report.archive is not None:
        names.append(_archive(report, folder))
    return names


def _archive(report: Report, folder: Path) -> str:
    """Per article of the summarised days: sums only (readers are counted per day)."""
    rows = (
        [article, *(sums[name] for name in SHOWN), report.archive.rate(sums)]
        for article, sums in report.archive.articles.items()
    )
    header = ["article", *(f"{n}_per_day" if n == "readers" else n for n in SHOWN), "read_rate"]
    return _write(folder / "archive.csv", header, rows)


def _articles(report: Report, folder: Path) -> str:
    header = [
        "article",
        "title",
        "audience",
        "reading_minutes",
        "readers",
        "pageviews",
        "view_rate",
        "text_readers",
        "read_through",
        "read_rate",
        "avg_engaged_s",
        "article_pageviews",
        "video_plays",
        "video_play_rate",
        "video_completion",
        "short_plays",
        "short_play_rate",
        "short_completion",
        "newsletter_views",
        "newsletter_readers",
        *(f"readers_{fmt}" for fmt in FORMAT_ORDER),
    ]
    rows = (
        [
            a.article,
            a.title,
            a.audience,
            a.minutes,
            a.readers,
            a.pageviews,
            a.view_rate,
            a.text_readers,
            a.read_through,
            a.read_rate,
            a.avg_engaged_s,
            a.article_views,
            a.plays["video"],
            a.play_rate("video"),
            a.completion("video"),
            a.plays["short"],
            a.play_rate("short"),
            a.completion("short"),
            a.newsletter_views,
            a.newsletter_readers,
            *(a.mix[fmt] for fmt in FORMAT_ORDER),
        ]
        for a in report.articles
    )
    return _write(folder / "articles.csv", header, rows)


def _readers(report: Report, folder: Path) -> str:
    """One row per reader: by far the largest file, so written by ``_plain_table`` when it can."""
    header = ["reader", "segment", *FEATURES]
    readers = sorted(report.features)
    rows = list(map(itemgetter(*FEATURES), map(report.features.__getitem__, readers)))
    segments = list(map(report.segments.__getitem__, readers))
    text = _plain_table(readers, segments, rows)
    if text is None:
        return _write(
            folder / "readers.csv",
            header,
            (
                [reader, segment, *row]
                for reader, segment, row in zip(readers, segments, rows, strict=True)
            ),
        )
    with (folder / "readers.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(header))
        handle.write(text)
    return "readers.csv"


class _Label(str):
    """A cell already written as CSV text (the segment), told apart from an id by its type."""


_NOT_ID = re.compile(r"[^0-9a-z]")
_END = "\x02"  # marks the end of a float cell while its trailing zeros are cut
# Per cell type, its format with the separator before it: a row starts with its id.
_SPECS = {str: "\r\n%s", _Label: ",%s", int: ",%d", float: f",%.4f{_END}", type(None): ",%.0s"}


def _plain_table(ids: list[str], labels: list, rows: list[tuple]) -> str | None:
    """The CSV body (from the first line break) of rows ``id, label, *numbers``, as ``_write``
    would write it; None if a cell is not of the kinds this handles (``_write`` does those).

    About 2 M cells: one %-format over the whole table and five ``str.replace`` passes do
    what ``_cell`` and the csv module do cell by cell. The ids must be lowercase letters
    and digits, which the collector's id pattern ensures for a reader: such an id needs no
    quoting and cannot start a spreadsheet formula. The few distinct labels go through
    ``_cell`` and the csv module once each. Floats are written ``%.4f`` with an end mark,
    then their trailing zeros and a bare point are cut at the mark, as ``_cell`` does
    (four decimals: "0.5000" -> "0.5", "2.0000" -> "2", "-0.0000" -> "-0").
    """
    texts = {label: _Label(_csv_text(_cell(label))) for label in set(labels)}
    heads = zip(ids, map(texts.__getitem__, labels), strict=True)
    cells = list(itertools.chain.from_iterable(map(operator.add, heads, rows)))
    types = list(map(type, cells))
    counts = Counter(types)
    # Exactly one id and one label a row; every other cell a number or empty.
    if counts.keys() - _SPECS.keys() or not counts[str] == counts[_Label] == len(ids):
        return None
    if (
        set(map(type, ids)) - {str}
        or _NOT_ID.search("".join(ids))
        or any(_END in text for text in texts.values())
    ):
        return None
    text = "".join(map(_SPECS.__getitem__, types)) % tuple(cells)
    # Each step leaves only tails the next one must see: ".X000" became ".X" with X not 0.
    text = text.replace(f".0000{_END}", "").replace(f"000{_END}", _END)
    text = text.replace(f"00{_END}", _END).replace(f"0{_END}", _END).replace(_END, "")
    return text + "\r\n"


def _csv_text(value) -> str:
    """One cell exactly as the csv module writes it within a row (quoted where it must be)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([value, ""])
    return buffer.getvalue()[:-1]


def _segments(report: Report, folder: Path) -> str:
    sizes = dict.fromkeys(report.order, 0)
    for segment in report.segments.values():
        sizes[segment or "(none)"] = sizes.get(segment or "(none)", 0) + 1
    rules = rules_text(report.config["segment_rules"])
    rows = (
        [
            segment,
            size,
            rules.get(segment, "no rule matched"),
            *(report.profiles.get(segment, {}).get(name) for name in FEATURES),
        ]
        for segment, size in sizes.items()
    )
    return _write(folder / "segments.csv", ["segment", "readers", "rule", *FEATURES], rows)


def _departments(report: Report, folder: Path) -> str:
    result = report.departments
    rows = [
        [
            d.name,
            d.readers,
            d.pageviews,
            d.read_rate,
            d.avg_engaged_s,
            *(d.segments[s] / d.readers for s in report.order),
            "pooled" if d.suppressed else "",
        ]
        for d in result.shown
    ]
    note = f"suppressed: under {result.min_group} readers, or hidden to protect such a group"
    rows += [
        [name, *("" for _ in range(4 + len(report.order))), note] for name in result.suppressed
    ]
    header = [
        "department",
        "readers",
        "pageviews",
        "read_rate",
        "avg_engaged_s",
        *(f"share_{s}" for s in report.order),
        "note",
    ]
    return _write(folder / "departments.csv", header, rows)
