"""The build manifest: what this build published, as data, for the tools that follow it.

The reader report used to scrape the finished HTML for titles and reading
times (「約N分で読めます」), so a change of wording in a template could silently
change its figures. Every build now writes ``_mag/manifest.json`` into its
output: each published or hidden article with its id, title, URL, date,
category, audience, formats, pages and media durations. Drafts are never in
it. The reader report and the publish check read this file (the newsletter runs
inside the build and has the articles themselves); the publish step leaves the
``_mag/`` folder out of the release, because it names hidden articles.

``version`` changes whenever a field changes meaning or goes away; readers
refuse a version they do not know instead of guessing.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .audiences import audiences_of
from .files import write_atomically
from .formats import formats_of

MANIFEST_VERSION = 1
BUILD_DATA = "_mag"  # the build's own data in its output folder, never for readers
MANIFEST_PATH = f"{BUILD_DATA}/manifest.json"  # relative to the build's output folder


def describe(article: Any) -> dict[str, Any]:
    """One article of the manifest."""
    formats = formats_of(article)
    return {
        "id": article.slug,
        "title": article.title,
        "url": article.url,
        "date": article.date.isoformat(),
        "category": str(article.category) if getattr(article, "category", None) else "",
        "audience": audiences_of(article),
        # The Series: name as written (mag_series), "" when none: the report groups by it.
        "series": str(article.metadata.get("series") or "").strip(),
        "status": article.status,
        "reading_minutes": getattr(article, "reading_time", None),
        "formats": [{"id": fmt.id, "url": fmt.url} for fmt in formats],
        "pages": _pages(article, [(fmt.id, fmt.url) for fmt in formats]),
        "media": _media(article),
    }


def _pages(article: Any, formats: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """One entry per page the article's formats live on (several formats may share a page).

    A page is named by its first format, as the beacon names it (``data-format``);
    its title and reading time are the ones the page shows.
    """
    shown = {
        "article": (article.title, getattr(article, "reading_time", None)),
        "transcript": _title_and_minutes(getattr(article, "transcript", None)),
        "illustrated": _title_and_minutes(getattr(article, "illustrated", None)),
    }
    pages: dict[str, dict[str, Any]] = {}
    for format_id, url in formats:
        path = url.split("#", 1)[0]
        if path not in pages:
            title, minutes = shown.get(format_id) or (article.title, None)
            pages[path] = {"format": format_id, "url": path, "title": title, "minutes": minutes}
    return list(pages.values())


def _title_and_minutes(page: Any) -> tuple[str, int | None] | None:
    if page is None:
        return None
    return getattr(page, "title", ""), getattr(page, "reading_time", None)


def _media(article: Any) -> dict[str, float]:
    """Seconds of the full video and of its short cut (mag_video's ``article.video``)."""
    video = getattr(article, "video", None)
    if video is None:
        return {}
    media = {"video": round(video.duration, 3)}
    if getattr(video, "short", None) is not None:
        media["short"] = round(video.short.duration, 3)
    return media


class ManifestGenerator:
    """Writes this build's manifest after the pages (Pelican runs it as a generator)."""

    def __init__(self, context: dict, settings: dict, output_path: str, **_unused: Any) -> None:
        self.context, self.settings, self.output_path = context, settings, output_path

    def generate_output(self, _writer: Any) -> None:
        articles = [*self.context.get("articles", ()), *self.context.get("hidden_articles", ())]
        write_manifest(Path(self.output_path), self.settings.get("SITENAME", ""), articles)


def manifest(site: str, articles: Iterable[Any]) -> dict[str, Any]:
    return {
        "version": MANIFEST_VERSION,
        "site": site,
        "articles": [describe(article) for article in articles],
    }


def write_manifest(output: Path, site: str, articles: Iterable[Any]) -> Path:
    path = Path(output) / MANIFEST_PATH
    text = json.dumps(manifest(site, articles), ensure_ascii=False, indent=1)
    write_atomically(path, text + "\n")
    return path


def remove_build_data(output: Path) -> None:
    """Leave the build's own data (the manifest) out of what readers are served."""
    shutil.rmtree(Path(output) / BUILD_DATA, ignore_errors=True)


class ManifestError(ValueError):
    """A manifest that is missing, damaged or of a version this code does not read."""


def read_manifest(output: str | Path) -> dict[str, Any]:
    """The manifest of the build in ``output``; :class:`ManifestError` says what is wrong."""
    path = Path(output) / MANIFEST_PATH
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path}: no build manifest (build the site again)") from None
    except (OSError, ValueError) as error:
        raise ManifestError(f"{path}: cannot read the build manifest ({error})") from None
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        version = data.get("version") if isinstance(data, dict) else None
        raise ManifestError(
            f"{path}: build manifest version {version!r}, this code reads {MANIFEST_VERSION}"
            " (build the site again)"
        )
    return data
