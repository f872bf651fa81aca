"""Who may do what with comments sent from Word (checked on the server, shown in the pages)."""

from __future__ import annotations


def can_send_for_others(user) -> bool:
    """Editors take in Word files sent to the registrar: they may store them for another organisation."""
    return bool(user is not None and user.is_authenticated and user.is_editor)
