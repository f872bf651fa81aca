"""Who may do what with meetings and their packs (checked on the server, shown in the pages)."""

from __future__ import annotations

from app.documents.models import Document
from app.review.threads import who_sees_what


def can_manage(user) -> bool:
    """Hosts plan meetings and export their packs."""
    return bool(user.is_authenticated and user.is_host)


def can_download(document: Document, user) -> bool:
    """Whether *user* may have the pack: it names every commenter and their organisation."""
    return document.can_read(user) and all(who_sees_what(document, user))


def can_see_participants(user) -> bool:
    """Hosts and editors see who signed up (names, organisations, addresses) and the video link."""
    return bool(user.is_authenticated and user.is_active and (user.is_host or user.is_editor))
