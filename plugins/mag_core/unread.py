"""Files Pelican was given but skipped: a content problem like any other.

Pelican logs "Could not process …" or "Skipping …: could not find information
about 'date'" and goes on, so a strict build of four unreadable files and one
good article published one article with exit status 0. Pelican records every
source it failed on in its generators' shared context (``generated_content``,
with no content object); these are found there, and each is read again to say
why, which costs nothing on a good site (there are none to read).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import ContentError

# Pelican's own log messages for a skipped file: the build reports these files
# itself, so the console prints the problem once, with the reason.
PELICAN_SKIP_MESSAGES = frozenset(
    {"Could not process %s", "Skipping %s: could not find information about '%s'"}
)

_HINTS = {
    "date": "add one: Markdown 'Date: 2026-11-20 09:00', rST ':date:', HTML <meta name=\"date\">",
    "title": "add one: Markdown 'Title: …', rST a heading, HTML <title>",
}


def failed_sources(generator: Any) -> list[str]:
    """Sources (relative to the content folder) the generator was given and could not use."""
    generated = generator.context.get("generated_content", {})
    return sorted(path for path, content in generated.items() if content is None)


def unread_problem(generator: Any, relative: str, content_class: type) -> ContentError:
    """Why Pelican skipped ``relative``: the reader's error, or the missing property."""
    path = Path(generator.path) / relative
    try:
        content = generator.readers.read_file(
            base_path=generator.path, path=relative, content_class=content_class
        )
    except Exception as error:  # any reader error is the file's problem, not the build's
        return ContentError(path, f"Pelican could not read this file: {error}")
    missing = [name for name in content.mandatory_properties if not hasattr(content, name)]
    if missing:
        return ContentError(
            path, f"no {missing[0]}: Pelican skips this file", hint=_HINTS.get(missing[0])
        )
    return ContentError(path, "Pelican skipped this file", hint="check its front matter")
