"""Read a panel file (``panels.md``): the panels of an illustrated variant, in order.

The format, documented in docs/editors/illustrated.md::

    Title: イラストで見る 越境学習の1年      (optional, before the first panel)
    Lead: 5枚の絵で、1年を振り返ります。      (optional)

    ## 01-first-day.png
    Caption: 出向初日。机もパソコンも、まだありませんでした。
    Alt: 何も置かれていない机の前で、段ボール箱を抱えて立つ人のイラスト

    ## 04-ideas/                               (a folder of frames: an animation)
    Caption: ...
    Alt: ...
    Duration: 200                              (milliseconds per frame, optional)

Keys are case-insensitive and a full-width colon（：）works as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mag_core import ContentError

HEADER_KEYS = ("title", "lead")
PANEL_KEYS = ("caption", "alt", "duration")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".svg")

_HEADING = re.compile(r"^##\s+(?P<name>\S.*?)\s*$")
_FIELD = re.compile(r"^(?P<key>[A-Za-z]+)\s*[:：]\s*(?P<value>.*?)\s*$")


@dataclass
class PanelSpec:
    name: str  # file or folder name inside the panel folder
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def caption(self) -> str:
        return self.fields.get("caption", "")

    @property
    def alt(self) -> str:
        return self.fields.get("alt", "")


@dataclass
class PanelFile:
    path: Path
    header: dict[str, str] = field(default_factory=dict)
    panels: list[PanelSpec] = field(default_factory=list)


def parse_panel_file(path: Path) -> PanelFile:
    """Every panel with its fields and line numbers; a ContentError names the bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ContentError(path, "panel file not found", hint="list the panels in it") from None
    except UnicodeDecodeError:
        raise ContentError(path, "not UTF-8 text", hint="save the panel file as UTF-8") from None
    result = PanelFile(path)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            result.panels.append(PanelSpec(heading["name"], number))
            continue
        _read_field(result, line, path, number)
    _check(result)
    return result


def _read_field(result: PanelFile, line: str, path: Path, number: int) -> None:
    match = _FIELD.match(line)
    if not match:
        raise ContentError(
            path,
            f"cannot read this line: {line[:40]!r}",
            line=number,
            hint="write '## <image file>' to start a panel, then 'Caption: ...' and 'Alt: ...'",
        )
    key, value = match["key"].lower(), match["value"]
    panel = result.panels[-1] if result.panels else None
    known = PANEL_KEYS if panel else HEADER_KEYS
    if key not in known:
        where = "in a panel" if panel else "before the first panel"
        raise ContentError(
            path,
            f"unknown key {match['key']!r} {where}",
            line=number,
            hint=f"known keys: {', '.join(k.capitalize() for k in known)}",
        )
    target = panel.fields if panel else result.header
    if key in target:
        raise ContentError(path, f"{match['key']} is given twice", line=number)
    target[key] = value
    if panel:
        panel.lines[key] = number


def _check(result: PanelFile) -> None:
    path = result.path
    if not result.panels:
        raise ContentError(path, "no panels", hint="start each panel with '## <image file>'")
    for panel in result.panels:
        if not panel.caption:
            raise ContentError(
                path,
                f"panel {panel.name!r} has no caption",
                line=panel.line,
                hint="add a line 'Caption: ...' under it",
            )
        duration = panel.fields.get("duration")
        if duration is not None and not (duration.isdigit() and 20 <= int(duration) <= 10_000):
            raise ContentError(
                path,
                f"Duration must be milliseconds from 20 to 10000, not {duration!r}",
                line=panel.lines["duration"],
            )
