"""A target on another host (``user@host:/path``): rsync for the files, ssh for the switch.

The remote folder has the same layout as a local target (``releases/<id>/`` and
the ``current`` symlink). A release is copied into a hidden folder with
``--link-dest`` pointing at the live release, so unchanged files (videos,
images) become hard links instead of new copies; it is renamed into
``releases/`` once complete and goes live when ``current`` is replaced by
``mv -T`` (a rename, so atomic). Its manifest is made on the host, after the
carried files are linked in, with ``sha256sum``, and checked there with
``sha256sum -c`` before any switch. The host needs a POSIX shell and GNU coreutils.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from .history import HISTORY
from .manifest import MANIFEST
from .releases import CARRIED, CURRENT, DELETING, RELEASES, PublishError, is_release_id

logger = logging.getLogger(__name__)

# rsync's own rule: a colon before any slash means a remote path.
_REMOTE = re.compile(r"^(?P<host>[^/:]+):(?P<path>.+)$")


def is_remote(spec: str) -> bool:
    return bool(_REMOTE.match(spec))


class RsyncTarget:
    """``[user@]host:/path`` reached through ``rsh`` (``ssh`` unless told otherwise)."""

    def __init__(self, spec: str, work: str | Path, rsh: str = "ssh") -> None:
        match = _REMOTE.match(spec)
        if not match:
            raise PublishError(f"{spec!r} is not a remote target (expected user@host:/path)")
        self.host, self.path = match["host"], match["path"].rstrip("/") or "/"
        self.name = spec
        self.work = Path(work)
        self.rsh = rsh

    def _shell(self, script: str) -> str:
        """Run a shell script on the host in the target folder; return what it printed."""
        folder = shlex.quote(self.path)
        command = [
            *shlex.split(self.rsh),
            self.host,
            f"mkdir -p {folder} && cd {folder} && {script}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PublishError(
                f"on {self.host}: {script!r} failed ({result.returncode}): {result.stderr.strip()}"
            )
        return result.stdout

    def releases(self) -> list[str]:
        listing = self._shell(f"ls -1 {RELEASES} 2>/dev/null || true")
        return sorted(name for name in listing.split() if is_release_id(name))

    def current(self) -> str | None:
        target = self._shell(f"readlink {CURRENT} || true").strip()
        return Path(target).name if target else None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        # One publish at a time comes from CI (a concurrency group), not from a remote lock.
        yield

    def clean_leftovers(self) -> list[str]:
        """Remove what killed runs left on the host: temporary links, partial copies."""
        listing = self._shell(
            f"for f in .{CURRENT}.* {RELEASES}/.*.partial {RELEASES}/.*{DELETING}; do "
            'if [ -e "$f" ] || [ -L "$f" ]; then echo "$f"; rm -rf -- "$f"; fi; done'
        )
        return [Path(line).name for line in listing.splitlines()]

    def staging(self, release: str) -> Path:
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        return self.work / release

    def files(self, release: str) -> tuple[set[str], set[str]]:
        """(every file, the files it carried) of a release, as paths inside it."""
        folder = f"{RELEASES}/{release}"
        listing = self._shell(f"cd {folder} && find . -type f").splitlines()
        carried = self._shell(f"cat {folder}/{CARRIED} 2>/dev/null || true").split("\n")
        return {line.removeprefix("./") for line in listing}, set(carried)

    def install(self, staging: Path, release: str, live: str | None, carry: list[str]) -> None:
        """Copy ``staging`` to the host as ``release`` (not live yet), with ``carry`` linked in."""
        partial = f"{RELEASES}/.{release}.partial"
        self._shell(f"mkdir -p {RELEASES} && rm -rf {partial}")
        # Each build writes every file anew, so only content tells an unchanged file.
        command = ["rsync", "--archive", "--no-times", "--checksum", "--delete", "--rsh", self.rsh]
        if live:  # relative to the destination folder
            command.append(f"--link-dest=../{live}")
        # rsync (3.2.4 and later) protects remote names from the remote shell by itself.
        command += [f"{staging}/", f"{self.host}:{self.path}/{partial}/"]
        logger.info("publish: copying release %s to %s", release, self.name)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PublishError(f"rsync to {self.name} failed: {result.stderr.strip()}")
        if carry:  # hard links to the live release's files, listed in the uploaded manifest
            into = f"../.{release}.partial"
            self._shell(
                f"cd {RELEASES}/{shlex.quote(str(live))} && xargs -r -d '\\n' -a {into}/{CARRIED}"
                f" cp --parents -l -t {into} --"
            )
        # The manifest is the last step: only a complete copy gets one.
        self._shell(
            f"cd {partial} && find . -type f ! -name '{MANIFEST}*' -print0 | sort -z | "
            f"xargs -0 -r sha256sum -- > {MANIFEST}.part && mv {MANIFEST}.part {MANIFEST}"
        )
        self._shell(f"mv {partial} {RELEASES}/{release}")

    def verify(self, release: str) -> list[str]:
        """``sha256sum -c`` on the host: what it says is wrong (nothing: the release is whole)."""
        folder = shlex.quote(f"{RELEASES}/{release}")
        output = self._shell(
            f"if [ ! -f {folder}/{MANIFEST} ]; then echo 'it has no {MANIFEST}'; "
            f"else (cd {folder} && sha256sum --quiet --strict -c {MANIFEST} 2>&1) || true; fi"
        )
        return [line.strip() for line in output.splitlines() if line.strip()]

    def history(self) -> str:
        return self._shell(f"cat {HISTORY} 2>/dev/null || true")

    def record(self, entry: str) -> None:
        self._shell(f"printf '%s\\n' {shlex.quote(entry.strip())} >> {HISTORY} && sync {HISTORY}")

    def switch(self, release: str) -> None:
        temporary = f".{CURRENT}.{release}"
        self._shell(f"ln -sfn {RELEASES}/{release} {temporary} && mv -T {temporary} {CURRENT}")

    def remove(self, releases: list[str]) -> None:
        """Renamed out of ``releases/`` first: a killed removal leaves no half release."""
        for name in releases:
            doomed = f"{RELEASES}/.{name}{DELETING}"
            self._shell(f"mv -T {RELEASES}/{name} {doomed} && rm -rf -- {doomed}")
