"""The file level of WebVTT (and SRT): lines -> blocks -> cues with ids, times and raw text.

Follows the W3C "WebVTT parser algorithm" step by step, so a file gives the
same cues as in a browser: a cue right after the ``WEBVTT`` line is kept, a
cue may follow the previous one without a blank line, an identifier is the
whole line as written (spaces too), and a line breaks only at CR, LF or CRLF
(``str.splitlines`` also breaks at form feed, U+0085 and U+2028, which are
text in WebVTT).

Where a browser silently drops something (a cue with a bad timestamp, stray
text, a STYLE block after the first cue), this module records a problem with
its line instead, and goes on, so the editor sees every problem of the file
at once. Cue text markup is parsed by :mod:`mag_core.cuetext`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

_SIGNATURE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
# "Skip whitespace" on a line: the spec's set without the line breaks.
_SPACE = " \t\f"
_BLOCK_HEADS = ("STYLE", "REGION")
# A timestamp as written, for messages: up to a space or the arrow.
_TOKEN = re.compile(r"(?:(?!-->)[^ \t\f])*")


@dataclass(frozen=True)
class RawCue:
    id: str  # "" when the cue has none
    start: float
    end: float
    line: int  # 1-based line of the timing line
    text: str  # cue text as written, lines joined by "\n"


@dataclass
class ParsedFile:
    cues: list[RawCue] = field(default_factory=list)
    # (line, message, hint) of every problem found, in file order.
    problems: list[tuple[int, str, str | None]] = field(default_factory=list)

    def problem(self, line: int, message: str, hint: str | None = None) -> None:
        self.problems.append((line, message, hint))


def split_lines(text: str) -> list[str]:
    """The spec's preprocessing: NUL -> U+FFFD, CRLF and CR -> LF, then split at LF only."""
    text = text.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the final LF ends the last line; it does not start another
    return lines


def parse_webvtt(text: str) -> ParsedFile:
    """Cues and problems of a WebVTT document (already decoded)."""
    lines = split_lines(text)
    parsed = ParsedFile()
    if not lines or not _SIGNATURE.match(lines[0]):
        parsed.problem(
            1,
            "not a WebVTT file: the first line must be 'WEBVTT'",
            "add a first line 'WEBVTT' followed by a blank line",
        )
        return parsed
    reader = _Blocks(lines, parsed, decimal=".")
    reader.position = 1
    if reader.position < len(lines) and lines[reader.position] != "":
        reader.block(in_header=True)  # text under WEBVTT; stops before a timing line
    reader.run()
    return parsed


def parse_srt(text: str) -> ParsedFile:
    """SRT read with the same block rules: no header, a comma (or, as some tools write,
    a full stop) before the milliseconds."""
    parsed = ParsedFile()
    _Blocks(split_lines(text), parsed, decimal=",.").run()
    return parsed


