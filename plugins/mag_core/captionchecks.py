"""Checks on parsed captions: what makes a caption hard or impossible to read.

Each problem is a ContentError with the caption file and the line of the cue's
timing line. Cues past the end of the video are never seen, so they go
through :func:`mag_core.report` (an error in strict builds); the others are
judgement calls an editor may accept (a one-word answer on screen for 0.5 s),
so they stay warnings even in strict builds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import problems
from .captions import Cue
from .errors import ContentError
from .webvtt import format_timestamp

logger = logging.getLogger(__name__)

# A cue may end this much after the last frame: encoders round the duration.
_END_SLACK = 0.1


def past_end(cues: Sequence[Cue], path: str | Path, duration: float) -> list[ContentError]:
    """One error for the cues that run past the end of the video (from the first one)."""
    late = [cue for cue in cues if cue.end > duration + _END_SLACK]
    if not late:
        return []
    first, last = late[0], max(late, key=lambda cue: cue.end)
    count = f"this cue and {len(late) - 1} more" if len(late) > 1 else "this cue"
    return [
        ContentError(
            path,
            f"{count} run past the end of the video ({format_timestamp(duration)}); "
            f"the captions go on to {format_timestamp(last.end)}",
            line=first.line,
            hint="check that the captions belong to this video, or shorten the cues",
        )
    ]


def timing_warnings(
    cues: Sequence[Cue], path: str | Path, config: Mapping[str, Any]
) -> list[ContentError]:
    """Cues too short, too long, too fast to read, or overlapping one of the same speaker."""
    found = []
    for cue in cues:
        found += _duration_problems(cue, path, config)
    found += _overlaps(cues, path)
    found.sort(key=lambda error: error.line or 0)
    return found


def _duration_problems(cue: Cue, path, config) -> list[ContentError]:
    def problem(message: str, hint: str) -> ContentError:
        return ContentError(path, message, line=cue.line, hint=hint)

    # Times are whole milliseconds in the file; rounding keeps 7.000 s from being over 7.
    seconds = round(cue.end - cue.start, 3)
    low, high, fastest = (
        config["min_seconds"],
        config["max_seconds"],
        config["max_chars_per_second"],
    )
    found = []
    if seconds < low:
        message = f"the cue is on screen for {seconds:.2f} s, under {low} s"
        found.append(problem(message, "show it longer, or join it to the next cue"))
    elif seconds > high:
        message = f"the cue is on screen for {seconds:.1f} s, over {high} s"
        found.append(problem(message, "split it into shorter cues that follow the speech"))
    characters = reading_length(cue)
    if characters / seconds > fastest:
        message = (
            f"{characters} characters in {seconds:.2f} s is {characters / seconds:.0f} a second, "
            f"more than {fastest}"
        )
        found.append(problem(message, "shorten the text, or give the cue more time"))
    return found


def reading_length(cue: Cue) -> int:
    """Characters a viewer reads: the text without spaces and line breaks (ruby left out)."""
    return sum(1 for char in cue.text if not char.isspace())


def _overlaps(cues: Sequence[Cue], path) -> list[ContentError]:
    """A cue starting before the previous cue of the same speaker ends.

    A run without a voice continues the last speaker, as in the transcript;
    captions without any speaker count as one voice.
    """
    last_of: dict[str | None, Cue] = {}
    current: str | None = None
    found = []
    for cue in sorted(cues, key=lambda cue: cue.start):
        voices = []
        for part in cue.parts:
            current = part.voice or current
            voices.append(current)
        for voice in dict.fromkeys(voices or [current]):
            previous = last_of.get(voice)
            if previous is not None and cue.start < previous.end:
                who = f"of {voice}" if voice else "(no speaker named)"
                found.append(
                    ContentError(
                        path,
                        f"the cue starts before the cue {who} on line {previous.line} ends "
                        f"({format_timestamp(previous.end)})",
                        line=cue.line,
                        hint="end the earlier cue first, or merge the two",
                    )
                )
            if previous is None or cue.end > previous.end:
                last_of[voice] = cue
    return found


# '<' then whitespace opens a tag without a name: the text up to the next '>'
# vanishes, in a browser as here ("1 < 2 and 3 > 2" shows "1  2").
_NAMELESS_TAG = re.compile(r"<[\t\n\f ][^>]*>?")


def markup_warnings(cues: Sequence[Cue], path: str | Path) -> list[ContentError]:
    """Text a browser would swallow as a tag, and ids with spaces at their ends."""
    found = []
    for cue in cues:
        if cue.id and cue.id != cue.id.strip():
            # Kept as written (browsers do), so 'Highlights: q1' does not find 'q1 '.
            found.append(
                ContentError(
                    path,
                    f"the cue id {cue.id!r} has spaces at its start or end",
                    line=cue.line - 1,
                    hint="remove them, so that Highlights: can name the cue",
                )
            )
        for match in _NAMELESS_TAG.finditer(cue.raw):
            line = cue.line + 1 + cue.raw.count("\n", 0, match.start())
            found.append(
                ContentError(
                    path,
                    f"{match[0]!r} is read as a tag and is not shown",
                    line=line,
                    hint="write '<' as &lt; (and '>' as &gt;) when they are text",
                )
            )
    return found


def report_checks(
    cues: Sequence[Cue],
    path: str | Path,
    duration: float | None,
    settings: Mapping[str, Any],
    config: Mapping[str, Any],
) -> None:
    """Past the end: reported (stops a strict build); the rest: logged as warnings."""
    if duration is not None:
        for error in past_end(cues, path, duration):
            problems.report(error, settings)
    found = timing_warnings(cues, path, config) + markup_warnings(cues, path)
    for warning in sorted(found, key=lambda warning: warning.line or 0):
        problems.warn(warning, settings)
