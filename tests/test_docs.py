"""The README stays a short entry point, and its links lead to pages that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def test_the_readme_stays_under_8_kb():
    assert len(README.read_bytes()) < 8 * 1024


def test_the_readme_keeps_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make site    # build the sample magazine into output/" in text
    assert "make test    # run the whole test suite" in text


def test_every_link_of_the_readme_leads_to_a_file_in_the_repository():
    text = README.read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)\s#]+)", text) if "://" not in t]
    assert targets
    assert [t for t in targets if not (ROOT / t).exists()] == []


def test_the_documentation_has_a_page_set_for_each_reader():
    for folder in ("editors", "report", "operations", "development"):
        assert (ROOT / "docs" / folder / "index.md").is_file()
