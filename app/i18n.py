"""Language choice: the user's setting, then the browser's, then Swedish."""

from __future__ import annotations

import functools

from babel import support
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from wtforms.i18n import messages_path

from app.database import BARE_ENDPOINTS


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


def request_translations():
    """This request's catalogue, looked up once.

    Flask-Babel finds the catalogue again for every string (context, domain, locale name,
    cache); a reading page shows a hundred strings, so templates ask here instead.
    """
    if not has_request_context():
        return get_translations()
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations


def install_template_gettext(app) -> None:
    """Templates' _() and ngettext() through request_translations (after Babel's init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )


@functools.cache
def _wtforms_catalogue(locale: str):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def share_form_translations(app) -> None:
    """Load WTForms' own messages once per language and process, not once per request.

    Flask-WTF reads the catalogue from disk for every request that builds a form, unless the
    request already carries it (``request.wtforms_translations``); this hands it the copy
    kept here. Should Flask-WTF stop looking there, it simply loads the file again.
    """

    @app.before_request
    def _form_translations():
        if request.endpoint in BARE_ENDPOINTS:
            return
        locale = get_locale()
        request.wtforms_translations = _wtforms_catalogue(str(locale) if locale else "sv")
