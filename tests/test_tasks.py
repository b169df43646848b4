"""The invoke tasks and the preview server, run for real."""

import http.client
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

INVOKE = [sys.executable, "-m", "invoke"]


def run_task(*args, cwd=ROOT, check=True):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*INVOKE, *args], cwd=cwd, env=env, capture_output=True, text=True, check=check
    )


def get(server, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.fixture
def media_folder(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(bytes(range(256)) * 40)  # 10,240 bytes
    return tmp_path


def test_preview_server_answers_range_requests_with_206(media_folder, serve):
    server = serve(media_folder)
    whole = (media_folder / "clip.mp4").read_bytes()
    response, body = get(server, "/clip.mp4", {"Range": "bytes=100-199"})
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes 100-199/{len(whole)}"
    assert response.getheader("Content-Type") == "video/mp4"
    assert body == whole[100:200]
    response, body = get(server, "/clip.mp4", {"Range": "bytes=-16"})
    assert response.status == 206
    assert body == whole[-16:]
    response, body = get(server, "/clip.mp4", {"Range": "bytes=10000-"})
    assert body == whole[10000:]


def test_preview_server_refuses_unsatisfiable_ranges_and_serves_whole_files(media_folder, serve):
    server = serve(media_folder)
    response, _ = get(server, "/clip.mp4", {"Range": "bytes=99999-"})
    assert response.status == 416
    response, body = get(server, "/clip.mp4")
    assert response.status == 200
    assert response.getheader("Accept-Ranges") == "bytes"
    assert len(body) == 10240


def test_new_article_scaffolds_a_dated_file_with_front_matter(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("tasks.py", "pelicanconf.py"):
        (project / name).symlink_to(ROOT / name)
    (project / "plugins").symlink_to(ROOT / "plugins")
    result = run_task(
        "new-article",
        "--title",
        "新しい働き方の始め方",
        "--category",
        "働き方",
        "--date",
        "2026-12-01T09:30",
        cwd=project,
    )
    created = list((project / "content/articles").glob("2026-12-01-*.md"))
    assert len(created) == 1, result.stdout + result.stderr
    path = created[0]
    assert path.name.startswith("2026-12-01-atarashii-hatarakikata-no-")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "Title: 新しい働き方の始め方\nDate: 2026-12-01 09:30\nCategory: 働き方\n"
    )
    again = run_task(
        "new-article",
        "--title",
        "新しい働き方の始め方",
        "--date",
        "2026-12-01T09:30",
        cwd=project,
        check=False,
    )
    assert again.returncode != 0
    assert "already exists" in again.stderr


def test_a_failed_build_leaves_the_previous_output(tmp_path):
    from invoke import Context
    from invoke.exceptions import Exit

    import tasks

    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    (content / "a.md").write_text("Title: 一\nDate: 2026-11-01\n\n本文。\n", encoding="utf-8")
    output = tmp_path / "output"
    settings = tmp_path / "conf.py"
    settings.write_text(
        "from pelican.settings import get_settings_from_file\n"
        f"globals().update(get_settings_from_file({str(ROOT / 'publishconf.py')!r}))\n"
        f"PATH = {str(tmp_path / 'content')!r}\nTHEME = {str(ROOT / 'theme')!r}\n",
        encoding="utf-8",
    )
    previous = dict(tasks.CONFIG)
    tasks.CONFIG["content"] = str(tmp_path / "content")
    try:
        tasks.build_site(Context(), str(settings), output)
        good = (output / "index.html").read_bytes()
        assert (output / "pagefind" / "pagefind.js").is_file()
        (content / "b.md").write_text("Title: 二\nDate: 2026-99-01\n\n本文。\n", encoding="utf-8")
        with pytest.raises(Exit) as stopped:
            tasks.build_site(Context(), str(settings), output)
        assert stopped.value.code == 1
    finally:
        tasks.CONFIG.update(previous)
    assert (output / "index.html").read_bytes() == good
    assert not Path(f"{output}.building").exists()
