"""The illustrated variant of one article: its panels, resolved to published images."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from mag_core import ContentError, report
from mag_core.frontmatter import line_of

from .animation import animation_set, frame_files
from .images import ImageMaker, ImageSet, is_raster
from .panels import IMAGE_SUFFIXES, PanelFile, PanelSpec, parse_panel_file
from .vector import svg_set


@dataclass(frozen=True)
class Panel:
    number: int
    caption: str
    alt: str
    image: ImageSet

    @property
    def animated(self) -> bool:
        return bool(self.image.still)


@dataclass(frozen=True)
class Illustrated:
    title: str
    lead: str
    panels: tuple[Panel, ...]
    url: str
    save_as: str


def variant_location(article, variant_path: str) -> tuple[str, str]:
    """(url, save_as) of the variant: under the article's folder-style URL."""
    url = article.url if article.url.endswith("/") else article.url.rsplit(".", 1)[0] + "/"
    save_as = article.save_as
    folder = save_as[: -len("index.html")] if save_as.endswith("index.html") else url
    return url + variant_path, folder + variant_path + "index.html"


def panel_folder(article, content_root: Path) -> Path:
    """The folder named by ``Illustrated:``, which must be inside the content folder."""
    value = str(article.metadata["illustrated"]).strip()
    folder = (content_root / value.lstrip("/")).resolve()
    if not folder.is_relative_to(content_root.resolve()) or not folder.is_dir():
        raise ContentError(
            article.source_path,
            f"Illustrated: {value!r} is not a folder in the content",
            line=line_of(article.source_path, "illustrated"),
            hint="e.g. 'Illustrated: illustrations/my-story/' with a panels.md inside",
        )
    return folder


def load_variant(
    article, maker: ImageMaker, config: Mapping[str, Any], settings: Mapping[str, Any]
) -> Illustrated:
    """Read the panel file and make every panel's images; ContentError on bad input."""
    content_root = Path(settings["PATH"]).resolve()
    folder = panel_folder(article, content_root)
    panel_file = parse_panel_file(folder / config["panel_file"])
    maker.state.taken.add(_relative(panel_file.path, content_root))
    panels = []
    for number, spec in enumerate(panel_file.panels, start=1):
        if not spec.alt:
            report(_no_alt(panel_file, spec), settings)
        image = _panel_image(spec, panel_file, maker, config, content_root)
        panels.append(Panel(number, spec.caption, spec.alt, image))
    url, save_as = variant_location(article, config["variant_path"])
    title = panel_file.header.get("title") or f"{article.title}（イラスト版）"
    return Illustrated(title, panel_file.header.get("lead", ""), tuple(panels), url, save_as)


def _panel_image(
    spec: PanelSpec, panel_file: PanelFile, maker: ImageMaker, config, content_root: Path
) -> ImageSet:
    folder = panel_file.path.parent
    path = (folder / spec.name.rstrip("/")).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.exists():
        raise ContentError(
            panel_file.path,
            f"panel image {spec.name!r} not found in {folder.name}/",
            line=spec.line,
        )
    relative = _relative(path, content_root)
    if path.is_dir():
        maker.state.taken.update(_relative(frame, content_root) for frame in frame_files(path))
        duration = int(spec.fields.get("duration") or config["frame_duration"])
        return animation_set(maker, path, duration)
    if path.suffix.lower() == ".svg":
        return svg_set(path, relative)
    if not is_raster(path) or path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ContentError(
            panel_file.path,
            f"panel {spec.name!r} is not PNG, JPEG, WebP, SVG or a folder",
            line=spec.line,
        )
    maker.state.taken.add(relative)
    return maker.image_set(path, relative)


def _relative(path: Path, content_root: Path) -> str:
    return str(PurePosixPath(path.resolve().relative_to(content_root.resolve())))


def _no_alt(panel_file: PanelFile, spec: PanelSpec) -> ContentError:
    return ContentError(
        panel_file.path,
        f"panel {spec.name!r} has no alt text",
        line=spec.line,
        hint="add a line 'Alt: ...' saying what the picture shows, for readers who cannot see it",
    )
