"""Responsive images: WebP widths, clean originals, the cache, and bad image files."""

from __future__ import annotations

import logging
from pathlib import Path

import pictures
import pytest
from PIL import Image

from conftest import build_in, run_pelican, soup, write_site
from mag_core import BuildStopped
from mag_illustrated.state import BuildState, state_of

ARTICLE = """Title: 写真で見る現場
Date: 2026-05-01 09:00
Category: テスト
Slug: photo-story
{extra}
現場の様子を写真で紹介します。

![倉庫の写真]({{static}}/images/{first})

本文が続きます。

![二枚目の写真]({{static}}/images/{second})
"""


def article(first="wide.png", second="photo.jpg", extra=""):
    return ARTICLE.format(first=first, second=second, extra=extra)


def site_files(**images: bytes) -> dict:
    files = {"articles/story.md": article()}
    files.update({f"images/{name}": data for name, data in images.items()})
    return files


def published_images(output: Path) -> list[Path]:
    return [p for p in output.rglob("*") if p.suffix.lower() in {".png", ".jpg", ".webp"}]


def srcset_files(output: Path, page: Path, srcset: str) -> list[tuple[Path, int]]:
    """(file, declared width) for each srcset entry, resolved like a browser from ``page``."""
    entries = []
    for entry in srcset.split(","):
        url, width = entry.split()
        entries.append(((page.parent / url).resolve(), int(width.rstrip("w"))))
    return entries


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory):
    """Built once: the tests that use it only read it."""
    files = site_files(**{"wide.png": pictures.png(1600, 900), "photo.jpg": pictures.phone_photo()})
    return build_in(tmp_path_factory.mktemp("photos"), files)


def test_content_images_become_pictures_with_webp_widths(photo_site):
    page_path = photo_site / "2026/photo-story/index.html"
    pictures_ = soup(page_path).select(".article-body picture")
    assert len(pictures_) == 2
    source = pictures_[0].select_one("source")
    assert source["type"] == "image/webp"
    entries = srcset_files(photo_site, page_path, source["srcset"])
    assert [width for _, width in entries] == [480, 960, 1440]
    for file, width in entries:
        with Image.open(file) as image:
            assert image.format == "WEBP"
            assert image.size == (width, round(900 * width / 1600))
    img = pictures_[0].select_one("img")
    assert (img["width"], img["height"]) == ("1600", "900")
    assert img["alt"] == "倉庫の写真"
    assert (page_path.parent / img["src"]).resolve() == (photo_site / "images/wide.png").resolve()


def test_first_image_loads_at_once_and_the_rest_lazily(photo_site):
    imgs = soup(photo_site / "2026/photo-story/index.html").select(".article-body picture img")
    assert "loading" not in imgs[0].attrs
    assert imgs[1]["loading"] == "lazy"


def test_small_images_are_never_upscaled(build):
    output = build(
        site_files(**{"wide.png": pictures.png(300, 200), "photo.jpg": pictures.phone_photo()})
    )
    page_path = output / "2026/photo-story/index.html"
    source = soup(page_path).select_one(".article-body picture source")
    assert [width for _, width in srcset_files(output, page_path, source["srcset"])] == [300]


def test_exif_orientation_is_applied_and_gps_removed_everywhere(photo_site):
    with Image.open(photo_site.parent / "content/images/photo.jpg") as original:
        assert pictures.has_location_or_exif(original)  # the fixture really carries GPS
    with Image.open(photo_site / "images/photo.jpg") as published:
        assert published.size == (120, 240)  # upright: orientation 6 turned it
        assert not pictures.has_location_or_exif(published)
    img = soup(photo_site / "2026/photo-story/index.html").select(".article-body img")[1]
    assert (img["width"], img["height"]) == ("120", "240")
    for path in published_images(photo_site):
        with Image.open(path) as image:
            assert not pictures.has_location_or_exif(image), path


def test_png_with_exif_chunk_is_published_clean(build):
    output = build(
        site_files(
            **{"wide.png": pictures.phone_photo(fmt="PNG"), "photo.jpg": pictures.phone_photo()}
        )
    )
    with Image.open(output / "images/wide.png") as image:
        assert image.size == (120, 240)
        assert not pictures.has_location_or_exif(image)


def test_unreferenced_static_images_are_cleaned_too(build):
    files = site_files(**{"wide.png": pictures.png(800, 450), "photo.jpg": pictures.phone_photo()})
    files["images/unused/holiday.jpg"] = pictures.phone_photo()
    output = build(files)
    with Image.open(output / "images/unused/holiday.jpg") as image:
        assert not pictures.has_location_or_exif(image)


