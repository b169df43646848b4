"""The collector on PostgreSQL: a server that restarts, two collectors behind nginx with one
killed mid-run, and the report's reading of stored events as Arrow batches.

A real PostgreSQL server (Debian's package, started by tests/pgserver.py) and a real
nginx, both on free loopback ports with configurations written here.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pgserver
import psycopg
import pyarrow as pa
import pytest
from pgserver import Backend
from test_collector import ROOT, Collector, event, start_load

from analytics import postgres
from analytics.storage import COLUMNS, STORAGE_VERSION, arrow_schema
from benchmarks.pgserver import free_port

postgres_server = pgserver.postgres_server  # the session's server, a fixture


def poll(check, timeout=60.0, every=0.05):
    """Wait until ``check()`` is true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {check}")
        time.sleep(every)


@pytest.fixture
def backend(postgres_server):
    return Backend("postgresql", postgres_server)


def test_a_restarting_database_is_answered_503_and_reported_then_events_are_stored_again(
    backend, postgres_server
):
    running = Collector(postgres_server.new_database(), backend=backend)
    try:
        assert running.post(event(view="before00001"))[0] == 202
        postgres_server.stop()
        try:
            status, headers, _ = running.post(event(view="whiledown01"))
            assert status == 503
            assert headers["retry-after"] == "5"
            status, figures = running.health()
            assert status == 503
            assert "the database is unreachable" in figures["problem"]
        finally:
            postgres_server.start()
        # The collector reconnects by itself: the first events after the restart may still
        # meet the interval between attempts, then every one is stored.
        poll(lambda: running.post(event(view="afterrestart"))[0] == 202)
        assert running.healthy()
        assert running.post(event(view="afterrestar2"))[0] == 202
    finally:
        running.stop()
    stored = [row["view"] for row in running.events()]
    assert "whiledown01" not in stored
    assert stored[0] == "before00001"
    assert stored[-1] == "afterrestar2"


def test_a_database_turned_read_only_is_answered_503_and_reported_until_it_is_writable(
    backend, postgres_server
):
    url = postgres_server.new_database()
    name = url.rsplit("/", 1)[1]
    running = Collector(url, backend=backend)

    def new_sessions(read_only: str) -> None:
        """Set the default for new sessions, and end the collector's so it opens a new one."""
        admin = postgres_server.admin_url
        postgres_server.execute(
            admin, f'ALTER DATABASE "{name}" SET default_transaction_read_only = {read_only}'
        )
        end = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'"
        postgres_server.execute(admin, end % name)

    try:
        assert running.post(event(view="writable001"))[0] == 202
        new_sessions("on")
        poll(lambda: running.post(event(view="readonly001"))[0] == 503 and not running.healthy())
        assert "read-only" in running.health()[1]["problem"]
        new_sessions("off")
        poll(lambda: running.post(event(view="writable002"))[0] == 202)
        assert running.healthy()
    finally:
        running.stop()
    stored = [row["view"] for row in running.events()]
    assert stored[0] == "writable001"
    assert stored[-1] == "writable002"
    assert "readonly001" not in stored


