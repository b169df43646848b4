"""Content problems of one build: a dev build warns and goes on, a strict one stops.

A dev build warns, so an editor sees every problem at once; a strict (publish)
build raises :class:`BuildStopped` after all content is read and before any
page is written, so bad content never replaces a good site. The list lives on
the run's :class:`~mag_core.build.Build`, so it never carries into the next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .build import build_of
from .errors import ContentError


def report(error: ContentError, settings: Mapping[str, Any]) -> None:
    """Record a content problem: an error in strict builds, a warning otherwise."""
    build_of(settings).report(error)


def warn(problem: ContentError, settings: Mapping[str, Any]) -> None:
    """A content problem that is a warning even in strict builds."""
    build_of(settings).warn(problem)
