"""Everything one video article needs, made through the cache.

Each output's cache key holds exactly what decides its bytes, so changing the
captions re-renders the short cut (burned in) and the caption files, but not
the web rendition or the poster, and a rebuild with nothing changed finds
everything and starts no ffmpeg.
"""

from __future__ import annotations

import logging
import posixpath
import tempfile
from pathlib import Path

from mag_core import ContentError, captionsettings
from mag_core.cache import Cache, cache_key, cache_root, file_digest
from mag_core.captionchecks import report_checks
from mag_core.captions import Cue, parse_captions, write_vtt
from mag_core.speakers import with_speaker_labels

from . import burnin, encode, fonts, posters, shortcut, sync
from .highlights import resolve_highlights
from .model import Probe, ShortCut, VideoInfo
from .probe import probe as probe_source
from .progress import Progress
from .retime import retime
from .settings import read as read_settings
from .sources import VideoFrontMatter
from .tools import Ffmpeg, FfmpegFailed, find_ffmpeg, run

logger = logging.getLogger(__name__)

Publish = list[tuple[Path, str]]  # (cached file, output-relative destination)


class Renderer:
    def __init__(self, settings) -> None:
        self.config = read_settings(settings)
        self.settings = settings
        self.captions = captionsettings.read(settings)
        self.cache = Cache(cache_root(settings))
        self._ffmpeg: Ffmpeg | None = None

    @property
    def ffmpeg(self) -> Ffmpeg:
        if self._ffmpeg is None:
            self._ffmpeg = find_ffmpeg(self.config["ffmpeg"], self.cache.root)
        return self._ffmpeg

    def render(self, front: VideoFrontMatter, save_as: str) -> tuple[VideoInfo, Publish]:
        folder = article_folder(save_as)
        names = (*front.speakers, *self.captions["speakers"])
        cues = parse_captions(front.captions, speaker_names=names) if front.captions else []
        info = probe_source(front.video, self.ffmpeg, self.cache)
        if front.captions:
            report_checks(cues, front.captions, info.duration, self.settings, self.captions)
        segments = resolve_highlights(
            front.highlights,
            cues,
            front.captions,
            info.duration,
            source=(front.article, front.highlights_line),
            padding=self.config["highlight_padding"],
        )
        publish: Publish = []
        width, height = encode.web_size(info, self.config)
        web = self._cached(
            front,
            "web video",
            inputs=[front.video],
            recipe=self._web_recipe(info),
            suffix=".mp4",
            seconds=info.duration,
            args_for=lambda target, _work: encode.web_args(
                self.ffmpeg.exe, front.video, target, info, self.config
            ),
        )
        publish.append((web, f"{folder}/video.mp4"))
        captions_url = None
        if front.captions:
            vtt = self._vtt(cues)
            publish.append((vtt, f"{folder}/video.ja.vtt"))
            captions_url = f"{folder}/video.ja.vtt"
        poster = self._poster(front, info, _poster_time(front, segments, info), (width, height))
        publish += [
            (poster[".jpg"], f"{folder}/poster.jpg"),
            (poster[".webp"], f"{folder}/poster.webp"),
        ]
        short = None
        if segments:
            short, short_files = self._short(front, info, cues, segments, folder)
            publish += short_files
        video = VideoInfo(
            url=f"{folder}/video.mp4",
            captions_url=captions_url,
            poster_url=f"{folder}/poster.jpg",
            poster_webp_url=f"{folder}/poster.webp",
            width=width,
            height=height,
            duration=info.duration,
            cues=cues,
            captions_path=front.captions,
            short=short,
        )
        return video, publish

    def _web_recipe(self, info: Probe) -> dict:
        keys = ("max_width", "max_height", "crf", "preset", "audio_bitrate", "max_fps")
        # "picture" 2: constant frame rate from timestamps, ends together, SDR BT.709 tags.
        return {
            "step": "web",
            "picture": 2,
            **{key: self.config[key] for key in keys},
            "audio": bool(info.audio_codec),
        }

    def _cached(self, front, step, *, inputs, recipe, suffix, seconds, args_for) -> Path:
        """The cached output for ``recipe``; on a miss, ffmpeg runs ``args_for(target, work)``."""
        key = cache_key(inputs, {**recipe, "ffmpeg": self.ffmpeg.version})

        def make(temporary: Path) -> None:
            with tempfile.TemporaryDirectory(prefix="mag-video-") as work:
                args = args_for(temporary, Path(work))
                self._run(front, f"{front.video.name} {step}", args, seconds)

        path, _made = self.cache.get_or_make(key, suffix, make)
        return path

    def _run(
        self, front, label: str, args: list[str], seconds: float, *, quiet: bool = False
    ) -> str:
        mode = "off" if quiet else self.config["progress"]
        try:
            log = run(args, Progress(label, seconds, mode))
        except FfmpegFailed as failure:
            message = f"ffmpeg could not make the {label}: {failure.detail}"
            raise ContentError(front.video, message) from None
        if "failed to find any fallback with glyph" in log:
            # The glyph check should have caught it; libass only warns and exits 0.
            raise ContentError(
                front.captions or front.video, f"a caption character has no glyph: {log}"
            )
        return log

    def _vtt(self, cues: list[Cue], step: str = "vtt") -> Path:
        cues = self._labelled(cues)
        recipe = {"step": step, "cues": [_cue_data(cue) for cue in cues]}
        path, _made = self.cache.get_or_make(
            cache_key([], recipe), ".vtt", lambda target: write_vtt(cues, target)
        )
        return path

    def _labelled(self, cues: list[Cue]) -> list[Cue]:
        """Cues naming their speaker as text (players do not show <v> names)."""
        mode, label = self.captions["speaker_names"], self.captions["speaker_label"]
        return with_speaker_labels(cues, mode, label)

    def _poster(self, front, info: Probe, at, size) -> dict[str, Path]:
        width = min(self.config["poster_width"], size[0])
        quality = self.config["poster_quality"]
        if front.poster_image is not None:
            return posters.poster_files(
                front.poster_image, width, quality, self.cache, owner=front.article
            )
        if at > info.duration:
            raise ContentError(
                front.article,
                f"Poster: {at:g} s is after the end of the video ({info.duration:.1f} s)",
                line=front.poster_line,
            )
        at = min(at, max(0.0, info.duration - 0.1))
        frame = self._frame(front, front.video, at, size, info)
        return posters.poster_files(frame, width, quality, self.cache, owner=front.article)

    def _frame(self, front, source: Path, at: float, size, info: Probe | None) -> Path:
        """A PNG frame of ``source``; ``info`` None: one of our own (SDR) renditions."""
        recipe = {"step": "frame", "at": round(at, 3), "size": list(size), "picture": 2}

        def args_for(target: Path) -> list[str]:
            return encode.frame_args(self.ffmpeg.exe, source, target, at, size, probe=info)

        key = cache_key([source], {**recipe, "ffmpeg": self.ffmpeg.version})

        def make(target: Path) -> None:
            self._run(front, "poster frame", args_for(target), 1.0, quiet=True)

        path, _made = self.cache.get_or_make(key, ".png", make)
        return path

    def _short(self, front, info: Probe, cues, segments, folder: str):
        fps = sync.output_fps(info, self.config)
        pieces = shortcut.plan(segments, fps, info.duration)
        short_cues = retime(cues, pieces, self.config["min_cue_seconds"])
        size = shortcut.output_size(info, front.aspect, self.config)
        font, document = self._captions_script(front, short_cues, size)
        duration = sum(piece.seconds for piece in pieces)
        if duration > self.config["short_max_seconds"]:
            logger.warning(
                "mag_video: %s: the short cut is %.0f s long (more than %s s)",
                front.article,
                duration,
                self.config["short_max_seconds"],
            )
        recipe = {
            **self._web_recipe(info),
            "step": "short",
            "pieces": [(round(p.start, 6), p.frames, round(p.fps, 6)) for p in pieces],
            "size": list(size),
            "fade": self.config["join_fade"],
            "ass": document,
            "font": file_digest(font.path) if font else None,
        }

        def args_for(target: Path, work: Path) -> list[str]:
            ass_path = None
            if font is not None:
                fonts.check_glyphs(short_cues, font, front.captions)
                ass_path = _write_script(work, font, document)
            return shortcut.short_args(
                self.ffmpeg.exe,
                front.video,
                target,
                pieces=pieces,
                probe=info,
                size=size,
                ass_path=ass_path,
                config=self.config,
            )

        video = self._cached(
            front,
            "short cut",
            inputs=[front.video],
            recipe=recipe,
            suffix=".mp4",
            seconds=duration,
            args_for=args_for,
        )
        frame = self._frame(front, video, min(1.0, duration / 2), size[:2], None)
        poster = posters.poster_files(frame, size[0], self.config["poster_quality"], self.cache)
        files = [
            (video, f"{folder}/short.mp4"),
            (poster[".jpg"], f"{folder}/short-poster.jpg"),
            (poster[".webp"], f"{folder}/short-poster.webp"),  # what lists and players show
        ]
        if front.captions:
            files.append((self._vtt(short_cues, "short-vtt"), f"{folder}/short.ja.vtt"))
        short = ShortCut(
            url=f"{folder}/short.mp4",
            captions_url=f"{folder}/short.ja.vtt" if front.captions else "",
            poster_url=f"{folder}/short-poster.jpg",
            poster_webp_url=f"{folder}/short-poster.webp",
            duration=duration,
            segments=segments,
            width=size[0],
            height=size[1],
            aspect=front.aspect,
            preview=bool(self.config["list_preview"]),
        )
        return short, files

    def _captions_script(self, front, cues, size):
        if not cues:
            return None, ""
        try:
            path = fonts.find_font(self.config["font_file"])
        except fonts.FontMissing as missing:
            raise ContentError(front.article, f"cannot burn in captions: {missing}") from None
        font = fonts.load_font(path, self.config["font_index"])
        layout = burnin.layout_for(size[0], size[1], font, self.config)
        return font, burnin.ass_document(self._labelled(cues), layout, font)


