"""The sent log: who has had which issue, so a re-run never sends twice.

SQLite, one row per (issue, recipient), written in two steps around the relay:

1. ``begin``: the row is committed as ``sending`` with the message's Message-ID
   *before* the relay is asked;
2. ``mark_sent``: it becomes ``sent`` as soon as the relay has taken the message.

A run killed between the two leaves one ``sending`` row. The next run sends that
message again with the *same* Message-ID, which mail systems collapse into one:
at most the one message in flight is repeated, and never as a different email.
That is as close to exactly once as SMTP allows (the relay's "250 OK" and our
write can never be one atomic step).

The rollback journal, not WAL: WAL needs memory shared between processes of one
machine, and the log may live in a folder several machines share.
"""

from __future__ import annotations

import sqlite3
import time
from email.utils import make_msgid
from pathlib import Path

SENDING, SENT, REFUSED = "sending", "sent", "refused"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    issue      TEXT NOT NULL,
    address    TEXT NOT NULL,  -- lower-cased
    segment    TEXT NOT NULL,
    message_id TEXT NOT NULL,  -- fixed at the first attempt, reused by every retry
    sent_at    INTEGER NOT NULL,  -- seconds since the epoch, of the last change
    state      TEXT NOT NULL DEFAULT 'sent',  -- sending, sent, refused
    PRIMARY KEY (issue, address)
)
"""


class SentLog:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(self.path, timeout=30)
        self.connection.execute("PRAGMA journal_mode=DELETE")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.execute(SCHEMA)
        _add_state_column(self.connection)
        self.connection.commit()

    def sent_to(self, issue: str) -> set[str]:
        """Addresses the relay took this issue for."""
        return self._addresses(issue, SENT)

    def in_flight(self, issue: str) -> set[str]:
        """Addresses whose message was being sent when a run stopped."""
        return self._addresses(issue, SENDING)

    def _addresses(self, issue: str, state: str) -> set[str]:
        rows = self.connection.execute(
            "SELECT address FROM sent WHERE issue = ? AND state = ?", (issue, state)
        )
        return {address for (address,) in rows}

    def begin(self, issue: str, segment: str, address: str, domain: str | None) -> str:
        """Record the message as being sent, committed now; return its Message-ID.

        A message tried before (in flight when a run stopped, or refused) keeps
        the Message-ID it was first given.
        """
        with self.connection:
            row = self.connection.execute(
                "SELECT message_id FROM sent WHERE issue = ? AND address = ?",
                (issue, address.lower()),
            ).fetchone()
            message_id = row[0] if row else make_msgid(f"{issue}.{segment}", domain=domain)
            self.connection.execute(
                "INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?, ?, ?)",
                (issue, address.lower(), segment, message_id, int(time.time()), SENDING),
            )
        return message_id

    def mark_sent(self, issue: str, address: str) -> None:
        self._mark(issue, address, SENT)

    def mark_refused(self, issue: str, address: str) -> None:
        self._mark(issue, address, REFUSED)

    def _mark(self, issue: str, address: str, state: str) -> None:
        with self.connection:  # one transaction, committed now
            self.connection.execute(
                "UPDATE sent SET state = ?, sent_at = ? WHERE issue = ? AND address = ?",
                (state, int(time.time()), issue, address.lower()),
            )

    def message_ids(self, issue: str) -> dict[str, str]:
        rows = self.connection.execute(
            "SELECT address, message_id FROM sent WHERE issue = ?", (issue,)
        )
        return dict(rows.fetchall())

    def count(self, issue: str) -> dict[str, int]:
        rows = self.connection.execute(
            "SELECT segment, COUNT(*) FROM sent WHERE issue = ? AND state = ? GROUP BY segment",
            (issue, SENT),
        )
        return dict(rows.fetchall())

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> SentLog:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _add_state_column(connection: sqlite3.Connection) -> None:
    """Logs written before the two-step record had only sent rows: they stay sent."""
    columns = {row[1] for row in connection.execute("PRAGMA table_info(sent)")}
    if "state" not in columns:
        connection.execute("ALTER TABLE sent ADD COLUMN state TEXT NOT NULL DEFAULT 'sent'")
