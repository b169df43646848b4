"""mag_series: series pages, and each article's place and neighbours in its series."""

from pelican import signals

from mag_core import declare_keys

from .generator import SeriesGenerator


def get_generators(_pelican):
    return SeriesGenerator


def register() -> None:
    declare_keys("series", "part")
    signals.get_generators.connect(get_generators)
