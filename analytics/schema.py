"""The beacon's event schema (version 2): what the collector accepts, field by field.

Every event is one JSON object. Unknown types and unknown fields are rejected,
strings must match a tight pattern and length (so markup or SQL never gets in),
numbers must be finite and are clamped to their range, and URLs keep only their
scheme, host and path (query strings can carry personal data). Every string must
also pass ``storable_text``, the one rule for text that goes into the database:
no lone surrogates (SQLite cannot encode them, and the whole batch they were
committed with would fail), no control characters and no bidi overrides (they
would rewrite a terminal or a report when shown). The same table
is written up in docs/development/analytics-events.md; change both together and bump
SCHEMA_VERSION when a change is not backwards compatible.

Version 2 added the ``goal`` event (a reader reached one of MAG_GOALS). It only adds,
so version-1 events, still sent by pages cached before a release, stay valid; a goal
event must say version 2, so a version-1 sender cannot claim to know goals.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mag_core.formats import FORMAT_ORDER

SCHEMA_VERSION = 2
VERSIONS = (1, SCHEMA_VERSION)
EVENT_TYPES = ("pageview", "engagement", "video", "format", "click", "goal")
# The first version that knows each type; the rest came with version 1.
SINCE_VERSION = {"goal": 2}
QUARTILES = (0, 25, 50, 75, 100)
CLICK_KINDS = ("outbound", "download")
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
MAX_ENGAGED_MS = 24 * 60 * 60 * 1000
# Anything beyond this is not a measurement but an attack or a bug.
MAX_ABS_NUMBER = 1e15
# The muted, looping preview on the home page and lists: counted apart from the full video.
PREVIEW = "preview"


class Invalid(ValueError):
    """The event does not follow the schema; the message says why (sent back with 400)."""


_SITE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ID = re.compile(r"[0-9a-z]{6,32}")
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
# A URL path as browsers send it (RFC 3986 characters; the rest is %-encoded).
_PATH = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]{0,511}")
_URL = re.compile(r"https?://[^\s<>\"'`\\{}|^]{1,2000}")
_AUDIENCE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
# Goal ids as MAG_GOALS declares them (mag_goals.settings.GOAL_ID, kept equal by a test:
# the collector does not import the site's plugins).
_GOAL = re.compile(r"[a-z][a-z0-9-]{0,31}")
# Campaign values are decoded text, possibly Japanese: letters, digits and a few marks.
_CAMPAIGN = re.compile(r"[\w\-.+:/ ]{1,100}")
# Lone surrogates (a JSON "\ud800" decodes to one, UTF-8 has no encoding for it), C0 and
# C1 controls, and the invisible marks that reorder text (Trojan-Source style).
_UNSTORABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # controls
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, overrides, isolates
    "\ud800-\udfff]"  # surrogates: in a str, only lone ones are left
)


def storable_text(value: str) -> str:
    """``value`` if the database can store it and a report can show it as it is; else Invalid.

    The one rule shared by the validator (every string of an event), the batch
    writer (to name the value when the database refuses an event) and every path
    that writes rows not checked by the validator (``storage.import_events``).
    """
    found = _UNSTORABLE.search(value)
    if found:
        raise Invalid(f"character U+{ord(found.group()):04X} is not allowed")
    return value


def _text(pattern: re.Pattern[str]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise Invalid("not an allowed value")
        return value

    return check


def _choice(options: tuple[Any, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or value not in options:
            raise Invalid(f"must be one of {', '.join(map(str, options))}")
        return options[options.index(value)]  # 25.0 is stored as 25

    return check


def _number(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid("not a number")
        # An int is compared as it is: turned into a float, a 400-digit one overflows.
        finite = isinstance(value, int) or math.isfinite(value)
        if not finite or abs(value) > MAX_ABS_NUMBER:
            raise Invalid("number out of range")
        return int(min(max(value, low), high))

    return check


def _flag(value: Any) -> int:
    if not isinstance(value, bool):
        raise Invalid("not true or false")
    return int(value)


def _url(value: Any) -> str | None:
    """http(s) URL, kept as scheme://host/path; an empty referrer is no referrer."""
    if value == "":
        return None
    if not isinstance(value, str) or not _URL.fullmatch(value):
        raise Invalid("not an http(s) URL")
    try:  # "http://[::1" and friends: urlsplit raises on a broken IPv6 host
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise Invalid("not an http(s) URL") from None
    if not host:
        raise Invalid("not an http(s) URL")
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))[:512]


