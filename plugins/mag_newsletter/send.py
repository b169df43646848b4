"""Sending an issue: SMTP with STARTTLS, in batches, each message logged before and after.

One run of an issue at a time (:mod:`.lock`); every message is recorded as being
sent, with its Message-ID, before the relay is asked, and as sent once it took
it (:mod:`.sentlog`), so a run killed at any point repeats at most the one
message in flight, with the same Message-ID. A recipient the server refuses is
reported and the rest go on; a failure of the connection itself (the relay
unreachable, TLS or login refused) stops the run, and the sent log lets the next
run pick up where this one stopped.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mag_core.files import write_atomically

from .bundle import Issue
from .lock import issue_lock
from .message import domain_of, make_message
from .recipients import Recipient
from .sentlog import SentLog

logger = logging.getLogger(__name__)

DEFAULT_PORT = 587  # message submission, where STARTTLS is the rule
OFF = {"0", "false", "no", "off"}


class SendError(RuntimeError):
    """The run cannot go on: no relay, no TLS, login refused, sender refused."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = DEFAULT_PORT
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> SmtpConfig:
        """MAG_SMTP_HOST, MAG_SMTP_PORT, MAG_SMTP_USER, MAG_SMTP_PASSWORD, MAG_SMTP_STARTTLS."""
        host = environ.get("MAG_SMTP_HOST", "").strip()
        if not host:
            raise SendError("mag_newsletter: set MAG_SMTP_HOST to the company's mail relay")
        try:
            port = int(environ.get("MAG_SMTP_PORT") or DEFAULT_PORT)
        except ValueError:
            raise SendError("mag_newsletter: MAG_SMTP_PORT must be a number, e.g. 587") from None
        starttls = environ.get("MAG_SMTP_STARTTLS", "1").strip().lower() not in OFF
        user = environ.get("MAG_SMTP_USER", "")
        if user and not starttls:
            raise SendError("mag_newsletter: a password is never sent without STARTTLS")
        return cls(host, port, user, environ.get("MAG_SMTP_PASSWORD", ""), starttls)


@dataclass(frozen=True)
class Failure:
    segment: str
    address: str
    reason: str


@dataclass
class Report:
    sent: int = 0
    skipped: int = 0  # already had this issue (sent log)
    repeated: int = 0  # in flight when a run stopped: sent again, same Message-ID
    failed: list[Failure] = field(default_factory=list)


class Relay:
    """One SMTP connection, opened when first needed and reopened once if the server hangs up."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def send(self, message) -> None:
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            self.smtp = self._open()
            self.smtp.send_message(message)

    def _open(self) -> smtplib.SMTP:
        config = self.config
        where = f"{config.host}:{config.port}"
        try:
            smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        except OSError as error:
            raise SendError(
                f"mag_newsletter: cannot reach the mail relay {where}: {error}"
            ) from None
        try:
            smtp.ehlo()
            if config.starttls:
                if not smtp.has_extn("starttls"):
                    raise SendError(f"mag_newsletter: {where} does not offer STARTTLS")
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.user:
                smtp.login(config.user, config.password)
        except smtplib.SMTPAuthenticationError:
            smtp.close()
            raise SendError(f"mag_newsletter: {where} refused MAG_SMTP_USER's login") from None
        except (ssl.SSLError, smtplib.SMTPException, OSError) as error:
            smtp.close()
            raise SendError(f"mag_newsletter: {where}: {error}") from None
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def pending(issue: Issue, recipients: Mapping[str, Sequence[Recipient]], log: SentLog):
    """(email, recipient) pairs not sent yet, and how many were."""
    done = log.sent_to(issue.issue)
    queue, skipped = [], 0
    for email in issue.segments:
        for recipient in recipients.get(email.segment, ()):
            if recipient.key in done:
                skipped += 1
            else:
                queue.append((email, recipient))
    return queue, skipped


def send_issue(
    issue: Issue,
    recipients: Mapping[str, Sequence[Recipient]],
    config: SmtpConfig,
    log: SentLog,
    *,
    sender: str,
    batch_size: int = 50,
    batch_pause: float = 1.0,
    lock_stale_after: float = 600,
) -> Report:
    """Send what the sent log does not have yet; a second run of the issue meanwhile refuses."""
    lock_path = log.path.with_name(f"{log.path.name}.{issue.issue}.lock")
    with issue_lock(lock_path, issue.issue, lock_stale_after) as lock:
        queue, skipped = pending(issue, recipients, log)
        report = Report(skipped=skipped)
        _warn_in_flight(issue, log, report)
        for start in range(0, len(queue), batch_size):
            if start:
                time.sleep(batch_pause)
            lock.touch()
            relay = Relay(config)
            try:
                for email, recipient in queue[start : start + batch_size]:
                    _send_one(relay, issue, email, recipient, log=log, report=report, sender=sender)
                    lock.touch()
            finally:
                relay.close()
            logger.info(
                "mag_newsletter: issue %s: %d of %d sent, %d refused",
                issue.issue,
                report.sent,
                len(queue),
                len(report.failed),
            )
    return report


def _send_one(relay: Relay, issue: Issue, email, recipient: Recipient, *, log, report, sender):
    """Logged as being sent (committed) first: a crash from here on repeats this one only."""
    message_id = log.begin(issue.issue, email.segment, recipient.address, domain_of(sender))
    message = make_message(issue, email, recipient, sender, message_id)
    if _deliver(relay, message, recipient, report):
        log.mark_sent(issue.issue, recipient.address)
        report.sent += 1
    else:
        log.mark_refused(issue.issue, recipient.address)


def _warn_in_flight(issue: Issue, log: SentLog, report: Report) -> None:
    """The messages a stopped run may or may not have handed over go again, same Message-ID."""
    in_flight = log.in_flight(issue.issue)
    report.repeated = len(in_flight)
    if in_flight:
        logger.warning(
            "mag_newsletter: issue %s: %d message(s) were being sent when a run stopped; "
            "they go again with the same Message-ID, which mail systems collapse",
            issue.issue,
            len(in_flight),
        )


def _deliver(relay: Relay, message, recipient: Recipient, report: Report) -> bool:
    """True when the server took the message; a refusal is reported, not raised."""
    try:
        relay.send(message)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()), (0, b""))
        _refused(report, recipient, f"{code} {_text(text)}")
        return False
    except smtplib.SMTPSenderRefused as error:
        raise SendError(
            f"mag_newsletter: the relay refused the sender {message['From']}: "
            f"{error.smtp_code} {_text(error.smtp_error)}"
        ) from None
    except smtplib.SMTPDataError as error:
        _refused(report, recipient, f"{error.smtp_code} {_text(error.smtp_error)}")
        return False
    return True


def _refused(report: Report, recipient: Recipient, reason: str) -> None:
    logger.warning(
        "mag_newsletter: %s (%s) refused: %s", recipient.address, recipient.segment, reason
    )
    report.failed.append(Failure(recipient.segment, recipient.address, reason))


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def write_eml(
    issue: Issue, recipients: Mapping[str, Sequence[Recipient]], folder: Path, sender: str
) -> list[Path]:
    """Dry run: one .eml a segment, addressed to its first recipient (if any)."""
    written = []
    for email in issue.segments:
        first = next(iter(recipients.get(email.segment, ())), None)
        path = Path(folder) / f"{email.segment}.eml"
        write_atomically(path, bytes(make_message(issue, email, first, sender)))
        written.append(path)
    return written
