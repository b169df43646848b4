"""Check the front matter editors write: missing titles, bad dates, typo'd keys.

Pelican skips a file it cannot read with a log line and goes on; these checks
name the file and the line, and let a strict build stop on them.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican.contents import Article, Page
from pelican.utils import get_date

from .audiences import DEFAULT_AUDIENCES, known_audiences, unknown_audiences
from .errors import ContentError
from .unread import failed_sources, unread_problem

# Keys Pelican itself understands in front matter.
PELICAN_KEYS = frozenset(
    {
        "title", "date", "modified", "category", "tags", "author", "authors", "slug",
        "summary", "status", "lang", "translation", "save_as", "url", "template",
        "keywords", "description",
    }
)  # fmt: skip

# Values of `Status:` Pelican knows. Pelican skips a file with any other status
# with only a log line; a typo in "draft" must stop a strict build, not pass unseen.
STATUSES = ("published", "draft", "hidden", "skip")

# Keys the magazine's plugins add; each plugin declares its own in register().
_declared_keys: set[str] = set()

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mkd", ".mdown"})

_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_-]*)\s*:\s?(?P<value>.*)$")


def declare_keys(*keys: str) -> None:
    """Let a plugin's front-matter keys pass the typo check."""
    _declared_keys.update(key.lower() for key in keys)


def known_keys() -> frozenset[str]:
    return PELICAN_KEYS | _declared_keys


@dataclass(frozen=True)
class Field:
    key: str
    value: str
    line: int


def read_front_matter(path: Path) -> list[Field]:
    """The ``Key: value`` lines at the top of a Markdown file, with their line numbers."""
    fields: list[Field] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip("\r\n").lstrip("\ufeff")
            if not line.strip():
                break
            if line[0] in " \t" and fields:  # continuation of the previous value
                last = fields[-1]
                fields[-1] = Field(last.key, f"{last.value} {line.strip()}", last.line)
                continue
            match = _KEY_LINE.match(line)
            if not match:
                break
            fields.append(Field(match["key"], match["value"].strip(), number))
    return fields


def key_lines(path: str | Path) -> dict[str, int]:
    """The line of each front-matter key of a file, by lower-case key (empty if unreadable).

    The one lookup behind every message that points at a front-matter line.
    """
    try:
        return {field.key.lower(): field.line for field in read_front_matter(Path(path))}
    except OSError:
        return {}


def line_of(path: str | Path, key: str) -> int | None:
    """The line of ``key`` in the front matter of ``path``, or None."""
    return key_lines(path).get(key.lower())


def check_file(
    path: Path, *, needs_date: bool, audiences: tuple[str, ...] = DEFAULT_AUDIENCES
) -> list[ContentError]:
    """Every front-matter problem of one file (``audiences``: the site's segment ids)."""
    fields = read_front_matter(path)
    by_key = {field.key.lower(): field for field in fields}
    problems: list[ContentError] = []
    if not by_key.get("title") or not by_key["title"].value:
        problems.append(
            ContentError(path, "no title", line=1, hint="add a line 'Title: ...' at the top")
        )
    date = by_key.get("date")
    if date is not None:
        try:
            get_date(date.value)
        except (ValueError, OverflowError):
            problems.append(
                ContentError(
                    path,
                    f"cannot read the date {date.value!r}",
                    line=date.line,
                    hint="write it as 2026-11-20 09:00",
                )
            )
    elif needs_date:
        problems.append(
            ContentError(path, "no date", line=1, hint="add a line 'Date: 2026-11-20 09:00'")
        )
    problems.extend(_typo_problems(path, fields))
    problems.extend(_audience_problems(path, by_key.get("audience"), audiences))
    problems.extend(_status_problems(path, by_key.get("status")))
    return problems


def _status_problems(path: Path, field: Field | None) -> list[ContentError]:
    if field is None or field.value.strip().lower() in STATUSES:
        return []
    return [
        ContentError(
            path,
            f"unknown status {field.value!r}",
            line=field.line,
            hint="write 'Status: draft' (not published) or 'Status: hidden' (own address only)",
        )
    ]


def _audience_problems(
    path: Path, field: Field | None, audiences: tuple[str, ...]
) -> list[ContentError]:
    """Audience ids must be segment ids the analytics and newsletter know."""
    if field is None:
        return []
    unknown = unknown_audiences(field.value, audiences)
    if not unknown:
        return []
    return [
        ContentError(
            path,
            f"unknown audience {', '.join(unknown)}",
            line=field.line,
            hint=f"use {', '.join(audiences)}",
        )
    ]


# Remembered: the same keys come back in every file (Pelican's own 'reader' among them),
# and the fuzzy match against every known key costs more than the rest of the check.
@functools.lru_cache(maxsize=1024)
def typo_of(key: str, known: frozenset[str]) -> str | None:
    """The key of ``known`` that an unknown ``key`` is most likely a typo of, if any."""
    key = key.lower()
    if key in known:
        return None
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return close[0] if close else None


def _typo_problems(path: Path, fields: Iterable[Field]) -> list[ContentError]:
    known = known_keys()
    problems = []
    for field in fields:
        close = typo_of(field.key, known)
        if close:
            problems.append(
                ContentError(
                    path,
                    f"unknown key {field.key!r}",
                    line=field.line,
                    hint=f"did you mean {close.capitalize()!r}?",
                )
            )
    return problems


def check_generators(generators: Iterable[Any]) -> list[ContentError]:
    """Check every Markdown source the article and page generators were given.

    A file Pelican read has a title and a readable date already; it is read
    again (for line numbers) only when its keys or audience look wrong, which
    keeps this check cheap on a site of thousands of articles.
    """
    problems: list[ContentError] = []
    for generator in generators:
        kind = _source_kind(type(generator).__name__)
        if kind is None:
            continue
        paths_key, excludes_key, needs_date, content_class = kind
        files = generator.get_files(
            generator.settings[paths_key], exclude=generator.settings[excludes_key]
        )
        read = _read_contents(generator)
        failed = set(failed_sources(generator))
        audiences = known_audiences(generator.settings)
        for relative in sorted(files):
            path = Path(generator.path) / relative
            found: list[ContentError] = []
            if path.suffix.lower() in MARKDOWN_SUFFIXES:
                content = read.get(str(path.resolve()))
                if content is None or _looks_wrong(content.metadata, audiences):
                    found = check_file(path, needs_date=needs_date, audiences=audiences)
            if not found and relative in failed:
                found = [unread_problem(generator, relative, content_class)]
            problems.extend(found)
    return problems


_CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations", "hidden_articles",
    "hidden_translations", "pages", "hidden_pages", "draft_pages",
)  # fmt: skip


def _read_contents(generator) -> dict[str, Any]:
    """The contents this generator read, by absolute source path."""
    contents = {}
    for name in _CONTENT_LISTS:
        for content in getattr(generator, name, None) or []:
            if content.source_path:  # pages plugins make (opt-out, transcripts) have no file
                contents[str(Path(content.source_path).resolve())] = content
    return contents


def _looks_wrong(metadata: Mapping[str, Any], audiences: tuple[str, ...]) -> bool:
    """Whether the file's front matter needs the full check (with its lines)."""
    known = known_keys()
    return any(typo_of(key, known) for key in metadata) or bool(
        unknown_audiences(metadata.get("audience"), audiences)
    )


def _source_kind(generator_name: str):
    if generator_name == "ArticlesGenerator":
        return "ARTICLE_PATHS", "ARTICLE_EXCLUDES", True, Article
    if generator_name == "PagesGenerator":
        return "PAGE_PATHS", "PAGE_EXCLUDES", False, Page
    return None
