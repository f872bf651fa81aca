"""The audit log: an append-only record of who did what to which object."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import event

from app.database import UTCDateTime, utcnow
from app.extensions import db


class AuditEvent(db.Model):
    """One recorded action; rows are only ever inserted."""

    __tablename__ = "audit_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    object_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    object_id: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    data: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    actor: so.Mapped[User | None] = so.relationship()  # noqa: F821


def record(actor, action: str, obj=None, **data: Any) -> AuditEvent:
    """Add an audit event for *action* by *actor* on *obj*; the caller commits."""
    if obj is not None and getattr(obj, "id", 0) is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "site",
        object_id=getattr(obj, "id", None),
        data=data,
    )
    db.session.add(event)
    return event


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a recorded audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper, _connection, target: AuditEvent) -> None:
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be deleted")


@event.listens_for(so.Session, "do_orm_execute")
def _refuse_bulk_changes(state: so.ORMExecuteState) -> None:
    # Bulk UPDATE/DELETE statements bypass the per-object hooks above.
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) == AuditEvent.__tablename__:
        raise AuditLogIsAppendOnly("the audit log is append-only")
