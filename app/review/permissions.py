"""Who may do what with comments when no one comment is at hand (the rest: ``Comment.can_*``)."""

from __future__ import annotations


def can_moderate(user) -> bool:
    """Editors and administrators may hide a comment (with a reason) and show it again."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_editor or user.is_admin)
