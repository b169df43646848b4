"""The analytics collector over real loopback HTTP, as a real process.

Tests that store events take the ``backend`` fixture and run twice: on a real SQLite file
and on a real PostgreSQL server (tests/pgserver.py).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pgserver
import pytest
from pgserver import BACKENDS, Backend, backend_for

from analytics.collector import spawn
from analytics.schema import BY_TYPE, COMMON, Invalid, parse
from analytics.storage import (
    ADDED_COLUMNS,
    COLUMNS,
    STORAGE_VERSION,
    Storage,
    import_events,
    read_events,
)
from analytics.writer import BatchWriter

ROOT = Path(__file__).resolve().parent.parent
ORIGIN = "http://127.0.0.1:8000"
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)

postgres_server = pgserver.postgres_server  # the session's server, a fixture


class Collector:
    """A collector process, and a client that can send from any loopback address."""

    def __init__(self, db: Path | str, args=(), origin=ORIGIN, backend=None) -> None:
        self.db = db
        self.backend = backend or Backend("sqlite")
        self.process, self.url = spawn(db, [origin], args)
        self.host = urlsplit(self.url).hostname
        self.port = urlsplit(self.url).port

    def post(self, body, *, client="127.0.0.1", headers=None, chunked=False):
        """(status, headers, body text) of one POST /collect."""
        sent = {"Origin": ORIGIN, "User-Agent": BROWSER, "Content-Type": "text/plain"}
        sent.update(headers or {})
        sent = {name: value for name, value in sent.items() if value is not None}
        if isinstance(body, dict | list):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        return self.request("POST", body, sent, client=client, chunked=chunked)

    def request(self, method, body=None, headers=None, *, client="127.0.0.1", chunked=False):
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=10, source_address=(client, 0)
        )
        try:
            connection.request(
                method, "/collect", body=body, headers=headers or {}, encode_chunked=chunked
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def health(self) -> tuple[int, dict]:
        """GET /health: its status and its figures."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request("GET", "/health")
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def healthy(self) -> bool:
        return self.health()[0] == 200

    def events(self, **where):
        return self.backend.read_events(self.db, **where)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request):
    """Storage tests run on both backends: a SQLite file, and a real PostgreSQL server."""
    return backend_for(request)


@pytest.fixture(scope="module")
def collector(tmp_path_factory, backend):
    db = backend.new_db(tmp_path_factory.mktemp("collector"))
    running = Collector(db, backend=backend)
    yield running
    running.stop()


def event(event_type="pageview", **fields):
    base = {
        "v": 1,
        "site": "mag",
        "reader": "k3j9x0a1b2",
        "view": "v0c4q8z1m2",
        "path": "/2026/judges-talk/",
        "article": "judges-talk",
        "format": "article",
    }
    return {**base, "type": event_type, **fields}


