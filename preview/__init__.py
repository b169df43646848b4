"""Instant preview: the magazine kept in memory, each page rendered when it is asked for.

``invoke livereload`` runs :func:`serve`. The first pass reads every source;
after that, a save re-reads only the files that changed and runs Pelican again
over what is kept (:mod:`preview.build`), without rendering any page
(:mod:`preview.writer`); a page is rendered when a browser asks for it, with the
same templates, plugins and settings as ``invoke build``, and the only thing
added to it is the reload script (:mod:`preview.inject`). Design, figures and
the differences from a full build: docs/development/preview.md.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .inject import strip
from .server import PreviewServer
from .site import Site
from .watch import watch

__all__ = ["PreviewServer", "Site", "serve", "strip"]

logger = logging.getLogger(__name__)


def serve(
    settings_file: str | Path,
    host: str,
    port: int,
    overrides: dict[str, Any] | None = None,
    on_code_change: Callable[[], None] | None = None,
) -> None:
    """Read the site, serve it at http://HOST:PORT/ and follow every save until Ctrl-C."""
    site = Site(settings_file, overrides)
    logger.info("mag_preview: reading the site...")
    site.rebuild()
    server = PreviewServer(site, host, port)
    stop = threading.Event()
    restart = on_code_change or server.shutdown
    watcher = threading.Thread(target=watch, args=(site, stop, restart), daemon=True)
    watcher.start()
    logger.info(
        "mag_preview: http://%s:%s/ (drafts and problems: /__mag_preview/); Ctrl-C stops",
        host,
        server.server_address[1],
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.stopping.set()
        server.server_close()
