"""Template output shared by many pages, rendered once per build.

An article's card is the same on the front page, its category, each of its tags
and its author's page; with a thousand articles, rendering it again for every
list it appears in was the largest cost this theme adds to a build.
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable
from typing import Any

from jinja2.runtime import Macro


class RenderOnce:
    """``render_once(macro, subject, *args, vary=...)`` in templates: the macro's output, memoised.

    The output is kept per macro name, subject, arguments and ``vary``: whatever
    else the macro reads from the page's context and may differ between pages
    (with relative URLs, SITEURL depends on how deep the page is). Each build
    has its own (``Build.render_once``), so a long-lived process never shows
    stale output. The subject is held weakly: an old memo that something still
    reaches (the preview keeps settings of earlier passes alive through the
    metadata it reuses) never keeps an old article alive with it.
    """

    def __init__(self) -> None:
        self._outputs: dict[Hashable, tuple[weakref.ref, Any]] = {}

    def __call__(self, macro: Macro, subject: Any, *args: Hashable, vary: Hashable = ()) -> Any:
        key = (macro.name, id(subject), args, vary)
        kept = self._outputs.get(key)
        if kept is not None and kept[0]() is subject:  # the same object, not a reused id
            return kept[1]
        output = macro(subject, *args)
        self._outputs[key] = (weakref.ref(subject), output)
        return output
