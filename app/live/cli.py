"""What live adds to `flask purge`: events older than LIVE_RETENTION seconds."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import ngettext

from app import purge
from app.database import utcnow
from app.extensions import db
from app.live.models import LiveEvent


def purge_old_events() -> int:
    """Delete the live events older than the retention window; returns how many.

    The newest event stays, however old: SQLite gives an emptied table's next row id 1 again,
    and ids going backwards would make streams and their per-process cache (which go by "after
    id N") pass over new events, and take a new stream's start for a forged id.
    """
    cutoff = utcnow() - timedelta(seconds=current_app.config["LIVE_RETENTION"])
    newest = sa.select(sa.func.max(LiveEvent.id)).scalar_subquery()
    result = db.session.execute(
        sa.delete(LiveEvent).where(LiveEvent.created_at < cutoff, LiveEvent.id < newest)
    )
    return result.rowcount or 0


def register(app: Flask) -> None:
    """Add live's share to `flask purge`."""
    purge.add(
        app,
        lambda n: ngettext("%(num)d old live event", "%(num)d old live events", n),
        purge_old_events,
    )
