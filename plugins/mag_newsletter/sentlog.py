"""The sent log: who has had which issue, so a re-run never sends twice.

SQLite: every accepted message is committed before the next is sent, so a run
stopped at any point (a crash, Ctrl-C, a relay going away) resumes where it was.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    issue      TEXT NOT NULL,
    address    TEXT NOT NULL,  -- lower-cased
    segment    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent_at    INTEGER NOT NULL,  -- seconds since the epoch
    PRIMARY KEY (issue, address)
)
"""


class SentLog:
    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.execute(SCHEMA)
        self.connection.commit()

    def sent_to(self, issue: str) -> set[str]:
        rows = self.connection.execute("SELECT address FROM sent WHERE issue = ?", (issue,))
        return {address for (address,) in rows}

    def record(self, issue: str, segment: str, address: str, message_id: str) -> None:
        with self.connection:  # one transaction, committed now
            self.connection.execute(
                "INSERT OR IGNORE INTO sent VALUES (?, ?, ?, ?, ?)",
                (issue, address.lower(), segment, message_id, int(time.time())),
            )

    def count(self, issue: str) -> dict[str, int]:
        rows = self.connection.execute(
            "SELECT segment, COUNT(*) FROM sent WHERE issue = ? GROUP BY segment", (issue,)
        )
        return dict(rows.fetchall())

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> SentLog:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
