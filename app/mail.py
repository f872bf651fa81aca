"""Outgoing e-mail: SMTP when configured, otherwise the message goes to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

log = logging.getLogger("remiss.mail")


def send(to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; returns whether an SMTP server accepted it.

    A failure is logged, never raised: mail must not break the request that caused it.
    """
    config = current_app.config
    if not config["SMTP_HOST"]:
        log.info("mail (no SMTP configured) to=%s subject=%s", to, subject)
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=10) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USER"]:
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s failed", to)
        return False
    return True


def send_invitation(invitation, link: str) -> bool:
    """E-mail an invitation link (in Swedish, the network's language)."""
    with force_locale("sv"):
        subject = _("Invitation to Remiss")
        body = render_template("mail/invitation.txt", invitation=invitation, link=link)
    return send(invitation.email, subject, body)
