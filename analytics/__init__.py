"""Reader analytics: the collector the beacon posts to, and its storage.

``schema`` checks events (versioned; see docs/development/analytics-events.md), ``storage``
is the one SQLite module, ``writer`` commits events in batches before they are
acknowledged, ``app`` is the HTTP service and ``collector`` starts it.
"""

from __future__ import annotations
