"""The illustrated variant page, its panels, share cards, and panel-file errors."""

from __future__ import annotations

import logging

import pictures
import pytest
from PIL import Image, ImageFont

from conftest import build_in, soup
from mag_core import BuildStopped, SettingsError

SLUG = "pitch-day"
ARTICLE = f"""Title: ピッチの一日。審査員が語る「次の一歩」
Date: 2026-09-24 09:00
Category: イベント
Slug: {SLUG}
Illustrated: illustrations/pitch/

本文です。会場の様子を紹介します。
"""

PANELS = """Title: イラストで見るピッチの一日
Lead: 4枚の絵で振り返ります。

## 01-stage.png
Caption: 会場には開場前から列ができました。
Alt: ステージの前に並ぶ人たちのイラスト

## 02-teams/
Caption: 5チームが順に登壇しました。
Alt: アイコンが順に光るアニメーション
Duration: 300

## 03-award.jpg
Caption: 最優秀賞が決まりました。
Alt: トロフィーのイラスト

## 04-map.svg
Caption: 次の会場はここです。
Alt: 地図のイラスト
"""

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360">'
    '<rect width="640" height="360" fill="#cfe3f7"/></svg>'
)
FRAMES = 4


def variant_files(panels: str = PANELS, **replace) -> dict:
    files = {
        "articles/pitch.md": ARTICLE,
        "illustrations/pitch/panels.md": panels,
        "illustrations/pitch/01-stage.png": pictures.png(1200, 750),
        "illustrations/pitch/03-award.jpg": pictures.phone_photo(800, 500),
        "illustrations/pitch/04-map.svg": SVG,
    }
    for number in range(1, FRAMES + 1):
        files[f"illustrations/pitch/02-teams/{number:03d}.png"] = pictures.png(
            640, 400, mark=number
        )
    files.update(replace)
    return files


@pytest.fixture(scope="module")
def variant_site(tmp_path_factory):
    """Built once: the tests that use it only read it."""
    return build_in(tmp_path_factory.mktemp("variant"), variant_files())


def variant_page(output):
    return output / f"2026/{SLUG}/illustrated/index.html"


def test_variant_page_shows_panels_in_order_with_captions_and_alt(variant_site):
    page = soup(variant_page(variant_site))
    assert page.select_one("h1").get_text() == "イラストで見るピッチの一日"
    panels = page.select(".panel")
    assert [p.select_one("figcaption").get_text() for p in panels] == [
        "会場には開場前から列ができました。",
        "5チームが順に登壇しました。",
        "最優秀賞が決まりました。",
        "次の会場はここです。",
    ]
    first, *rest = [p.select_one("img") for p in panels]
    assert first["alt"] == "ステージの前に並ぶ人たちのイラスト"
    assert "loading" not in first.attrs
    assert all(img["loading"] == "lazy" for img in rest)
    assert all(img.get("width") and img.get("height") for img in [first, *rest])
    assert (panels[3].select_one("img")["width"], panels[3].select_one("img")["height"]) == (
        "640",
        "360",
    )


def test_variant_is_in_the_format_switcher_both_ways(variant_site):
    article = soup(variant_site / f"2026/{SLUG}/index.html")
    link = article.select_one('.format-switcher a[data-format="illustrated"]')
    assert link.get_text() == "イラストで見る"
    assert (variant_site / f"2026/{SLUG}" / link["href"]).resolve() == variant_page(
        variant_site
    ).parent
    page = soup(variant_page(variant_site))
    current = page.select_one(".format-switcher a[aria-current=page]")
    assert current["data-format"] == "illustrated"
    onward = page.select_one('.illustrated__onward a[data-format="article"]')
    assert onward.get_text() == "記事を全文で読む"
    assert (variant_page(variant_site).parent / onward["href"]).resolve() == (
        variant_site / f"2026/{SLUG}"
    ).resolve()


