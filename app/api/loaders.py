"""Load what an API request names, with the web pages' visibility rules, and read its paging."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request
from flask_login import current_user

from app.api.errors import ApiError, bad_parameter, not_found
from app.documents.models import Document, Version, VersionState
from app.extensions import db
from app.meetings.models import Meeting

# Cursors are offsets or comment numbers: nine digits stay inside a 32-bit integer column.
MAX_CURSOR_DIGITS = 9


def viewer():
    """The user the request acts as (a token's user) or the anonymous visitor."""
    return current_user._get_current_object()


def refuse(message: str) -> ApiError:
    """401 for a visitor (a token would help), 403 for a user whose rights do not reach."""
    if not current_user.is_authenticated:
        return ApiError(401, "authentication_required", message)
    return ApiError(403, "forbidden", message)


def load_document(slug: str) -> Document:
    """The document with *slug* if the request may read it (as ``documents.loaders.get_document``)."""
    # No slug holds a NUL, and PostgreSQL refuses one even in a comparison.
    if "\x00" in slug:
        raise not_found("document")
    document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
    if document is None:
        raise not_found("document")
    if not document.can_read(current_user):
        raise refuse("This document is for signed-in network members: send an API token.")
    return document


def version_visible(version: Version) -> bool:
    """Drafts are for editors only, as in ``documents.loaders.get_version``."""
    if version.state is not VersionState.DRAFT:
        return True
    return version.document.can_edit(current_user)


def visible_versions(document: Document) -> list[Version]:
    """The versions of *document* the request may see, oldest first."""
    return [v for v in document.versions if version_visible(v)]


def load_version(document: Document, number: int) -> Version:
    """Version *number* of *document*; an invisible draft is as unknown as a missing version."""
    version = next((v for v in document.versions if v.number == number), None)
    if version is None or not version_visible(version):
        raise not_found("version")
    return version


def load_meeting(meeting_id: int) -> Meeting:
    """The meeting with *meeting_id* if the request may read its document."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise not_found("meeting")
    if not meeting.series.can_read(viewer()):
        raise refuse("The meeting's series is for the network's members: send an API token.")
    if meeting.document is not None:
        load_document(meeting.document.slug)
    return meeting


@dataclass(frozen=True, slots=True)
class Page:
    """The requested slice of a list: at most *limit* items after *cursor*."""

    limit: int
    cursor: int


def page_args(default: int, maximum: int) -> Page:
    """``limit`` (1..maximum) and the opaque ``cursor`` from the query string, or a 400 naming either."""
    raw_limit = request.args.get("limit")
    limit = default
    if raw_limit is not None:
        if not raw_limit.isascii() or not raw_limit.isdigit() or len(raw_limit) > 6:
            raise bad_parameter("limit", f"limit must be a whole number from 1 to {maximum}.")
        limit = int(raw_limit)
        if not 1 <= limit <= maximum:
            raise bad_parameter("limit", f"limit must be a whole number from 1 to {maximum}.")
    raw_cursor = request.args.get("cursor")
    cursor = 0
    if raw_cursor is not None:
        if not raw_cursor.isascii() or not raw_cursor.isdigit() or len(raw_cursor) > MAX_CURSOR_DIGITS:
            raise bad_parameter("cursor", "cursor must be a value given as next_cursor by an earlier page.")
        cursor = int(raw_cursor)
    return Page(limit, cursor)


def int_arg(name: str, required: bool = False) -> int | None:
    """A positive whole-number query parameter, or a 400 naming it."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        if required:
            raise bad_parameter(name, f"{name} is required.")
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise bad_parameter(name, f"{name} must be a positive whole number.")
    return int(raw)
