"""docs/settings.md is generated from the plugins' defaults and must not drift from them."""

from __future__ import annotations

import ast
from pathlib import Path

from mag_core.settings_reference import OUTPUT, SETTINGS, key_comments, render

ROOT = Path(__file__).resolve().parent.parent


def test_the_settings_reference_matches_the_defaults_in_the_code():
    written = OUTPUT.read_text(encoding="utf-8")
    assert written == render(), "docs/settings.md is out of date: run `invoke docs`"


def test_every_settings_dict_the_code_reads_is_in_the_reference():
    read_in_code = set()
    for folder in ("plugins", "analytics", "publishing"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", None) == "plugin_settings"
                    and len(node.args) > 1
                    and isinstance(node.args[1], ast.Constant)
                ):
                    read_in_code.add(node.args[1].value)
    assert read_in_code
    assert read_in_code == {setting.name for setting in SETTINGS}


def test_a_changed_default_changes_the_reference(monkeypatch):
    import mag_video.settings

    monkeypatch.setitem(mag_video.settings.DEFAULTS, "crf", 19)
    assert "| `crf` | `19` |" in render()
    assert render() != OUTPUT.read_text(encoding="utf-8")


def test_comments_above_and_beside_a_key_document_it():
    source = """
DEFAULTS = {
    # Shown above,
    # over two lines.
    "a": 1,
    "b": 2,  # beside it
    "c": [
        1,
    ],
}
"""
    assert key_comments(source, "DEFAULTS") == {
        "a": "Shown above, over two lines.",
        "b": "beside it",
        "c": "",
    }


def test_invoke_docs_writes_what_the_reference_renders(tmp_path):
    from mag_core.settings_reference import write

    written = write(tmp_path / "settings.md")
    assert written.read_text(encoding="utf-8") == render()