def test_frame_folder_becomes_an_animated_webp_with_every_frame(variant_site):
    page_path = variant_page(variant_site)
    panel = soup(page_path).select(".panel")[1]
    assert "panel--animated" in panel["class"]
    still, moving = panel.select("source")
    assert still["media"] == "(prefers-reduced-motion: reduce)"
    for entry in moving["srcset"].split(","):
        url, width = entry.split()
        with Image.open(page_path.parent / url) as image:
            assert image.format == "WEBP"
            assert image.is_animated
            assert image.n_frames == FRAMES
            assert image.width == int(width.rstrip("w"))
            image.load()
            assert image.info["duration"] == 300
    for entry in still["srcset"].split(","):
        with Image.open(page_path.parent / entry.split()[0]) as image:
            assert not getattr(image, "is_animated", False)
    with Image.open(page_path.parent / panel.select_one("img")["src"]) as fallback:
        assert fallback.format == "PNG"
        assert fallback.size == (640, 400)


def test_panel_sources_and_panel_file_are_not_published_raw(variant_site):
    folder = variant_site / "illustrations/pitch"
    assert not (folder / "panels.md").exists()
    assert not (folder / "02-teams").exists()
    with Image.open(folder / "03-award.jpg") as photo:
        assert photo.size == (500, 800)  # the orientation applied
        assert not pictures.has_location_or_exif(photo)
    for path in variant_site.rglob("*"):
        if path.suffix in {".png", ".jpg", ".webp"}:
            with Image.open(path) as image:
                assert not pictures.has_location_or_exif(image), path


def test_share_card_is_a_1200x630_png_named_in_og_and_twitter_tags(variant_site):
    page = soup(variant_site / f"2026/{SLUG}/index.html")
    meta = {m.get("property") or m.get("name"): m["content"] for m in page.select("meta[content]")}
    assert meta["og:title"] == "ピッチの一日。審査員が語る「次の一歩」"
    assert meta["og:type"] == "article"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:url"] == f"http://localhost:8000/2026/{SLUG}/"
    image_url = meta["og:image"]
    assert image_url == meta["twitter:image"]
    assert image_url.startswith("http://localhost:8000/img/share/")
    with Image.open(variant_site / image_url.removeprefix("http://localhost:8000/")) as card:
        assert card.format == "PNG"
        assert card.size == (1200, 630)
        assert len(card.convert("RGB").getcolors(1 << 20)) > 20  # text drawn, not a flat fill
    variant_meta = soup(variant_page(variant_site)).select_one('meta[property="og:url"]')
    assert variant_meta["content"] == f"http://localhost:8000/2026/{SLUG}/illustrated/"


def test_hostile_captions_are_escaped(build):
    panels = PANELS.replace(
        "Caption: 会場には開場前から列ができました。", 'Caption: <script>alert("x")</script>列'
    ).replace("Alt: ステージの前に並ぶ人たちのイラスト", 'Alt: "><img src=x onerror=alert(1)>')
    output = build(variant_files(panels))
    html = variant_page(output).read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "onerror=alert(1)>" not in html.replace('alt="&#34;&gt;', "")
    page = soup(variant_page(output))
    assert page.select_one(".panel figcaption").get_text() == '<script>alert("x")</script>列'
    assert page.select_one(".panel img")["alt"] == '"><img src=x onerror=alert(1)>'


def test_missing_alt_warns_in_a_dev_build(build, caplog):
    panels = PANELS.replace("Alt: トロフィーのイラスト\n", "")
    with caplog.at_level(logging.WARNING):
        output = build(variant_files(panels))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("panels.md:13" in w and "no alt text" in w for w in warnings), warnings
    assert variant_page(output).is_file()


def test_missing_alt_fails_a_strict_build(build, tmp_path):
    panels = PANELS.replace("Alt: トロフィーのイラスト\n", "")
    with pytest.raises(
        BuildStopped, match=r"pitch/panels\.md:13: panel '03-award\.jpg' has no alt"
    ):
        build(variant_files(panels), conf="publishconf.py")
    assert not variant_page(tmp_path / "output").exists()


