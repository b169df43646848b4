"""``Highlights:`` -> the segments of the short cut, in source seconds.

Items are cue identifiers (``intro``), spans of cues (``q2..q3``) or time
ranges (``00:01:10.0-00:01:25.5``), separated by commas, in the order they
appear in the video. Mistakes name the article and the line of ``Highlights:``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from mag_core import ContentError
from mag_core.captions import Cue, format_timestamp

from .model import Segment

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:\.\d+)?|\d+(?:\.\d+)?"
_RANGE = re.compile(rf"^(?P<start>{_TIME})\s*-\s*(?P<end>{_TIME})$")
# Highlights closer than this are joined into one segment: no join, no fade.
_JOIN_GAP = 0.3
_EPSILON = 0.001


@dataclass(frozen=True)
class _Item:
    text: str
    start: float
    end: float
    cue_ids: tuple[str, ...]
    from_cues: bool


def resolve_highlights(
    value: str,
    cues: list[Cue],
    captions_path: str | Path | None,
    duration: float | None,
    *,
    source: tuple[str | Path, int | None] | None = None,
    padding: float = 0.0,
) -> list[Segment]:
    """Segments for the ``Highlights:`` value; ContentError for anything wrong.

    ``source`` is (article file, line of ``Highlights:``) for error messages;
    ``padding`` widens segments given as cue ids by that many seconds each side.
    """
    where, line = source if source else (captions_path or "Highlights", None)

    def fail(message: str, hint: str | None = None) -> ContentError:
        return ContentError(where, f"Highlights: {message}", line=line, hint=hint)

    items = [_item(text, cues, captions_path, fail) for text in _split(value)]
    segments: list[Segment] = []
    previous: _Item | None = None
    for item in items:
        if item.end - item.start <= _EPSILON:
            raise fail(f"{item.text!r} is empty (it ends where it starts)")
        if duration is not None and item.end > duration + 0.05:
            raise fail(
                f"{item.text!r} ends at {format_timestamp(item.end)}, after the video "
                f"ends ({format_timestamp(duration)})"
            )
        if previous is not None and item.start < previous.end - _EPSILON:
            raise fail(
                f"{item.text!r} overlaps or comes before {previous.text!r}",
                hint="list highlights in the order of the video, without overlaps",
            )
        segments = _append(segments, item, padding, duration)
        previous = item
    return segments


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,、，]", value or "") if part.strip()]


def _item(text: str, cues: list[Cue], captions_path, fail) -> _Item:
    by_id = {cue.id: cue for cue in cues if cue.id}
    if text in by_id:
        cue = by_id[text]
        return _Item(text, cue.start, cue.end, (text,), True)
    if ".." in text:
        first, _, last = (part.strip() for part in text.partition(".."))
        start, end = (_cue(name, by_id, captions_path, fail) for name in (first, last))
        ids = tuple(c.id for c in cues if c.id and start.start <= c.start and c.end <= end.end)
        return _Item(text, start.start, end.end, ids, True)
    match = _RANGE.match(text)
    if match:
        start, end = _seconds(match["start"]), _seconds(match["end"])
        ids = tuple(c.id for c in cues if c.id and c.start < end and c.end > start)
        return _Item(text, start, end, ids, False)
    _cue(text, by_id, captions_path, fail)  # raises: neither an id nor a range
    raise AssertionError  # pragma: no cover


def _cue(name: str, by_id: dict[str, Cue], captions_path, fail) -> Cue:
    if name in by_id:
        return by_id[name]
    close = difflib.get_close_matches(name, list(by_id), n=1)
    hint = f"did you mean {close[0]!r}?" if close else None
    if not by_id:
        hint = "the captions have no cue identifiers; use time ranges like 00:01:10-00:01:25"
    elif hint is None:
        hint = "known ids: " + ", ".join(list(by_id)[:12])
    captions = Path(captions_path).name if captions_path else "the captions"
    return_error = fail(f"no cue {name!r} in {captions} (nor a time range)", hint)
    raise return_error


def _seconds(text: str) -> float:
    parts = [float(part) for part in text.split(":")]
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


def _append(segments: list[Segment], item: _Item, padding: float, duration: float | None):
    """Add ``item`` (padded when made of cues), joining it to a segment it touches."""
    start, end = item.start, item.end
    if item.from_cues and padding:
        floor = segments[-1].end if segments else 0.0
        start = max(start - padding, floor, 0.0)
        end = end + padding if duration is None else min(end + padding, duration)
    if segments and start - segments[-1].end < _JOIN_GAP:
        last = segments[-1]
        ids = last.cue_ids + tuple(i for i in item.cue_ids if i not in last.cue_ids)
        return [*segments[:-1], Segment(last.start, max(end, last.end), ids)]
    return [*segments, Segment(start, end, item.cue_ids)]
