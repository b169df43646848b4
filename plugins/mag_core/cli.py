"""Run one Pelican build the way an editor and CI read it.

``pelican`` itself logs a stopped build three times over (the problem, a
CRITICAL line repeating it, a 35-line traceback) through a handler that wraps
lines. :func:`build` prints each content problem once on one line, ends a
stopped build with a one-line summary and exit status 1, and keeps tracebacks
for real crashes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import console
from .errors import BuildStopped, ContentError, SettingsError

logger = logging.getLogger(__name__)


def build(
    settings_file: str | Path,
    content: str | Path,
    output: str | Path,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Build ``content`` into ``output``; return 0, or 1 when content or settings stop it."""
    from pelican import Pelican
    from pelican.log import console as pelican_console
    from pelican.settings import read_settings

    environ = os.environ if environ is None else environ
    handler = console.install(environ=environ)
    override = {"PATH": str(Path(content).absolute()), "OUTPUT_PATH": str(Path(output).absolute())}
    # Pelican prints "Done: Processed …" on its own console, wrapped to the
    # terminal: quiet success stays quiet (Rich's public ``quiet`` switch).
    was_quiet, pelican_console.quiet = pelican_console.quiet, True
    try:
        settings = read_settings(str(settings_file), override={**override, **(overrides or {})})
        Pelican(settings=settings).run()
    except BuildStopped as stopped:
        logger.error("%s", stopped.summary)
        return _finish(handler, environ, 1)
    except ContentError as error:  # a problem that stops any build (two articles, one URL)
        console.log_problem(logger, error, logging.ERROR)
        logger.error("the build stopped; nothing was published")
        return _finish(handler, environ, 1)
    except SettingsError as error:
        logger.error("%s: %s", console.display_path(settings_file), error)
        return _finish(handler, environ, 1)
    finally:
        pelican_console.quiet = was_quiet
    return _finish(handler, environ, 0)


def _finish(handler: console.ProblemHandler, environ: Mapping[str, str], code: int) -> int:
    console.write_ci_reports(handler.problems, environ)
    return code
