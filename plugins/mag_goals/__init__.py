"""mag_goals: the goals the magazine exists for (MAG_GOALS) and the "for you" order.

Importing ``mag_goals`` does not import Pelican: the reader report reads the
settings and the holdout rule (``settings``, ``holdout``) and starts without it.
Pelican's side (``plugin``) loads when Pelican calls :func:`register`.
"""


def register() -> None:
    from .plugin import register as connect_signals

    connect_signals()