def _write_script(work: Path, font, document: str) -> Path:
    # fontsdir holds only our font: libass loads every file in that folder as a font.
    fonts_dir = work / "fonts"
    fonts_dir.mkdir()
    (fonts_dir / f"caption-font{font.path.suffix}").symlink_to(font.path)
    ass_path = work / "captions.ass"
    ass_path.write_text(document, encoding="utf-8")
    return ass_path


def _poster_time(front: VideoFrontMatter, segments, info: Probe) -> float:
    """The Poster: time, else half a second into the first highlight, else 10 % in."""
    if front.poster_time is not None or front.poster_image is not None:
        return front.poster_time or 0.0
    if segments:
        return segments[0].start + min(0.5, segments[0].duration / 2)
    return min(info.duration * 0.1, 10.0)


def article_folder(save_as: str) -> str:
    """'2026/slug/index.html' -> '2026/slug'; 'slug.html' -> 'slug'."""
    head, name = posixpath.split(save_as.replace("\\", "/"))
    if name.startswith("index."):
        return head
    return (
        posixpath.join(head, posixpath.splitext(name)[0]) if head else posixpath.splitext(name)[0]
    )


def _cue_data(cue: Cue) -> list:
    return [cue.id, round(cue.start, 3), round(cue.end, 3), [(p.voice, p.html) for p in cue.parts]]
