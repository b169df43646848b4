"""Reader segments: the one rule for reading ``Audience:``, shared by every part.

The front-matter check, the beacon, the newsletter and the build manifest all
read an article's audience through :func:`split_audience`, so ``busy, light``
and ``busy light`` mean the same everywhere (before, the check refused the
second form while the beacon and the newsletter accepted it). The segment ids
are the keys of ``MAG_AUDIENCES``; this module imports nothing heavy, so the
collector and the report can use it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# The segments when a site sets no MAG_AUDIENCES (pelicanconf.py sets them).
DEFAULT_AUDIENCES = ("busy", "light", "core")

# What a segment id may look like anywhere (front matter, events, file names).
SEGMENT_ID = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def split_audience(value: Any) -> list[str]:
    """``"busy, light"``, ``"busy light"`` or a list → ``["busy", "light"]`` (in order, once)."""
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.replace(",", " ").split()
    else:
        items = value
    ids = (str(item).strip().lower() for item in items)
    return list(dict.fromkeys(item for item in ids if item))


def known_audiences(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The segment ids of this site: the keys of ``MAG_AUDIENCES``."""
    return tuple(settings.get("MAG_AUDIENCES") or DEFAULT_AUDIENCES)


def audiences_of(content: Any) -> list[str]:
    """The segment ids an article (or page) is written for; empty when it names none."""
    value = getattr(content, "audience", None)
    if value is None:
        value = getattr(content, "metadata", {}).get("audience")
    return [item for item in split_audience(value) if SEGMENT_ID.fullmatch(item)]


def unknown_audiences(value: Any, known: Iterable[str]) -> list[str]:
    """The ids of an ``Audience:`` value that are no segment of ``known``."""
    allowed = set(known)
    return [item for item in split_audience(value) if item not in allowed]
