"""Organisations, users with their roles, and invitations."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from app.database import UTCDateTime, enum_type, utcnow
from app.extensions import db


class Role(enum.Enum):
    """What a user may do; a user may hold several."""

    MEMBER = "member"
    EDITOR = "editor"
    HOST = "host"
    ADMIN = "admin"


class Organisation(db.Model):
    """An authority, municipality, university or company in the network."""

    __tablename__ = "organisation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    users: so.WriteOnlyMapped[User] = so.relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.name!r}>"


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_role"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: so.Mapped[Role] = so.mapped_column(enum_type(Role, "role"), primary_key=True)


def new_session_token() -> str:
    """A random token that identifies one sign-in generation of a user."""
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person who signs in; belongs to exactly one organisation."""

    __tablename__ = "user"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"), index=True)
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    # Rotated by logout and password change, so an old session cookie stops working.
    session_token: so.Mapped[str] = so.mapped_column(sa.String(64), default=new_session_token)
    pseudonymised: so.Mapped[bool] = so.mapped_column(default=False)
    # An admin marks who may submit the organisation's formal response (app.responses).
    may_answer: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Unread items of the person's inbox (app.notifications.inbox keeps it), so the bell in every
    # page's header costs no query: the row is loaded for the session anyway (issue 27).
    # The inbox's unread count (issue 27); NULL reads as 0. Deferred and without defaults, so code
    # that loads or inserts users at an older schema (the migration tests, a rolling deploy) does
    # not name it; the signed-in user's loader undefers it for the bell (app.accounts.auth).
    inbox_unread: so.Mapped[int | None] = so.mapped_column(sa.Integer, deferred=True)

    organisation: so.Mapped[Organisation] = so.relationship(
        back_populates="users", lazy="joined", innerjoin="unnested"
    )
    role_rows: so.Mapped[list[UserRole]] = so.relationship(cascade="all, delete-orphan", lazy="selectin")

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"

    # Flask-Login: the id in the cookie carries the session token.
    def get_id(self) -> str:
        """The identifier stored in the session cookie."""
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> set[Role]:
        """The set of roles this user holds."""
        return {row.role for row in self.role_rows}

    def set_roles(self, roles) -> None:
        """Replace this user's roles with *roles*."""
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        have = {r.role for r in self.role_rows}
        for role in sorted(wanted - have, key=lambda r: r.value):
            self.role_rows.append(UserRole(role=role))

    def has_role(self, role: Role) -> bool:
        """Whether this user holds *role*."""
        return role in self.roles

    @property
    def is_editor(self) -> bool:
        return Role.EDITOR in self.roles

    @property
    def is_host(self) -> bool:
        return Role.HOST in self.roles

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def set_password(self, password: str) -> None:
        """Store a hash of *password* (scrypt unless configured otherwise)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Whether *password* matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rotate_session(self) -> None:
        """End every session this user has open."""
        self.session_token = new_session_token()


def hash_token(token: str) -> str:
    """The stored form of a secret token (invitation links, API tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(db.Model):
    """A single-use link that lets one person join the network."""

    __tablename__ = "invitation"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisation.id"))
    roles: so.Mapped[str] = so.mapped_column(sa.String(64), default="member")
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))

    organisation: so.Mapped[Organisation] = so.relationship()
    created_by: so.Mapped[User | None] = so.relationship(foreign_keys=[created_by_id])

    @property
    def role_set(self) -> set[Role]:
        """The roles the invited person will get."""
        return {Role(v) for v in self.roles.split(",") if v}

    @classmethod
    def create(cls, *, email, name, organisation, roles, created_by, days: int):
        """Make an invitation; returns (invitation, the secret token for the link)."""
        token = secrets.token_urlsafe(32)
        invitation = cls(
            email=email,
            name=name,
            organisation=organisation,
            roles=",".join(sorted(r.value for r in roles)),
            token_hash=hash_token(token),
            created_by=created_by,
            expires_at=utcnow() + timedelta(days=days),
        )
        return invitation, token

    def state(self, now: datetime | None = None) -> str:
        """'used', 'expired' or 'valid'."""
        if self.used_at is not None:
            return "used"
        if (now or utcnow()) >= self.expires_at:
            return "expired"
        return "valid"
