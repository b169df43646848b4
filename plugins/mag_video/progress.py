"""Progress of long encodes: a live percent per file on a terminal, one line per file in CI.

Quiet success stays quiet: nothing is shown for files found in the cache.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def interactive(mode: str, stream: TextIO) -> bool:
    """A live percent only on a terminal, never in CI (whose log is not a terminal anyway)."""
    if mode != "auto" or os.environ.get("CI"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """Reads ffmpeg's ``-progress`` key=value lines for one output file."""

    def __init__(
        self, label: str, seconds: float, mode: str = "auto", stream: TextIO | None = None
    ) -> None:
        self.label = label
        self.seconds = max(seconds, 0.001)
        self.mode = mode
        self.stream = stream or sys.stderr
        self.live = interactive(mode, self.stream)
        self.started = time.monotonic()
        self.percent = 0
        self._shown = -1

    def feed(self, line: str) -> None:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and value.lstrip("-").isdigit():
            done = max(int(value), 0) / 1e6
            self.percent = min(99, int(100 * done / self.seconds))
            if self.live and self.percent != self._shown:
                self._shown = self.percent
                self.stream.write(f"\rmag_video: {self.label} {self.percent:3d}%")
                self.stream.flush()

    def close(self, ok: bool) -> None:
        if self.mode == "off":
            return
        elapsed = time.monotonic() - self.started
        speed = self.seconds / elapsed if elapsed > 0 else 0.0
        outcome = "done" if ok else "FAILED"
        summary = f"mag_video: {self.label} {outcome} ({self.seconds:.1f} s of video in "
        summary += f"{elapsed:.1f} s, {speed:.1f}x realtime)"
        prefix = "\r" if self.live else ""
        self.stream.write(f"{prefix}{summary}\n")
        self.stream.flush()
