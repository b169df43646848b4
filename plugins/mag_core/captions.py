"""The project's one caption parser: WebVTT (and SRT) -> cues with ids, times, voices, safe text.

Used by the video plugin (web captions, highlight cuts, burned-in subtitles)
and the transcript plugin, so an editor sees one set of error messages. Every
error names the caption file and the line.

webvtt-py is used to write captions back out; reading is done here because
webvtt-py drops bad cues silently (or raises without a line number) and
accepts cues that end before they start.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ContentError

_TIMING = re.compile(r"^(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?P<settings>.*)$")
_TIMESTAMP = re.compile(r"^(?:(?P<h>\d{1,}):)?(?P<m>[0-5]\d):(?P<s>[0-5]\d)[.,](?P<ms>\d{3})$")
_TAG = re.compile(r"<(/?)([^>\s./]*)([^>]*)>")
_SPEAKER_PREFIX = re.compile(
    r"^\s*(?P<name>[^\s:：「」『』（）()、。]{1,16})\s*[:：]\s*(?P<rest>.+)$", re.DOTALL
)
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Markup that maps to HTML; everything else in a cue is shown as text.
_SAFE_TAGS = {"b": "b", "i": "i", "u": "u", "ruby": "ruby", "rt": "rt"}
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
    html: str  # safe HTML: only b, i, u, ruby, rt and span[lang]


@dataclass(frozen=True)
class Cue:
    id: str | None
    start: float  # seconds
    end: float
    line: int  # line of the timing line in the source file
    parts: tuple[CuePart, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "\n".join(part.text for part in self.parts)

    @property
    def voices(self) -> list[str]:
        return [part.voice for part in self.parts if part.voice]

    def shifted(self, start: float, end: float) -> Cue:
        return replace(self, start=start, end=end)


def parse_captions(path: str | Path, *, speaker_prefixes: bool = True) -> list[Cue]:
    """Read a .vtt or .srt file; raise ContentError (file and line) for anything wrong."""
    path = Path(path)
    if not path.is_file():
        raise ContentError(path, "caption file not found", hint="check the Captions: path")
    text = decode_captions(path)
    is_srt = path.suffix.lower() == ".srt"
    lines = text.splitlines()
    if not is_srt and not (lines and re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0])):
        raise ContentError(
            path,
            "not a WebVTT file: the first line must be 'WEBVTT'",
            line=1,
            hint="add a first line 'WEBVTT' followed by a blank line",
        )
    cues = [
        _parse_block(path, block, start_line, speaker_prefixes)
        for block, start_line in _blocks(lines)
    ]
    cues = [cue for cue in cues if cue is not None]
    _check_unique_ids(path, cues)
    return cues


def decode_captions(path: Path) -> str:
    """The file's text; a clear error naming the likely encoding when it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
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


