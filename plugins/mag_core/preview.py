"""A preview web server that answers HTTP Range requests.

Safari and iOS only play a video when the server answers ``Range: bytes=...``
with 206 Partial Content; Python's own http.server always sends the whole file.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

logger = logging.getLogger(__name__)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeRequestHandler(SimpleHTTPRequestHandler):
    """Static files with single-range support (what browsers send for media)."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".vtt": "text/vtt; charset=utf-8",
        ".webp": "image/webp",
        ".mp4": "video/mp4",
        ".js": "text/javascript; charset=utf-8",
        ".pf_meta": "application/octet-stream",
    }

    def send_head(self):
        if _hidden(self.path):
            # A release's own files (.release.sha256 lists every page, hidden ones
            # included) are not for readers: refused as the documented web server does.
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        range_header = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not range_header or os.path.isdir(path) or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        span = _parse_range(range_header, size)
        if span is None:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        start, end = span
        handle = open(path, "rb")  # noqa: SIM115 - closed by copyfile's caller
        handle.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return handle

    def end_headers(self):
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source, outputfile):
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            return super().copyfile(source, outputfile)
        self._remaining = None
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)
        return None

    def log_message(self, format, *args):
        logger.debug("preview: " + format, *args)


def _hidden(url_path: str) -> bool:
    """A path with a part that starts with a dot (``/.release.sha256``, ``/.git/``)."""
    path = url_path.split("?", 1)[0].split("#", 1)[0]
    return any(part.startswith(".") and part not in {".", ".."} for part in path.split("/"))


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single ``bytes=`` range, or None if unsatisfiable."""
    match = _RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "":  # suffix range: the last N bytes
        if not last:
            return None
        return max(0, size - int(last)), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start > end or start >= size:
        return None
    return start, end


def make_server(root: str | Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    handler = functools.partial(RangeRequestHandler, directory=str(root))
    return ThreadingHTTPServer((host, port), handler)
