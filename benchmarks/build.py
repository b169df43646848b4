"""Build time of the magazine against plain Pelican, and search indexing against Pagefind's CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .corpus import write_corpus
from .timing import median_seconds, report

# Plain Pelican: its defaults and its own theme, nothing of this project.
PLAIN_SETTINGS = 'TIMEZONE = "Asia/Tokyo"\nDEFAULT_LANG = "ja"\n'


def _pelican(content: Path, settings: Path, output: Path, cwd: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(content),
        "-s",
        str(settings),
        "-o",
        str(output),
        "-q",
    ]
    subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL)


def run(root: Path, options: dict) -> None:
    sys.path.insert(0, str(root / "plugins"))
    from mag_search import build_index
    from mag_search.index import pagefind_executable

    articles, runs = options.get("articles", 1000), options.get("runs", 3)
    with tempfile.TemporaryDirectory(prefix="mag-bench-") as folder:
        work = Path(folder)
        content = write_corpus(work / "content", articles)
        plain = work / "plain.py"
        plain.write_text(PLAIN_SETTINGS, encoding="utf-8")
        ours_out, plain_out = work / "ours", work / "plain"
        print(f"corpus: {articles} Japanese articles, {runs} runs each", flush=True)

        def clean(folder):
            return lambda: shutil.rmtree(folder, ignore_errors=True)

        ours = median_seconds(
            lambda: _pelican(content, root / "pelicanconf.py", ours_out, root),
            runs,
            clean(ours_out),
        )
        baseline = median_seconds(
            lambda: _pelican(content, plain, plain_out, root), runs, clean(plain_out)
        )
        report(f"pelican build, {articles} articles", ours, baseline, target=1.25)

        pagefind = str(pagefind_executable())

        def pagefind_cli():
            subprocess.run([pagefind, "--site", str(ours_out), "--silent"], check=True)

        indexed = median_seconds(lambda: build_index(ours_out), runs)
        cli = median_seconds(pagefind_cli, runs, clean(ours_out / "pagefind"))
        report(f"search index, {articles} articles", indexed, cli, target=1.1)
