"""Image derivatives per second on a cold build, and images encoded by a no-change rebuild.

The baseline is plain Pillow making the same WebP widths in a loop, with no
Pelican, no cache and no cleaning of originals, measured in the same run.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from .timing import median_seconds, report

WIDTHS = (480, 960, 1440)


def _photo(number: int, width: int = 1920, height: int = 1080) -> Image.Image:
    image = Image.new("RGB", (width, height), (240 - number % 40, 230, 210 + number % 40))
    canvas = ImageDraw.Draw(image)
    for k in range(24):  # shapes and a gradient-ish band, so the encoder has work to do
        x, y = (k * 173 + number * 37) % width, (k * 97 + number * 53) % height
        canvas.ellipse((x, y, x + 260, y + 180), fill=(k * 10 % 255, 90 + k * 6, 160))
    for row in range(0, height, 4):
        canvas.line((0, row, width, row), fill=(row % 255, 120, 200 - row % 120), width=1)
    return image


def write_site(folder: Path, images: int) -> Path:
    """Articles with two photos each, and one illustrated variant (5 panels, one animated)."""
    content = folder / "content"
    (content / "images").mkdir(parents=True)
    for number in range(images):
        fmt, suffix = ("JPEG", "jpg") if number % 2 else ("PNG", "png")
        _photo(number).save(content / "images" / f"photo-{number:03d}.{suffix}", fmt, quality=90)
    articles = content / "articles"
    articles.mkdir()
    names = sorted(p.name for p in (content / "images").iterdir())
    for number in range(0, images, 2):
        body = "\n\n".join(f"![写真{n}]({{static}}/images/{n})" for n in names[number : number + 2])
        articles.joinpath(f"a{number:03d}.md").write_text(
            f"Title: 写真記事 第{number}回\nDate: 2026-06-01 09:00\nCategory: 現場\n"
            f"Slug: photos-{number:03d}\n\n本文です。\n\n{body}\n",
            encoding="utf-8",
        )
    _variant(content)
    return content


def _variant(content: Path) -> None:
    panels = content / "illustrations" / "bench"
    (panels / "05-anim").mkdir(parents=True)
    lines = []
    for number in range(1, 5):
        _photo(number, 1200, 750).save(panels / f"0{number}.png")
        lines.append(f"## 0{number}.png\nCaption: 絵{number}\nAlt: 図{number}\n")
    for frame in range(8):
        _photo(frame, 800, 500).save(panels / "05-anim" / f"{frame:03d}.png")
    lines.append("## 05-anim/\nCaption: 動く絵\nAlt: 動く図\n")
    (panels / "panels.md").write_text("\n".join(lines), encoding="utf-8")
    first = content / "articles" / "a000.md"
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("Slug:", "Illustrated: illustrations/bench/\nSlug:"), "utf-8")


def _build(root: Path, content: Path, output: Path, cache: Path):
    from pelican import Pelican
    from pelican.settings import read_settings

    from mag_illustrated.state import state_of

    settings = read_settings(
        str(root / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "THEME": str(root / "theme"),
            "MAG_CACHE_PATH": str(cache),
        },
    )
    Pelican(settings=settings).run()
    return state_of(settings)


def _plain_pillow(content: Path) -> int:
    """The baseline: the same WebP widths of every content photo, straight from Pillow."""
    made = 0
    for path in sorted((content / "images").iterdir()):
        with Image.open(path) as image:
            image.load()
            for width in WIDTHS:
                size = (width, round(image.height * width / image.width))
                image.resize(size, Image.Resampling.LANCZOS).save(io.BytesIO(), "WEBP", quality=80)
                made += 1
    return made


def run(root: Path, options: dict) -> None:
    images, runs = int(options.get("images", 24)), int(options.get("runs", 3))
    with tempfile.TemporaryDirectory(prefix="mag-bench-images-") as folder:
        work = Path(folder)
        content = write_site(work, images)
        output, cache = work / "output", work / "cache"
        print(
            f"corpus: {images} photos (1920×1080) in {images // 2} articles, "
            f"1 illustrated variant, {runs} runs",
            flush=True,
        )

        def cold() -> None:
            shutil.rmtree(output, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)

        counts = []

        def build() -> None:
            counts.append(_build(root, content, output, cache))

        ours = median_seconds(build, runs, cold)
        encoded = counts[-1].encoded
        baseline_made = []
        baseline = median_seconds(lambda: baseline_made.append(_plain_pillow(content)), runs)
        print(
            f"cold build: {encoded} images encoded in {ours:.2f}s = "
            f"{encoded / ours:.1f} derivatives/s (plain Pillow: "
            f"{baseline_made[-1] / baseline:.1f} WebP/s)",
            flush=True,
        )
        report("cold build, per derivative", ours / encoded, baseline / baseline_made[-1])
        start = time.perf_counter()
        again = _build(root, content, output, cache)
        seconds = time.perf_counter() - start
        verdict = "met" if again.encoded == 0 else "MISSED"
        print(
            f"no-change rebuild: {again.encoded} images encoded, {again.reused} reused "
            f"from the cache, {seconds:.2f}s  target 0 encoded: {verdict}",
            flush=True,
        )
