"""Which readers keep the default order: the holdout of the "for you" order.

The browser (theme/static/js) applies the same rule to the same reader id, so
the report knows each reader's group without anything more being sent.
"""

from __future__ import annotations

BUCKETS = 100


def bucket(reader: str) -> int:
    """0..99 from the reader id's last four characters, read as a base-36 number."""
    return int(reader[-4:], 36) % BUCKETS


def in_holdout(reader: str, percent: int) -> bool:
    return bucket(reader) < percent