PANEL_ERRORS = {
    "missing image": (
        PANELS.replace("## 03-award.jpg", "## 03-trophy.jpg"),
        r"panels\.md:13: panel image '03-trophy\.jpg' not found",
    ),
    "unparsable line": (
        PANELS.replace("Caption: 最優秀賞が決まりました。", "最優秀賞が決まりました。"),
        r"panels\.md:14: cannot read this line",
    ),
    "unknown key": (
        PANELS.replace("Duration: 300", "Speed: 300"),
        r"panels\.md:11: unknown key 'Speed' in a panel",
    ),
    "no caption": (
        PANELS.replace("Caption: 次の会場はここです。\n", ""),
        r"panels\.md:17: panel '04-map\.svg' has no caption",
    ),
    "no panels": ("Title: 空っぽ\n", r"panels\.md: no panels"),
}


@pytest.mark.parametrize("case", PANEL_ERRORS)
def test_bad_panel_files_stop_a_strict_build_naming_file_and_line(build, tmp_path, case):
    panels, message = PANEL_ERRORS[case]
    with pytest.raises(BuildStopped, match=message):
        build(variant_files(panels), conf="publishconf.py")
    assert not (tmp_path / "output/2026").exists()


def test_damaged_panel_image_names_the_file(build):
    files = variant_files(**{"illustrations/pitch/01-stage.png": pictures.truncated_png()})
    with pytest.raises(BuildStopped, match=r"pitch/01-stage\.png: the image is damaged"):
        build(files, conf="publishconf.py")


def test_oversized_frame_names_the_frame(build):
    files = variant_files(
        **{"illustrations/pitch/02-teams/003.png": pictures.claimed_size_png(9000, 9000)}
    )
    with pytest.raises(BuildStopped, match=r"02-teams/003\.png: image has 9000×9000 pixels"):
        build(files, conf="publishconf.py")


def test_frames_of_different_sizes_are_refused(build):
    files = variant_files(**{"illustrations/pitch/02-teams/002.png": pictures.png(320, 200)})
    with pytest.raises(BuildStopped, match=r"02-teams/002\.png: frame is 320×200"):
        build(files, conf="publishconf.py")


def test_illustrated_folder_that_does_not_exist_names_the_front_matter_line(build):
    files = variant_files()
    files["articles/pitch.md"] = ARTICLE.replace("illustrations/pitch/", "illustrations/nowhere/")
    with pytest.raises(
        BuildStopped, match=r"articles/pitch\.md:5: Illustrated: 'illustrations/nowhere/'"
    ):
        build(files, conf="publishconf.py")


def test_a_missing_card_font_fails_clearly(build):
    with pytest.raises(SettingsError, match="fonts-noto-cjk"):
        build(variant_files(), MAG_ILLUSTRATED={"font": "/nonexistent/NotoSansCJK-Bold.ttc"})


@pytest.mark.browser
def test_with_reduced_motion_nothing_animates(variant_site, serve, page):
    server = serve(variant_site)
    url = f"{server.url}/2026/{SLUG}/illustrated/"
    page.set_viewport_size({"width": 390, "height": 844})

    def visit(motion: str):
        page.emulate_media(reduced_motion=motion)
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.mouse.wheel(0, 900)
        page.wait_for_timeout(300)
        animations = page.evaluate(
            "document.getAnimations().filter(a => a.playState === 'running').length"
        )
        shown = page.evaluate("document.querySelectorAll('.panel img')[1].currentSrc")
        return animations, shown

    moving, moving_src = visit("no-preference")
    assert moving > 0  # the scroll-in effect runs for everyone else
    assert "anim" in moving_src
    still, still_src = visit("reduce")
    assert still == 0
    assert page.evaluate("document.getAnimations().length") == 0
    assert "still" in still_src
    assert "anim" not in still_src


