"""invoke publish / rollback / preview, run for real.

Each test lays out a small project (the repository's code, its own content),
runs the invoke tasks as a subprocess, builds with Pelican and serves the
target's ``current`` link over loopback HTTP.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from videoclips import make_clip

from conftest import ROOT, invoke, make_project
from publishing import history
from publishing.manifest import MANIFEST, read_manifest
from publishing.releases import LocalTarget, to_carry, to_prune

RED, BLUE = (200, 0, 0), (0, 0, 200)
ARTICLE = "/2026/oshirase/"


def mark_png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), colour).save(buffer, "PNG")
    return buffer.getvalue()


def release_site(number: int, colour: tuple[int, int, int], extra: str = "") -> dict:
    """One article with a marker in its text and an image whose colour tells the release."""
    text = (
        "Title: お知らせ\nDate: 2026-11-01 09:00\nCategory: 新規事業\nSlug: oshirase\n"
        f"\nRELEASE-{number} の本文です。\n\n![版{number}の印]({{static}}/images/mark.png)\n{extra}"
    )
    return {"articles/note.md": text, "images/mark.png": mark_png(colour)}


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def colour_of(image: bytes) -> tuple[int, int, int]:
    picture = Image.open(io.BytesIO(image)).convert("RGB")
    return picture.getpixel((picture.width // 2, picture.height // 2))


def release_of_colour(image: bytes) -> int:
    red, _green, blue = colour_of(image)
    return 1 if red > blue else 2


def mark_urls(page: str, port: int) -> list[str]:
    """Paths of every rendition of the mark image the page refers to."""
    prefix = f"http://127.0.0.1:{port}"
    found = re.findall(r'(?:src|srcset)="([^"]+)"', page)
    urls = [part.split()[0] for value in found for part in value.split(",")]
    return [url.removeprefix(prefix) for url in urls if "mark" in url]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def media_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media-cache")


class Watcher(threading.Thread):
    """Reads the article and every image it shows, again and again (bounded), like a reader."""

    def __init__(self, port: int, limit: int = 4000, seconds: float = 180) -> None:
        super().__init__(daemon=True)
        self.port, self.limit, self.deadline = port, limit, time.monotonic() + seconds
        self.stop = threading.Event()
        self.seen: list[tuple[int, list[int]]] = []  # (page's release, its images' releases)
        self.failures: list[str] = []

    def run(self) -> None:
        for _ in range(self.limit):
            if self.stop.is_set() or time.monotonic() > self.deadline:
                return
            status, body = get(self.port, ARTICLE)
            if status != 200:
                self.failures.append(f"{ARTICLE}: {status}")
                continue
            page = body.decode("utf-8")
            release = int(re.search(r"RELEASE-(\d)", page).group(1))
            time.sleep(0.05)  # a browser reads the page before it asks for the images
            images = []
            for url in mark_urls(page, self.port):
                status, image = get(self.port, url)
                if status != 200:
                    self.failures.append(f"{url} (from a release-{release} page): {status}")
                else:
                    images.append(release_of_colour(image))
            self.seen.append((release, images))


def test_publish_switches_atomically_while_readers_read_and_rollback_restores(
    tmp_path, serve, media_cache
):
    target = tmp_path / "target"
    server = serve(target / "current")
    env = {
        "MAG_SITEURL": server.url,
        "MAG_PUBLISH_TARGET": str(target),
        "MAG_CACHE_DIR": str(media_cache),
    }
    first = invoke(make_project(tmp_path / "v1", release_site(1, RED)), "publish", **env)
    assert first.returncode == 0, first.stdout + first.stderr
    (release_1,) = LocalTarget(target).releases()
    assert "is live" in first.stderr

    watcher = Watcher(server.port)
    watcher.start()
    while not watcher.seen and watcher.is_alive():
        time.sleep(0.05)
    second = invoke(make_project(tmp_path / "v2", release_site(2, BLUE)), "publish", **env)
    # A few rounds on the new release, however slow the machine.
    while watcher.is_alive() and sum(release == 2 for release, _ in watcher.seen) < 3:
        time.sleep(0.05)
    watcher.stop.set()
    watcher.join()
    assert second.returncode == 0, second.stdout + second.stderr

    assert watcher.failures == []
    pages = [release for release, _ in watcher.seen]
    assert pages[0] == 1, "the loop did not start on the first release"
    assert pages[-1] == 2, "the loop did not span the switch"
    assert pages == sorted(pages), "a reader saw the old release again after the new one"
    assert all(images and set(images) == {2} for release, images in watcher.seen if release == 2)

    release_2 = LocalTarget(target).current()
    assert release_2 != release_1
    assert (target / "current").resolve() == target / "releases" / release_2

    back = invoke(tmp_path / "v2", "rollback", **env)
    assert back.returncode == 0, back.stdout + back.stderr
    assert LocalTarget(target).current() == release_1
    status, body = get(server.port, ARTICLE)
    assert status == 200
    assert "RELEASE-1" in body.decode("utf-8")

    again = invoke(tmp_path / "v2", "rollback", **env)
    assert again.returncode != 0
    assert f"no release before {release_1}" in again.stderr
    forward = invoke(tmp_path / "v2", "rollback", "--to", release_2, **env)
    assert forward.returncode == 0, forward.stderr
    assert LocalTarget(target).current() == release_2


@pytest.fixture(scope="module")
def live_target(tmp_path_factory, media_cache) -> tuple[Path, str]:
    """A target with one good release live; tests copy it before breaking things."""
    work = tmp_path_factory.mktemp("live")
    target = work / "target"
    siteurl = "http://127.0.0.1:9"  # never requested: the check reads files
    result = invoke(
        make_project(work / "good", release_site(1, RED)),
        "publish",
        MAG_SITEURL=siteurl,
        MAG_PUBLISH_TARGET=str(target),
        MAG_CACHE_DIR=str(media_cache),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return target, siteurl


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4", 1, "160x90").read_bytes()


BROKEN = {
    "bad front matter": (
        {"articles/bad.md": "Title: 壊れた記事\nDate: 2026-11-02\nCatgory: 新規事業\n\n本文。\n"},
        [
            "content/articles/bad.md:3: unknown key 'Catgory' (did you mean 'Category'?)\n",
            "error: 1 problem in 1 file; nothing was published\n",
            "the build failed",
        ],
    ),
    "broken internal link": (
        {"articles/link.md": "Title: 申込\nDate: 2026-11-02\n\n[申込書](../../files/apply.pdf)\n"},
        ["the check found", "'../../files/apply.pdf': no such file"],
    ),
    "video without captions": (
        {"articles/talk.md": "Title: 対談\nDate: 2026-11-02\nVideo: media/clip.mp4\n\n本文。\n"},
        ["has no captions", "without a link to its transcript", "Captions:"],
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_build_leaves_the_live_site_as_it_was(
    tmp_path, live_target, clip, case, media_cache
):
    good_target, siteurl = live_target
    target = tmp_path / "target"
    shutil.copytree(good_target, target, symlinks=True)
    before = snapshot(target / "current")
    live = LocalTarget(target).current()
    files, expected = BROKEN[case]
    files = {**release_site(2, BLUE), **files}
    if "Video:" in str(files):
        files["media/clip.mp4"] = clip

    result = invoke(
        make_project(tmp_path / "broken", files),
        "publish",
        MAG_SITEURL=siteurl,
        MAG_PUBLISH_TARGET=str(target),
        MAG_CACHE_DIR=str(media_cache),
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0
    for text in expected:
        assert text in output
    assert f"the live site ({live}) is unchanged" in result.stderr
    assert LocalTarget(target).current() == live
    assert LocalTarget(target).releases() == [live]
    assert snapshot(target / "current") == before
    assert not any((target / ".staging").iterdir())


def test_the_check_names_each_problem_of_a_built_site(build):
    from publishing import check_site

    output = build(
        {
            "articles/a.md": (
                "Title: 問題だらけ\nDate: 2026-11-01\nSlug: a\n\n"
                '![](images/pic.png)\n\n<script src="https://cdn.example.com/x.js"></script>\n\n'
                "<div><p>閉じ忘れ</span></div>\n\n[外部](https://example.com/ok)\n"
            ),
            "images/pic.png": mark_png(RED),
        },
        conf="publishconf.py",
        MAG_STRICT=False,
        SITEURL="https://mag.example.jp",
        RELATIVE_URLS=False,
    )
    (output / "theme/css/extra.css").write_text("a { background: url(../img/none.png) }")
    problems = [str(problem) for problem in check_site(output, "https://mag.example.jp")]
    page = [problem for problem in problems if problem.startswith("2026/a/index.html")]
    assert any("has no alt text" in problem for problem in page), problems
    assert any("'https://cdn.example.com/x.js' is loaded from outside" in p for p in page)
    assert any("not valid HTML" in problem and "span" in problem for problem in page)
    assert not any("example.com/ok" in problem for problem in problems)
    assert "theme/css/extra.css: url('../img/none.png'): no such file" in problems
    # Pages that link the article are not blamed for it.
    assert not any(p.startswith("index.html") for p in problems), problems


def test_remote_target_gets_releases_by_rsync_and_switches_on_the_host(tmp_path, media_cache):
    # Stands in for ssh: drops the host name and runs the command on this machine.
    shell = tmp_path / "fake-ssh"
    shell.write_text('#!/bin/sh\nshift\nexec sh -c "$*"\n')
    shell.chmod(0o755)
    remote = tmp_path / "remote with space"
    env = {
        "MAG_SITEURL": "http://127.0.0.1:9",
        "MAG_PUBLISH_TARGET": f"webhost:{remote}",
        "MAG_PUBLISH_RSH": str(shell),
        "MAG_CACHE_DIR": str(media_cache),
    }

    first = invoke(make_project(tmp_path / "v1", release_site(1, RED)), "publish", **env)
    assert first.returncode == 0, first.stdout + first.stderr
    # What killed runs leave on the host: a switch's link, a partial copy.
    (remote / ".current.20261101-000000-000000").symlink_to("releases/20261101-000000-000000")
    (remote / "releases" / ".20261101-000000-000000.partial" / "img").mkdir(parents=True)
    second = invoke(make_project(tmp_path / "v2", release_site(2, BLUE)), "publish", **env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert not list(remote.glob(".current.*"))
    assert not list((remote / "releases").glob(".*"))

    local = LocalTarget(remote)  # the same layout, read from this side
    release_1, release_2 = local.releases()
    assert local.current() == release_2
    page = (remote / "current" / "2026/oshirase/index.html").read_text(encoding="utf-8")
    assert "RELEASE-2" in page
    # The first release's image renditions and search-index parts stay one more release.
    kept = (remote / "releases" / release_2 / ".carried").read_text().split()
    assert any(name.startswith("img/mark-") for name in kept), kept
    assert any(name.startswith("pagefind/") for name in kept), kept
    assert not any(name.endswith(".html") for name in kept)
    for name in kept:
        assert (remote / "releases" / release_2 / name).samefile(
            remote / "releases" / release_1 / name
        )
    css = "theme/css/main.css"  # unchanged: linked to the previous release, not copied again
    assert (remote / "releases" / release_2 / css).stat().st_nlink == 2

    # The host made each release's manifest after linking the carried files in.
    assert set(read_manifest(remote / "releases" / release_2)) >= set(kept)
    assert local.verify(release_2) == []

    back = invoke(tmp_path / "v2", "rollback", **env)
    assert back.returncode == 0, back.stderr
    assert local.current() == release_1
    (remote / "releases" / release_2 / "2026/oshirase/index.html").write_text("damaged")
    refused = invoke(tmp_path / "v2", "rollback", "--to", release_2, **env)
    assert refused.returncode == 1
    assert "2026/oshirase/index.html: FAILED" in refused.stderr
    assert local.current() == release_1


def test_keeping_n_releases_never_removes_the_live_one():
    releases = [
        "20261101-000000-000000",
        "20261102-000000-000000",
        "20261103-000000-000000",
        "20261104-000000-000000",
    ]
    assert to_prune(releases, releases[-1], 2) == releases[:2]
    assert to_prune(releases, releases[0], 2) == releases[1:3]  # two kept, the live one too
    # The release a rollback would return to is kept first, however old.
    assert to_prune(releases, releases[-1], 2, (releases[0],)) == releases[1:3]
    assert to_prune(releases, releases[-1], 1, (releases[0],)) == releases[:3]


def test_the_history_is_a_stack_of_what_was_live():
    a, c, d = "20261101-000000-000000", "20261103-000000-000000", "20261104-000000-000000"
    lines = history.line(history.PUBLISH, a) + history.line(history.PUBLISH, c)
    # Whatever else lies in releases/ (a release never switched to), c came after a.
    assert history.before(history.live_stack(lines, c)) == a
    lines += history.line(history.ROLLBACK, a)
    assert history.live_stack(lines, a) == [a]
    lines += history.line(history.ROLLBACK_TO, c) + "2026-11-29T00:00:00Z publi"  # a cut line
    assert history.live_stack(lines, c) == [a, c]
    # A switch whose line was never written still counts as live.
    assert history.live_stack(lines, d) == [a, c, d]
    assert history.before([a]) is None


def test_assets_are_carried_for_one_release_only():
    live = {"index.html", "img/a.1.webp", "img/b.2.webp", "feeds/all.atom.xml", ".carried"}
    assert to_carry(live, {"img/b.2.webp"}, {"index.html", "img/a.3.webp"}) == ["img/a.1.webp"]


def test_publish_without_siteurl_or_target_says_what_is_missing(tmp_path):
    project = make_project(tmp_path / "p", release_site(1, RED))
    no_url = invoke(project, "publish", "--target", str(tmp_path / "t"))
    assert no_url.returncode != 0
    assert "MAG_SITEURL is not set" in no_url.stderr
    no_target = invoke(project, "publish", MAG_SITEURL="http://127.0.0.1:9")
    assert no_target.returncode != 0
    assert "no target: pass --target or set MAG_PUBLISH_TARGET" in no_target.stderr
    assert not (tmp_path / "t").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_preview_serves_the_production_build_with_range_requests(tmp_path, media_cache):
    project = make_project(tmp_path / "p", release_site(1, RED))
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAG_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "preview", "--port", str(port)],
        cwd=project,
        env={**clean, "MAG_CACHE_DIR": str(media_cache), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in process.stdout:
            if line.startswith("Serving"):
                break
        status, page = get(port, ARTICLE)
        assert status == 200
        # Absolute links to the preview address, as the published site has to its own.
        assert f'src="http://127.0.0.1:{port}/images/mark.png"' in page.decode("utf-8")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/images/mark.png", headers={"Range": "bytes=0-7"})
        response = connection.getresponse()
        assert response.status == 206
        assert response.read() == b"\x89PNG\r\n\x1a\n"
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (project / "output.preview" / "pagefind" / "pagefind.js").is_file()


def test_the_workflow_runs_the_readme_commands_and_publishes_with_the_cache():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"]
    steps = workflow["jobs"]["publish"]["steps"]
    commands = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "") for step in steps]
    order = ["make test", "make site", ".venv/bin/invoke publish"]
    assert [commands.index(command) for command in order] == sorted(
        commands.index(command) for command in order
    )
    restore = uses.index("actions/cache/restore@v4")
    save = uses.index("actions/cache/save@v4")
    assert restore < commands.index("make test") < commands.index(".venv/bin/invoke publish") < save
    assert steps[restore]["with"]["path"] == steps[save]["with"]["path"] == "cache"
    publish_step = steps[commands.index(".venv/bin/invoke publish")]
    assert publish_step["env"]["MAG_CACHE_DIR"].endswith("/cache")
    assert publish_step["env"]["MAG_PUBLISH_TARGET"] == "${{ vars.MAG_PUBLISH_TARGET }}"
    assert publish_step["env"]["MAG_SITEURL"] == "${{ vars.MAG_SITEURL }}"
    # The tests run without the site's settings: they build their own small sites.
    assert "env" not in workflow
    makefile = (ROOT / "Makefile").read_text()
    assert "\ntest:" in makefile
    assert "\nsite:" in makefile


# --- releases that are complete or never used ----------------------------------------------


def copy_target(live_target, tmp_path: Path) -> tuple[Path, dict]:
    good_target, siteurl = live_target
    target = tmp_path / "target"
    shutil.copytree(good_target, target, symlinks=True)
    return target, {"MAG_SITEURL": siteurl, "MAG_PUBLISH_TARGET": str(target)}


def publish_release(tmp_path: Path, number: int, media_cache: Path, env: dict, **extra: str):
    project = tmp_path / f"v{number}"
    if not project.exists():
        make_project(project, release_site(number, BLUE))
    return invoke(project, "publish", MAG_CACHE_DIR=str(media_cache), **env, **extra)


def test_every_release_lists_its_files_and_checksums(live_target):
    target, _ = live_target
    release = LocalTarget(target).current()
    folder = target / "releases" / release
    listed = read_manifest(folder)
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {MANIFEST}
    assert "2026/oshirase/index.html" in listed
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in listed.values())
    # The same format as GNU sha256sum, so a web host can check a release by itself.
    check = subprocess.run(
        ["sha256sum", "--strict", "--quiet", "-c", MANIFEST],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_rollback_refuses_a_half_deleted_release_and_leaves_the_live_one(
    tmp_path, live_target, media_cache
):
    target, env = copy_target(live_target, tmp_path)
    first = LocalTarget(target).current()
    result = publish_release(tmp_path, 2, media_cache, env)
    assert result.returncode == 0, result.stderr
    second = LocalTarget(target).current()
    # What a deletion killed halfway leaves: some of the release's files gone.
    files = sorted(p for p in (target / "releases" / first).rglob("*.html"))
    for path in files[: len(files) // 2]:
        path.unlink()
    before = snapshot(target / "current")

    for args in (("rollback",), ("rollback", "--to", first)):
        refused = invoke(tmp_path / "v2", *args, **env)
        assert refused.returncode == 1, refused.stderr
        assert f"release {first} is incomplete or damaged" in refused.stderr
        assert "is missing" in refused.stderr
        assert f"the live site ({second}) is unchanged" in refused.stderr
        assert LocalTarget(target).current() == second
        assert snapshot(target / "current") == before


def test_after_a_publish_killed_before_its_switch_rollback_returns_to_the_release_live_before(
    tmp_path, live_target, media_cache
):
    target, env = copy_target(live_target, tmp_path)
    first = LocalTarget(target).current()

    killed = publish_release(tmp_path, 2, media_cache, env, MAG_PUBLISH_KILL_AT="linked")
    assert killed.returncode == -signal.SIGKILL
    never_live = next(r for r in LocalTarget(target).releases() if r != first)
    assert LocalTarget(target).current() == first
    assert (target / f".current.{never_live}").is_symlink()  # the killed switch's link

    third = publish_release(tmp_path, 3, media_cache, env)
    assert third.returncode == 0, third.stderr
    live = LocalTarget(target).current()
    assert live not in (first, never_live)
    assert [p.name for p in target.glob(".current.*")] == []  # removed by the next run

    back = invoke(tmp_path / "v3", "rollback", **env)
    assert back.returncode == 0, back.stderr
    assert LocalTarget(target).current() == first  # not the release that was never live


def test_a_publish_killed_while_deleting_an_old_release_leaves_nothing_half_deleted(
    tmp_path, live_target, media_cache
):
    target, env = copy_target(live_target, tmp_path)
    first = LocalTarget(target).current()
    # Keep one release: the first goes, a rollback to it is no longer possible.
    env["MAG_PUBLISH_KEEP"] = "1"
    killed = publish_release(tmp_path, 2, media_cache, env, MAG_PUBLISH_KILL_AT="deleting")
    assert killed.returncode == -signal.SIGKILL
    second = LocalTarget(target).current()
    assert second != first
    assert LocalTarget(target).releases() == [second]
    assert (target / "releases" / f".{first}.deleting").is_dir()

    refused = invoke(tmp_path / "v2", "rollback", "--to", first, **env)
    assert refused.returncode == 1
    assert f"no release '{first}'" in refused.stderr
    assert not (target / "releases" / f".{first}.deleting").exists()  # cleaned by that run
    assert LocalTarget(target).current() == second


def test_a_publish_killed_after_installing_cleans_its_staging_and_never_goes_live(
    tmp_path, live_target, media_cache
):
    target, env = copy_target(live_target, tmp_path)
    first = LocalTarget(target).current()
    (target / ".staging" / "20261101-000000-000000").mkdir(parents=True)  # an older leftover

    killed = publish_release(tmp_path, 2, media_cache, env, MAG_PUBLISH_KILL_AT="installed")

    assert killed.returncode == -signal.SIGKILL
    assert LocalTarget(target).current() == first
    assert history.live_stack(LocalTarget(target).history(), first)[-1] == first
    again = invoke(tmp_path / "v2", "rollback", **env)
    assert again.returncode == 1
    assert f"no release before {first}" in again.stderr
    assert not (target / ".staging").exists()


# --- theme files under content-hashed names -------------------------------------------------


def stylesheets(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="[^"]*?/(theme/css/[^"]+)"', page)


def test_theme_css_and_js_get_hashed_names_that_change_with_their_bytes(build):
    output = build({"articles/a.md": "Title: 記事\nDate: 2026-11-01\nSlug: a\n\n本文。\n"})
    page = (output / "2026/a/index.html").read_text(encoding="utf-8")
    main, printed = stylesheets(page)
    assert re.fullmatch(r"theme/css/main\.[0-9a-f]{12}\.css", main)
    assert re.fullmatch(r"theme/css/print\.[0-9a-f]{12}\.css", printed)
    assert (output / main).read_bytes() == (ROOT / "theme/static/css/main.css").read_bytes()
    search = (output / "search/index.html").read_text(encoding="utf-8")
    (script,) = re.findall(r'src="[^"]*?/(theme/js/search\.[0-9a-f]{12}\.js)"', search)
    assert (output / script).is_file()


def test_a_page_loaded_before_a_switch_still_gets_its_own_stylesheet(tmp_path, serve, media_cache):
    target = tmp_path / "target"
    server = serve(target / "current")
    env = {
        "MAG_SITEURL": server.url,
        "MAG_PUBLISH_TARGET": str(target),
        "MAG_CACHE_DIR": str(media_cache),
    }
    first = invoke(make_project(tmp_path / "v1", release_site(1, RED)), "publish", **env)
    assert first.returncode == 0, first.stderr
    _, old_page = get(server.port, ARTICLE)
    old_css = stylesheets(old_page.decode("utf-8"))[0]
    _, old_bytes = get(server.port, f"/{old_css}")

    project = make_project(tmp_path / "v2", release_site(2, BLUE))
    (project / "theme").unlink()
    shutil.copytree(ROOT / "theme", project / "theme")
    with (project / "theme/static/css/main.css").open("a", encoding="utf-8") as css:
        css.write("\n.release-2 { color: #123456 }\n")
    second = invoke(project, "publish", **env)
    assert second.returncode == 0, second.stderr

    # The reader's old page asks for its stylesheet after the switch: the same bytes.
    status, body = get(server.port, f"/{old_css}")
    assert (status, body) == (200, old_bytes)
    _, new_page = get(server.port, ARTICLE)
    new_css = stylesheets(new_page.decode("utf-8"))[0]
    assert new_css != old_css
    assert b"#123456" in get(server.port, f"/{new_css}")[1]
