"""The saved article's own page, shown before the pass that makes the whole site again.

A pass runs every plugin over every article, so it grows with the magazine
(about 1 ms an article on the 2-core machine); the page being edited should
not. On a save of articles or pages the site already has, each one is read
again, exactly as its generator reads it (the same readers, signals and
context), and put in place of the old object on its own page(s); what plugins
attached to the old object after reading (video, formats, neighbours, series)
is carried over. That page is shown at once; the pass that follows makes the
exact site, and the browser reloads again if anything differs (a changed
``Video:``, say, is only seen then). Anything else (a new or deleted file, a
template, a warning while reading) goes straight to the pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from pelican import signals
from pelican.contents import Article
from pelican.generators import ArticlesGenerator, PagesGenerator

from mag_core.frontmatter import PELICAN_KEYS

from .build import Snapshot
from .writer import Page

# The signals a generator sends while reading one file (see its generate_context).
READ_SIGNALS = {
    ArticlesGenerator: (signals.article_generator_preread, signals.article_generator_context),
    PagesGenerator: (signals.page_generator_preread, signals.page_generator_context),
}
# If any of these changes, the saved file's pages are not the old ones any more.
SAME = ("save_as", "url", "template", "status", "lang")


def quick_pages(snapshot: Snapshot, changed: Iterable[str]) -> dict[str, Page]:
    """Output name -> page with the saved content in it; empty if the pass must do it all."""
    pages: dict[str, Page] = {}
    for path in changed:
        found = _owner(snapshot, path)
        if found is None:
            return {}
        old, names = found
        new = _read_again(snapshot, old)
        if new is None or any(getattr(new, key) != getattr(old, key) for key in SAME):
            return {}
        _carry_over(old, new)
        for name in names:
            page = snapshot.pages[name]
            local = {
                key: new if value is old else value for key, value in page.localcontext.items()
            }
            pages[name] = Page(page.template, local, page.shared)
    return pages


def _carry_over(old: Any, new: Any) -> None:
    """Give ``new`` what plugins attached to ``old`` after reading, where it still holds.

    An attribute the reader did not make (``article.video`` made from ``Video:``
    is a player, not the front matter's string) is carried over when ``new``
    lacks it, or when it comes from a front-matter key whose value this save
    left alone; everything the save changed stays as just read.
    """
    for key, value in vars(old).items():
        unchanged = key in new.metadata and old.metadata.get(key) == new.metadata.get(key)
        if key not in vars(new) or unchanged:
            new.__dict__[key] = value
    # A plugin's key this save changed is still the front matter's string: only
    # the pass makes it what templates expect (a new ``Video:`` is encoded then),
    # so until then the page shows what it showed before.
    for key in set(new.metadata) - PELICAN_KEYS:
        if old.metadata.get(key) != new.metadata.get(key) and key in vars(new):
            if key in vars(old):
                new.__dict__[key] = vars(old)[key]
            else:
                del new.__dict__[key]


def _owner(snapshot: Snapshot, path: str) -> tuple[Any, list[str]] | None:
    """The content object read from ``path`` and the names of the pages showing it."""
    subjects = {
        name: page.subject
        for name, page in snapshot.pages.items()
        if getattr(page.subject, "source_path", None) == path
    }
    owners = {id(subject) for subject in subjects.values()}
    if len(owners) != 1:
        return None
    return next(iter(subjects.values())), sorted(subjects)


def _read_again(snapshot: Snapshot, old: Any) -> Any | None:
    kind = ArticlesGenerator if isinstance(old, Article) else PagesGenerator
    generator = next((g for g in snapshot.generators if type(g) is kind), None)
    if generator is None:
        return None
    preread, context = READ_SIGNALS[kind]
    try:
        new = generator.readers.read_file(
            base_path=generator.path,
            path=os.path.relpath(old.source_path, generator.path),
            content_class=type(old),
            context=generator.context,
            preread_signal=preread,
            preread_sender=generator,
            context_signal=context,
            context_sender=generator,
        )
    except Exception:  # the pass reads it again and reports why
        return None
    return new if getattr(new, "is_valid", lambda: False)() else None
