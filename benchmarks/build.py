"""Build time of the magazine against plain Pelican, and search indexing against Pagefind's CLI."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .corpus import write_corpus
from .timing import paired_median_seconds, pelican_process, report

# Plain Pelican: its defaults and its own theme, nothing of this project.
PLAIN_SETTINGS = 'TIMEZONE = "Asia/Tokyo"\nDEFAULT_LANG = "ja"\n'


def run(root: Path, options: dict) -> None:
    from mag_search import build_index
    from mag_search.index import pagefind_executable

    # Whole builds are quick: at least five runs each, so one slow run moves no median.
    articles, runs = options.get("articles", 1000), max(options.get("runs", 3), 5)
    with tempfile.TemporaryDirectory(prefix="mag-bench-") as folder:
        work = Path(folder)
        content = write_corpus(work / "content", articles)
        plain = work / "plain.py"
        plain.write_text(PLAIN_SETTINGS, encoding="utf-8")
        ours_out, plain_out = work / "ours", work / "plain"
        print(f"corpus: {articles} Japanese articles, {runs} runs each", flush=True)

        def clean():
            for out in (ours_out, plain_out):
                shutil.rmtree(out, ignore_errors=True)

        # Warm-up: the first build fills the media cache, as an editor's first build does.
        pelican_process(content, root / "pelicanconf.py", ours_out, root)
        ours, baseline = paired_median_seconds(
            lambda: pelican_process(content, root / "pelicanconf.py", ours_out, root),
            lambda: pelican_process(content, plain, plain_out, root),
            runs,
            clean,
        )
        report(f"pelican build, {articles} articles", ours, baseline, target=1.25)

        pagefind = str(pagefind_executable())
        pelican_process(content, root / "pelicanconf.py", ours_out, root)

        def pagefind_cli():
            shutil.rmtree(ours_out / "pagefind", ignore_errors=True)
            subprocess.run([pagefind, "--site", str(ours_out), "--silent"], check=True)

        indexed, cli = paired_median_seconds(lambda: build_index(ours_out), pagefind_cli, runs)
        report(f"search index, {articles} articles", indexed, cli, target=1.1)