def images_of_a_build(folder: Path, files) -> BuildState:
    """A real build of ``files``; what mag_illustrated recorded of it (on the run's Build)."""
    return state_of(run_pelican(write_site(folder, files), folder / "output"))


def test_a_rebuild_with_nothing_changed_encodes_no_image(tmp_path):
    files = site_files(**{"wide.png": pictures.png(1600, 900), "photo.jpg": pictures.phone_photo()})
    first = images_of_a_build(tmp_path, files)
    # 2 clean originals, 3 + 1 WebP widths, 1 share card; and the title cover an article
    # without a Cover: gets (its drawing, the clean original and 3 WebP widths).
    assert first.encoded == 12
    cached = {p: p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*") if p.is_file()}
    again = images_of_a_build(tmp_path, files)
    output = tmp_path / "output"
    assert again is not first
    assert again.encoded == 0
    assert again.reused == first.encoded + first.reused
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "cache").rglob("*") if p.is_file()}
    assert after == cached
    assert soup(output / "2026/photo-story/index.html").select(".article-body picture")


def test_a_changed_image_gets_new_derivatives(tmp_path):
    photo = pictures.phone_photo()
    images_of_a_build(
        tmp_path, site_files(**{"wide.png": pictures.png(1600, 900), "photo.jpg": photo})
    )
    changed = pictures.png(1600, 900, colour="#e76f51")
    state = images_of_a_build(tmp_path, site_files(**{"wide.png": changed, "photo.jpg": photo}))
    assert state.encoded == 4  # clean original + 3 WebP widths


BAD_IMAGES = {
    "not an image": (b"this is not a picture at all", "cannot read the image"),
    "truncated": (pictures.truncated_png(), "damaged"),
    "over our pixel limit": (pictures.claimed_size_png(7000, 7000), "over the limit"),
    "decompression bomb": (pictures.claimed_size_png(40000, 40000), "over the limit"),
}


@pytest.mark.parametrize("kind", BAD_IMAGES)
def test_bad_images_stop_a_strict_build_naming_the_file(build, tmp_path, kind):
    data, message = BAD_IMAGES[kind]
    files = site_files(**{"wide.png": data, "photo.jpg": pictures.phone_photo()})
    with pytest.raises(BuildStopped) as stopped:
        build(files, conf="publishconf.py")
    text = str(stopped.value)
    assert "images/wide.png" in text
    assert message in text
    assert not (tmp_path / "output/2026/photo-story/index.html").exists()


def test_bad_images_warn_in_a_dev_build_and_are_not_published(build, caplog):
    files = site_files(
        **{"wide.png": pictures.truncated_png(), "photo.jpg": pictures.phone_photo()}
    )
    with caplog.at_level(logging.WARNING):
        output = build(files)
    assert any(
        "images/wide.png" in r.getMessage() and "damaged" in r.getMessage() for r in caplog.records
    )
    assert not (output / "images/wide.png").exists()
    imgs = soup(output / "2026/photo-story/index.html").select(".article-body img")
    assert imgs[0].parent.name != "picture"  # left as Pelican wrote it
    assert imgs[1].parent.name == "picture"


def test_raw_html_pictures_are_left_alone(build):
    body = '<picture><img src="{static}/images/wide.png" alt="手書きの指定"></picture>'
    files = site_files(**{"wide.png": pictures.png(800, 450), "photo.jpg": pictures.phone_photo()})
    files["articles/story.md"] = article().replace("![倉庫の写真]({static}/images/wide.png)", body)
    output = build(files)
    page = soup(output / "2026/photo-story/index.html")
    assert len(page.select("picture")) == 2
    assert not page.select("picture picture")


def test_srcset_urls_follow_the_site_url_in_pages_and_feeds(build):
    files = site_files(**{"wide.png": pictures.png(1000, 500), "photo.jpg": pictures.phone_photo()})
    site = "https://mag.example.jp"
    output = build(files, SITEURL=site, FEED_DOMAIN=site, RELATIVE_URLS=False)
    source = soup(output / "2026/photo-story/index.html").select_one(".article-body source")
    urls = [entry.split()[0] for entry in source["srcset"].split(",")]
    assert all(url.startswith(f"{site}/img/") for url in urls)
    assert all((output / url.removeprefix(f"{site}/")).is_file() for url in urls)
    feed = (output / "feeds/all.atom.xml").read_text(encoding="utf-8")
    assert urls[0] in feed
    assert "{mag-image}" not in feed
