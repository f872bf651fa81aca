"""Outgoing e-mail: SMTP when configured, otherwise the message goes to the log."""

from __future__ import annotations

import email.policy
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.i18n import mail_datetime

log = logging.getLogger("remiss.mail")
HEADER_POLICY = email.policy.default.clone(max_line_length=998)


def build(to: str, subject: str, body: str, headers: dict[str, str] | None = None) -> EmailMessage:
    """One plain-text message from MAIL_FROM, with any extra *headers* (e.g. List-Unsubscribe)."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    # An explicit domain: make_msgid's default asks DNS for this host's name, which can hang.
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    # The body is encoded by now, in short lines. Headers are folded when the message is
    # written: at 78 characters a long address (List-Unsubscribe) would become an encoded
    # word that mail programs cannot use, so fold at the 998 that RFC 5322 allows.
    message.policy = HEADER_POLICY
    return message


def deliver(message: EmailMessage) -> bool:
    """Hand *message* to the SMTP server; False when none is configured (it goes to the log).

    Raises OSError or smtplib.SMTPException on failure: callers that retry need to know.
    """
    config = current_app.config
    if not config["SMTP_HOST"]:
        log.info("mail (no SMTP configured) to=%s subject=%s", message["To"], message["Subject"])
        log.debug("mail body:\n%s", message.get_content())
        return False
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
        smtp.send_message(message)
    return True


def send(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; returns whether an SMTP server accepted it.

    A failure is logged, never raised: mail must not break the request that caused it.
    """
    try:
        return deliver(build(to, subject, body))
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s failed", to)
        return False


def send_invitation(invitation, link: str) -> bool:
    """E-mail an invitation link (in Swedish, the network's language)."""
    with force_locale("sv"):
        subject = _("Invitation to Remiss")
        body = render_template(
            "mail/invitation.txt",
            invitation=invitation,
            link=link,
            until=mail_datetime(invitation.expires_at),
        )
    return send(invitation.email, subject, body)


def send_sign_in_link(to: str, link: str, *, service: str, organisation: str, expires_at) -> bool:
    """E-mail the link that confirms a work address for a first sign-in through *service*, whose
    provider sent no address (in the language of the page it was asked on)."""
    subject = _("Confirm your e-mail address for Remiss")
    body = render_template(
        "mail/sso_email.txt",
        link=link,
        service=service,
        organisation=organisation,
        until=mail_datetime(expires_at),
    )
    return deliver_quietly(build(to, subject, body, {"Auto-Submitted": "auto-generated"}))


def deliver_quietly(message: EmailMessage) -> bool:
    """`deliver`, with a failure logged instead of raised (as `send`)."""
    try:
        return deliver(message)
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s failed", message["To"])
        return False
