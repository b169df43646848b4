"""The ffmpeg binary of the project's own install, its version, and running it.

The version is part of every cache key, but asking ffmpeg for it starts a
process; it is remembered in the cache folder per binary (path, size, mtime),
so a rebuild with nothing changed starts no ffmpeg at all.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mag_core.files import write_atomically

from .progress import Progress


class FfmpegFailed(RuntimeError):
    """ffmpeg exited non-zero; ``detail`` holds the end of what it printed."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


@dataclass(frozen=True)
class Ffmpeg:
    exe: str
    version: str


_versions: dict[tuple[str, int, int], str] = {}


def find_ffmpeg(configured: str | None, cache_dir: Path) -> Ffmpeg:
    if configured:
        exe = str(Path(configured).expanduser())
    else:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    return Ffmpeg(exe, ffmpeg_version(exe, cache_dir))


def ffmpeg_version(exe: str, cache_dir: Path) -> str:
    stat = os.stat(exe)
    identity = (os.path.realpath(exe), stat.st_size, stat.st_mtime_ns)
    if identity in _versions:
        return _versions[identity]
    name = hashlib.sha256(repr(identity).encode()).hexdigest()[:24]
    memo = cache_dir / "tools" / f"ffmpeg-{name}.txt"
    if memo.is_file():
        version = memo.read_text(encoding="utf-8").strip()
    else:
        result = subprocess.run(
            [exe, "-hide_banner", "-version"], capture_output=True, text=True, check=True
        )
        version = (result.stdout.splitlines() or ["ffmpeg unknown"])[0].strip()
        write_atomically(memo, version + "\n")
    _versions[identity] = version
    return version


def run(args: list[str], progress: Progress | None = None) -> str:
    """Run one ffmpeg command line; return its log (warnings), raise FfmpegFailed on failure.

    With ``progress``, ``-progress pipe:1`` lines are read from stdout and shown.
    The log goes to a temporary file rather than a pipe, so a chatty ffmpeg can
    never block on a full pipe while we read progress.
    """
    if progress is not None:
        args = [args[0], "-progress", "pipe:1", "-nostats", *args[1:]]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if progress else subprocess.DEVNULL,
            stderr=log,
        )
        try:
            if progress is not None:
                for raw in process.stdout:
                    progress.feed(raw.decode("ascii", "replace"))
            code = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            if progress is not None:
                process.stdout.close()
                progress.close(ok=process.returncode == 0)
        log.seek(0)
        text = log.read().decode("utf-8", "replace")
    if code != 0:
        raise FfmpegFailed(_tail(text))
    return text


def run_probe(exe: str, source: Path) -> str:
    """``ffmpeg -i`` alone prints the streams and exits 1 (no output): that is the probe."""
    result = subprocess.run(
        [exe, "-hide_banner", "-nostdin", "-i", str(source)],
        capture_output=True,
        check=False,
    )
    return result.stderr.decode("utf-8", "replace")


def _tail(text: str, lines: int = 6) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " / ".join(kept[-lines:]) or "ffmpeg failed without a message"
