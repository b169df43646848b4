"""Publishing: build a release, check it, switch the live site to it atomically, roll back.

Not a Pelican plugin: it runs around Pelican (``invoke publish``), not inside
it. The settings live in ``publishconf.py`` as one dict, ``MAG_PUBLISH``.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mag_core import plugin_settings
from mag_core.manifest import remove_build_data

from . import history
from .check import check_site
from .manifest import summary
from .releases import (
    CARRIED,
    LocalTarget,
    PublishError,
    files_in,
    kill_point,
    new_release_id,
    to_carry,
    to_prune,
)
from .rsync import RsyncTarget, is_remote

__all__ = ["PublishConfig", "PublishError", "check_site", "publish", "read_config", "rollback"]

logger = logging.getLogger(__name__)

DEFAULTS = {
    "target": "",  # a folder, or user@host:/path (rsync over ssh); --target overrides it
    "keep": 5,  # releases kept on the target, the live one included
    "rsh": "ssh",  # the remote shell rsync and the switch use, e.g. "ssh -p 2222"
}


@dataclass(frozen=True)
class PublishConfig:
    target: str
    keep: int
    rsh: str
    siteurl: str


def read_config(settings: Mapping[str, Any], target: str = "") -> PublishConfig:
    """The publish settings of a settings file's values; ``target`` overrides the setting."""
    config = plugin_settings(settings, "MAG_PUBLISH", DEFAULTS)
    chosen = target or config["target"]
    if not chosen:
        raise PublishError("no target: pass --target or set MAG_PUBLISH_TARGET")
    if int(config["keep"]) < 1:
        raise PublishError(f"MAG_PUBLISH keep must be 1 or more, not {config['keep']!r}")
    return PublishConfig(chosen, int(config["keep"]), config["rsh"], settings.get("SITEURL", ""))


def open_target(config: PublishConfig, work: Path) -> LocalTarget | RsyncTarget:
    if is_remote(config.target):
        return RsyncTarget(config.target, work, config.rsh)
    return LocalTarget(config.target)


def publish(config: PublishConfig, build: Callable[[Path], None], work: Path) -> str:
    """Build a release with ``build(folder)``, check it, make it live; return its id.

    Until the final switch nothing readers see changes: a failed build or check
    raises :class:`PublishError` and leaves the live release as it was.
    """
    if not config.siteurl.startswith(("http://", "https://")):
        raise PublishError("MAG_SITEURL is not set: a published site needs its absolute address")
    target = open_target(config, work)
    release = new_release_id()
    with target.lock():
        _clean(target)
        live = target.current()
        staging = target.staging(release)
        try:
            _build_and_check(build, staging, config.siteurl, live)
            target.install(staging, release, live, _carry_list(target, live, staging))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        kill_point("installed")
        switch_verified(target, release, history.PUBLISH, live)
        logger.info("publish: %s is live on %s (was %s)", release, target.name, live or "nothing")
        rollback_to = history.before(history.live_stack(target.history(), release))
        kept = (rollback_to,) if rollback_to else ()
        target.remove(to_prune(target.releases(), release, config.keep, kept))
    return release


def switch_verified(target, release: str, action: str, live: str | None) -> None:
    """Make ``release`` live only if its manifest verifies; then record the switch."""
    problems = target.verify(release)
    if problems:
        raise PublishError(
            f"release {release} is incomplete or damaged ({summary(problems)}); "
            f"the live site ({live or 'none yet'}) is unchanged"
        )
    target.switch(release)
    target.record(history.line(action, release))


def _clean(target) -> None:
    removed = target.clean_leftovers()
    if removed:
        logger.info("publish: removed leftovers of a stopped run: %s", ", ".join(removed))


def _build_and_check(build: Callable[[Path], None], folder: Path, siteurl: str, live) -> None:
    unchanged = f"nothing was published; the live site ({live or 'none yet'}) is unchanged"
    try:
        build(folder)
    except Exception as error:
        raise PublishError(f"the build failed (see the messages above); {unchanged}") from error
    problems = check_site(folder, siteurl)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise PublishError(f"the check found {len(problems)} problem(s); {unchanged}:\n{listed}")
    remove_build_data(folder)  # the manifest names hidden articles: it is not for readers


def _carry_list(target: LocalTarget | RsyncTarget, live: str | None, staging: Path) -> list[str]:
    """Which of the live release's assets the new one keeps (written to its manifest)."""
    if not live:
        return []
    live_files, live_carried = target.files(live)
    carry = to_carry(live_files, live_carried, files_in(staging))
    (staging / CARRIED).write_text("\n".join(carry), encoding="utf-8")
    return carry


def rollback(config: PublishConfig, to: str = "") -> tuple[str, str]:
    """Make the release live before the live one (or ``to``) live again; return (was, now).

    "Before" comes from the recorded history, not from the folder names: a
    release whose publish was killed before its switch was never live.
    """
    target = open_target(config, Path())
    with target.lock():
        _clean(target)
        releases, live = target.releases(), target.current()
        if to and to not in releases:
            raise PublishError(f"no release {to!r} on {target.name}; kept: {', '.join(releases)}")
        chosen = to or _live_before(target, live)
        switch_verified(target, chosen, history.ROLLBACK_TO if to else history.ROLLBACK, live)
    logger.info("publish: rolled back %s from %s to %s", target.name, live, chosen)
    return live or "", chosen


def _live_before(target, live: str | None) -> str:
    if live is None:
        raise PublishError("nothing is live yet: there is nothing to roll back")
    chosen = history.before(history.live_stack(target.history(), live))
    if chosen is None:
        raise PublishError(
            f"no release before {live} to roll back to in the recorded history; "
            f"choose one with --to (kept: {', '.join(target.releases())})"
        )
    if chosen not in target.releases():
        raise PublishError(
            f"the release live before {live}, {chosen}, is no longer kept; "
            f"choose one with --to (kept: {', '.join(target.releases())})"
        )
    return chosen
