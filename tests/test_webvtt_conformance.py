"""The caption parser against the WebVTT specification's parsing rules, and against Chromium.

Each file in webvtt_cases/ holds one rule of the W3C "WebVTT parser
algorithm" or "cue text parsing rules" (written here, bytes exact: CR, NUL,
form feed and friends are in them). The expectations below pin what the
specification says; the Chromium test loads every case as a <track> and
compares ids, times, cue text and the cue's DOM (getCueAsHTML) with ours.
Each file in webvtt_invalid/ breaks one authoring rule a browser passes over
in silence: we name the line, and read the rest of the file as Chromium does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mag_core import ContentError
from mag_core.captions import format_timestamp, parse_captions
from mag_core.cuetext import Node, parse_cue_text
from mag_core.webvtt import parse_webvtt

CASES = Path(__file__).parent / "webvtt_cases"
INVALID = Path(__file__).parent / "webvtt_invalid"

# case -> [(id, start, end, cue text as written)] in file order.
EXPECTED_CUES = {
    "byte-order-mark": [(None, 1, 2, "BOM付き")],
    "character-references": [
        (None, 1, 2, "&amp; &lt; &gt; &nbsp;&#x41;&#66; &lrm;&rlm; &copy; &unknown; a&b")
    ],
    "class-spans": [(None, 1, 2, "<c.yellow.big>色</c> <c>無色</c> <i.loud>強調</i>")],
    "cues-without-blank-lines": [(None, 1, 2, "one"), (None, 2, 3, "two")],
    "header-cue-without-blank-line": [(None, 0, 1, "最初のキュー"), (None, 1, 2, "二つ目")],
    "header-text-is-not-a-cue": [(None, 1, 2, "本文")],
    # The header's own lines never make an id (Chromium differs: see KNOWN_DIFFERENCES).
    "header-text-then-timing-line": [(None, 1, 2, "ヘッダの直後")],
    "ids-as-written": [
        ("  spaced id  ", 1, 2, "a"),
        (" ", 2, 3, "b"),
        ("&amp; <b>id</b>", 3, 4, "c"),
    ],
    "lang-spans": [(None, 1, 2, "<lang en>Hello <i>world</i></lang> <lang ja-JP>日本語")],
    "line-breaks-cr-lf-crlf": [(None, 1, 2, "one\ntwo\nthree"), (None, 2, 3, "four")],
    "lone-less-than-sign": [(None, 1, 2, "1 < 2 and 3 > 2")],
    "no-break-at-ff-vt-nel-ls-ps": [(None, 1, 2, "a\fb\vc\x85d\u2028e\u2029f")],
    "no-final-line-break": [(None, 1, 2, "最後に改行なし")],
    "note-style-region-blocks": [(None, 1, 2, "本文")],
    "nul-becomes-replacement-character": [("id\ufffdone", 1, 2, "text\ufffdhere")],
    "ruby": [
        (None, 1, 2, "<ruby>共創<rt>きょうそう</rt></ruby>と<ruby>挑<rt>いど</ruby>む <rt>外</rt>")
    ],
    "tags-close-at-the-end-of-a-cue": [
        (None, 1, 2, "<i>斜体のまま<b>太字も"),
        (None, 2, 3, "普通の文字"),
    ],
    "timestamp-forms": [
        (None, 62.5, 63, "a"),
        (None, 3723.004, 3724, "b"),
        (None, 360000, 360001, "c"),
        (None, 5, 6, "d"),
        (None, 6, 7, "e"),
    ],
    "timestamp-tags": [(None, 1, 3, "ひと <00:00:01.500>つ <00:02.000>ずつ <99:99.999>x")],
    "unknown-tags-keep-their-text": [
        (
            None,
            1,
            2,
            '<a href="https://example.com">link</a> <font color=red>red</font> '
            "<script>x()</script> <I>upper</I>",
        )
    ],
    "voices": [
        (None, 1, 2, "<v.loud 大川>どうでしたか。</v><v 松本>よかったです。"),
        (None, 2, 3, "<v Taro Yamada>Hi</v> <v>unnamed</v>"),
    ],
    "voice-name-whitespace": [(None, 1, 2, "<v   Taro \t Yamada  >Hi")],
    "whitespace-only-line-stays-in-the-cue": [(None, 1, 2, "one\n   \nstill one")],
}

# case -> per cue [(voice, plain text, safe HTML)], for the cue text rules.
EXPECTED_PARTS = {
    "character-references": [
        [
            (
                None,
                "& < > \xa0AB \u200e\u200f © &unknown; a&b",
                "&amp; &lt; &gt; \xa0AB \u200e\u200f © &amp;unknown; a&amp;b",
            )
        ]
    ],
    "class-spans": [[(None, "色 無色 強調", "色 無色 <i>強調</i>")]],
    "lang-spans": [
        [
            (
                None,
                "Hello world 日本語",
                '<span lang="en">Hello <i>world</i></span> <span lang="ja-JP">日本語</span>',
            )
        ]
    ],
    "lone-less-than-sign": [[(None, "1  2", "1  2")]],  # '< 2 and 3 >' is a nameless tag
    "ruby": [
        [
            (
                None,
                "共創と挑む 外",
                "<ruby>共創<rt>きょうそう</rt></ruby>と<ruby>挑<rt>いど</rt></ruby>む 外",
            )
        ]
    ],
    "tags-close-at-the-end-of-a-cue": [
        [(None, "斜体のまま太字も", "<i>斜体のまま<b>太字も</b></i>")],
        [(None, "普通の文字", "普通の文字")],
    ],
    "timestamp-tags": [[(None, "ひと つ ずつ x", "ひと つ ずつ x")]],
    "unknown-tags-keep-their-text": [[(None, "link red x() upper", "link red x() upper")]],
    "voices": [
        [
            ("大川", "どうでしたか。", "どうでしたか。"),
            ("松本", "よかったです。", "よかったです。"),
        ],
        [("Taro Yamada", "Hi", "Hi"), (None, "unnamed", "unnamed")],
    ],
    # An annotation is trimmed and its runs of whitespace made one space.
    "voice-name-whitespace": [[("Taro Yamada", "Hi", "Hi")]],
}

# Where Chromium parts from the specification: case -> what Chromium gives instead.
KNOWN_DIFFERENCES = {
    # A valid file: Chromium keeps a voice annotation as written; the specification
    # trims it and collapses its whitespace, which keeps one speaker one name.
    "voice-name-whitespace": {
        "dom": [{"tag": "span", "title": "  Taro \t Yamada  ", "kids": ["Hi"]}]
    },
    # Not valid (a blank line must follow the header):
    # Chromium takes the header's last line as the id of the cue after it; the
    # specification's header block ends before the timing line and drops it.
    "header-text-then-timing-line": {"id": "X-TIMESTAMP-MAP=LOCAL:00:00:00.000,MPEGTS:0"},
}


# Files a browser reads without a word while dropping (or keeping, unseen) a cue:
# case -> the lines we name. Every other cue is read as the browser reads it.
INVALID_LINES = {
    "comma-before-milliseconds": [3],
    "end-before-start": [3],
    "missing-milliseconds": [3],
    "no-arrow-after-start": [3],
    "no-signature": [1],
    "one-digit-minutes": [3],
    "sixty-seconds": [3],
    "stray-text": [6],
    "style-after-a-cue": [6],
}
# ... and the cues Chromium keeps that we refuse: (start, end, text).
CHROMIUM_KEEPS = {"end-before-start": [(5, 4, "逆向き")]}


def case_names(folder: Path = CASES) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.vtt"))


def test_every_case_file_has_an_expectation_and_every_expectation_a_file():
    assert case_names() == sorted(EXPECTED_CUES)
    assert set(EXPECTED_PARTS) <= set(EXPECTED_CUES)
    assert case_names(INVALID) == sorted(INVALID_LINES)


@pytest.mark.parametrize("name", sorted(INVALID_LINES))
def test_an_invalid_file_is_an_error_naming_the_line(name):
    path = INVALID / f"{name}.vtt"
    with pytest.raises(ContentError) as raised:
        parse_captions(path)
    errors = getattr(raised.value, "errors", [raised.value])
    assert [(error.path, error.line) for error in errors] == [
        (str(path), line) for line in INVALID_LINES[name]
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED_CUES))
def test_the_parser_follows_the_rule(name):
    cues = parse_captions(CASES / f"{name}.vtt")
    assert [(c.id, c.start, c.end, c.raw) for c in cues] == EXPECTED_CUES[name]
    if name in EXPECTED_PARTS:
        parts = [[(p.voice, p.text, p.html) for p in cue.parts] for cue in cues]
        assert parts == EXPECTED_PARTS[name]


# The cue's DOM as Chromium builds it (getCueAsHTML), as plain data.
READ_TRACKS = """async (names) => {
  const data = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    if (node.nodeType === Node.PROCESSING_INSTRUCTION_NODE)
      return {pi: node.target, data: node.data};
    const element = {tag: node.localName};
    for (const attribute of node.attributes) element[attribute.name] = attribute.value;
    element.kids = [...node.childNodes].map(data);
    return element;
  };
  const tracks = {};
  for (const name of names) {
    const video = document.createElement("video");
    const track = document.createElement("track");
    track.kind = "captions";
    track.src = name + ".vtt";
    video.appendChild(track);
    document.body.appendChild(video);
    const loaded = new Promise((done) => { track.onload = done; track.onerror = done; });
    track.track.mode = "hidden";
    await loaded;
    tracks[name] = {
      state: track.readyState,
      cues: [...track.track.cues].map((cue) => ({
        id: cue.id, start: cue.startTime, end: cue.endTime, text: cue.text,
        dom: [...cue.getCueAsHTML().childNodes].map(data),
      })),
    };
  }
  return tracks;
}"""


def as_dom(nodes: list[Node | str]) -> list:
    """Our cue tree in the shape READ_TRACKS gives Chromium's (the spec's HTML mapping)."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.name == "timestamp":
            out.append({"pi": "timestamp", "data": format_timestamp(node.seconds)})
        else:
            element = {"tag": node.name if node.name in {"i", "b", "u", "ruby", "rt"} else "span"}
            if node.name == "v":
                element["title"] = node.annotation
            if node.name == "lang":
                element["lang"] = node.annotation
            if node.classes:
                element["class"] = " ".join(node.classes)
            element["kids"] = as_dom(node.children)
            out.append(element)
    return merged_text(out)


