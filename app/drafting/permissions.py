"""Who may do what in drafting, where no document says it yet (documents answer for themselves:
Document.can_edit)."""

from __future__ import annotations


def can_import(user) -> bool:
    """Editors bring Word files and pasted text in, for a new document or a draft."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_editor)
