"""The audit log for administrators: read-only, filtered and paginated."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import render_template, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from app.accounts.auth import role_required
from app.accounts.blueprint import bp
from app.accounts.forms import AuditFilterForm
from app.accounts.models import Role, User
from app.audit import AuditEvent
from app.extensions import db
from app.timeutil import STOCKHOLM

PER_PAGE = 50
SYSTEM = "system"  # events without an acting user: commands, the demo data


def _choices(form: AuditFilterForm) -> None:
    """Fill the filters' choices from what the log holds."""
    every = SelectChoice("", _("All"))
    actions = db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    form.action.choices = [every, *(SelectChoice(a, a) for a in actions)]
    types = db.session.scalars(sa.select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
    form.object_type.choices = [every, *(SelectChoice(t, t) for t in types)]
    actors = db.session.execute(
        sa.select(User.id, User.name, User.email)
        .where(User.id.in_(sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None))))
        .order_by(User.name)
    )
    form.actor.choices = [
        every,
        SelectChoice(SYSTEM, _("The system (no user)")),
        *(SelectChoice(str(i), f"{name} ({email})") for i, name, email in actors),
    ]


def _day_start(day) -> datetime:
    """Midnight of *day* in Swedish time (the dates admins type), as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=STOCKHOLM)


def filtered_events(form: AuditFilterForm) -> sa.Select:
    """The audit events matching the (validated) filters, newest first."""
    query = sa.select(AuditEvent).options(so.joinedload(AuditEvent.actor).load_only(User.name, User.email))
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.object_type.data:
        query = query.where(AuditEvent.object_type == form.object_type.data)
    if form.actor.data == SYSTEM:
        query = query.where(AuditEvent.actor_id.is_(None))
    elif form.actor.data:
        query = query.where(AuditEvent.actor_id == int(form.actor.data))
    if form.date_from.data:
        query = query.where(AuditEvent.at >= _day_start(form.date_from.data))
    if form.date_to.data:
        query = query.where(AuditEvent.at < _day_start(form.date_to.data + timedelta(days=1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def details(event: AuditEvent) -> str:
    """The event's data (before/after and the like) as compact JSON for the table."""
    return json.dumps(event.data or {}, ensure_ascii=False, sort_keys=True, default=str)


@bp.route("/admin/audit")
@role_required(Role.ADMIN)
def audit_log():
    """Every recorded action, newest first, with filters; nothing here can change the log."""
    form = AuditFilterForm(request.args)
    _choices(form)
    if request.args and not form.validate():
        return render_template("accounts/audit.html", form=form, page=None, details=details), 400
    # Bounded: a huge page number must not turn into an OFFSET the database rejects.
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    page = db.paginate(filtered_events(form), page=number, per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k not in ("page", "submit") and v}
    return render_template("accounts/audit.html", form=form, page=page, args=args, details=details)
