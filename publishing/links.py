"""Which URLs a page uses, and which file of the release each one means.

The release is a folder of static files, so checking an internal link is
checking that a file exists: no web server, no crawl. URLs are resolved the way
a browser does (against the page's own address under SITEURL), so relative and
absolute links are judged alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element

# Where a page names another resource: (tag, attribute).
URL_ATTRIBUTES = {
    "a": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
# <link rel=...> values the browser fetches while loading the page.
LOADED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "prefetch"}
# <meta property=... content=URL> that share cards and crawlers follow.
META_URLS = {"og:url", "og:image", "og:video", "twitter:image"}
NOT_FETCHED = {"mailto", "tel", "data", "javascript", "blob", "about"}
# Stands in for SITEURL when a build has relative URLs only.
_PLACEHOLDER = "http://site.invalid"


@dataclass(frozen=True)
class Use:
    """One URL a page uses: where (for messages), and whether loading the page fetches it."""

    element: str
    url: str
    loaded: bool


def uses_of(tree: Element) -> list[Use]:
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):  # comments
            continue
        if element.tag == "meta" and element.get("property", element.get("name")) in META_URLS:
            found.append(Use("meta", element.get("content", ""), loaded=False))
            continue
        for attribute in URL_ATTRIBUTES.get(element.tag, ()):
            value = element.get(attribute)
            if value is None:
                continue
            loaded = element.tag != "a" and (
                element.tag != "link" or bool(LOADED_RELS & set(element.get("rel", "").split()))
            )
            urls = srcset_urls(value) if attribute == "srcset" else [value]
            found += [Use(f"<{element.tag} {attribute}>", url, loaded) for url in urls]
    return found


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset ("a.webp 480w, b.webp 960w")."""
    return [part.split()[0] for part in value.split(",") if part.strip()]


class Release:
    """A built site in ``root`` that will be served at ``siteurl``."""

    def __init__(self, root: Path, siteurl: str) -> None:
        self.root = root.resolve()
        self.base = (siteurl.rstrip("/") or _PLACEHOLDER) + "/"
        self._exists: dict[Path, bool] = {}

    def url_of(self, file: Path) -> str:
        return urljoin(self.base, quote(file.relative_to(self.root).as_posix()))

    def resolve(self, reference: str, from_url: str) -> Path | str | None:
        """The file ``reference`` means; its absolute URL if outside the site; None if no fetch."""
        reference = reference.strip()
        if not reference or reference.startswith("#"):
            return None
        if urlsplit(reference).scheme.lower() in NOT_FETCHED:
            return None
        absolute = urljoin(from_url, reference)
        if not absolute.startswith(self.base) and absolute + "/" != self.base:
            return absolute
        relative = unquote(urlsplit(absolute[len(self.base) :]).path)
        path = self.root / relative
        if not relative or relative.endswith("/") or path.is_dir():
            path = path / "index.html"
        return path

    def exists(self, path: Path) -> bool:
        if path not in self._exists:
            inside = path.resolve().is_relative_to(self.root)
            self._exists[path] = inside and path.is_file()
        return self._exists[path]