def _audience(value: Any) -> str | None:
    """Segment ids as the page lists them ("busy light"), stored space-separated."""
    if not isinstance(value, str) or len(value) > 200:
        raise Invalid("not a list of segment ids")
    ids = value.replace(",", " ").split()
    if len(ids) > 8 or not all(_AUDIENCE.fullmatch(item) for item in ids):
        raise Invalid("not a list of segment ids")
    return " ".join(ids) or None


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], Any]
    required: bool = False
    column: str | None = None  # storage column, when it differs from the field name


_format = _choice(FORMAT_ORDER)
_video_format = _choice((*FORMAT_ORDER, PREVIEW))

COMMON: Mapping[str, Field] = {
    "v": Field(_choice(VERSIONS), required=True),
    "type": Field(_choice(EVENT_TYPES), required=True),
    "site": Field(_text(_SITE), required=True),
    "reader": Field(_text(_ID), required=True),
    "view": Field(_text(_ID), required=True),
    "path": Field(_text(_PATH), required=True),
    "article": Field(_text(_SLUG)),
    "format": Field(_format),
}

BY_TYPE: Mapping[str, Mapping[str, Field]] = {
    "pageview": {
        "referrer": Field(_url),
        "audience": Field(_audience),
        **{key: Field(_text(_CAMPAIGN)) for key in UTM_KEYS},
    },
    "engagement": {
        "engaged_ms": Field(_number(0, MAX_ENGAGED_MS), required=True),
        "scroll": Field(_number(0, 100), required=True),
    },
    "video": {
        "format": Field(_video_format, required=True),
        "quartile": Field(_choice(QUARTILES), required=True),
        "muted": Field(_flag, required=True),
        "captions": Field(_flag, required=True),
    },
    "format": {
        "format": Field(_format, required=True),
        "from": Field(_format, column="from_format"),
    },
    "click": {
        "kind": Field(_choice(CLICK_KINDS), required=True),
        "url": Field(_url, required=True),
    },
    "goal": {
        "goal": Field(_text(_GOAL), required=True),
    },
}


def _no_constant(name: str) -> None:
    raise Invalid(f"{name} is not a number")


# One decoder for every event (json.loads with options would build one per call).
_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def parse(body: bytes) -> dict[str, Any]:
    """Decode and validate one event; returns the storage row (column -> value)."""
    try:
        event = _DECODER.decode(body.decode("utf-8"))
    except Invalid:
        raise
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise Invalid("body is not JSON") from error
    return validate(event)


# Every field an event of each type may carry (a type's own fields win), and the ones it must.
_FIELDS = {kind: {**COMMON, **own} for kind, own in BY_TYPE.items()}
_REQUIRED = {
    kind: tuple(name for name, field in fields.items() if field.required)
    for kind, fields in _FIELDS.items()
}


def validate(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        raise Invalid("an event is a JSON object")
    kind = event.get("type")
    fields = _FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise Invalid(f"type must be one of {', '.join(EVENT_TYPES)}")
    unknown = event.keys() - fields.keys()
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0][:40]!r}")
    for name in _REQUIRED[kind]:
        if name not in event:
            raise Invalid(f"field {name!r} is missing")
    row: dict[str, Any] = {}
    for name, value in event.items():
        field = fields[name]
        try:
            if isinstance(value, str):
                storable_text(value)
            row[field.column or name] = field.check(value)
        except Invalid as error:
            raise Invalid(f"field {name!r}: {error}") from None
    since = SINCE_VERSION.get(kind, 1)
    if row["v"] < since:
        raise Invalid(f"field 'v': {kind} events are version {since} or later")
    return row
