"""Fixtures for notifications: people, a document, a fake SMTP server."""

from __future__ import annotations

import smtplib

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.notifications.models import Notification


@pytest.fixture
def people(factory):
    """An editor, two members (one reading English) and their ids."""
    return {
        "editor": factory.user(
            email="erik@prv.example",
            name="Erik Redaktör",
            roles=(Role.EDITOR, Role.MEMBER),
            organisation="PRV",
        ),
        "maja": factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken"),
        "mats": factory.user(
            email="mats@example.org", name="Mats Member", organisation="Alingsås kommun", language="en"
        ),
    }


@pytest.fixture
def doc(factory, people):
    return factory.document(slug="licenser", title="Öppna licenser", editor=people["editor"])


class FakeSMTP:
    """Stands in for smtplib.SMTP: records messages, or refuses them all when ``failing``."""

    sent: list = []
    failing = False

    def __init__(self, host, port, timeout=None):
        if FakeSMTP.failing:
            raise smtplib.SMTPServerDisconnected("connection refused")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        # As smtplib writes it on the wire, so header folding and encoding are what a server sees.
        message.wire = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    """An SMTP server that records what it is sent (set ``smtp.failing = True`` to break it)."""
    FakeSMTP.sent = []
    FakeSMTP.failing = False
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_HOST", "smtp.example.org")
    monkeypatch.setitem(app.config, "BASE_URL", "https://remiss.example.org")
    return FakeSMTP


def outbox(**where) -> list[Notification]:
    """The outbox rows matching *where* (column=value), oldest first. Needs an app context."""
    query = sa.select(Notification).order_by(Notification.id)
    for column, value in where.items():
        query = query.where(getattr(Notification, column) == value)
    return list(db.session.scalars(query))
