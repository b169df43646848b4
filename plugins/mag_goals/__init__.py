"""mag_goals: the goals the magazine exists for (MAG_GOALS) and the "for you" order."""


def register() -> None:
    """Nothing to hook into yet: the settings are read by the beacon and the report."""
