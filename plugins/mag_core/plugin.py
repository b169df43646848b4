"""mag_core's side of a Pelican build: the signals it connects and what they do."""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from . import frontmatter
from .adapters import forget_stopped_sitemap
from .build import build_of, drop_statics, start_build
from .formats import formats_of
from .frontmatter import declare_keys
from .manifest import ManifestGenerator


def start_run(pelican) -> type:
    """The first signal of every run: a fresh Build, its template helpers, its manifest."""
    build = start_build(pelican.settings)
    helpers = pelican.settings.setdefault("JINJA_GLOBALS", {})
    # Templates call formats_of(article) for the format switcher, render_once for cards.
    helpers["formats_of"] = formats_of
    helpers["render_once"] = build.render_once
    forget_stopped_sitemap()
    return ManifestGenerator


def check_front_matter(generators) -> None:
    if not generators:
        return
    build = build_of(generators[0].settings)
    for error in frontmatter.check_generators(generators):
        build.report(error)


def stop_if_any(pelican) -> None:
    build_of(pelican.settings).stop_if_any()


def drop_consumed_sources(generator) -> None:
    """Sources a plugin made into something else are not copied to the site as they are."""
    consumed = build_of(generator.settings).consumed
    root = Path(generator.path)
    drop_statics(generator, lambda static: str((root / static.source_path).resolve()) in consumed)


def publish_cached_files(pelican) -> None:
    """Put the cached renditions into the finished output (links, not copies, when possible)."""
    build_of(pelican.settings).publish_all(Path(pelican.output_path))


def register() -> None:
    declare_keys("audience", "cover")
    # Connected first of the magazine's plugins (mag_core is first in PLUGINS),
    # so the Build exists before any other plugin's handler of the same run.
    signals.get_generators.connect(start_run)
    signals.all_generators_finalized.connect(check_front_matter)
    # get_writer is sent after every all_generators_finalized handler and
    # before the first page is written: the last moment to stop a strict build.
    signals.get_writer.connect(stop_if_any)
    signals.static_generator_finalized.connect(drop_consumed_sources)
    signals.finalized.connect(publish_cached_files)
