"""Reader analytics: the collector the beacon posts to, and its storage.

``schema`` checks events (versioned; see docs/development/analytics-events.md), ``storage``
is the one SQLite module (``checkpoints`` flushes it and keeps its log bounded),
``writer`` commits events in batches before they are acknowledged, ``app`` is the
HTTP service, ``guard`` the connection limits in front of it (see
docs/operations/collector-limits.md) and ``collector`` starts it.
"""

from __future__ import annotations