def start_load(url: str, *options: str) -> subprocess.Popen:
    """The benchmark's load generator against ``url``, with the project's origin."""
    command = [sys.executable, "-m", "benchmarks.loadgen", "--url", url, "--origin", ORIGIN]
    return subprocess.Popen(
        [*command, *options], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_pageview_is_stored_with_202_and_cors_for_the_site_origin_only(collector):
    status, headers, _ = collector.post(
        event(
            view="pv0000000001",
            referrer="https://portal.intra.example/news?name=suzuki#top",
            audience="busy light",
            utm_source="newsletter",
            utm_campaign="秋号 2026",
        ),
        client="127.0.0.2",
    )
    assert status == 202
    assert headers["access-control-allow-origin"] == ORIGIN
    (row,) = collector.events(view="pv0000000001")
    assert row["type"] == "pageview"
    assert row["article"] == "judges-talk"
    assert row["format"] == "article"
    assert row["audience"] == "busy light"
    assert row["utm_source"] == "newsletter"
    assert row["utm_campaign"] == "秋号 2026"
    # Query strings and fragments can carry personal data: only scheme, host and path are kept.
    assert row["referrer"] == "https://portal.intra.example/news"


def test_every_event_type_is_stored_and_numbers_are_clamped(collector):
    sent = [
        event("engagement", view="ty0000000001", engaged_ms=-20, scroll=140),
        event(
            "video", view="ty0000000002", format="short", quartile=75, muted=True, captions=False
        ),
        event("format", view="ty0000000003", format="transcript", **{"from": "article"}),
        event("click", view="ty0000000004", kind="download", url="https://x.example/a.pdf?t=1"),
    ]
    for item in sent:
        assert collector.post(item, client="127.0.0.3")[0] == 202
    engagement, video, fmt, click = (
        collector.events(view=f"ty000000000{n}")[0] for n in range(1, 5)
    )
    assert (engagement["engaged_ms"], engagement["scroll"]) == (0, 100)
    assert (video["format"], video["quartile"], video["muted"], video["captions"]) == (
        "short",
        75,
        1,
        0,
    )
    assert (fmt["format"], fmt["from_format"]) == ("transcript", "article")
    assert (click["kind"], click["url"]) == ("download", "https://x.example/a.pdf")


HOSTILE = [
    ("not json", "body is not JSON"),
    (b"\xff\xfe\x00garbage", "body is not JSON"),
    ("[1, 2, 3]", "JSON object"),
    ("[" * 2000 + "]" * 2000, "body is not JSON"),  # deeper than the parser goes
    ('{"v": 1, "type": "pageview", "scroll": NaN}', "NaN is not a number"),
    (event("purchase"), "type must be one of"),
    (event(["pageview"]), "type must be one of"),
    (event({"$ne": 1}), "type must be one of"),
    (event(extra="x"), "unknown field 'extra'"),
    ({k: v for k, v in event().items() if k != "reader"}, "'reader' is missing"),
    (event(v=3), "'v'"),  # versions 1 and 2 are known
    (event(v=True), "'v'"),
    (event("engagement", engaged_ms="1000", scroll=50), "'engaged_ms': not a number"),
    (event("engagement", engaged_ms=1000, scroll=True), "'scroll': not a number"),
    (event("engagement", engaged_ms=1e300, scroll=50), "number out of range"),
    (event("engagement", engaged_ms=10**30, scroll=50), "number out of range"),
    (event("engagement", engaged_ms=5, scroll=-(10**20)), "number out of range"),
    (event("video", format="video", quartile=33, muted=True, captions=True), "'quartile'"),
    (event("video", format="video", quartile=25, muted="yes", captions=True), "'muted'"),
    (event(format="podcast"), "'format'"),
    (event(site="mag'; DROP TABLE events; --"), "'site'"),
    (event(article="x' OR '1'='1"), "'article'"),
    (event(utm_source="1; DELETE FROM events"), "'utm_source'"),
    (event(path="/<script>alert(1)</script>"), "'path'"),
    (event(path="2026/no-slash/"), "'path'"),
    (event(utm_campaign="<img src=x onerror=alert(1)>"), "'utm_campaign'"),
    (event(referrer="javascript:alert(document.cookie)"), "'referrer'"),
    (event("click", kind="outbound", url='https://x.example/"><script>'), "'url'"),
    (event(reader="R" * 33), "'reader'"),
    (event(audience="busy <b>light</b>"), "'audience'"),
    (event(reader=["a", "b"]), "'reader'"),
    # Once answered 500 (an exception inside the app), now a 400 with the field named.
    (event(referrer="http://[::1"), "'referrer': not an http(s) URL"),
    (event("click", kind="outbound", url="https://[fe80::1/x"), "'url': not an http(s) URL"),
    (
        '{"v": 1, "type": "engagement", "site": "mag", "reader": "k3j9x0a1b2", "view": '
        '"v0c4q8z1m2", "path": "/", "scroll": 5, "engaged_ms": ' + "9" * 3801 + "}",
        "'engaged_ms': number out of range",
    ),
    # Text the database cannot store, or that rewrites a terminal or a report when shown.
    (event(referrer="https://x.example/\ud800"), "'referrer': character U+D800"),
    (event("click", kind="outbound", url="https://x.example/\udfff"), "'url': character U+DFFF"),
    (event(referrer="https://x.example/\u001b[31mred"), "'referrer': character U+001B"),
    (event("click", kind="outbound", url="https://x.example/\u202egpj.exe"), "U+202E"),
    (event(utm_campaign="秋号\u2066x"), "'utm_campaign': character U+2066"),
]


@pytest.mark.parametrize(("body", "reason"), HOSTILE, ids=[str(n) for n in range(len(HOSTILE))])
def test_junk_and_hostile_events_get_400_with_a_reason_and_store_nothing(collector, body, reason):
    before = len(collector.events())
    status, headers, text = collector.post(body, client="127.0.0.4")
    assert status == 400
    assert reason in json.loads(text)["error"]
    assert headers["access-control-allow-origin"] == ORIGIN
    assert len(collector.events()) == before
    assert collector.healthy()


def test_oversized_bodies_get_413_whether_declared_or_streamed(collector):
    before = len(collector.events())
    big = json.dumps(event(utm_source="x" * 5000))
    assert collector.post(big, client="127.0.0.5")[0] == 413
    chunks = (json.dumps(event())[:-1].encode(), b', "pad": "' + b"y" * 8000 + b'"}')
    assert collector.post(iter(chunks), client="127.0.0.5", chunked=True)[0] == 413
    assert len(collector.events()) == before
    assert collector.post(event(view="after413000"), client="127.0.0.5")[0] == 202


def test_a_flooding_client_gets_429_while_other_readers_are_served(collector):
    answers = [collector.post(event(view=f"fl{n:010d}"), client="127.0.0.6") for n in range(90)]
    statuses = [status for status, _, _ in answers]
    assert statuses[:60] == [202] * 60  # the default burst
    refused = [headers for status, headers, _ in answers if status == 429]
    assert refused, "a client sending 90 events at once must be slowed down"
    assert int(refused[0]["retry-after"]) >= 1
    assert collector.post(event(view="otherreader1"), client="127.0.0.7")[0] == 202
    stored = {row["view"] for row in collector.events()}
    assert sum(view.startswith("fl") for view in stored) == statuses.count(202)


def test_other_origins_are_refused_and_get_no_cors_headers(collector):
    before = len(collector.events())
    for origin in ("https://evil.example", None, "null"):
        status, headers, _ = collector.post(event(), client="127.0.0.8", headers={"Origin": origin})
        assert status == 403
        assert "access-control-allow-origin" not in headers
    assert len(collector.events()) == before
    status, headers, _ = collector.request(
        "OPTIONS", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == ORIGIN
    status, headers, _ = collector.request("OPTIONS", headers={"Origin": "https://evil.example"})
    assert status == 403


def test_other_paths_and_methods_are_refused(collector):
    assert collector.request("GET")[0] == 405
    connection = http.client.HTTPConnection(collector.host, collector.port, timeout=10)
    try:
        connection.request("POST", "/collect/../admin", body=b"{}", headers={"Origin": ORIGIN})
        assert connection.getresponse().status == 404
    finally:
        connection.close()
    assert collector.healthy()


@pytest.mark.parametrize(
    "headers",
    [
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/140.0.0.0 Safari/537.36"},
        {"User-Agent": "curl/8.5.0"},
        {"User-Agent": None},
        {"DNT": "1"},
        {"Sec-GPC": "1"},
    ],
)
def test_bots_and_readers_who_ask_not_to_be_tracked_are_dropped_with_204(collector, headers):
    before = len(collector.events())
    assert collector.post(event(), client="127.0.0.9", headers=headers)[0] == 204
    assert len(collector.events()) == before


def test_no_ip_address_or_user_agent_reaches_the_database(collector):
    agent = BROWSER.replace("Chrome/140", "Chrome/140-unique-marker")
    status, _, _ = collector.post(
        event(view="privacy0001"), client="127.0.0.10", headers={"User-Agent": agent}
    )
    assert status == 202
    collector.stop()  # checkpoint the WAL into the main file, then look at every byte
    stored = collector.backend.stored_bytes(collector.db)
    assert b"privacy0001" in stored
    for secret in (b"127.0.0.10", b"unique-marker", b"Windows NT"):
        assert secret not in stored


def test_every_acknowledged_event_survives_sigkill_during_a_burst(tmp_path, backend):
    unlimited = ["--rate", "100000", "--burst", "100000"]
    running = Collector(backend.new_db(tmp_path), args=unlimited, backend=backend)
    acked_file = tmp_path / "acked.txt"
    clients = 24
    load = start_load(
        running.url,
        "--clients",
        str(clients),
        "--rate",
        "0",
        "--seconds",
        "60",
        "--total",
        "60000",
        "--acked-file",
        str(acked_file),
    )
    try:
        assert load.stderr.readline().startswith("loadgen: started")
        # Killed once a thousand events are in, whatever the machine's speed: mid-burst.
        deadline = time.monotonic() + 60
        while backend.count(running.db) < 1000 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(running.process.pid, signal.SIGKILL)
        running.process.wait(timeout=10)
        output, _ = load.communicate(timeout=60)
    finally:
        load.kill()
    figures = json.loads(output)
    acked = acked_file.read_text().split()
    stored = {row["view"] for row in running.events()}
    # Every reader was cut off once, mid-send: all it had answered before was a 202.
    assert figures["errors"] == clients
    assert figures["statuses"] == {"202": len(acked)}
    assert [view for view in acked if view not in stored] == []
    # At most one event a reader was in flight: committed, but killed before its 202.
    assert len(acked) <= len(stored) <= len(acked) + clients
    assert len(stored) < 60000


def test_invoke_collector_serves_with_the_documented_options(tmp_path):
    db = tmp_path / "var" / "events.sqlite3"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("invoke")),
            "collector",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--db",
            str(db),
            "--origin",
            ORIGIN,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = re.search(r"http://\S+", process.stdout.readline()).group(0)
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        body = json.dumps(event(view="viainvoke01"))
        connection.request("POST", parts.path, body, {"Origin": ORIGIN, "User-Agent": BROWSER})
        assert connection.getresponse().status == 202
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert [row["view"] for row in read_events(db)] == ["viainvoke01"]


def test_the_schema_document_names_every_field():
    text = (ROOT / "docs" / "development" / "analytics-events.md").read_text(encoding="utf-8")
    fields = set(COMMON) | {name for fields in BY_TYPE.values() for name in fields}
    assert [name for name in sorted(fields) if f"`{name}`" not in text] == []
    assert [kind for kind in BY_TYPE if f"`{kind}`" not in text] == []


def test_sync_modes_set_what_sqlite_flushes_and_bad_ones_are_refused(tmp_path):
    expected = {"normal": 1, "full": 2}  # PRAGMA synchronous values
    for mode, level in expected.items():
        storage = Storage(tmp_path / f"{mode}.sqlite3", sync=mode)
        try:
            assert storage.connection.execute("PRAGMA synchronous").fetchone() == (level,)
            assert storage.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        finally:
            storage.close()
    with pytest.raises(ValueError, match="sync must be one of normal, full"):
        Storage(tmp_path / "other.sqlite3", sync="off")


def test_a_batch_of_mixed_events_is_stored_in_one_transaction_or_not_at_all(tmp_path, backend):
    rows = [
        parse(json.dumps(event(view="mixed000001", utm_source="newsletter")).encode()),
        parse(
            json.dumps(event("engagement", view="mixed000002", engaged_ms=900, scroll=40)).encode()
        ),
        parse(
            json.dumps(
                event("format", view="mixed000003", format="short", **{"from": "video"})
            ).encode()
        ),
        parse(json.dumps(event(view="mixed000004")).encode()),
    ]
    db = backend.new_db(tmp_path)
    storage = backend.open(db)
    try:
        storage.insert_many(rows)
        with pytest.raises(ValueError, match="not event columns: nickname"):
            storage.insert_many([rows[0], {**rows[1], "view": "mixed000005", "nickname": "x"}])
    finally:
        storage.close()
    stored = {row["view"]: row for row in backend.read_events(db)}
    assert sorted(stored) == ["mixed000001", "mixed000002", "mixed000003", "mixed000004"]
    assert stored["mixed000001"]["utm_source"] == "newsletter"
    assert stored["mixed000004"]["utm_source"] is None
    assert (stored["mixed000002"]["engaged_ms"], stored["mixed000002"]["scroll"]) == (900, 40)
    assert (stored["mixed000003"]["format"], stored["mixed000003"]["from_format"]) == (
        "short",
        "video",
    )
    assert len({row["received_at"] for row in stored.values()}) == 1


def test_a_version_1_database_is_brought_up_to_date_and_keeps_its_events(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    first_columns = [name for name in COLUMNS if name not in ADDED_COLUMNS]
    old.executescript(
        f"""
        CREATE TABLE events (id INTEGER PRIMARY KEY, {", ".join(first_columns)});
        CREATE INDEX events_article ON events (article, type);
        CREATE INDEX events_reader ON events (reader);
        INSERT INTO events (received_at, type, view) VALUES (1, 'pageview', 'oldview0001');
        PRAGMA user_version = 1;
        """  # noqa: S608 - fixed column names
    )
    old.close()
    Storage(path).close()
    check = sqlite3.connect(path)
    try:
        indexes = check.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        assert indexes == []
        assert check.execute("PRAGMA user_version").fetchone() == (STORAGE_VERSION,)
        present = [row[1] for row in check.execute("PRAGMA table_info(events)")]
        assert present == ["id", *COLUMNS]
    finally:
        check.close()
    assert [row["view"] for row in read_events(path)] == ["oldview0001"]


def test_the_collector_with_sync_full_stores_and_acknowledges(tmp_path):
    running = Collector(tmp_path / "events.sqlite3", args=["--sync", "full"])
    try:
        assert running.post(event(view="fullsync0001"))[0] == 202
        assert [row["view"] for row in running.events()] == ["fullsync0001"]
    finally:
        running.stop()


def test_a_failed_write_answers_every_request_of_its_batch_and_the_next_batch_is_stored(tmp_path):
    storage = Storage(tmp_path / "events.sqlite3")
    rows = [parse(json.dumps(event(view=f"batch{n:07d}")).encode()) for n in range(4)]

    async def scenario():
        writer = BatchWriter(storage)
        working = storage.connection
        storage.connection = sqlite3.connect(":memory:", isolation_level=None)  # no events table
        failed = await asyncio.gather(
            *(writer.submit(row) for row in rows[:2]), return_exceptions=True
        )
        storage.connection.close()
        storage.connection = working
        await asyncio.gather(*(writer.submit(row) for row in rows[2:]))
        await writer.close()
        return failed

    failed = run_in_own_loop(scenario())
    assert [type(error) for error in failed] == [sqlite3.OperationalError] * 2
    assert [row["view"] for row in read_events(tmp_path / "events.sqlite3")] == [
        "batch0000002",
        "batch0000003",
    ]


def run_in_own_loop(coroutine):
    """Run ``coroutine`` on a thread of its own: the browser tests leave a loop in this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_a_poisoned_event_posted_with_good_ones_costs_none_of_them_its_202(tmp_path, backend):
    unlimited = ["--rate", "1e6", "--burst", "1000000"]
    running = Collector(backend.new_db(tmp_path), args=unlimited, backend=backend)
    try:
        bodies = [event(view=f"good{n:08d}") for n in range(40)]
        bodies.insert(20, event(view="poisoned0001", referrer="https://x.example/\ud800"))
        with ThreadPoolExecutor(max_workers=41) as pool:
            answers = list(pool.map(lambda body: running.post(body)[0], bodies))
        assert answers[20] == 400
        assert answers[:20] + answers[21:] == [202] * 40
        stored = sorted(row["view"] for row in running.events())
        assert stored == sorted(f"good{n:08d}" for n in range(40))
    finally:
        running.stop()


def test_a_row_the_database_refuses_fails_alone_and_its_batch_is_stored(tmp_path, backend):
    """The writer's own guard, for a row no validator caught: tried again one by one."""
    good = [parse(json.dumps(event(view=f"row{n:09d}")).encode()) for n in range(40)]
    poisoned = {**good[0], "view": "poisoned0002", "referrer": "https://x.example/\ud800"}
    rows = [*good[:20], poisoned, *good[20:]]

    db = backend.new_db(tmp_path)

    async def scenario():
        writer = BatchWriter(backend.open(db))
        futures = [writer.submit(row) for row in rows]  # one turn of the loop: one batch
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
        await writer.close()
        return outcomes

    outcomes = run_in_own_loop(scenario())
    assert [type(outcome).__name__ for outcome in outcomes] == (
        ["NoneType"] * 20 + ["Invalid"] + ["NoneType"] * 20
    )
    # The same rule, and the same answer, as the validator's.
    assert str(outcomes[20]) == "field 'referrer': character U+D800 is not allowed"
    stored = [row["view"] for row in backend.read_events(db)]
    assert stored == [row["view"] for row in good]


def test_imported_rows_follow_the_same_text_rule_as_events(tmp_path):
    row = {"received_at": 1, "type": "pageview", "view": "import00001", "path": "/\u202e/"}
    with pytest.raises(Invalid, match="U\\+202E"):
        import_events(tmp_path / "events.sqlite3", [row])
    assert read_events(tmp_path / "events.sqlite3") == []


def test_closing_the_writer_stores_and_answers_every_event_it_was_given(tmp_path, backend):
    db = backend.new_db(tmp_path)
    rows = [parse(json.dumps(event(view=f"close{n:07d}")).encode()) for n in range(30)]

    async def scenario():
        writer = BatchWriter(backend.open(db))
        futures = [writer.submit(row) for row in rows[:10]]
        await asyncio.sleep(0)  # the first batch is written (on PostgreSQL: on its thread)
        futures += [writer.submit(row) for row in rows[10:]]
        await writer.close()
        return [future.done() and future.exception() is None for future in futures]

    assert run_in_own_loop(scenario()) == [True] * 30
    assert [row["view"] for row in backend.read_events(db)] == [row["view"] for row in rows]
