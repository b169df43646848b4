"""Which release was live when: the record a rollback goes back through.

``<target>/history`` gets one line per switch, appended after it::

    2026-11-27T09:00:00Z publish 20261127-090000-000000
    2026-11-28T09:00:00Z publish 20261128-090000-000000
    2026-11-28T09:30:00Z rollback 20261127-090000-000000

Replayed, the lines form a stack: ``publish`` and ``rollback --to`` push the
release that went live, a plain ``rollback`` pops the live one. So a rollback
returns to the release that was live before, never to a folder that merely sorts
before it (a release whose publish was killed before its switch was never live).
"""

from __future__ import annotations

import datetime as dt

HISTORY = "history"
PUBLISH, ROLLBACK, ROLLBACK_TO = "publish", "rollback", "rollback-to"
ACTIONS = (PUBLISH, ROLLBACK, ROLLBACK_TO)


def line(action: str, release: str, now: dt.datetime | None = None) -> str:
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{when} {action} {release}\n"


def live_stack(text: str, current: str | None) -> list[str]:
    """The releases that were live, oldest first, the live one last.

    A switch whose line was never written (the run was killed just after it)
    shows as a live release that is not on top: it is put there.
    """
    stack: list[str] = []
    for entry in text.splitlines():
        parts = entry.split()
        if len(parts) != 3 or parts[1] not in ACTIONS:
            continue  # a line cut short by a crash, or written by hand
        _when, action, release = parts
        if action == ROLLBACK:  # back down to the release it went to
            while stack and stack[-1] != release:
                stack.pop()
            if not stack:
                stack.append(release)
        else:
            stack.append(release)
    if current and (not stack or stack[-1] != current):
        stack.append(current)
    return stack


def before(stack: list[str]) -> str | None:
    """The release a rollback returns to: the one live before the live one."""
    for release in reversed(stack[:-1]):
        if release != stack[-1]:
            return release
    return None
