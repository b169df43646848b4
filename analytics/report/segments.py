"""Reader segments: features per reader, then the first matching rule names the segment.

The rules are data (``MAG_REPORT["segment_rules"]``), so an editor can read why
a reader is ``busy`` and change the thresholds without touching code. The
segment ids are the ones articles list in ``Audience:`` and the newsletter uses.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from functools import partial, reduce
from itertools import chain
from operator import add, itemgetter

from mag_core.formats import FORMAT_LABELS
from mag_core.formats import FORMAT_ORDER as FORMATS

# name -> what it measures (shown on the dashboard and in docs/report/reading.md)
FEATURES = {
    "pageviews": "page views in the period",
    "active_days": "days with at least one page view",
    "engaged_s": "engaged seconds in all (page visible and focused)",
    "engaged_per_view_s": "engaged seconds per page view",
    "read_through": "share of article pages read through (読了), of those with a reading time",
    "video_completion": "share of full-video plays watched to the end",
    "newsletter": "page views opened from the newsletter",
    "newsletter_share": "share of page views opened from the newsletter",
    **{
        f"share_{fmt}": f"share of the reader's article uses in the {fmt} format" for fmt in FORMATS
    },
    "skim_share": "share_short + share_transcript: quick formats",
}

# The same features as the editors read them on the dashboard (Japanese, no code names).
FEATURE_LABELS = {
    "pageviews": "ページビュー",
    "active_days": "閲覧した日数",
    "engaged_s": "閲読秒（合計）",
    "engaged_per_view_s": "1ページあたりの閲読秒",
    "read_through": "記事を読了した割合",
    "video_completion": "動画を最後まで見た割合",
    "newsletter": "メルマガ経由のページビュー",
    "newsletter_share": "メルマガ経由の割合",
    **{f"share_{fmt}": f"「{FORMAT_LABELS[fmt]}」で触れた割合" for fmt in FORMATS},
    "skim_share": "ショートと文字で読むの割合",
}
_SYMBOLS = {"<": "<", "<=": "≦", ">=": "≧", ">": ">"}


def is_share(name: str) -> bool:
    """Features that are shares (0..1), shown as percentages."""
    return "share" in name or name in ("read_through", "video_completion")


def threshold_text(name: str, value: float) -> str:
    return f"{value * 100:g}%" if is_share(name) else f"{value:g}"


def describe_rule_ja(conditions: dict[str, tuple[str, float]]) -> str:
    """A rule as the dashboard says it, with the thresholds of the settings."""
    if not conditions:
        return "ほかのすべての読者"
    return " かつ ".join(
        f"{FEATURE_LABELS[name]} {_SYMBOLS[op]} {threshold_text(name, limit)}"
        for name, (op, limit) in conditions.items()
    )


def rules_text_ja(rules) -> dict[str, str]:
    texts: dict[str, list[str]] = defaultdict(list)
    for segment, conditions in rules:
        texts[segment].append(describe_rule_ja(conditions))
    return {segment: " または ".join(parts) for segment, parts in texts.items()}


_SQL_OPERATORS = {"<": "<", "<=": "<=", ">=": ">=", ">": ">"}


def segment_sql(rules) -> str:
    """The rules as one SQL CASE over the ``readers`` features: the first match names the segment.

    A feature a reader has no value for is NULL, and a comparison with NULL is
    not true: such a condition does not match, as the settings promise.
    """
    whens = []
    for segment, conditions in rules:
        test = " AND ".join(
            f"{name} {_SQL_OPERATORS[op]} '{float(limit)!r}'::DOUBLE"
            for name, (op, limit) in conditions.items()
        )
        whens.append(f"WHEN {test or 'true'} THEN '{segment}'")
    return f"CASE {' '.join(whens)} END"


def segment_order(rules) -> list[str]:
    """Segment ids in the order the rules name them, each once."""
    return list(dict.fromkeys(segment for segment, _ in rules))


def describe_rule(conditions: dict[str, tuple[str, float]]) -> str:
    if not conditions:
        return "everyone else"
    return " and ".join(f"{name} {op} {limit:g}" for name, (op, limit) in conditions.items())


def rules_text(rules) -> dict[str, str]:
    """Segment -> its rule(s) in words; a segment named by two rules gets both."""
    texts: dict[str, list[str]] = defaultdict(list)
    for segment, conditions in rules:
        texts[segment].append(describe_rule(conditions))
    return {segment: " or ".join(parts) for segment, parts in texts.items()}


def profile(features: dict[str, dict], segments: dict[str, str | None]) -> dict[str, dict]:
    """Segment -> mean of every feature over its readers (who have a value): what it looks like.

    The readers' values are turned into one column per feature in C (``itemgetter``
    and ``zip``), then each column is summed left to right from 0: the same floats
    as adding reader by reader (``_sum_in_order``).
    """
    rows_of: dict[str, list[dict]] = defaultdict(list)
    for reader, values in features.items():
        rows_of[segments[reader] or "(none)"].append(values)
    means: dict[str, dict] = {}
    for segment, rows in rows_of.items():
        found = {}
        for name, column in _columns(rows).items():
            values = [value for value in column if value is not None]
            if values:
                found[name] = _sum_in_order(values) / len(values)
        if found:  # a segment whose readers have no value at all has no profile
            means[segment] = found
    return means


# sum() adds floats left to right up to Python 3.11 (and fast, in C); from 3.12 it
# compensates rounding errors, which would change the means, so add one by one there.
_sum_in_order = sum if sys.version_info < (3, 12) else partial(reduce, add)


def _columns(rows: list[dict]) -> dict[str, tuple]:
    """Feature -> its values in reader order; a feature a reader lacks counts as no value."""
    names = list(dict.fromkeys(chain.from_iterable(rows)))
    if not all(len(row) == len(names) for row in rows):
        rows = [{name: row.get(name) for name in names} for row in rows]
    if len(names) == 1:
        return {names[0]: tuple(row[names[0]] for row in rows)}
    return dict(zip(names, zip(*map(itemgetter(*names), rows), strict=True), strict=True))
