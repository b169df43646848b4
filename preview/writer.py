"""Pelican's writer, except that pages are kept to be rendered when asked for.

Writing is half of a full build (1,000 articles: about 1.4 s of 3 s), and an
editor looks at one page after a save, not at 1,400. The generators still call
``write_file`` exactly as in a full build, so Pelican's own code decides every
page's name, pagination, relative ``SITEURL`` and context, and ``content_written``
reaches plugins such as the sitemap with the same context. Only the template's
``render`` is put off: it is done by :meth:`Page.render` on request.

Feeds are put off the same way (writing them is a third of what is left of a
pass) and written, by Pelican's own ``write_feed``, when one is asked for.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from pelican.writers import Writer


@dataclass
class Page:
    """One output page: its template and the context Pelican's writer gave it."""

    template: Any
    localcontext: dict[str, Any]
    shared: dict[str, Any]  # the generators' context, which content objects link through

    def render(self) -> str:
        # As Pelican's writer does right before rendering: content objects make
        # their links relative to the page being written.
        if self.localcontext["localsiteurl"]:
            self.shared["localsiteurl"] = self.localcontext["localsiteurl"]
        return self.template.render(self.localcontext)

    @property
    def subject(self) -> Any:
        """The article or page this output shows, if it shows one."""
        return self.localcontext.get("article") or self.localcontext.get("page")


@dataclass
class Feed:
    """One feed: the arguments of Pelican's ``write_feed`` call, replayed on request."""

    args: tuple
    kwargs: dict[str, Any]

    def write(self, writer_class: type[Writer], output_path: str, settings: dict) -> None:
        writer_class(output_path, settings=settings).write_feed(*self.args, **self.kwargs)


class _Deferred:
    """Stands in for a template: keeps what it would be rendered with, renders nothing."""

    def __init__(self, template: Any, shared: dict[str, Any], writer: DeferredWriter) -> None:
        self.template, self.shared, self.writer = template, shared, writer

    def render(self, localcontext: dict[str, Any]) -> str:
        self.writer.pending = Page(self.template, localcontext, self.shared)
        return ""


class _Keep:
    """The file handle the writer writes a deferred page to: keeps the page, writes nothing."""

    def __init__(self, keep) -> None:
        self.keep = keep

    def __enter__(self) -> _Keep:
        return self

    def write(self, _text: str) -> None:
        pass

    def __exit__(self, kind, *_rest) -> None:
        if kind is None and self.keep is not None:
            self.keep()


class DeferredWriter(Writer):
    """Keeps ``pages`` (output name -> :class:`Page`) and ``feeds`` instead of writing them."""

    def __init__(self, output_path, settings=None) -> None:
        super().__init__(output_path, settings=settings)
        self.pages: dict[str, Page] = {}
        self.feeds: dict[str, Feed] = {}
        self.pending: Page | None = None
        self._overriding: set[str] = set()

    def write_file(self, name, template, context, *args, **kwargs):
        return super().write_file(
            name, _Deferred(template, context, self), context, *args, **kwargs
        )

    def write_feed(self, elements, context, path=None, *args, **kwargs):
        if not path:  # only the feed object is asked for: nothing to put off
            return super().write_feed(elements, context, path, *args, **kwargs)
        self.feeds[posixpath.normpath(path)] = Feed((elements, context, path, *args), kwargs)
        return None

    def _open_w(self, filename, encoding, override=False):
        page, self.pending = self.pending, None
        if page is None:  # not a page: written now, as in a full build
            return super()._open_w(filename, encoding, override)
        name = posixpath.normpath(page.localcontext["output_file"])
        return _Keep(self._decide(name, page, override))

    def _decide(self, name: str, page: Page, override: bool):
        """Pelican's rule for a page written twice: one written with ``override_output`` wins."""
        if name in self._overriding:
            if override:
                raise RuntimeError(f"File {name} is set to be overridden twice")
            return None  # the overriding page stays
        if name in self.pages and not override:
            raise RuntimeError(f"File {name} is to be overwritten")
        if override:
            self._overriding.add(name)

        def keep() -> None:
            self.pages[name] = page

        return keep