def test_a_database_that_cannot_be_reached_stops_the_start_with_one_line_and_no_password():
    url = f"postgresql://magwriter:s3cret-word@127.0.0.1:{free_port()}/events"
    done = subprocess.run(
        [sys.executable, "-m", "analytics.collector", "--port", "0", "--db", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cannot store events in postgresql://magwriter:***@127.0.0.1" in lines[0]
    assert "s3cret-word" not in done.stderr + done.stdout


def test_an_older_table_gets_the_new_columns_and_keeps_its_events(postgres_server):
    url = postgres_server.new_database()
    first = [name for name in COLUMNS if name != "goal"]
    postgres_server.execute(
        url, f"CREATE TABLE events (id bigserial PRIMARY KEY, {' text, '.join(first)} text)"
    )
    postgres_server.execute(url, "INSERT INTO events (view) VALUES ('oldview0001')")
    postgres.PostgresStorage(url).close()
    columns = postgres_server.execute(
        url,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'events' ORDER BY ordinal_position",
    )
    assert [name for (name,) in columns] == ["id", *COLUMNS]
    assert postgres_server.execute(url, "SELECT version FROM storage_version") == [
        (STORAGE_VERSION,)
    ]
    assert [row["view"] for row in postgres.read_events(url)] == ["oldview0001"]


def test_collectors_starting_together_on_a_new_database_make_one_table(postgres_server):
    url = postgres_server.new_database()
    with ThreadPoolExecutor(max_workers=6) as pool:
        storages = list(pool.map(lambda _: postgres.PostgresStorage(url), range(6)))
    for storage in storages:
        storage.close()
    assert postgres_server.execute(url, "SELECT version FROM storage_version") == [
        (STORAGE_VERSION,)
    ]
    assert postgres.read_events(url) == []


def plant(url: str, rows: list[dict]) -> None:
    """Rows with their own received_at, written as an import would (the table made first)."""
    postgres.PostgresStorage(url).close()
    names = ", ".join(COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    with psycopg.connect(url) as connection:
        connection.cursor().executemany(
            f"INSERT INTO events ({names}) VALUES ({marks})",  # noqa: S608 - fixed names
            [tuple(row.get(name) for name in COLUMNS) for row in rows],
        )


def test_event_batches_stream_the_period_as_typed_arrow_columns(postgres_server, monkeypatch):
    url = postgres_server.new_database()
    tricky = {
        "type": "pageview",
        "reader": "k3j9x0a1b2",
        "view": "tricky00001",
        "path": "/2026/秋号/",
        "referrer": "",  # empty, not missing
        "utm_campaign": 'a "quoted", comma\nand a new line',
        "muted": 0,
    }
    rows = [
        {"received_at": 999, "v": 1, "type": "pageview", "view": "tooearly001"},
        {"received_at": 1000, "v": 1, **tricky},
        *(
            {"received_at": 1000 + n, "v": 2, "type": "goal", "view": f"g{n:09d}", "goal": "x"}
            for n in range(1, 600)
        ),
        {"received_at": 2000, "v": 1, "type": "pageview", "view": "toolate0001"},
    ]
    plant(url, rows)
    monkeypatch.setattr(postgres, "BATCH_BYTES", 4096)  # several batches from a few rows
    batches = list(postgres.event_batches(url, 1000, 2000))
    assert len(batches) > 1
    table = pa.Table.from_batches(batches)
    assert table.schema.names == list(COLUMNS)
    assert table.schema == arrow_schema()
    assert {str(table.schema.field(name).type) for name in ("received_at", "muted")} == {"int64"}
    got = sorted(table.to_pylist(), key=lambda row: row["received_at"])
    assert [row["view"] for row in got] == [row["view"] for row in rows[1:-1]]
    assert got[0] == {name: rows[1].get(name) for name in COLUMNS}  # NULLs stay NULL
    assert got[0]["referrer"] == ""
    assert got[0]["scroll"] is None
    # Without bounds: every row.
    assert sum(batch.num_rows for batch in postgres.event_batches(url)) == len(rows)


# Debian's nginx, wherever PATH has it (/usr/sbin is not on every user's PATH).
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = """
daemon off;
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream collectors {{
        server 127.0.0.1:{first};
        server 127.0.0.1:{second};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://collectors;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


@pytest.fixture
def nginx(tmp_path):
    """Start nginx in front of two collector ports: ``nginx(first, second)`` -> its URL."""
    started = []

    def start(first: int, second: int) -> str:
        port = free_port()
        user = "user root;" if os.geteuid() == 0 else ""  # its workers read tmp_path
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(user=user, folder=tmp_path, first=first, second=second, port=port)
        )
        command = [NGINX, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        started.append(process)
        poll(lambda: process.poll() is None and _answers(port), timeout=30)
        return f"http://127.0.0.1:{port}/collect"

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def test_two_collectors_behind_nginx_lose_no_acknowledged_event_when_one_is_killed(
    tmp_path, backend, postgres_server, nginx
):
    url = postgres_server.new_database()
    args = ["--rate", "1e9", "--burst", "1000000000", "--trusted-proxies", "127.0.0.1"]
    first = Collector(url, args=args, backend=backend)
    second = Collector(url, args=args, backend=backend)
    acked_file = tmp_path / "acked.txt"
    clients, total = 16, 16000
    try:
        through = nginx(first.port, second.port)
        load = start_load(
            through,
            *("--clients", str(clients), "--rate", "0", "--seconds", "120"),
            *("--total", str(total), "--retry", "--acked-file", str(acked_file)),
        )
        try:
            assert load.stderr.readline().startswith("loadgen: started")
            poll(lambda: backend.count(url) >= 2000)
            os.kill(first.process.pid, signal.SIGKILL)
            first.process.wait(timeout=10)
            at_kill = backend.count(url)
            output, _ = load.communicate(timeout=180)
        finally:
            load.kill()
        figures = json.loads(output)
        assert second.healthy()
    finally:
        first.stop()
        second.stop()
    acked = acked_file.read_text().split()
    stored = {row["view"] for row in backend.read_events(url)}
    assert at_kill < total  # killed mid-run
    assert [view for view in acked if view not in stored] == []  # 0 acknowledged lost
    # Every event was acknowledged in the end: those sent after the kill by the survivor.
    assert len(set(acked)) == figures["acked"] == total
    assert stored == set(acked)
