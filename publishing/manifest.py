"""A release's manifest: every file and its SHA-256, written as the release's last step.

The format is GNU ``sha256sum``'s (``<hex>  <path>`` a line), so a remote host
checks a release with ``sha256sum --strict -c`` and this side reads the same
file. A release is used (published, rolled back to) only when every file the
manifest lists is there with its checksum: a release half-copied, half-deleted
or damaged is refused, not served. A release with no manifest never finished.

Hashing a release costs a read of its files (about a second per gigabyte);
carried and unchanged files are hard links, so the disk cache usually has them.
"""

from __future__ import annotations

from pathlib import Path

from mag_core.cache import file_digest
from mag_core.files import write_atomically

MANIFEST = ".release.sha256"
MAX_SHOWN = 3  # problems named in a message; the rest are counted


def _escape(path: str) -> tuple[str, str]:
    """GNU's rule: a name with a backslash or a newline gets a leading backslash."""
    if "\\" not in path and "\n" not in path:
        return "", path
    return "\\", path.replace("\\", "\\\\").replace("\n", "\\n")


def _unescape(path: str) -> str:
    return path.replace("\\n", "\n").replace("\\\\", "\\")


def write_manifest(folder: Path) -> None:
    """List every file of ``folder`` with its checksum; the manifest is written last."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
        prefix, name = _escape(path.relative_to(folder).as_posix())
        lines.append(f"{prefix}{file_digest(path)}  {name}\n")
    write_atomically(folder / MANIFEST, "".join(lines))


def read_manifest(folder: Path) -> dict[str, str] | None:
    """{path: sha256} of a release; None when it has no manifest."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    listed = {}
    for line in text.splitlines():
        escaped = line.startswith("\\")
        digest, _, name = line.removeprefix("\\").partition("  ")
        name = _unescape(name) if escaped else name
        listed[name.removeprefix("./")] = digest
    return listed


def verify(folder: Path) -> list[str]:
    """What is wrong with the release in ``folder`` (nothing: it may go live)."""
    if not folder.is_dir():
        return ["it does not exist"]
    listed = read_manifest(folder)
    if listed is None:
        return [f"it has no {MANIFEST} (never finished, or made before manifests)"]
    if not listed:
        return [f"its {MANIFEST} lists no files"]
    problems = []
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif file_digest(path) != digest:
            problems.append(f"{name} has changed")
    return problems


def summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:MAX_SHOWN])
    more = len(problems) - MAX_SHOWN
    return f"{shown}; and {more} more" if more > 0 else shown
