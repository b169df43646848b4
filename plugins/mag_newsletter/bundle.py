"""An issue's emails as files in the build: what editors preview is exactly what is sent.

``<output_dir>/<issue>/<segment>.html`` and ``.txt`` hold the two parts of each
segment's email, ``issue.json`` the subjects and the sender. Sending reads them
back, so it needs no Pelican run of its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from mag_core.files import write_atomically

from .render import Rendered

MANIFEST = "issue.json"


class IssueNotBuilt(FileNotFoundError):
    """The build has no newsletter for this issue (nothing selected, or not built)."""


@dataclass(frozen=True)
class Lists:
    """The list headers every message of an issue carries (RFC 2369, 2919, 8058)."""

    list_id: str = ""
    unsubscribe_url: str = ""  # may hold {email}
    unsubscribe_mailto: str = ""


@dataclass(frozen=True)
class Issue:
    issue: str
    sender: str
    reply_to: str
    segments: tuple[Rendered, ...]
    lists: Lists = Lists()

    def segment(self, segment_id: str) -> Rendered | None:
        return next((s for s in self.segments if s.segment == segment_id), None)


def write_issue(
    folder: Path,
    issue: str,
    rendered: Sequence[Rendered],
    sender: str,
    reply_to: str,
    *,
    lists: Lists = Lists(),
) -> None:
    """The parts first, the manifest last: a manifest never names parts that are not there."""
    for email in rendered:
        write_atomically(folder / f"{email.segment}.html", email.html)
        write_atomically(folder / f"{email.segment}.txt", email.text)
    manifest = {
        "issue": issue,
        "sender": sender,
        "reply_to": reply_to,
        "lists": asdict(lists),
        "segments": [
            {"id": e.segment, "subject": e.subject, "articles": list(e.articles)} for e in rendered
        ],
    }
    write_atomically(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def load_issue(folder: Path) -> Issue:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise IssueNotBuilt(f"mag_newsletter: no newsletter in {folder} (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    segments = tuple(
        Rendered(
            segment=entry["id"],
            subject=entry["subject"],
            html=(folder / f"{entry['id']}.html").read_text(encoding="utf-8"),
            text=(folder / f"{entry['id']}.txt").read_text(encoding="utf-8"),
            articles=tuple(entry["articles"]),
        )
        for entry in manifest["segments"]
    )
    lists = Lists(**manifest.get("lists", {}))  # issues built before the list headers: none
    return Issue(manifest["issue"], manifest["sender"], manifest["reply_to"], segments, lists)