def _blocks(lines: list[str]):
    """Blank-line separated blocks with the 1-based line number of their first line."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield block, start
            block = []
    if block:
        yield block, start


def _parse_block(path: Path, block: list[str], first_line: int, speaker_prefixes: bool):
    head = block[0].strip()
    if head.startswith("WEBVTT") or head.split(" ")[0] in {"NOTE", "STYLE", "REGION"}:
        return None
    timing_index = next((i for i, line in enumerate(block[:2]) if "-->" in line), None)
    if timing_index is None:
        raise ContentError(
            path,
            f"no timing line ('00:00:01.000 --> 00:00:03.000') in cue {head!r}",
            line=first_line,
        )
    line_number = first_line + timing_index
    identifier = block[0].strip() if timing_index == 1 else None
    match = _TIMING.match(block[timing_index].strip())
    if not match:
        raise ContentError(path, f"bad timing line {block[timing_index]!r}", line=line_number)
    start = parse_timestamp(path, match["start"], line_number)
    end = parse_timestamp(path, match["end"], line_number)
    if end <= start:
        raise ContentError(
            path,
            f"cue ends ({match['end']}) at or before it starts ({match['start']})",
            line=line_number,
        )
    payload = "\n".join(block[timing_index + 1 :])
    parts = tuple(cue_parts(payload, speaker_prefixes))
    if identifier and identifier.isdigit() and path.suffix.lower() == ".srt":
        identifier = None  # SRT's running numbers are not editor-given ids
    return Cue(identifier, start, end, line_number, parts)


def parse_timestamp(path: Path, value: str, line: int) -> float:
    """Seconds from 'HH:MM:SS.mmm' or 'MM:SS.mmm' (SRT's comma accepted)."""
    match = _TIMESTAMP.match(value)
    if not match:
        raise ContentError(
            path, f"bad timestamp {value!r}", line=line, hint="write it as 00:01:02.500"
        )
    hours = int(match["h"] or 0)
    return hours * 3600 + int(match["m"]) * 60 + int(match["s"]) + int(match["ms"]) / 1000


def cue_parts(payload: str, speaker_prefixes: bool = True) -> list[CuePart]:
    """Split a cue's text into runs by voice; make each run safe HTML and plain text."""
    runs: list[tuple[str | None, list[str]]] = [(None, [])]
    for token in _tokens(payload):
        if isinstance(token, tuple) and token[0] == "v":
            runs.append((token[1], []))
        elif isinstance(token, tuple) and token[0] == "/v":
            runs.append((None, []))
        else:
            runs[-1][1].append(token)
    parts = []
    for span_voice, tokens in runs:
        markup = "".join(tokens).strip()
        plain = _plain(markup)
        if not plain:
            continue
        voice = span_voice
        if voice is None and speaker_prefixes:
            voice, markup, plain = _split_prefix(markup, plain)
        parts.append(CuePart(voice, plain, markup))
    return parts


def _tokens(payload: str):
    """Safe HTML strings, plus ('v', name) / ('/v', None) markers for voice spans."""
    position = 0
    open_tags: list[str] = []
    for match in _TAG.finditer(payload):
        yield html.escape(html.unescape(payload[position : match.start()]), quote=False)
        position = match.end()
        closing, name, rest = match.group(1), match.group(2).lower(), match.group(3)
        if name == "v":
            yield ("/v", None) if closing else ("v", _voice_name(rest))
        elif name in _SAFE_TAGS:
            yield f"</{_SAFE_TAGS[name]}>" if closing else f"<{_SAFE_TAGS[name]}>"
        elif name == "lang":
            lang = rest.strip().split(" ")[0] if not closing else ""
            if closing:
                yield "</span>" if "lang" in open_tags else ""
            elif _LANG.match(lang):
                open_tags.append("lang")
                yield f'<span lang="{lang}">'
        elif name in {"c", ""} or re.fullmatch(r"[\d:.]+", name):
            continue  # class spans and karaoke timestamps carry no meaning for readers
        else:
            yield html.escape(match.group(0), quote=False)  # unknown markup is shown as text
    yield html.escape(html.unescape(payload[position:]), quote=False)


def _voice_name(rest: str) -> str:
    # '<v.loud Yamada Taro>': classes come first (dot-separated), then the name.
    name = rest.split(" ", 1)[1] if rest.startswith(".") and " " in rest else rest
    return html.unescape(name.strip()) or "?"


def _plain(markup: str) -> str:
    # Ruby readings are dropped from plain text: 共創 rather than 共創きょうそう.
    markup = re.sub(r"<rt>.*?</rt>", "", markup, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


def _split_prefix(markup: str, plain: str) -> tuple[str | None, str, str]:
    """'山田：こんにちは' -> voice '山田' and the rest, when the cue starts with a name."""
    match = _SPEAKER_PREFIX.match(plain)
    if not match or "<" in markup.split("：", maxsplit=1)[0].split(":", maxsplit=1)[0]:
        return None, markup, plain
    name = match["name"]
    cut = re.match(rf"^\s*{re.escape(html.escape(name, quote=False))}\s*[:：]\s*", markup)
    if not cut:
        return None, markup, plain
    return name, markup[cut.end() :], match["rest"].strip()


def _check_unique_ids(path: Path, cues: list[Cue]) -> None:
    seen: dict[str, int] = {}
    for cue in cues:
        if cue.id is None:
            continue
        if cue.id in seen:
            raise ContentError(
                path,
                f"cue id {cue.id!r} is used twice (first on line {seen[cue.id]})",
                line=cue.line - 1,
            )
        seen[cue.id] = cue.line - 1


def clock_parts(ticks: int, per_second: int = 1) -> tuple[int, int, int, int]:
    """(hours, minutes, seconds, fraction) of a time counted in ``1/per_second`` ticks.

    Callers round or truncate to their own unit first: WebVTT counts
    milliseconds, ASS subtitles centiseconds, transcript labels whole seconds.
    """
    whole, fraction = divmod(ticks, per_second)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs, fraction


def format_timestamp(seconds: float) -> str:
    """'HH:MM:SS.mmm' for WebVTT."""
    hours, minutes, secs, millis = clock_parts(round(seconds * 1000), 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _html_to_vtt(markup: str) -> str:
    """Our safe HTML back to WebVTT cue markup (only span[lang] differs)."""
    markup = re.sub(r'<span lang="([^"]+)">', r"<lang \1>", markup)
    return markup.replace("</span>", "</lang>")


def write_vtt(cues: list[Cue], path: str | Path) -> None:
    """Write cues as WebVTT (voices kept as <v> spans), through webvtt-py."""
    import webvtt

    document = webvtt.WebVTT()
    for cue in cues:
        text = "\n".join(
            f"<v {part.voice}>{_html_to_vtt(part.html)}</v>"
            if part.voice
            else _html_to_vtt(part.html)
            for part in cue.parts
        )
        caption = webvtt.Caption(format_timestamp(cue.start), format_timestamp(cue.end), text)
        if cue.id:
            caption.identifier = cue.id
        document.captions.append(caption)
    Path(path).write_text(document.content, encoding="utf-8")
