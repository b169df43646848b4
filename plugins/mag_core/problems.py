"""Collect content problems during one build; stop a strict build at the end.

A dev build warns and goes on, so an editor sees every problem at once; a strict
(publish) build raises :class:`BuildStopped` after all content is read and
before any page is written, so bad content never replaces a good site.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .console import log_problem
from .errors import BuildStopped, ContentError
from .settings import is_strict

logger = logging.getLogger(__name__)

# Module state lives for one build only: reset() runs at the start of each run,
# because `pelican -r` and livereload reuse one process.
_collected: list[ContentError] = []


def reset(*_args: Any) -> None:
    _collected.clear()


def report(error: ContentError, settings: Mapping[str, Any]) -> None:
    """Record a content problem: an error in strict builds, a warning otherwise."""
    if is_strict(settings):
        log_problem(logger, error, logging.ERROR)
        _collected.append(error)
    else:
        log_problem(logger, error, logging.WARNING)


def stop_if_any(*_args: Any) -> None:
    """Raise once for everything a strict build collected."""
    if _collected:
        errors = list(_collected)
        _collected.clear()
        raise BuildStopped(errors)
