"""The collector under abuse and disk faults: each test is a failure once found, now held.

Real collector processes over loopback, a real SQLite file; traffic goes only to
127.0.0.0/8, in loops bounded in count and time. No latency or throughput is
asserted: answers, counts, stored rows and /health's figures are; the one CPU
figure is a bound far above what a refusal costs and far below what reading a
long User-Agent in full cost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_collector import ORIGIN, ROOT, Collector, event, start_load

from analytics.checkpoints import Checkpoints
from analytics.guard import RESERVED_FILES, Guard, Limits
from analytics.report.cli import make_report
from analytics.schema import parse
from analytics.storage import Storage, read_events

GET_HEALTH = b"GET /health HTTP/1.1\r\nHost: collector\r\n\r\n"


def poll(check, timeout=30.0, every=0.05):
    """``check()``'s first true value; fails with its last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"never true: {check.__name__}"
            return value
        time.sleep(every)


def open_socket(running: Collector, client: str) -> socket.socket:
    address = (running.host, running.port)
    return socket.create_connection(address, timeout=10, source_address=(client, 0))


def answer_or_close(sock: socket.socket) -> bytes:
    """What the collector sends before closing (b"" when it closes without a word).

    The socket's timeout is the deadline: a connection still open then fails the test.
    """
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"the collector kept the connection open; it sent {received[:80]!r}")
    return received


def status_of(answer: bytes) -> int | None:
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else None


