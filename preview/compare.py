"""The preview against a full build: which outputs differ (the tests and the benchmark ask)."""

from __future__ import annotations

from pathlib import Path

from .site import Site


def differences(site: Site, built: Path) -> list[str]:
    """Output names where ``site`` serves something else than the full build in ``built``.

    Pages are compared as rendered (without the reload script, which is only
    added when serving); feeds are written first, as a request would; every
    other file is compared byte for byte with the preview's output folder.
    """
    pages = {path.relative_to(built).as_posix() for path in built.rglob("*.html")}
    kept = set(site.names())
    found = sorted(pages ^ kept)
    for name in sorted(pages & kept):
        if site.page(name)[0] != (built / name).read_text(encoding="utf-8"):
            found.append(name)
    for name in site.snapshot.feeds if site.snapshot else ():
        site.feed(name)
    for path in sorted(built.rglob("*")):
        if path.is_file() and path.suffix != ".html":
            served = site.output / path.relative_to(built)
            if not served.is_file() or served.read_bytes() != path.read_bytes():
                found.append(path.relative_to(built).as_posix())
    return found
