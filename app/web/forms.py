"""Forms that every feature uses."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A bare form: a CSRF token and a button (endorse, withdraw, revoke, confirm)."""
