"""Reader segments: features per reader, then the first matching rule names the segment.

The rules are data (``MAG_REPORT["segment_rules"]``), so an editor can read why
a reader is ``busy`` and change the thresholds without touching code. The
segment ids are the ones articles list in ``Audience:`` and the newsletter uses.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import chain
from operator import itemgetter

import numpy as np

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

    Computed on one numpy matrix (reader x feature) instead of reader by reader:
    each mean is a running sum (``cumsum``, which adds left to right like the
    reader-by-reader loop did, unlike ``sum`` which adds pairwise) over the
    segment's readers in their order, divided by how many had a value, so the
    floats are the same. None (not measured) is found by identity, so a NaN
    value still makes its mean NaN.
    """
    rows = list(features.values())
    names = list(dict.fromkeys(chain.from_iterable(rows)))
    if not rows or not names:
        return {}
    matrix = np.array(
        [tuple(map(row.get, names)) for row in rows]
        if _ragged(rows, names)
        else list(map(itemgetter(*names), rows)),
        dtype=object,
    )
    matrix = matrix.reshape(len(rows), len(names))
    missing = matrix == None  # noqa: E711 - elementwise test for None, not a truth value
    values = np.where(missing, 0, matrix).astype(float)
    codes: dict[str, int] = {}
    segment_of = np.fromiter(
        (codes.setdefault(segments[reader] or "(none)", len(codes)) for reader in features),
        dtype=np.int64,
        count=len(rows),
    )
    means: dict[str, dict] = {}
    for segment, code in codes.items():
        inside = segment_of == code
        found = {}
        for column, name in enumerate(names):
            picked = values[inside & ~missing[:, column], column]
            if picked.size:
                found[name] = float(np.cumsum(picked)[-1]) / picked.size
        if found:  # a segment whose readers have no value at all has no profile
            means[segment] = found
    return means


def _ragged(rows: list[dict], names: list[str]) -> bool:
    """Whether some reader lacks a feature (it then counts as not measured)."""
    return not all(len(row) == len(names) for row in rows)
