"""One MIME message: text and HTML alternatives, UTF-8, headers encoded for Japanese."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import quote

from .bundle import Issue, Lists
from .recipients import Recipient
from .render import Rendered


def make_message(
    issue: Issue,
    email: Rendered,
    recipient: Recipient | None,
    sender: str,
    message_id: str | None = None,
) -> EmailMessage:
    """The message of ``email`` for ``recipient`` (None: a preview with no To:).

    ``message_id`` is the sent log's for this recipient (see sentlog); a preview
    gets a new one.
    """
    message = EmailMessage()  # policy default: non-ASCII headers are MIME-encoded
    message["Subject"] = email.subject
    message["From"] = sender
    if recipient is not None:
        message["To"] = Address(display_name=recipient.name, addr_spec=recipient.address)
    if issue.reply_to:
        message["Reply-To"] = issue.reply_to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(
        f"{issue.issue}.{email.segment}", domain=domain_of(sender)
    )
    # Out-of-office replies from a whole company would flood the sender otherwise.
    message["Auto-Submitted"] = "auto-generated"
    message["Precedence"] = "bulk"
    add_list_headers(message, issue.lists, recipient)
    message.set_content(email.text, charset="utf-8")
    message.add_alternative(email.html, subtype="html", charset="utf-8")
    return message


def add_list_headers(message: EmailMessage, lists: Lists, recipient: Recipient | None) -> None:
    """List-Id, and the opt-out mail programs show as an "unsubscribe" button.

    List-Unsubscribe-Post (RFC 8058) only with an https URL: it promises that a
    single POST there, with no further page, stops the newsletter.
    """
    if lists.list_id:
        message["List-Id"] = f"<{lists.list_id}>"
    address = recipient.address if recipient is not None else ""
    targets = []
    if lists.unsubscribe_url:
        targets.append(lists.unsubscribe_url.replace("{email}", quote(address, safe="")))
    if lists.unsubscribe_mailto:
        targets.append(f"mailto:{lists.unsubscribe_mailto}?subject=unsubscribe")
    if targets:
        message["List-Unsubscribe"] = ", ".join(f"<{target}>" for target in targets)
    if lists.unsubscribe_url.startswith("https://"):
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def domain_of(sender: str) -> str | None:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or None
