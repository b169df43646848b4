"""The project's one caption parser: WebVTT (and SRT) -> cues with ids, times, voices, safe text.

Used by the video plugin (web captions, highlight cuts, burned-in subtitles)
and the transcript plugin, so an editor sees one set of error messages. Every
error names the caption file and the line, and a file's problems are reported
together, not one per build.

The layers, each following the W3C WebVTT specification:
:mod:`mag_core.webvtt` (file -> cues with raw text), :mod:`mag_core.cuetext`
(cue text -> node tree -> runs of one voice), :mod:`mag_core.speakers`
(``Name:`` prefixes and the names shown on screen). Writing is done here too
(webvtt-py did it once): the format is a few lines, and what is written must
read back through this parser to the same cues.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import cuetext, speakers
from .errors import ContentError
from .webvtt import clock_parts, format_timestamp, parse_srt, parse_webvtt

# Encodings Japanese caption files arrive in when not UTF-8, most likely first.
_LIKELY_ENCODINGS = {
    "cp932": ("Shift_JIS (CP932)", "CP932"),
    "euc_jp": ("EUC-JP", "EUC-JP"),
    "iso2022_jp": ("ISO-2022-JP", "ISO-2022-JP"),
    "utf_16": ("UTF-16", "UTF-16"),
}


@dataclass(frozen=True)
class CuePart:
    """A run of one cue spoken by one voice (a cue may hold several)."""

    voice: str | None
    text: str  # plain text
    html: str  # safe, balanced HTML: only b, i, u, ruby, rt and span[lang]


@dataclass(frozen=True)
class Cue:
    id: str | None
    start: float  # seconds
    end: float
    line: int  # line of the timing line in the source file
    parts: tuple[CuePart, ...] = field(default_factory=tuple)
    raw: str = ""  # the cue text as written, markup and all

    @property
    def text(self) -> str:
        return "\n".join(part.text for part in self.parts)

    @property
    def voices(self) -> list[str]:
        return [part.voice for part in self.parts if part.voice]

    def shifted(self, start: float, end: float) -> Cue:
        return replace(self, start=start, end=end)


__all__ = [
    "CaptionErrors",
    "Cue",
    "CuePart",
    "clock_parts",
    "each_problem",
    "format_timestamp",
    "parse_captions",
    "write_vtt",
]


class CaptionErrors(ContentError):
    """Every problem of one caption file, raised together; ``errors`` holds each one.

    The message stays one line (build logs and CI annotations are a line per
    problem); :func:`each_problem` gives the problems to report one by one.
    """

    def __init__(self, path: str | Path, errors: list[ContentError]) -> None:
        self.errors = errors
        lines = ", ".join(str(error.line) for error in errors)
        message = f"{len(errors)} problems in the captions, on lines {lines}"
        super().__init__(path, message, line=errors[0].line)


def each_problem(error: ContentError) -> list[ContentError]:
    """The problems an error stands for: each of a caption file's, or the error itself."""
    return list(error.errors) if isinstance(error, CaptionErrors) else [error]


def parse_captions(path: str | Path, *, speaker_names: Iterable[str] = ()) -> list[Cue]:
    """Read a .vtt or .srt file; raise ContentError (file and line) for anything wrong.

    ``speaker_names``: the names a ``Name:`` prefix may give (from the article's
    ``Speakers:`` and the site's settings); any other word before a colon is text.
    """
    path = Path(path)
    if not path.is_file():
        raise ContentError(path, "caption file not found", hint="check the Captions: path")
    text = decode_captions(path)
    is_srt = path.suffix.lower() == ".srt"
    parsed = parse_srt(text) if is_srt else parse_webvtt(text)
    problems = [
        ContentError(path, message, line=line, hint=hint) for line, message, hint in parsed.problems
    ]
    names = tuple(speaker_names)
    cues = [
        Cue(
            None if not raw.id or (is_srt and raw.id.strip().isdigit()) else raw.id,
            raw.start,
            raw.end,
            raw.line,
            cue_parts(raw.text, names),
            raw.text,
        )
        for raw in parsed.cues
    ]
    problems += _duplicate_ids(path, cues)
    problems.sort(key=lambda error: error.line or 0)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise CaptionErrors(path, problems)
    return cues


def decode_captions(path: Path) -> str:
    """The file's text; a clear error naming the likely encoding when it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        guess = _guess_encoding(data)
        hint = "save it as UTF-8"
        if guess:
            label, iconv_name = guess
            hint = f"it looks like {label}; convert it, e.g. 'iconv -f {iconv_name} -t UTF-8'"
        raise ContentError(path, "captions are not UTF-8", line=line, hint=hint) from None


def _guess_encoding(data: bytes) -> tuple[str, str] | None:
    """(name for people, name for iconv) of the first likely encoding that decodes."""
    for encoding, names in _LIKELY_ENCODINGS.items():
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return names
    return None


def cue_parts(text: str, speaker_names: Iterable[str] = ()) -> tuple[CuePart, ...]:
    """A cue's text as runs by voice, each as plain text and safe HTML.

    The voice of a run is its innermost ``<v>``; a run without one may take a
    speaker from a ``Name:`` prefix, but only for a name in ``speaker_names``.
    """
    leaves = cuetext.leaves(cuetext.parse_cue_text(text))
    parts = []
    for voice, run in speakers.runs(leaves, tuple(speaker_names)):
        plain = cuetext.render_text(run).strip()
        if plain:
            parts.append(CuePart(voice, plain, cuetext.render_html(_trimmed(run))))
    return tuple(parts)


def _trimmed(run: list[cuetext.Leaf]) -> list[cuetext.Leaf]:
    """The run without whitespace at its ends (line breaks between voices, indents)."""
    run = list(run)
    while run and not run[0].text.strip():
        run.pop(0)
    while run and not run[-1].text.strip():
        run.pop()
    if run:
        run[0] = replace(run[0], text=run[0].text.lstrip())
        run[-1] = replace(run[-1], text=run[-1].text.rstrip())
    return run


def _duplicate_ids(path: Path, cues: list[Cue]) -> list[ContentError]:
    seen: dict[str, int] = {}
    problems = []
    for cue in cues:
        if cue.id is None:
            continue
        if cue.id in seen:
            problems.append(
                ContentError(
                    path,
                    f"cue id {cue.id!r} is used twice (first on line {seen[cue.id]})",
                    line=cue.line - 1,
                    hint="give each cue its own id",
                )
            )
        else:
            seen[cue.id] = cue.line - 1
    return problems


def vtt_document(cues: Iterable[Cue]) -> str:
    """Cues as a WebVTT file; voices as <v> spans, so players and our parser read them back."""
    blocks = ["WEBVTT"]
    for cue in cues:
        lines = [
            f"<v {html.escape(part.voice, quote=False)}>{cuetext.html_to_cue_text(part.html)}</v>"
            if part.voice
            else cuetext.html_to_cue_text(part.html)
            for part in cue.parts
        ]
        timing = f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        head = [cue.id, timing] if cue.id else [timing]
        blocks.append("\n".join([*head, *lines]))
    return "\n\n".join(blocks) + "\n"


def write_vtt(cues: Iterable[Cue], path: str | Path) -> None:
    Path(path).write_text(vtt_document(cues), encoding="utf-8")
