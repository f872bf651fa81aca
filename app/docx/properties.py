"""Core properties (docProps/core.xml) of a Word file the app writes, from the data only.

No clock: a file made twice from the same data must not differ in a date.
"""

from __future__ import annotations

from datetime import UTC, datetime

from docx.document import Document

from app.docx.wml import clean


def _short(value: str) -> str:
    return clean(value)[:255]


def set_core_properties(
    document: Document,
    *,
    title: str,
    subject: str,
    author: str,
    last_modified_by: str,
    moment: datetime,
    revision: int,
    language: str,
    version: str | None = None,
    keywords: str | None = None,
    identifier: str | None = None,
    category: str | None = None,
    content_status: str | None = None,
) -> None:
    """Set the core properties; *moment* (naive: UTC) is both created and modified.

    Text is cleaned of what XML cannot carry and cut to 255 characters. The optional ones
    are left as the template has them when None; the comments are always emptied.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    props = document.core_properties
    props.title = _short(title)
    props.subject = _short(subject)
    props.author = _short(author)
    props.last_modified_by = _short(last_modified_by)
    props.created = moment
    props.modified = moment
    props.revision = revision
    if version is not None:
        props.version = _short(version)
    props.language = language
    for name, value in (
        ("keywords", keywords),
        ("identifier", identifier),
        ("category", category),
        ("content_status", content_status),
    ):
        if value is not None:
            setattr(props, name, _short(value))
    props.comments = ""
