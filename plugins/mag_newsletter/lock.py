"""One send of an issue at a time, also across machines that share the sent log's folder.

The lock is a file created with O_CREAT|O_EXCL beside the sent log
(``sent.sqlite3.<issue>.lock``): creating a file that must not exist is atomic
on local disks and on NFS (v3 and later) and SMB alike, where ``flock`` is
not honoured everywhere and SQLite's own locks are only as good as the share's
byte-range locking. The file says who holds it (host, pid, since), and the
holder touches it after every message, so a lock left by a killed run is
recognised as stale: on the same host when its process is gone, on another
host when it has not been touched for ``stale_after`` seconds.

Breaking a stale lock is a rename to a name of our own followed by a check that
the renamed file is the one judged stale; only then is the lock created again,
exclusively, so two runs breaking the same stale lock cannot both win.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from mag_core.files import process_alive

logger = logging.getLogger(__name__)


class LockHeld(RuntimeError):
    """Another run is sending the same issue; the message names it and what to do."""


class IssueLock:
    def __init__(self, path: Path, issue: str, stale_after: float) -> None:
        self.path = path
        self.issue = issue
        self.stale_after = stale_after
        self.token = uuid.uuid4().hex
        self.owner = {
            "issue": issue,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "token": self.token,
        }

    def acquire(self) -> None:
        for _attempt in range(3):
            if self._create():
                return
            holder = _read(self.path)
            if not self._is_stale(holder):
                raise LockHeld(self._held_message(holder))
            self._break(holder)
        raise LockHeld(self._held_message(_read(self.path)))

    def touch(self) -> None:
        """Say the run is alive (another host judges staleness by this time)."""
        with contextlib.suppress(OSError):
            os.utime(self.path)

    def release(self) -> None:
        holder = _read(self.path)
        if holder is not None and holder.get("token") == self.token:
            self.path.unlink(missing_ok=True)

    def _create(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(self.owner, file)
            file.flush()
            os.fsync(file.fileno())
        return True

    def _is_stale(self, holder: dict | None) -> bool:
        """Its process is gone (same host), or it has not been touched for stale_after."""
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return True
        if age > self.stale_after:
            return True
        same_host = holder is not None and holder.get("host") == self.owner["host"]
        pid = holder.get("pid") if holder else None
        return same_host and isinstance(pid, int) and not process_alive(pid)

    def _break(self, holder: dict | None) -> None:
        aside = self.path.with_name(f"{self.path.name}.stale.{self.token}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return  # someone else broke it first; try to create it again
        if _read(aside) == holder:
            logger.warning(
                "mag_newsletter: removed the lock of a stopped send of issue %s (%s, pid %s)",
                self.issue,
                holder.get("host"),
                holder.get("pid"),
            )
            aside.unlink(missing_ok=True)
            return
        # We took a fresh lock another run had just created: give it back, unless a
        # third run already holds the name (then that one is the holder anyway).
        with contextlib.suppress(FileExistsError):
            os.link(aside, self.path)
        aside.unlink(missing_ok=True)

    def _held_message(self, holder: dict | None) -> str:
        who = "another run"
        if holder:
            since = holder.get("since")
            who = f"a run on {holder.get('host')} (pid {holder.get('pid')}, since {since})"
        return (
            f"mag_newsletter: issue {self.issue} is already being sent by {who}; "
            f"wait for it to finish. If no such run exists, delete {self.path}"
        )


@contextlib.contextmanager
def issue_lock(path: Path, issue: str, stale_after: float) -> Iterator[IssueLock]:
    lock = IssueLock(path, issue, stale_after)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def _read(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