def rss_and_cpu(pid: int) -> tuple[float, float]:
    """The process's resident memory (MB) and CPU time used (s), from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return rss / 1024, ticks / os.sysconf("SC_CLK_TCK")


def send_head(running: Collector, head: bytes, client: str) -> int | None:
    """Send a request head as a hostile client would; the status answered, or None if cut off."""
    sock = open_socket(running, client)
    try:
        try:
            sock.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            return None  # refused before the client finished sending
        return status_of(answer_or_close(sock))
    finally:
        sock.close()


def test_long_user_agents_are_refused_early_while_a_steady_reader_is_served(tmp_path):
    running = Collector(tmp_path / "events.sqlite3")
    try:
        steady = ThreadPoolExecutor(max_workers=1)
        sent = [event(view=f"steady{n:06d}") for n in range(50)]
        before = rss_and_cpu(running.process.pid)
        answers = steady.submit(
            lambda: [running.post(body, client="127.0.0.70")[0] for body in sent]
        )
        hostile = [b"Mozilla/5.0 " + b"x" * (1 << 20) for _ in range(40)]
        hostile.append(b"Mozilla/5.0 " + b"y" * (16 << 20))
        statuses = []
        for n, agent in enumerate(hostile):
            head = b"POST /collect HTTP/1.1\r\nHost: c\r\nOrigin: %s\r\nUser-Agent: %s\r\n\r\n"
            statuses.append(
                send_head(running, head % (ORIGIN.encode(), agent), f"127.0.31.{n + 1}")
            )
        assert answers.result(timeout=120) == [202] * 50
        steady.shutdown()
        after = rss_and_cpu(running.process.pid)
        # Answered 431, or cut off while still sending: never read to the end, never stored.
        assert set(statuses) <= {431, None}
        status, figures = running.health()
        assert status == 200
        assert figures["connections"]["too_large"] == 41
        assert sorted(row["view"] for row in running.events()) == sorted(e["view"] for e in sent)
        # 57 MiB of headers sent: before, this kept ~40 MB and took ~12 s of CPU.
        assert after[0] - before[0] < 32, f"memory grew from {before[0]:.0f} to {after[0]:.0f} MB"
        assert after[1] - before[1] < 4.0, f"{after[1] - before[1]:.1f} s of CPU"
    finally:
        running.stop()


def test_oversized_and_numerous_headers_get_431_and_400(tmp_path):
    running = Collector(tmp_path / "events.sqlite3")
    try:
        line = b"POST /collect HTTP/1.1\r\nHost: c\r\nOrigin: " + ORIGIN.encode() + b"\r\n"
        one_big = line + b"Cookie: " + b"c" * 9000 + b"\r\n\r\n"
        many_small = line + b"".join(b"X-Pad-%d: %d\r\n" % (n, n) for n in range(120)) + b"\r\n"
        total_big = line + b"".join(b"X-Pad-%d: %s\r\n" % (n, b"p" * 6000) for n in range(6))
        assert send_head(running, one_big, "127.0.0.71") == 431
        assert send_head(running, many_small, "127.0.0.72") == 400
        assert send_head(running, total_big + b"\r\n", "127.0.0.73") == 431
        # A real browser's request, with a long but ordinary User-Agent, is unaffected.
        agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " + "Extension/1.0 " * 100
        assert running.post(event(view="ordinary0001"), headers={"User-Agent": agent})[0] == 202
        figures = running.health()[1]["connections"]
        assert (figures["too_large"], figures["too_many_headers"]) == (2, 1)
    finally:
        running.stop()


def test_idle_and_slow_connections_are_closed_and_counted(tmp_path):
    running = Collector(
        tmp_path / "events.sqlite3", args=["--idle-timeout", "1", "--request-timeout", "2"]
    )
    idle = [open_socket(running, "127.0.0.74") for _ in range(5)]
    slow_head = open_socket(running, "127.0.0.75")
    slow_body = open_socket(running, "127.0.0.75")
    try:
        slow_head.sendall(b"POST /collect HTTP/1.1\r\nHost: c\r\n")
        body = json.dumps(event(view="slowbody0001")).encode()
        head = b"POST /collect HTTP/1.1\r\nHost: c\r\nOrigin: %s\r\nContent-Length: %d\r\n\r\n"
        slow_body.sendall(head % (ORIGIN.encode(), len(body)) + body[:10])
        # recv() returns once the collector closes them; the socket timeout is the deadline.
        assert [answer_or_close(sock) for sock in idle] == [b""] * 5
        assert status_of(answer_or_close(slow_head)) == 408
        assert status_of(answer_or_close(slow_body)) == 408
        figures = running.health()[1]["connections"]
        assert (figures["idle_closed"], figures["slow_closed"]) == (5, 2)
        assert running.events() == []
        assert running.post(event(view="afterslow001"))[0] == 202
    finally:
        for sock in [*idle, slow_head, slow_body]:
            sock.close()
        running.stop()


def test_idle_connections_beyond_the_open_file_limit_do_not_shut_out_readers(tmp_path):
    unlimited = ["--rate", "1e6", "--burst", "1000000"]
    running = Collector(tmp_path / "events.sqlite3", args=["--idle-timeout", "120", *unlimited])
    resource.prlimit(running.process.pid, resource.RLIMIT_NOFILE, (256, 256))
    idle = []
    try:
        for _ in range(400):  # more than the collector has files for
            idle.append(open_socket(running, "127.0.0.80"))
        answers = [
            running.post(event(view=f"nofile{n:06d}"), client="127.0.0.81")[0] for n in range(100)
        ]
        assert answers == [202] * 100
        status, figures = running.health()
        assert status == 200
        connections = figures["connections"]
        assert connections["allowed"] == 256 - RESERVED_FILES
        assert connections["open"] <= connections["allowed"]
        # The connections idle the longest made room: at least the 176 over the limit.
        assert connections["evicted"] >= 400 - connections["allowed"]
        for sock in idle[:10]:  # the oldest were the ones closed
            sock.settimeout(10)
            assert answer_or_close(sock) == b""
    finally:
        for sock in idle:
            sock.close()
        running.stop()


def test_a_full_house_of_busy_connections_refuses_the_next_at_once(tmp_path):
    running = Collector(tmp_path / "events.sqlite3", args=["--max-connections", "20"])
    busy = []
    try:
        for _ in range(20):  # each in the middle of its request: nothing to evict
            sock = open_socket(running, "127.0.0.82")
            sock.sendall(b"POST /collect HTTP/1.1\r\nHost: c\r\n")
            busy.append(sock)
        extra = open_socket(running, "127.0.0.83")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            extra.sendall(GET_HEALTH)
        assert answer_or_close(extra) == b""  # closed without being read
        extra.close()
        for sock in busy:
            sock.close()
        status, figures = poll(lambda: running.health()[0] == 200 and running.health())
        assert status == 200
        assert figures["connections"]["refused"] >= 1
    finally:
        for sock in busy:
            sock.close()
        running.stop()


def test_new_reader_ids_from_one_address_are_capped_per_hour_and_counted(tmp_path):
    running = Collector(tmp_path / "events.sqlite3", args=["--new-readers-per-hour", "5"])
    try:
        invented = [event(reader=f"inv{n:06d}", view=f"inv{n:06d}") for n in range(8)]
        answers = [running.post(body, client="127.0.0.84")[0] for body in invented]
        assert answers == [202] * 5 + [204] * 3
        # Readers already seen keep being counted, and other addresses have their own allowance.
        assert (
            running.post(event(reader="inv000000", view="again000001"), client="127.0.0.84")[0]
            == 202
        )
        assert (
            running.post(event(reader="other00001", view="other00001"), client="127.0.0.85")[0]
            == 202
        )
        readers = {row["reader"] for row in running.events()}
        assert readers == {f"inv{n:06d}" for n in range(5)} | {"other00001"}
        assert running.health()[1]["dropped_new_readers"] == 3
    finally:
        running.stop()


def test_the_database_folder_deleted_under_load_is_answered_503_and_reported(tmp_path):
    folder = tmp_path / "var"
    running = Collector(folder / "events.sqlite3", args=["--rate", "1e6", "--burst", "1000000"])
    load = start_load(running.url, "--clients", "20", "--rate", "1000", "--seconds", "6")
    try:
        poll(lambda: folder.exists() and running.backend.count(running.db) >= 300)
        shutil.rmtree(folder)
        after = [running.post(event(view=f"gone{n:08d}"), client="127.0.0.86") for n in range(20)]
        assert [status for status, _, _ in after] == [503] * 20
        assert all(json.loads(text)["error"] == "could not store the event" for _, _, text in after)
        status, figures = running.health()
        assert (status, figures["ok"]) == (503, False)
        assert figures["problem"] == "the database file is gone"
        output, _ = load.communicate(timeout=60)
        statuses = json.loads(output)["statuses"]
        assert set(statuses) <= {"202", "503"}
        assert statuses.get("503", 0) > 0
        assert running.process.poll() is None  # still running, still answering
    finally:
        load.kill()
        load.wait()
        running.stop()


def test_a_replaced_database_file_fails_health(tmp_path):
    running = Collector(tmp_path / "events.sqlite3")
    try:
        assert running.post(event(view="original001"))[0] == 202
        replacement = tmp_path / "other.sqlite3"
        Storage(replacement).close()
        replacement.replace(running.db)
        status, figures = running.health()
        assert (status, figures["problem"]) == (503, "the database file was replaced")
        assert running.post(event(view="afterswap01"))[0] == 503
    finally:
        running.stop()
    assert "afterswap01" not in {row["view"] for row in read_events(running.db)}


class Breakable(Checkpoints):
    """Real checkpoints that fail while ``broken`` is set, as on a failing disk.

    The one stand-in here: a disk that fails on demand cannot be had on this machine
    (closing the thread's connection from outside crashes SQLite instead).
    """

    broken = False

    def _checkpoint(self, connection: sqlite3.Connection) -> None:
        if self.broken:
            raise sqlite3.OperationalError("disk I/O error")
        super()._checkpoint(connection)


def test_the_checkpointer_recovers_from_an_error_and_logs_both(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="analytics.checkpoints")
    path = tmp_path / "events.sqlite3"
    storage = Storage(path)
    checkpoints = Breakable(path, every=0.05)
    try:
        checkpoints.broken = True
        poll(lambda: checkpoints.failures >= 2)
        checkpoints.broken = False
        poll(lambda: checkpoints.failing is None)
        flushed = checkpoints.last_flush
        storage.insert_many([parse(json.dumps(event(view="afterfail01")).encode())])
        poll(lambda: checkpoints.last_flush > flushed)
        assert checkpoints.is_alive()
        assert checkpoints.problem() is None
    finally:
        checkpoints.stop()
        storage.close()
    messages = [record.getMessage() for record in caplog.records]
    failed = [m for m in messages if m.startswith("analytics: checkpoint failed")]
    assert failed == [
        "analytics: checkpoint failed (OperationalError: disk I/O error); retrying every 0.05 s "
        "with a new connection, /health reports it"
    ]  # once, however many rounds failed
    assert any(m.startswith("analytics: checkpoints work again after ") for m in messages)
    assert [row["view"] for row in read_events(path)] == ["afterfail01"]


def test_flushes_that_fall_behind_the_promise_or_stop_are_reported(tmp_path):
    path = tmp_path / "events.sqlite3"
    Storage(path).close()
    checkpoints = Breakable(path, every=0.05)  # promise: a flush every 0.25 s at the latest
    try:
        poll(lambda: checkpoints.last_flush > 0 and checkpoints.problem() is None)
        checkpoints.broken = True
        problem = poll(checkpoints.problem)
        assert problem.startswith("last flush ")
        assert problem.endswith("promised every 0.05 s (OperationalError: disk I/O error)")
    finally:
        checkpoints.stop()
    assert checkpoints.problem() == "checkpoints stopped"


def test_the_wal_is_truncated_under_continuous_writes_and_stays_bounded(tmp_path):
    path = tmp_path / "events.sqlite3"
    limit = 256 * 1024
    storage = Storage(
        path, sync="normal", background_checkpoints=True, checkpoint_every=0.05, wal_limit=limit
    )
    wal = path.with_name(path.name + "-wal")
    batch = [parse(json.dumps(event(view=f"wal{n:09d}")).encode()) for n in range(50)]
    try:
        deadline = time.monotonic() + 60
        written = 0
        # Never a pause between commits: PASSIVE checkpoints alone never let the log restart.
        while storage.checkpoints.truncations < 3 and time.monotonic() < deadline:
            storage.insert_many(batch)
            written += len(batch)
        assert storage.checkpoints.truncations >= 3
        poll(lambda: wal.stat().st_size <= limit)
        assert storage.problem() is None
    finally:
        storage.close()
    assert len(read_events(path)) == written


def on_the_home_page(sent: dict) -> dict:
    """``sent`` as the home page sends it: no article, and no page format of its own."""
    home = {key: value for key, value in sent.items() if key != "article"}
    if home["type"] == "pageview":
        del home["format"]
    return {**home, "path": "/"}


def test_the_report_warns_of_more_readers_than_the_headcount_and_keeps_previews_apart(
    tmp_path, caplog
):
    running = Collector(tmp_path / "events.sqlite3")
    loop = {"format": "preview", "muted": True, "captions": False}
    try:
        for n in range(6):  # six readers, each on their own address
            ids = {"reader": f"reader{n:04d}", "view": f"view{n:08d}"}
            sent = [event(**ids)]
            if n == 0:  # the first watched the home page's preview loop to the end
                plays = [event("video", **ids, **loop, quartile=q) for q in (0, 25, 50, 75, 100)]
                sent = [on_the_home_page(body) for body in [*sent, *plays]]
            for body in sent:
                assert running.post(body, client=f"127.0.0.{90 + n}")[0] == 202
    finally:
        running.stop()
    caplog.set_level(logging.WARNING, logger="analytics.report")
    report = make_report(running.db, tmp_path / "report", headcount=5)
    assert (report.readers, report.usage.previews) == (6, 1)
    assert all(article.plays["video"] == 0 for article in report.articles)
    warnings = [r.getMessage() for r in caplog.records if r.name == "analytics.report.cli"]
    assert any("6 readers, more than the headcount of 5" in message for message in warnings)
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "対象人数 5 を超えています" in html
    assert "プレビュー再生" in html


@pytest.mark.parametrize("damage", ["not a database", "a file where its folder should be"])
def test_a_database_that_cannot_be_written_stops_the_start_with_one_clear_line(tmp_path, damage):
    db = tmp_path / "events.sqlite3"
    if damage == "not a database":
        db.write_bytes(b"these are not the events you are looking for" * 100)
    else:
        (tmp_path / "var").write_text("a file")
        db = tmp_path / "var" / "events.sqlite3"
    started = subprocess.run(
        [sys.executable, "-m", "analytics.collector", "--port", "0", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 1
    assert started.stdout == ""  # never said it was listening
    assert started.stderr.startswith(f"analytics: cannot store events in {db} (")
    assert "Traceback" not in started.stderr


def test_a_body_still_trickling_in_after_its_413_gets_no_second_answer(tmp_path):
    running = Collector(tmp_path / "events.sqlite3", args=["--request-timeout", "1"])
    sock = open_socket(running, "127.0.0.87")
    try:
        head = b"POST /collect HTTP/1.1\r\nHost: c\r\nOrigin: %s\r\nContent-Length: 10000\r\n\r\n"
        sock.sendall(head % ORIGIN.encode() + b"{")
        answer = answer_or_close(sock)  # the 413 at once, then closed at the deadline
        assert status_of(answer) == 413
        assert answer.count(b"HTTP/1.1 ") == 1
        assert running.health()[1]["connections"]["slow_closed"] == 1
    finally:
        sock.close()
        running.stop()


def test_what_the_limits_do_is_logged_at_most_every_ten_seconds_without_addresses(caplog):
    caplog.set_level(logging.WARNING, logger="analytics.guard")
    guard = Guard(Limits(max_connections=10))
    guard.note("idle_closed", log=False)  # ordinary: browsers leave connections unused
    assert caplog.records == []
    for what in ("refused", "refused", "evicted"):
        guard.note(what)
    (line,) = [record.getMessage() for record in caplog.records]
    assert line == "analytics: connection limits (0 open of 10 allowed): idle_closed 1, refused 1"
    figures = {"open": 0, "allowed": 10, "refused": 2, "evicted": 1, "idle_closed": 1}
    assert guard.figures() == figures
