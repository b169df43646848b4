"""Recipient lists: one CSV a segment (``busy.csv``, ``light.csv``, ``core.csv``) in a folder.

Each file has a header row with an ``email`` column and, optionally, ``name``;
other columns are ignored. UTF-8, with or without the BOM spreadsheet
programs write.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mag_core import ContentError

# One address, nothing that could end a header or add a second recipient.
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]+@[^@\s<>()\[\],;:\"\\]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    segment: str
    line: int

    @property
    def key(self) -> str:
        """Addresses are compared without case: a reader gets one email an issue."""
        return self.address.lower()


class RecipientError(ValueError):
    """Every problem of the recipient lists at once, each naming its file and line."""

    def __init__(self, problems: Sequence[ContentError]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the recipient lists:\n{lines}")


def read_recipients(folder: Path, segments: Sequence[str]) -> dict[str, list[Recipient]]:
    """{segment: recipients} from ``folder/<segment>.csv``; a missing file is an empty list."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RecipientError([ContentError(folder, "no such folder of recipient lists")])
    problems = [
        ContentError(path, "not a reader segment", hint=f"name the files {_names(segments)}")
        for path in sorted(folder.glob("*.csv"))
        if path.stem not in segments
    ]
    lists: dict[str, list[Recipient]] = {}
    seen: dict[str, tuple[Path, Recipient]] = {}
    for segment in segments:
        path = folder / f"{segment}.csv"
        lists[segment] = []
        if not path.is_file():
            continue
        for recipient in _read_file(path, segment, problems):
            earlier = seen.get(recipient.key)
            if earlier is None:
                seen[recipient.key] = (path, recipient)
                lists[segment].append(recipient)
            elif earlier[1].segment != segment:
                problems.append(_listed_twice(path, recipient, *earlier))
    if not any(lists.values()) and not problems:
        problems.append(ContentError(folder, "no recipients", hint=f"add {_names(segments)}"))
    if problems:
        raise RecipientError(problems)
    return lists


def _read_file(path: Path, segment: str, problems: list[ContentError]) -> list[Recipient]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [cell.strip().lower() for cell in next(reader, [])]
        if "email" not in header:
            problems.append(
                ContentError(path, "no 'email' column", line=1, hint="first row: email,name")
            )
            return []
        email_at = header.index("email")
        name_at = header.index("name") if "name" in header else None
        found = []
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            address = row[email_at].strip() if email_at < len(row) else ""
            name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
            if not _ADDRESS.fullmatch(address):
                problems.append(
                    ContentError(path, f"{address!r} is not an email address", line=line)
                )
            elif _CONTROL.search(name):
                problems.append(ContentError(path, "the name has a control character", line=line))
            else:
                found.append(Recipient(address, name, segment, line))
        return found


def _listed_twice(path: Path, recipient: Recipient, first_path: Path, first: Recipient):
    return ContentError(
        path,
        f"{recipient.address} is also in {first_path.name}:{first.line}",
        line=recipient.line,
        hint="a reader belongs to one segment; remove one of the lines",
    )


def _names(segments: Sequence[str]) -> str:
    return ", ".join(f"{segment}.csv" for segment in segments)
