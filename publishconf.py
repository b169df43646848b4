"""Production settings: what CI publishes. Imports pelicanconf and overrides it.

Environment variables (docs/operations/publishing.md):
  MAG_SITEURL          the magazine's absolute address, e.g. https://mag.intra.example.co.jp
  MAG_BEACON_URL       the analytics collector's endpoint (unset: pages carry no beacon)
  MAG_PUBLISH_TARGET   where `invoke publish` puts releases: a folder, or user@host:/path
  MAG_PUBLISH_KEEP     how many releases to keep on the target (default 5)
  MAG_PUBLISH_RSH      the remote shell for user@host:/path targets (default ssh)
  MAG_CACHE_DIR        the media cache (plugins/mag_core/cache.py)
"""

import os
from pathlib import Path

from pelican.settings import get_settings_from_file

# The development settings, read by path as Pelican reads any settings file (no
# import path to edit); everything below overrides them.
globals().update(get_settings_from_file(str(Path(__file__).with_name("pelicanconf.py"))))

# The intranet address of the magazine, e.g. https://mag.intra.example.co.jp
# (`invoke publish` refuses to publish without it).
SITEURL = os.environ.get("MAG_SITEURL", "").rstrip("/")
RELATIVE_URLS = not SITEURL
if SITEURL:
    FEED_DOMAIN = SITEURL

# Feeds on, with absolute links (a feed reader has no page to resolve them against).
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"

# A published release holds no draft: no page, no share card, no file only a draft uses.
MAG_STATUS = {"write_drafts": False}

# Content warnings (bad front matter, missing alt text, ...) stop the build.
MAG_STRICT = True

# The analytics collector's endpoint, e.g. https://mag.intra.example.co.jp/collect
# (docs/operations/collector.md). Unset: the published pages carry no beacon.
MAG_BEACON = {"url": os.environ.get("MAG_BEACON_URL", "")}

# `invoke publish` and `invoke rollback` (docs/operations/publishing.md).
MAG_PUBLISH = {
    "target": os.environ.get("MAG_PUBLISH_TARGET", ""),
    "keep": int(os.environ.get("MAG_PUBLISH_KEEP") or 5),
    "rsh": os.environ.get("MAG_PUBLISH_RSH") or "ssh",
}
