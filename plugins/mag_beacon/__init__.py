"""mag_beacon: the analytics beacon on every page, when a collector is configured.

The collector's endpoint comes from ``MAG_BEACON = {"url": ...}`` or the
``MAG_BEACON_URL`` environment variable; with neither, pages carry no beacon.
With one, base.html loads the minified beacon (``defer``) with the page's
article id, format and reader segments, the link goals' URL patterns and the page
goals this page reaches (MAG_GOALS, see mag_goals) as data attributes, and an
opt-out page is added. See docs/operations/collector.md.
"""


def register() -> None:
    # Pelican is imported only here: the report and the collector read this package's
    # settings without loading it.
    from .plugin import register as connect_signals

    connect_signals()
