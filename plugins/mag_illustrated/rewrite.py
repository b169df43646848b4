"""Turn the <img> tags of article and page content into responsive <picture> elements.

Pelican resolves ``{static}`` links only in single-URL attributes (src, href);
a srcset lists several URLs, so its URLs carry our own placeholder, resolved
against the same site URL when Pelican renders the content (page or feed).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin

from mag_core import ContentError, report
from mag_core.adapters import after_intrasite_links

from .images import ImageMaker, ImageSet, is_raster

PLACEHOLDER = "{mag-image}"
_PLACEHOLDER_URL = re.compile(re.escape(PLACEHOLDER) + r"/(?P<url>[^\s,\"]+)")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_PICTURE_EDGE = re.compile(r"<(/?)picture\b", re.IGNORECASE)
_LINK = re.compile(r"^[{|](?P<what>static|attach)[|}](?P<path>[^?#]*)")


class _TagAttributes(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str | None]] = []
        self.feed(tag)
        self.close()

    def handle_starttag(self, _tag, attrs) -> None:
        self.attrs = attrs

    handle_startendtag = handle_starttag


def source_of(content, src: str, content_root: Path) -> tuple[Path, str] | None:
    """(file, content-relative path) for a ``{static}``/``{attach}`` raster image, else None."""
    match = _LINK.match(src)
    if not match:
        return None
    value = unquote(html.unescape(match["path"]))
    if not value.startswith("/"):  # relative to the content's own folder, as Pelican reads it
        value = os.path.join(content.relative_dir, value)
    relative = value.lstrip("/")
    relative = os.path.normpath(relative).replace(os.sep, "/")
    path = content_root / relative
    if relative.startswith("..") or not is_raster(path) or not path.is_file():
        return None  # not ours: Pelican warns about links it cannot resolve
    return path, relative


def rewrite_content(
    content, maker: ImageMaker, config: Mapping[str, Any], settings: Mapping[str, Any]
) -> int:
    """Rewrite ``content``'s images in place; returns how many became <picture>."""
    markup = getattr(content, "_content", "") or ""
    if "<img" not in markup.lower():
        return 0
    content_root = Path(settings["PATH"]).resolve()
    lazy = bool(content.metadata.get("cover"))  # the cover is the first image then
    pieces, last, count = [], 0, 0
    for match in _IMG.finditer(markup):
        attrs = dict(_TagAttributes(match.group()).attrs)
        if _inside_picture(markup, match.start()) or "srcset" in attrs:
            continue  # already responsive: the author's markup stays as written
        found = source_of(content, attrs.get("src") or "", content_root)
        if found is None:
            continue
        image = _image_set(content, maker, found, settings)
        if image is None:
            continue
        pieces += [markup[last : match.start()], picture(attrs, image, config, lazy=lazy)]
        last, lazy, count = match.end(), True, count + 1
    if count:
        content._content = "".join([*pieces, markup[last:]])
        _resolve_placeholder_on_render(content)
    return count


def _image_set(content, maker: ImageMaker, found, settings) -> ImageSet | None:
    path, relative = found
    try:
        return maker.image_set(path, relative)
    except ContentError as error:
        report(
            ContentError(error.path, error.message, hint=f"used in {content.source_path}"),
            settings,
        )
        return None


def _inside_picture(markup: str, position: int) -> bool:
    edges = list(_PICTURE_EDGE.finditer(markup, 0, position))
    return bool(edges) and edges[-1].group(1) == ""


def picture(
    attrs: Mapping[str, str | None], image: ImageSet, config: Mapping[str, Any], *, lazy: bool
) -> str:
    """<picture> with WebP widths and the original <img> (its src left for Pelican)."""
    img = dict(attrs)
    if "width" not in img and "height" not in img:
        img["width"], img["height"] = str(image.width), str(image.height)
    img.setdefault("alt", "")
    if lazy:
        img.setdefault("loading", "lazy")
    img.setdefault("decoding", "async")
    source = ""
    if image.webp:
        srcset = html.escape(image.srcset(PLACEHOLDER))
        sizes = html.escape(config["content_sizes"])
        source = f'<source type="image/webp" srcset="{srcset}" sizes="{sizes}">'
    return f"<picture>{source}<img{_attributes(img)}></picture>"


def _attributes(attrs: Mapping[str, str | None]) -> str:
    return "".join(
        f" {name}" if value is None else f' {name}="{html.escape(value)}"'
        for name, value in attrs.items()
    )


def _resolve_placeholder_on_render(content) -> None:
    """Resolve our srcset URLs wherever, and just as, Pelican resolves {static} links."""
    relative = content.settings["RELATIVE_URLS"]

    def join(siteurl: str, url: str) -> str:  # Pelican's own joiners (contents._link_replacer)
        return os.path.join(siteurl, url) if relative else urljoin(siteurl.rstrip("/") + "/", url)

    def resolve(text: str, siteurl: str) -> str:
        return _PLACEHOLDER_URL.sub(lambda m: join(siteurl, m["url"]), text)

    after_intrasite_links(content, resolve)
