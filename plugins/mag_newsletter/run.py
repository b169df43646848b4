"""`invoke newsletter`: build an issue, then send it or write .eml files (a dry run).

Everything that can be checked before the build is (recipient lists, SMTP
settings, the sender, an absolute site address), so a mistake costs no build.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mag_core import SettingsError

from . import settings as newsletter_settings
from .bundle import IssueNotBuilt, load_issue
from .recipients import read_recipients
from .send import Report, SmtpConfig, send_issue, write_eml
from .sentlog import SentLog

logger = logging.getLogger(__name__)

DRY_RUN_SENDER = "newsletter@example.invalid"  # .invalid: a dry run's From never delivers
SENT_LOG = "sent.sqlite3"


class NewsletterError(RuntimeError):
    """What stops `invoke newsletter`, said so the editor knows what to do."""


@dataclass(frozen=True)
class Request:
    issue: str
    since: str = ""
    series: str = ""
    recipients: Path | None = None
    dry_run: bool = False
    out: Path = Path("var/newsletter")


@dataclass
class Outcome:
    site: Path
    previews: list[Path]
    eml: list[Path] = field(default_factory=list)
    report: Report | None = None


def run_issue(
    request: Request,
    settings_file: Path,
    content: Path,
    swap: Callable[[Path, Path], None],
    overrides: Mapping[str, Any] | None = None,
) -> Outcome:
    """Check, build into ``<out>/<issue>/site`` (``swap`` puts the new build in place), send."""
    settings = _settings(request, settings_file, content, overrides)
    config = newsletter_settings.read(settings)
    newsletter_settings.selection(config)
    segments = newsletter_settings.segments(settings)
    recipients = read_recipients(request.recipients, segments) if request.recipients else {}
    smtp = None if request.dry_run else _check_sending(request, config, settings)
    site = request.out / request.issue / "site"
    _build(settings, site, swap)
    folder = site / config["output_dir"].strip("/") / request.issue
    try:
        issue = load_issue(folder)
    except IssueNotBuilt:
        raise NewsletterError(
            f"mag_newsletter: no articles for issue {request.issue} "
            f"(since {request.since or '-'}, series {request.series or '-'}); nothing to send"
        ) from None
    outcome = Outcome(site, [folder / f"{email.segment}.html" for email in issue.segments])
    log_path = request.out / SENT_LOG
    if smtp is None:
        sender = issue.sender or DRY_RUN_SENDER
        outcome.eml = write_eml(issue, recipients, request.out / request.issue / "eml", sender)
        _say_what_would_be_sent(issue, recipients, log_path)
        return outcome
    with SentLog(log_path) as log:
        outcome.report = send_issue(
            issue,
            recipients,
            smtp,
            log,
            sender=issue.sender,
            batch_size=config["batch_size"],
            batch_pause=config["batch_pause"],
            lock_stale_after=config["lock_stale_after"],
        )
    return outcome


def _settings(request: Request, settings_file: Path, content: Path, overrides) -> dict:
    from pelican.settings import get_settings_from_file, read_settings

    configured = get_settings_from_file(str(settings_file)).get("MAG_NEWSLETTER") or {}
    overrides = dict(overrides or {})
    chosen = {
        **configured,
        **overrides.pop("MAG_NEWSLETTER", {}),
        "issue": request.issue,
        "since": request.since,
        "series": request.series,
    }
    return read_settings(
        str(settings_file),
        override={"PATH": str(content), "MAG_NEWSLETTER": chosen, **overrides},
    )


def _check_sending(request: Request, config: Mapping, settings: Mapping) -> SmtpConfig:
    if request.recipients is None:
        raise NewsletterError("mag_newsletter: give --recipients (a folder of <segment>.csv)")
    if not config["sender"]:
        raise NewsletterError(
            "mag_newsletter: set MAG_NEWSLETTER['sender'], e.g. "
            "'みらいマガジン編集部 <magazine@example.co.jp>'"
        )
    if not (config["unsubscribe_url"] or config["unsubscribe_mailto"]):
        raise NewsletterError(
            "mag_newsletter: set MAG_NEWSLETTER['unsubscribe_url'] (the magazine's newsletter "
            "opt-out, e.g. https://mag.example.co.jp/newsletter/stop?email={email}) or "
            "'unsubscribe_mailto': every message says how to stop receiving it"
        )
    # FEED_DOMAIN is the local preview server: fine for a dry run, never in a sent email.
    if not any(
        str(v).startswith(("http://", "https://"))
        for v in (config["site_url"], settings.get("SITEURL"))
    ):
        raise SettingsError(
            "mag_newsletter: sending needs the magazine's address for links: "
            "set MAG_SITEURL (or MAG_NEWSLETTER['site_url'])"
        )
    return SmtpConfig.from_env()


def _build(settings: dict, site: Path, swap: Callable[[Path, Path], None]) -> None:
    """A fresh build beside the last one, swapped in only when it succeeded."""
    from pelican import Pelican

    staging = site.with_name(site.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    settings["OUTPUT_PATH"] = str(staging.absolute())
    try:
        Pelican(settings).run()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap(staging, site)


def _say_what_would_be_sent(issue, recipients, log_path: Path) -> None:
    """A dry run reads the sent log if there is one, and never creates it."""
    done = set()
    if log_path.is_file():
        with SentLog(log_path) as log:
            done = log.sent_to(issue.issue)
    for email in issue.segments:
        listed = recipients.get(email.segment, [])
        new = sum(1 for r in listed if r.key not in done)
        logger.info(
            "mag_newsletter: dry run: %s would go to %d of %d recipient(s): %s",
            email.segment,
            new,
            len(listed),
            email.subject,
        )


# What ends `invoke newsletter` with its message rather than a traceback.
def stopping_errors() -> tuple[type[Exception], ...]:
    from mag_core import BuildStopped

    from .lock import LockHeld
    from .recipients import RecipientError
    from .send import SendError

    return (NewsletterError, SendError, LockHeld, RecipientError, SettingsError, BuildStopped)


def summary(outcome: Outcome) -> list[str]:
    """What the editor is told at the end of a run."""
    lines = [f"Previews: {path}" for path in outcome.previews]
    lines += [f"Dry run, not sent: {path}" for path in outcome.eml]
    report = outcome.report
    if report is not None:
        refused = len(report.failed)
        lines.append(f"Sent {report.sent}, sent before {report.skipped}, refused {refused}")
        if report.repeated:
            lines.append(f"  {report.repeated} sent again after a stopped run (same Message-ID)")
        lines += [f"  refused: {f.address} ({f.segment}): {f.reason}" for f in report.failed]
    return lines
