"""Reader analytics: the collector the beacon posts to, and its storage.

``schema`` checks events (versioned; see docs/development/analytics-events.md), ``storage``
is the one SQLite module, ``writer`` commits events in batches before they are
acknowledged, ``app`` is the HTTP service and ``collector`` starts it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The format ids come from mag_core.formats, the one place that knows them.
_PLUGINS = str(Path(__file__).resolve().parent.parent / "plugins")
if _PLUGINS not in sys.path:
    sys.path.append(_PLUGINS)
