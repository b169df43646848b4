"""Shared fixtures: real Pelican builds, a loopback web server, a real Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def write_site(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write a small content folder: {"articles/a.md": "Title: ...", "images/x.png": b"..."}."""
    content = root / "content"
    for relative, data in files.items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return content


PROJECT_FILES = ("tasks.py", "pelicanconf.py", "publishconf.py", "plugins", "theme", "publishing")


def make_project(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """A project folder: the repository's code (linked) and ``files`` as its content."""
    root.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        (root / name).symlink_to(ROOT / name)
    write_site(root, files)
    return root


def invoke(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``invoke ARGS`` in ``project`` as CI runs it: no terminal, none of our MAG_ variables."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("MAG_", "GITHUB_", "GITLAB_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        env={**clean, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def project_settings(
    content: Path,
    output: Path,
    overrides: Mapping[str, Any] | None = None,
    conf: str = "pelicanconf.py",
) -> dict:
    """The project's settings file read for ``content`` built into ``output``."""
    from pelican.settings import read_settings

    return read_settings(
        str(ROOT / conf),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "THEME": str(ROOT / "theme"),
            "MAG_CACHE_PATH": str(output.parent / "cache"),
            **(overrides or {}),
        },
    )


def run_pelican(
    content: Path,
    output: Path,
    overrides: Mapping[str, Any] | None = None,
    conf: str = "pelicanconf.py",
) -> dict:
    """A real Pelican build of ``content`` with the project's settings; returns the settings."""
    from pelican import Pelican

    settings = project_settings(content, output, overrides, conf)
    Pelican(settings=settings).run()
    return settings


def wait_for_events(db: Path, check: Callable[[list], bool], timeout: float = 15.0) -> list:
    """The collector's stored events once ``check(events)`` holds; fails with them if never."""
    from analytics.storage import read_events

    deadline = time.monotonic() + timeout
    while True:
        events = read_events(db)
        if check(events):
            return events
        if time.monotonic() > deadline:
            pytest.fail(f"events never matched; stored: {events}")
        time.sleep(0.2)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., Path]:
    """build(files, **overrides) -> output folder of a real build of those files."""

    def _build(files: Mapping[str, str | bytes], conf: str = "pelicanconf.py", **overrides) -> Path:
        return build_in(tmp_path, files, conf, **overrides)

    return _build


def build_in(
    folder: Path, files: Mapping[str, str | bytes], conf: str = "pelicanconf.py", **overrides
) -> Path:
    """A real build of ``files`` in ``folder``; returns the output folder.

    For a site that several tests only read, build it once in a module-scoped
    fixture: ``build_in(tmp_path_factory.mktemp("site"), files)``.
    """
    content = write_site(folder, files)
    output = folder / "output"
    run_pelican(content, output, overrides, conf=conf)
    return output


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample magazine in content/, built once per test session, with its search index."""
    from mag_search import build_index

    work = tmp_path_factory.mktemp("sample")
    output = work / "output"
    run_pelican(ROOT / "content", output, {"MAG_CACHE_PATH": str(ROOT / "cache")})
    build_index(output)
    return output


class LiveServer:
    def __init__(self, root: Path) -> None:
        from mag_core.preview import make_server

        self.server = make_server(root, "127.0.0.1", 0)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Path], LiveServer]]:
    """serve(folder) -> a running loopback server (with Range support) for that folder."""
    servers: list[LiveServer] = []

    def _serve(root: Path) -> LiveServer:
        server = LiveServer(root)
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run 'make test', which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()