class _Blocks:
    """The spec's "collect a WebVTT block", over a list of lines instead of characters."""

    def __init__(self, lines: list[str], parsed: ParsedFile, decimal: str) -> None:
        # decimal: the characters allowed before the milliseconds.
        self.lines = lines
        self.parsed = parsed
        self.decimal = decimal
        self.position = 0  # index of the next line to read
        self.seen_cue = False

    def run(self) -> None:
        self._skip_blank_lines()
        while self.position < len(self.lines):
            self.block(in_header=False)
            self._skip_blank_lines()

    def _skip_blank_lines(self) -> None:
        while self.position < len(self.lines) and self.lines[self.position] == "":
            self.position += 1

    def block(self, *, in_header: bool) -> None:
        """Read one block from ``position``; add its cue, or record why it is not one."""
        first = self.position
        line_count, previous = 0, self.position
        buffer: list[str] = []
        seen_arrow, cue, kind = False, None, None
        while True:
            at_end = self.position >= len(self.lines) - 1
            line = self.lines[self.position] if self.position < len(self.lines) else ""
            self.position += 1
            line_count += 1
            if "-->" in line:
                if in_header or not (line_count == 1 or (line_count == 2 and not seen_arrow)):
                    self.position = previous  # the timing line starts the next block
                    break
                seen_arrow, previous = True, self.position
                cue = self._timings(line, "\n".join(buffer), self.position)
                if cue is not None:
                    buffer, self.seen_cue = [], True
            elif line == "":
                break
            else:
                if not in_header and line_count == 2:
                    kind = self._style_or_region(buffer)
                    if kind:
                        buffer = []  # the block's lines are CSS or region settings
                buffer.append(line)
                previous = self.position
            if at_end:
                break
        if cue is not None:
            self.parsed.cues.append(replace(cue, text="\n".join(buffer)))
        elif not in_header and not seen_arrow and kind is None:
            self._stray(first, buffer)

    def _style_or_region(self, buffer: list[str]) -> str | None:
        if self.seen_cue or len(buffer) != 1:
            return None
        head = buffer[0]
        return next(
            (
                name
                for name in _BLOCK_HEADS
                if head.startswith(name) and not head[len(name) :].strip(" \t")
            ),
            None,
        )

    def _stray(self, first: int, buffer: list[str]) -> None:
        """A block that is neither a cue, a NOTE, nor a STYLE/REGION before the cues."""
        head = buffer[0] if buffer else ""
        if re.match(r"^NOTE(?:[ \t]|$)", head):
            return
        if head.strip(" \t") in _BLOCK_HEADS:
            if not self.seen_cue:
                return  # an empty STYLE or REGION block: nothing to apply
            self.parsed.problem(
                first + 1,
                f"a {head.strip()} block after the first cue is ignored by browsers",
                "move it above the first cue",
            )
            return
        self.parsed.problem(
            first + 1,
            f"no timing line ('00:00:01.000 --> 00:00:03.000') for the text {head!r}",
            "add a timing line, or a blank line before the text if it belongs to the cue above",
        )

    def _timings(self, line: str, identifier: str, number: int) -> RawCue | None:
        """The spec's "collect WebVTT cue timings and settings"; settings are not needed."""
        scan = Scanner(line)
        times = []
        for arrow in ("-->", ""):
            scan.skip(_SPACE)
            begin = scan.at
            value = scan.timestamp(self.decimal)
            if isinstance(value, str):
                token = _TOKEN.match(line, begin)[0]
                self.parsed.problem(
                    number, f"bad timestamp {token!r}: {value}", self._timestamp_hint()
                )
                return None
            times.append(value)
            scan.skip(_SPACE)
            if arrow and not scan.take_literal(arrow):
                self.parsed.problem(
                    number,
                    f"bad timing line {line.strip()!r}: '-->' must follow the start time",
                    "write it as '00:00:01.000 --> 00:00:03.000'",
                )
                return None
        start, end = times
        if end <= start:
            self.parsed.problem(
                number,
                f"cue ends ({format_timestamp(end)}) at or before it starts "
                f"({format_timestamp(start)})",
                "check the times on this line",
            )
            return None
        return RawCue(identifier, start, end, number, "")

    def _timestamp_hint(self) -> str:
        if "," in self.decimal:
            return "write it as 00:01:02,500"
        return "write it as 00:01:02.500, with a full stop before the milliseconds"


class Scanner:
    """A position in one line, with the spec's "collect a WebVTT timestamp"."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def skip(self, chars: str) -> None:
        while self.at < len(self.text) and self.text[self.at] in chars:
            self.at += 1

    def take_literal(self, literal: str) -> bool:
        if self.text.startswith(literal, self.at):
            self.at += len(literal)
            return True
        return False

    def digits(self) -> str:
        begin = self.at
        while self.at < len(self.text) and self.text[self.at] in "0123456789":
            self.at += 1
        return self.text[begin : self.at]

    def timestamp(self, decimal: str = ".") -> float | str:
        """Seconds, or a str saying what is wrong (the spec only says "failure")."""
        try:
            return self._timestamp(decimal)
        except _BadTimestamp as bad:
            return str(bad)

    def _timestamp(self, decimal: str) -> float:
        first = self._number(None, "it must start with a digit")
        hours_first = len(first) != 2 or int(first) > 59
        _require(self.take_literal(":"), "a colon must follow the first number")
        second = self._number(2, "minutes and seconds have two digits")
        if hours_first or self.text.startswith(":", self.at):
            _require(self.take_literal(":"), "hours need minutes and seconds after them")
            third = self._number(2, "minutes and seconds have two digits")
            hours, minutes, seconds = int(first), int(second), int(third)
        else:
            hours, minutes, seconds = 0, int(first), int(second)
        message = f"a '{decimal[0]}' and three digits of milliseconds must follow the seconds"
        _require(self.text[self.at : self.at + 1] in tuple(decimal), message)
        self.at += 1
        millis = self._number(3, "milliseconds have exactly three digits")
        _require(minutes <= 59 and seconds <= 59, "minutes and seconds go up to 59")
        return hours * 3600 + minutes * 60 + seconds + int(millis) / 1000

    def _number(self, length: int | None, message: str) -> str:
        digits = self.digits()
        _require(bool(digits) and (length is None or len(digits) == length), message)
        return digits


class _BadTimestamp(ValueError):
    pass


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise _BadTimestamp(message)


def clock_parts(ticks: int, per_second: int = 1) -> tuple[int, int, int, int]:
    """(hours, minutes, seconds, fraction) of a time counted in ``1/per_second`` ticks.

    Callers round or truncate to their own unit first: WebVTT counts
    milliseconds, ASS subtitles centiseconds, transcript labels whole seconds.
    """
    whole, fraction = divmod(ticks, per_second)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs, fraction


def format_timestamp(seconds: float) -> str:
    """'HH:MM:SS.mmm' for WebVTT."""
    hours, minutes, secs, millis = clock_parts(round(seconds * 1000), 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
