"""Language choice: the user's setting, then the browser's, then Swedish."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    """The interface language for this request."""
    languages = current_app.config["LANGUAGES"]
    user = current_user
    if user and user.is_authenticated and user.language in languages:
        return user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Times are shown in Swedish time: the network meets in Sweden."""
    return "Europe/Stockholm"
