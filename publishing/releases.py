"""Release folders on a local target, and the rules shared with remote targets.

A target folder holds every release and one symlink the web server serves::

    <target>/releases/20261127-090000-000000/   one complete, checked build each
    <target>/current -> releases/<id>           what readers see

    <target>/history                            every switch, for rollbacks (history.py)

A release folder is complete before it gets its name: it is built beside the
releases, gets its manifest (every file and its checksum, manifest.py) as its
last step and is then renamed into ``releases/``. It goes live when ``current``
is replaced by a rename, which is atomic: every request sees either the old
release or the new one, never a mix or a half-copied folder. Older releases
stay on disk, so a rollback is one more rename; a release is deleted by first
renaming it out of ``releases/``, so a killed deletion leaves no half release
under a release's name. What a killed run leaves behind (``.current.<id>``
links, ``.staging``, ``releases/.<id>.deleting``) is removed by the next one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

from mag_core.cache import publish_file

from . import manifest
from .history import HISTORY

RELEASES = "releases"
CURRENT = "current"
# Lists the files a release kept from the one before it (see to_carry).
CARRIED = ".carried"
NOT_CARRIED = (".html", ".xml")  # pages and feeds: what was deleted must go away
_RELEASE_ID = re.compile(r"^\d{8}-\d{6}-\d{6}$")
STAGING = ".staging"
DELETING = ".deleting"  # releases/.<id>.deleting: a release being removed
# Tests only (docs/operations/releases.md): the named point at which the run
# SIGKILLs itself, to leave exactly what a crash there would leave.
KILL_AT = "MAG_PUBLISH_KILL_AT"


class PublishError(Exception):
    """Publishing or rolling back could not go on; the message says why and what is live."""


def new_release_id(now: dt.datetime | None = None) -> str:
    """A release id that sorts in publishing order (UTC, to the microsecond)."""
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S-%f")


def is_release_id(name: str) -> bool:
    return bool(_RELEASE_ID.match(name))


def kill_point(name: str) -> None:
    """Die here, as a crash would, when the test hook names this point."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def to_prune(
    releases: list[str], current: str | None, keep: int, also_keep: tuple[str, ...] = ()
) -> list[str]:
    """The releases to delete so that ``keep`` remain: the live one, then ``also_keep``
    (the release a rollback would return to, which may be older than the rest after a
    rollback), then the newest.
    """
    wanted = [name for name in (current, *also_keep) if name in releases]
    wanted += sorted(releases, reverse=True)
    kept = set(list(dict.fromkeys(wanted))[: max(keep, 1)])
    return [name for name in sorted(releases) if name not in kept]


def to_carry(live_files: set[str], live_carried: set[str], new_files: set[str]) -> list[str]:
    """Assets of the live release that the new one lacks, to keep for one more release.

    A page loaded just before the switch asks for its images, scripts and
    search-index parts just after it, and those names carry content hashes
    that the new release may not have: keeping them one release longer means
    such a request never gets a 404. Files kept once are not kept again.
    """
    return sorted(
        path
        for path in live_files - new_files - live_carried
        if not path.endswith(NOT_CARRIED) and not Path(path).name.startswith(".")
    )


def files_in(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


class LocalTarget:
    """A target folder on this machine (a web server's document root is ``<folder>/current``)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).absolute()
        self.name = str(self.root)

    def releases(self) -> list[str]:
        folder = self.root / RELEASES
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and is_release_id(p.name))

    def current(self) -> str | None:
        link = self.root / CURRENT
        if not link.is_symlink():
            return None
        return Path(os.readlink(link)).name

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Only one publish or rollback at a time on a target."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".publish.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PublishError(f"another publish to {self.name} is running") from None
            yield

    def clean_leftovers(self) -> list[str]:
        """Remove what killed runs left (under the lock: no other run is using them)."""
        found = [*self.root.glob(f".{CURRENT}.*"), self.root / STAGING]
        found += (self.root / RELEASES).glob(f".*{DELETING}")
        removed = []
        for path in found:
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            else:
                continue
            removed.append(path.name)
        return removed

    def staging(self, release: str) -> Path:
        """Where to build a release: beside the releases, so installing it is a rename."""
        folder = self.root / STAGING
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder / release

    def files(self, release: str) -> tuple[set[str], set[str]]:
        """(every file, the files it carried) of a release, as paths inside it."""
        folder = self.root / RELEASES / release
        manifest = folder / CARRIED
        carried = manifest.read_text(encoding="utf-8").split("\n") if manifest.is_file() else []
        return files_in(folder), set(carried)

    def install(self, staging: Path, release: str, live: str | None, carry: list[str]) -> None:
        """Add ``staging`` as ``release`` (not live yet), with ``carry`` from the live release."""
        for path in carry:
            publish_file(self.root / RELEASES / str(live) / path, staging / path)
        manifest.write_manifest(staging)  # the last step: a release with one is complete
        (self.root / RELEASES).mkdir(exist_ok=True)
        staging.rename(self.root / RELEASES / release)

    def verify(self, release: str) -> list[str]:
        return manifest.verify(self.root / RELEASES / release)

    def history(self) -> str:
        path = self.root / HISTORY
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""

    def record(self, entry: str) -> None:
        """Append one line and flush it to disk: it is what the next rollback reads."""
        with open(self.root / HISTORY, "a", encoding="utf-8") as handle:
            handle.write(entry)
            handle.flush()
            os.fsync(handle.fileno())

    def switch(self, release: str) -> None:
        """Point ``current`` at ``release`` with one rename."""
        link = self.root / CURRENT
        if link.exists() and not link.is_symlink():
            raise PublishError(f"{link} is a folder, not a link: move it out of the way first")
        temporary = self.root / f".{CURRENT}.{release}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(f"{RELEASES}/{release}", target_is_directory=True)
        kill_point("linked")
        os.replace(temporary, link)

    def remove(self, releases: list[str]) -> None:
        for name in releases:
            doomed = self.root / RELEASES / f".{name}{DELETING}"
            (self.root / RELEASES / name).rename(doomed)
            kill_point("deleting")
            shutil.rmtree(doomed)
