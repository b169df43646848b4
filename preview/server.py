"""HTTP for the preview: pages rendered on request, everything else from the output folder.

Pages come from the site's latest snapshot with the reload script put in;
feeds are written when asked for; static files, media and the sitemap are
served as a full build left them, with HTTP Range support for video.
``/__mag_preview/events`` tells open pages, as server-sent events, when a pass
starts and ends, and ``/__mag_preview/`` lists drafts and current problems.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import threading
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from mag_core.preview import RangeRequestHandler

from .inject import DIGEST_PATH, EVENTS_PATH, digest, inject, script
from .site import Site

INDEX_PATH = "/__mag_preview/"
# A comment line now and then lets both ends notice a connection gone away.
KEEPALIVE_SECONDS = 15.0
NOT_FOUND = "<!DOCTYPE html><title>404</title><body><h1>404 Not Found</h1></body>"


def page_name(url_path: str) -> str:
    """The output file a URL path names: ``/2026/slug/`` is ``2026/slug/index.html``."""
    path = unquote(url_path).lstrip("/")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return posixpath.normpath(path)


class PreviewHandler(RangeRequestHandler):
    site: Site

    def __init__(self, *args, site: Site, stopping: threading.Event, **kwargs) -> None:
        self.site, self.stopping = site, stopping
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        own = {EVENTS_PATH: self._events, DIGEST_PATH: self._digest, INDEX_PATH: self._index}
        if path in own:
            return own[path]()
        version = self.site.version  # read first: a pass ending meanwhile reloads the page
        name = page_name(path)
        page, problems = self.site.page(name)
        if page is not None:
            return self._send_page(HTTPStatus.OK, inject(page, script(version, page, problems)))
        if self.site.page_exists(f"{name}/index.html") and not path.endswith("/"):
            return self._redirect(path + "/")
        if name.endswith(".html"):
            missing = inject(NOT_FOUND, script(version, None, problems))
            return self._send_page(HTTPStatus.NOT_FOUND, missing)
        self.site.feed(name)  # written into the output folder if the site has it
        return super().do_GET()

    def _digest(self) -> None:
        """What the page at ``?path=`` shows now, for its script to decide on a reload."""
        query = parse_qs(urlsplit(self.path).query)
        page, problems = self.site.page(page_name(query.get("path", ["/"])[0]))
        body = digest(page, problems).encode("ascii")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send_page(self, status: HTTPStatus, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)  # the request's own path: already quoted
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = None
        while not self.stopping.is_set():
            if seen is None:
                now = self.site.version, self.site.building
            else:
                now = self.site.wait_for_change(seen, KEEPALIVE_SECONDS)
            message = ": keepalive\n\n"
            if now != seen:
                message = f"data: {json.dumps({'version': now[0], 'building': now[1]})}\n\n"
                seen = now
            try:
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
            except OSError:  # the page was closed or reloaded
                return

    def _index(self) -> None:
        """Drafts and problems: the preview's own page, not part of the site."""
        drafts = "".join(
            f'<li><a href="/{quote(name)}">{html.escape(title)}</a></li>'
            for name, title in self.site.drafts()
        )
        problems = "".join(f"<li>{html.escape(str(p))}</li>" for p in self.site.problems)
        body = (
            '<!DOCTYPE html><html lang="ja"><meta charset="utf-8"><title>プレビュー</title>'
            f'<body><h1>プレビュー</h1><p><a href="/">サイトのトップ</a></p>'
            f"<h2>下書き</h2><ul>{drafts or '<li>なし</li>'}</ul>"
            f"<h2>問題</h2><ul>{problems or '<li>なし</li>'}</ul></body></html>"
        )
        page = inject(body, script(self.site.version, body, self.site.problems))
        self._send_page(HTTPStatus.OK, page)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, host: str, port: int) -> None:
        self.stopping = threading.Event()
        handler = functools.partial(
            PreviewHandler, site=site, stopping=self.stopping, directory=str(site.output)
        )
        super().__init__((host, port), handler)

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()
