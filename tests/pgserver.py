"""The two storage backends, for tests that must pass on both: SQLite files and PostgreSQL.

One real PostgreSQL server a test session (benchmarks/pgserver.py), started the first
time a test asks for it, and a fresh database for every collector a test starts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from analytics import postgres, storage
from benchmarks.pgserver import PostgresServer

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@dataclass
class Backend:
    """Where a test's events go and how it reads them back, the same calls for both."""

    name: str
    server: PostgresServer | None = None

    def new_db(self, folder: Path) -> Path | str:
        """A new, empty database: a file in ``folder``, or a fresh PostgreSQL database."""
        if self.server is None:
            return folder / "events.sqlite3"
        return self.server.new_database()

    def open(self, db: Path | str) -> Any:
        """The storage the collector would open on ``db``."""
        if self.server is None:
            return storage.Storage(db)
        return postgres.PostgresStorage(db)

    def read_events(self, db: Path | str, **where: Any) -> list[dict[str, Any]]:
        if self.server is None:
            return storage.read_events(db, **where)
        return postgres.read_events(db, **where)

    def stored_bytes(self, db: Path | str) -> bytes:
        """Every byte the database keeps on disk for ``db`` (its files, and the server's log)."""
        if self.server is None:
            return b"".join(path.read_bytes() for path in Path(db).parent.glob(Path(db).name + "*"))
        self.server.execute(db, "CHECKPOINT")  # the table's pages written to its files
        ((oid,),) = self.server.execute(
            db, "SELECT oid FROM pg_database WHERE datname = current_database()"
        )
        data = self.server.data
        files = [*(data / "base" / str(oid)).iterdir(), *(data / "pg_wal").glob("0*")]
        return b"".join(path.read_bytes() for path in files if path.is_file())

    def count(self, db: Path | str) -> int:
        """Rows committed so far (0 before the table exists), without disturbing the writer."""
        if self.server is not None:
            return postgres.count_events(db)
        if not Path(db).exists():
            return 0
        connection = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)
        try:
            return connection.execute("SELECT count(*) FROM events").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            connection.close()


def backend_for(request: pytest.FixtureRequest) -> Backend:
    """The backend a fixture parametrised over BACKENDS names (the server started if needed)."""
    if request.param == "sqlite":
        return Backend("sqlite")
    return Backend("postgresql", request.getfixturevalue("postgres_server"))