@pytest.mark.browser
def test_panels_fill_a_phone_screen_without_layout_shift(variant_site, serve, page):
    server = serve(variant_site)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server.url}/2026/{SLUG}/illustrated/")
    width = page.evaluate("document.querySelector('.panel img').getBoundingClientRect().width")
    assert width == 390
    ratio = page.evaluate(
        "(() => { const r = document.querySelectorAll('.panel img')[2].getBoundingClientRect();"
        " return r.height / r.width; })()"
    )  # still lazy and unloaded, yet width/height reserve its box
    assert ratio == pytest.approx(800 / 500, rel=0.01)


def test_card_titles_never_break_before_closing_punctuation():
    from mag_illustrated.cards import _font
    from mag_illustrated.linebreak import NO_END, NO_START, wrap
    from mag_illustrated.settings import DEFAULTS

    title = (
        "社内ピッチ「MIRAI PITCH 2026」開催。審査員は、応募者に何を期待したのか？"
        "――答えは「熱量」でした。"
    )
    face = _font(DEFAULTS["font"], DEFAULTS, 60)
    for max_width in range(300, 1000, 7):
        lines = wrap(title, face.getlength, max_width)
        assert "".join(lines).replace(" ", "") == title.replace(" ", "")
        for line in lines:
            assert line[0] not in NO_START, (max_width, lines)
            assert line[-1] not in NO_END, (max_width, lines)
            if len(line) > 1:
                assert face.getlength(line) <= max_width, (max_width, lines)


def test_card_titles_keep_words_together():
    from mag_illustrated.linebreak import wrap

    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 60, index=0)
    lines = wrap("越境学習で広がるキャリア スタートアップ出向の1年", font.getlength, 800)
    assert lines == ["越境学習で広がるキャリア", "スタートアップ出向の1年"]


@pytest.mark.slow
def test_the_sample_magazine_has_an_illustrated_variant(sample_site):
    pages = list(sample_site.glob("2026/*/illustrated/index.html"))
    assert pages
    page = soup(pages[0])
    panels = page.select(".panel")
    assert len(panels) >= 5
    assert page.select(".panel--animated")
    assert all(panel.select_one("img")["alt"] for panel in panels)
    assert all(panel.select_one("figcaption").get_text().strip() for panel in panels)
    for path in (sample_site / "illustrations").rglob("*"):
        assert path.suffix != ".md"


def test_an_animation_moves_for_at_most_five_seconds_by_itself(variant_site):
    from mag_illustrated.animation import MOTION_LIMIT_MS, play_count

    source = soup(variant_page(variant_site)).select(".panel")[1].select("source")[1]
    url = source["srcset"].split(",")[0].split()[0]
    with Image.open(variant_page(variant_site).parent / url) as image:
        plays = image.info["loop"]
    assert plays == play_count(FRAMES, 300) == 4
    assert plays * FRAMES * 300 <= MOTION_LIMIT_MS
    assert play_count(240, 160) == 1  # longer than 5 s once: the page's pause button serves


def test_articles_without_a_cover_get_a_title_cover_coloured_by_category(build):
    def story(slug: str, category: str, extra: str = "") -> str:
        front = f"Title: {slug}の記事\nDate: 2026-10-01\nCategory: {category}\nSlug: {slug}\n"
        return f"{front}{extra}\n本文。\n"

    output = build(
        {
            "articles/a.md": story("a", "新規事業"),
            "articles/b.md": story("b", "新規事業"),
            "articles/c.md": story("c", "働き方"),
            "articles/d.md": story("d", "働き方", "Cover: images/d.png"),
            "images/d.png": pictures.png(640, 360),
        }
    )
    cards = {
        card.select_one(".card__title a, .lead__title a").get_text(): card
        for card in soup(output / "index.html").select(".card, .lead")
    }
    colours = {}
    for slug in "abc":
        img = cards[f"{slug}の記事"].select_one("img")
        assert "/cover-" in img["src"]
        assert (img["width"], img["height"]) == ("1200", "675")
        with Image.open(output / img["src"]) as cover:
            colours[slug] = cover.convert("RGB").getpixel((600, 20))
    assert colours["a"] == colours["b"] != colours["c"]
    assert "/cover-" not in cards["dの記事"].select_one("img")["src"]
