"""Builds that publish leave drafts out entirely, and the files only drafts use.

Not writing a draft's page is not enough: other plugins make a share card with
its title, renditions of its video or the cleaned copies of its pictures, and
Pelican copies every file under STATIC_PATHS. So drafts are taken out of the
generators before any other plugin sees the finished articles, and a static
file that a draft mentions and nothing published mentions is not copied.

Rejected: ``DRAFT_SAVE_AS = ""`` alone. The page goes, but the share card named
after the draft's slug (the reorganisation's name in romaji) and its video
still reach the release.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import unquote

from . import settings as status_settings

logger = logging.getLogger(__name__)

# The drafts this run left out; the context lives exactly one run.
CONTEXT_KEY = "mag_left_out_drafts"
_LINK = re.compile(r"""\b(?:src|href|poster|srcset|data)\s*=\s*["']([^"']+)["']""")
_LINK_PREFIX = re.compile(r"^\{(?:static|attach|filename)\}")
_MAX_PATH = 400  # longer metadata values are prose (a summary), not a path


def _leave_out(generator, *groups: str) -> None:
    if status_settings.read(generator.settings)["write_drafts"]:
        return
    left_out = generator.context.setdefault(CONTEXT_KEY, [])
    for group in groups:
        contents = getattr(generator, group, None) or []
        left_out.extend(contents)
        contents[:] = []  # in place: the context holds the same list
    if left_out:
        logger.info("mag_status: %d draft(s) left out of this build", len(left_out))


def drop_draft_articles(generator) -> None:
    _leave_out(generator, "drafts", "drafts_translations")


def drop_draft_pages(generator) -> None:
    _leave_out(generator, "draft_pages", "draft_translations")


def drop_draft_only_files(generator) -> None:
    """Copy no static file that only left-out drafts mention."""
    drafts = generator.context.get(CONTEXT_KEY) or []
    if not drafts:
        return
    kept_contents = [
        content
        for name in ("articles", "hidden_articles", "pages", "hidden_pages")
        for content in generator.context.get(name) or []
    ]
    draft_paths = _mentions(drafts)
    kept_paths = _mentions(kept_contents)
    dropped = {
        id(static)
        for static in generator.staticfiles
        if _is_used(_relative(static), draft_paths) and not _is_used(_relative(static), kept_paths)
    }
    if not dropped:
        return
    logger.info("mag_status: %d file(s) used only by drafts left out", len(dropped))
    # Pelican copies from context["staticfiles"]; another plugin may have made it a new list.
    lists = (generator.staticfiles, generator.context.get("staticfiles", []))
    for files in {id(files): files for files in lists}.values():
        files[:] = [static for static in files if id(static) not in dropped]


def _relative(static) -> str:
    return PurePosixPath(static.relative_source_path.replace(os.sep, "/")).as_posix()


def _is_used(path: str, mentioned: set[str]) -> bool:
    """A file is used when it, or a folder holding it, is mentioned."""
    if path in mentioned:
        return True
    parents = PurePosixPath(path).parents
    return any(parent.as_posix() in mentioned for parent in parents)


def _mentions(contents: Iterable) -> set[str]:
    """Content-relative paths the contents name in front matter or link to from their text."""
    found: set[str] = set()
    for content in contents:
        folder = PurePosixPath(str(content.relative_source_path).replace(os.sep, "/")).parent
        candidates = [v for v in content.metadata.values() if isinstance(v, str)]
        for link in _LINK.findall(getattr(content, "_content", "") or ""):
            candidates.extend(part.split()[0] for part in link.split(",") if part.split())
        for candidate in candidates:
            found.update(_as_paths(candidate, folder))
    return found


def _as_paths(value: str, folder: PurePosixPath) -> list[str]:
    """``value`` read as a path from the content root and from the content's folder."""
    value = value.strip()
    if not value or len(value) > _MAX_PATH or "\n" in value or "://" in value:
        return []
    value = unquote(_LINK_PREFIX.sub("", value).split("#")[0].split("?")[0])
    if value.startswith("/"):
        bases = [PurePosixPath()]
        value = value.lstrip("/")
    else:
        bases = [PurePosixPath(), folder]
    paths = []
    for base in bases:
        normal = os.path.normpath((base / value).as_posix()).replace(os.sep, "/")
        if normal not in (".", "") and not normal.startswith(".."):
            paths.append(normal.rstrip("/"))
    return paths
