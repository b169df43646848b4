"""One MIME message: text and HTML alternatives, UTF-8, headers encoded for Japanese."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from .bundle import Issue
from .recipients import Recipient
from .render import Rendered


def make_message(
    issue: Issue, email: Rendered, recipient: Recipient | None, sender: str
) -> EmailMessage:
    """The message of ``email`` for ``recipient`` (None: a preview with no To:)."""
    message = EmailMessage()  # policy default: non-ASCII headers are MIME-encoded
    message["Subject"] = email.subject
    message["From"] = sender
    if recipient is not None:
        message["To"] = Address(display_name=recipient.name, addr_spec=recipient.address)
    if issue.reply_to:
        message["Reply-To"] = issue.reply_to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(f"{issue.issue}.{email.segment}", domain=_domain(sender))
    # Out-of-office replies from a whole company would flood the sender otherwise.
    message["Auto-Submitted"] = "auto-generated"
    message["Precedence"] = "bulk"
    message.set_content(email.text, charset="utf-8")
    message.add_alternative(email.html, subtype="html", charset="utf-8")
    return message


def _domain(sender: str) -> str | None:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or None
