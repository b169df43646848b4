"""Production settings: what CI publishes. Imports pelicanconf and overrides it."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: F403

# The intranet address of the magazine, e.g. https://mag.intra.example.co.jp
SITEURL = os.environ.get("MAG_SITEURL", "").rstrip("/")
RELATIVE_URLS = not SITEURL
if SITEURL:
    FEED_DOMAIN = SITEURL

# Content warnings (bad front matter, missing alt text, ...) stop the build.
MAG_STRICT = True

# The analytics collector's endpoint, e.g. https://mag.intra.example.co.jp/collect
# (docs/analytics.md). Unset: the published pages carry no beacon.
MAG_BEACON = {"url": os.environ.get("MAG_BEACON_URL", "")}
