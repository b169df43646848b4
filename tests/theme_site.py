"""The sample magazine as a reader opens it: one build for all theme tests.

Import the fixtures into a test module (``from theme_site import theme_site,
theme_url``): the build and its server are session-scoped, so every theme test
module shares one build of the sample site (with the beacon on, so the opt-out
page exists) and one loopback server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, LiveServer, run_pelican

WIDTHS = (320, 390, 768, 1280)
PHONE, DESKTOP = 390, 1280
VIDEO_ARTICLE = "2026/shinki-jigyou-kontesuto-shinsain-taidan/"
# One page of every type the theme has, as a reader would reach it.
PAGE_TYPES = {
    "home": "",
    "article": "2026/shinki-jigyou-no-genba-kara-1-souko-no-komarigoto/",
    "article with a chart": "2026/contest-2027-guide/",
    "video article": VIDEO_ARTICLE,
    "transcript": VIDEO_ARTICLE + "transcript/",
    "illustrated": "2026/shanai-pitchi-ibento-mirai-pitch-2026-repooto/illustrated/",
    "category": "category/shinki-jigyou/",
    "categories": "category/",
    "tag": "tag/intabyuu/",
    "tags": "tag/",
    "author": "author/kouhou-bu-satou/",
    "authors": "author/",
    "series": "series/shinki-jigyou-no-genba-kara/",
    "archives": "archives/",
    "search": "search/",
    "page": "pages/kono-magajin-ni-tsuite/",
    "opt-out": "pages/opt-out/",
}
# The beacon posts here; the static server answers 404, which no page shows.
BEACON_PATH = "/collect"


@pytest.fixture(scope="session")
def theme_site(tmp_path_factory) -> Path:
    from mag_search import build_index

    output = tmp_path_factory.mktemp("theme") / "output"
    run_pelican(
        ROOT / "content",
        output,
        {"MAG_CACHE_PATH": str(ROOT / "cache"), "MAG_BEACON": {"url": BEACON_PATH}},
    )
    build_index(output)
    return output


@pytest.fixture(scope="session")
def theme_url(theme_site) -> Iterator[str]:
    server = LiveServer(theme_site)
    yield server.url
    server.close()


@contextmanager
def reader(browser, width: int, *, dark=False, reduced_motion=False, javascript=True):
    """A page in a fresh browser context, as a phone (touch, no hover) or a desktop."""
    phone = width < 768
    context = browser.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        color_scheme="dark" if dark else "light",
        reduced_motion="reduce" if reduced_motion else "no-preference",
        java_script_enabled=javascript,
        locale="ja-JP",
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def check_page_types_exist(site: Path) -> None:
    missing = [
        name for name, path in PAGE_TYPES.items() if not (site / path / "index.html").is_file()
    ]
    assert not missing, f"sample pages moved: {missing}"
