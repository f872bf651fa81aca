"""Who may do what with documents, beyond reading one (``Document.can_read``)."""

from __future__ import annotations


def can_edit_drafts(user) -> bool:
    """Editors (PRV and DIGG) write the working drafts, see them, and decide on comments."""
    return bool(user is not None and user.is_authenticated and user.is_editor)
