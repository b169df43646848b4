"""A throwaway PostgreSQL server on loopback, for the tests and the collector benchmark.

Debian's ``postgresql`` package provides the binaries (/usr/lib/postgresql/<major>/bin);
no cluster of the system's is used. The data folder is made fresh under /dev/shm (or
/var/tmp, on a disk) rather than in the caller's temporary folder: PostgreSQL refuses to run as
root, so as root it runs as the ``postgres`` system user, which cannot enter root's
private temporary folders. It listens on 127.0.0.1 on a free port with no unix socket
(a socket path has a 107-byte limit that a deep temporary folder exceeds). fsync
stays on: the tests check a durability promise.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

SYSTEM_USER = "postgres"
STARTUP_SECONDS = 60.0


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder, or a clear error saying what to install."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_major)
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    return Path(found[-1]).parent


def _major(path: str) -> int:
    return int(Path(path).parent.parent.name.split(".")[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """initdb, start, stop, restart; ``new_database()`` gives a fresh database's URL."""

    def __init__(self, *, on_disk: bool = False) -> None:
        """``on_disk``: data on a disk rather than in memory, so a flush costs what it costs
        SQLite (the benchmark); the tests take memory, where a flush is free."""
        self.bin = binaries()
        self.as_root = os.geteuid() == 0
        # mkdtemp makes a new folder of its own (mode 0700) in either: no shared name is reused.
        shared = "/dev/shm"  # noqa: S108
        in_memory = not on_disk and os.access(shared, os.W_OK)
        parent = shared if in_memory else "/var/tmp"  # noqa: S108
        self.folder = Path(tempfile.mkdtemp(prefix="mag-pg-", dir=parent))
        self.data = self.folder / "data"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._databases = 0
        if self.as_root:
            account = pwd.getpwnam(SYSTEM_USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust")

    def _user(self) -> dict:
        if not self.as_root:
            return {}
        return {"user": SYSTEM_USER, "group": SYSTEM_USER, "extra_groups": []}

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if program == "initdb":
            command += ["--no-locale", "-E", "UTF8", "--no-sync"]
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, cwd=self.folder, **self._user()
        )
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr.strip()}")

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and return once it accepts connections."""
        command = [
            str(self.bin / "postgres"),
            "-D",
            str(self.data),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=100",
        ]
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=log, cwd=self.folder, **self._user()
        )
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres stopped at start: {self.log_tail()}")
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start: {self.log_tail()}") from None
                time.sleep(0.05)

    def log_tail(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown: open connections are ended, committed data is kept."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(2)  # SIGINT: PostgreSQL's "fast" shutdown
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def new_database(self) -> str:
        """A fresh, empty database: its URL."""
        self._databases += 1
        name = f"events_{os.getpid()}_{self._databases}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def execute(self, url: str, statement: str) -> list[tuple]:
        """Run one statement in its own transaction (the tests' planting and looking)."""
        with psycopg.connect(url, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def remove(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)

    def __enter__(self) -> PostgresServer:
        try:
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