def merged_text(nodes: list) -> list:
    """Adjacent text nodes as one (how many there are is not part of the rules)."""
    out: list = []
    for node in nodes:
        if isinstance(node, str) and out and isinstance(out[-1], str):
            out[-1] += node
        elif isinstance(node, dict) and "kids" in node:
            out.append({**node, "kids": merged_text(node["kids"])})
        else:
            out.append(node)
    return out


def ours(name: str) -> list[dict]:
    cues = parse_captions(CASES / f"{name}.vtt")
    found = [
        {
            "id": cue.id or "",
            "start": cue.start,
            "end": cue.end,
            "text": cue.raw,
            "dom": as_dom(parse_cue_text(cue.raw)),
        }
        for cue in cues
    ]
    for cue in found:
        cue.update(KNOWN_DIFFERENCES.get(name, {}))
    # track.cues is in start-time order; the file need not be.
    return sorted(found, key=lambda cue: (cue["start"], -cue["end"]))


@pytest.mark.browser
def test_chromium_drops_what_we_name_and_reads_the_rest_as_we_do(tmp_path, serve, page):
    shutil.copytree(INVALID, tmp_path / "cases")
    (tmp_path / "cases" / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>cases</title><body></body>", encoding="utf-8"
    )
    server = serve(tmp_path / "cases")
    page.goto(f"{server.url}/index.html")
    tracks = page.evaluate(READ_TRACKS, case_names(INVALID))
    for name in case_names(INVALID):
        text = (INVALID / f"{name}.vtt").read_text(encoding="utf-8")
        kept = [(cue.start, cue.end, cue.text) for cue in parse_webvtt(text).cues]
        theirs = [(cue["start"], cue["end"], cue["text"]) for cue in tracks[name]["cues"]]
        assert sorted(theirs) == sorted(kept + CHROMIUM_KEEPS.get(name, [])), name
        # A file without the signature is no track at all (readyState ERROR).
        assert tracks[name]["state"] == (3 if name == "no-signature" else 2), name


@pytest.mark.browser
def test_chromium_reads_every_case_as_we_do(tmp_path, serve, page):
    shutil.copytree(CASES, tmp_path / "cases")
    (tmp_path / "cases" / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>cases</title><body></body>", encoding="utf-8"
    )
    server = serve(tmp_path / "cases")
    page.goto(f"{server.url}/index.html")
    tracks = page.evaluate(READ_TRACKS, case_names())
    for name in case_names():
        assert tracks[name]["state"] == 2, f"{name}: Chromium did not load the track"
        theirs = [{**cue, "dom": merged_text(cue["dom"])} for cue in tracks[name]["cues"]]
        assert theirs == ours(name), name
