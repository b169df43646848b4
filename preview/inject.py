"""The one thing the preview adds to a page: a script that reloads it and shows problems.

It is a single ``<script data-mag-preview>`` element put before ``</body>``;
:func:`strip` takes it out again, which is how the tests compare a preview page
with the full build's. The page's state (its version, a digest of what it shows,
and the problems to show) is written into the script, so an overlay is there
from the first paint. After each pass the script asks for the page's digest
and reloads only if it changed: saving one article does not reload every open
page, and the pass after a quick page (see :mod:`preview.quick`) that made the
same page causes no second reload.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from .problems import Problem

EVENTS_PATH = "/__mag_preview/events"
DIGEST_PATH = "/__mag_preview/digest"
START = "<script data-mag-preview>"
END = "</script>"

# Plain DOM calls and textContent only: a problem's text is an editor's text
# and must never become markup.
SCRIPT = """(function () {
  var state = %(state)s;
  function box(id, css) {
    var el = document.getElementById(id) || document.createElement("div");
    el.id = id; el.setAttribute("style", css);
    if (!el.parentNode) document.body.appendChild(el);
    return el;
  }
  function overlay(problems) {
    var el = box("mag-preview-overlay", "position:fixed;inset:auto 0 0 0;max-height:50vh;" +
      "overflow:auto;z-index:2147483647;background:#2b0b0b;color:#fff;font:14px/1.5 monospace;" +
      "padding:12px 16px;border-top:4px solid #e5484d");
    el.setAttribute("role", "alert");
    el.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "プレビュー: 問題が " + problems.length + " 件あります";
    el.appendChild(title);
    problems.forEach(function (problem) {
      var row = document.createElement("div");
      row.className = "mag-preview-problem";
      var where = document.createElement("b");
      where.textContent = problem.where ? problem.where + ": " : "";
      row.appendChild(where);
      row.appendChild(document.createTextNode(problem.message));
      el.appendChild(row);
    });
    var close = document.createElement("button");
    close.textContent = "閉じる";
    close.onclick = function () { el.remove(); };
    el.appendChild(close);
  }
  var since = null, ticking = null;
  function building(on) {
    var el = document.getElementById("mag-preview-building");
    if (!on) { if (el) el.remove(); clearInterval(ticking); since = null; return; }
    el = box("mag-preview-building", "position:fixed;top:8px;right:8px;z-index:2147483647;" +
      "background:#222;color:#fff;font:13px sans-serif;padding:4px 10px;border-radius:4px");
    if (since === null) {
      since = Date.now();
      ticking = setInterval(function () { building(true); }, 1000);
    }
    var seconds = Math.floor((Date.now() - since) / 1000);
    el.textContent = seconds < 2 ? "更新中…" : "更新中… " + seconds + " 秒";
  }
  var events = null;
  function listen() {
    events = new EventSource(%(events)s);
    events.onmessage = function (event) {
      var now = JSON.parse(event.data);
      building(now.building);
      if (now.version === state.version) return;
      state.version = now.version;
      // Reload only if this page or its problems changed, not on every save.
      fetch(%(digest)s + "?path=" + encodeURIComponent(location.pathname), {cache: "no-store"})
        .then(function (answer) { return answer.text(); })
        .then(function (digest) {
          if (digest !== state.digest) { events.close(); location.reload(); }
        });
    };
  }
  function start() {
    if (state.problems.length) overlay(state.problems);
    listen();
    // A browser opens only a few connections to one server: a tab in the
    // background gives its event stream back, and catches up when shown.
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && events) { events.close(); events = null; }
      else if (!document.hidden && !events) { listen(); }
    });
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();"""


def digest(html: str | None, problems: Iterable[Problem]) -> str:
    """What a page shows: its HTML and its problems. A reload happens when this changes."""
    shown = json.dumps([problem.to_json() for problem in problems], ensure_ascii=False)
    return hashlib.sha256(f"{html}\0{shown}".encode()).hexdigest()[:24]


def script(version: int, html: str | None, problems: Iterable[Problem]) -> str:
    problems = list(problems)
    state = {
        "version": version,
        "digest": digest(html, problems),
        "problems": [problem.to_json() for problem in problems],
    }
    values = {"state": _js(state), "events": _js(EVENTS_PATH), "digest": _js(DIGEST_PATH)}
    return f"{START}{SCRIPT % values}{END}"


def _js(value: object) -> str:
    """JSON that cannot end the script element or open a comment inside it."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def inject(html: str, block: str) -> str:
    """``html`` with ``block`` before its last ``</body>`` (at the end if it has none)."""
    at = html.lower().rfind("</body>")
    return html + block if at < 0 else html[:at] + block + html[at:]


def strip(html: str) -> str:
    """``html`` without the injected script (the tests' way back to the full build's page)."""
    start = html.find(START)
    if start < 0:
        return html
    end = html.index(END, start) + len(END)
    return html[:start] + html[end:]
