"""Language choice: the user's setting, then the browser's, then Swedish."""

from __future__ import annotations

import functools
import os
from contextlib import nullcontext
from datetime import UTC, date, datetime
from pathlib import Path

import click
from babel import Locale, UnknownLocaleError, dates, lists, support
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask.cli import NoAppException, ScriptInfo, with_appcontext
from flask_babel import force_locale, get_locale, get_translations
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup
from wtforms.i18n import messages_path

from app.database import BARE_ENDPOINTS
from app.timeutil import STOCKHOLM

# The language of the commands' output when --language is not given (then LC_ALL, LC_MESSAGES, LANG).
CLI_LANGUAGE_ENV = "REMISS_CLI_LANGUAGE"


def select_locale() -> str:
    """The interface language for this request; outside a request (a command), the operator's."""
    if not has_request_context():
        return operator_language()
    languages = current_app.config["LANGUAGES"]
    user = current_user
    if user and user.is_authenticated and user.language in languages:
        return user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Times are shown in Swedish time: the network meets in Sweden (app.timeutil)."""
    return STOCKHOLM.key


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
    # The commonest call of all (a reading page makes seventy): Jinja's newstyle _() goes
    # through three context calls to reach the catalogue; this one does the same in one.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _template_gettext


@pass_eval_context
def _template_gettext(eval_context, message: str, /, **variables) -> str:
    """Jinja's newstyle gettext: the translation, always used as a %-format string, and in an
    autoescaping template Markup whose variables are escaped."""
    translated = request_translations().ugettext(message)
    if eval_context.autoescape:
        translated = Markup(translated)  # noqa: S704  (our own catalogue, as Jinja does)
    return translated % variables


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


# The region each interface language is written for when the browser names none.
_DEFAULT_REGION = {"sv": "sv_SE", "en": "en_GB"}


def format_locale() -> Locale:
    """The locale dates are written in: the interface language, in the reader's own region.

    The interface has two languages, but an English reader in London expects 20/12/2026 and one
    in New York 12/20/26: the browser's Accept-Language picks the region (en-GB, en-US ...),
    and a language asked for without a region gets the one in _DEFAULT_REGION.
    """
    if has_request_context() and "_format_locale" in g:
        return g._format_locale
    interface = get_locale()
    language = interface.language if interface else "sv"
    chosen = None
    if has_request_context():
        for value, _quality in request.accept_languages:
            try:
                candidate = Locale.parse(value, sep="-")
            except (ValueError, UnknownLocaleError):
                continue
            if candidate.language == language and candidate.territory:
                chosen = candidate
                break
    if chosen is None:
        chosen = Locale.parse(_DEFAULT_REGION.get(language, language))
    if has_request_context():
        g._format_locale = chosen
    return chosen


def _local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(STOCKHOLM)


def format_datetime(value: datetime | None, format: str = "page", zone: bool = False) -> str:
    """A moment in Swedish time, in the reader's locale; *zone* says "Swedish time" after it.

    "page" (the default: what pages show) writes the day as pages write a date ("7 dec. 2026")
    and the time to the minute: "7 dec. 2026 04:29", "7 Dec 2026, 04:29". Other values are
    Babel's names (short, medium, long, full) or a CLDR pattern. ISO 8601 is for feeds, the API
    and files, not for pages (issue 23: comment times read "2026-12-07 04:29" beside
    "29 sep. 2020").
    """
    if value is None:
        return ""
    local = _local(value)
    if format == "page":
        text = page_datetime_formatter()(local)
    else:
        text = dates.format_datetime(local, format, tzinfo=local.tzinfo, locale=format_locale())
    if zone:
        from flask_babel import gettext

        text = gettext("%(moment)s Swedish time", moment=text)
    return text


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    """A day in the reader's locale (a moment is first placed in Swedish time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return dates.format_date(value, format, locale=format_locale())


def format_time(value: datetime | None, format: str = "short", zone: bool = False) -> str:
    """A time of day in Swedish time, in the reader's locale."""
    if value is None:
        return ""
    local = _local(value)
    text = dates.format_time(local, format, tzinfo=local.tzinfo, locale=format_locale())
    if zone:
        from flask_babel import gettext

        text = gettext("%(moment)s Swedish time", moment=text)
    return text


_FIELDS = {
    "y": lambda d: str(d.year),
    "yyyy": lambda d: f"{d.year:04d}",
    "yy": lambda d: f"{d.year % 100:02d}",
    "M": lambda d: str(d.month),
    "MM": lambda d: f"{d.month:02d}",
    "d": lambda d: str(d.day),
    "dd": lambda d: f"{d.day:02d}",
    "H": lambda d: str(d.hour),
    "HH": lambda d: f"{d.hour:02d}",
    "h": lambda d: str(d.hour % 12 or 12),
    "hh": lambda d: f"{d.hour % 12 or 12:02d}",
    "mm": lambda d: f"{d.minute:02d}",
}


@functools.cache
def _page_datetime_parts(locale_name: str) -> tuple | None:
    """The locale's page pattern (medium date, short time) as literal strings and field functions.

    None when it uses a field not handled here: the caller then asks Babel for each value.
    """
    locale = Locale.parse(locale_name)
    am_pm = locale.day_periods["format"]["abbreviated"]
    months = locale.months["format"]["abbreviated"]
    standalone = locale.months["stand-alone"]["abbreviated"]
    fields = {
        **_FIELDS,
        "a": lambda d: am_pm["am"] if d.hour < 12 else am_pm["pm"],
        "MMM": lambda d: months[d.month],
        "LLL": lambda d: standalone[d.month],
    }
    pattern = (
        str(locale.datetime_formats["medium"])
        .replace("{1}", locale.date_formats["medium"].pattern)
        .replace("{0}", locale.time_formats["short"].pattern)
    )
    parts: list = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            end = pattern.find("'", i + 1)
            if end == -1:
                return None
            parts.append(pattern[i + 1 : end] or "'")
            i = end + 1
        elif char.isalpha():
            j = i
            while j < len(pattern) and pattern[j] == char:
                j += 1
            field = fields.get(pattern[i:j])
            if field is None:
                return None
            parts.append(field)
            i = j
        else:
            parts.append(char)
            i += 1
    return tuple(parts)


def page_datetime_formatter():
    """A fast formatter of local (Swedish-time) datetimes as pages write them ("7 dec. 2026 04:29").

    Babel formats one timestamp in tens of microseconds; a busy page shows thousands, so the
    locale's pattern is compiled once and applied here. Falls back to Babel for patterns with
    fields this does not know. One formatter per request (format_locale is per request).
    """
    if has_request_context() and "_page_datetime" in g:
        return g._page_datetime
    formatter = _datetime_formatter(format_locale())
    if has_request_context():
        g._page_datetime = formatter
    return formatter


def _datetime_formatter(locale: Locale):
    """The page format of *locale* as a function of a local datetime (see page_datetime_formatter)."""
    parts = _page_datetime_parts(str(locale))
    if parts is None:
        date_pattern = locale.date_formats["medium"].pattern
        time_pattern = locale.time_formats["short"].pattern
        glue = str(locale.datetime_formats["medium"])

        def formatter(local):
            day = dates.format_date(local, date_pattern, locale=locale)
            time = dates.format_time(local, time_pattern, tzinfo=local.tzinfo, locale=locale)
            return glue.replace("{1}", day).replace("{0}", time)
    else:

        def formatter(local):
            return "".join(p if isinstance(p, str) else p(local) for p in parts)

    return formatter


def mail_datetime(value: datetime | None) -> str:
    """A moment as an e-mail writes it: as pages do, in the recipient's language, with "Swedish time".

    "7 dec. 2026 04:29 svensk tid", "7 Dec 2026, 04:29 Swedish time" (issue 23: e-mails said
    "2026-12-07 04:29 svensk tid"). The language is the current one (the sender forces the
    recipient's); its home region (sv-SE, en-GB) stands for the recipient's, since the request
    an e-mail may be written in (a batch run's, an administrator's) is not the recipient's. The
    zone is always said: an e-mail is read wherever its reader is.
    """
    if value is None:
        return ""
    interface = get_locale()
    language = interface.language if interface else "sv"
    locale = Locale.parse(_DEFAULT_REGION.get(language, language))
    return _("%(moment)s Swedish time", moment=_datetime_formatter(locale)(_local(value)))


def operator_language(choice: str | None = None) -> str:
    """The language of a command: *choice* (--language), REMISS_CLI_LANGUAGE, the locale, else Swedish."""
    languages = current_app.config["LANGUAGES"]
    for name in (None, CLI_LANGUAGE_ENV, "LC_ALL", "LC_MESSAGES", "LANG"):
        raw = choice if name is None else os.environ.get(name)
        # "en_GB.UTF-8", "sv-SE", "en": the language part; "C" and "POSIX" name none.
        code = (raw or "").split(".")[0].replace("-", "_").split("_")[0].lower()
        if code in languages:
            return code
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class Refusal(click.ClickException):
    """A command's refusal, already worded in the operator's language: printed as it is."""

    def __init__(self, text: str, exit_code: int = 1) -> None:
        super().__init__(text)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(self.message, file=file, err=file is None)


def _worded(error: click.ClickException) -> Refusal:
    """*error* as the operator reads it: 'Fel: ...' in Swedish, 'Error: ...' in English."""
    message = str(error.message)
    if isinstance(error, click.BadParameter):
        hint = error.param_hint
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        if hint is None and error.param is not None:
            hint = error.param.get_error_hint(error.ctx) if error.ctx else error.param.name
        if hint:
            message = _("Invalid value for %(param)s: %(message)s", param=hint, message=message)
    return Refusal(_("Error: %(message)s", message=message), error.exit_code)


def in_operator_language(command):
    """Give a command --language (sv|en) and run it, refusals included, in the operator's language.

    Commands have no request to take a language from: --language, else REMISS_CLI_LANGUAGE or
    the locale (LANG), else Swedish. A click.ClickException raised inside is printed in it too,
    and so is what the command prints: its lines go through gettext like a page's. Declare the
    command with ``cls=OperatorCommand`` so that click's usage errors (a missing option, a bad
    choice) are worded in that language as well.
    """

    @click.option(
        "--language",
        type=Choice(["sv", "en"]),
        default=None,
        help=f"Language of the output (default: ${CLI_LANGUAGE_ENV}, else $LANG, else sv).",
    )
    @with_appcontext
    @functools.wraps(command)
    def run(*args, language=None, **kwargs):
        with force_locale(operator_language(language)):
            try:
                return command(*args, **kwargs)
            except Refusal:
                raise
            except click.ClickException as error:
                raise _worded(error) from error

    return run


# --------------------------------------------------------------------------- click's usage errors

# click words its own usage errors ("Missing option '--email'.", "'x' is not one of ...") in
# English through the standard library's gettext, whose language follows only the environment.
# The commands' errors are worded here instead, from what click's exceptions carry (which
# parameter, which option, which possibilities), through the app's catalogue and in the
# operator's language. What is not recognised keeps click's words inside our translated frame.


class Choice(click.Choice):
    """click.Choice whose refusal of a value is worded through the app's catalogue."""

    def get_invalid_choice_message(self, value, ctx) -> str:
        choices = ", ".join(repr(c) for c in self.choices)
        return _("%(value)r is not one of %(choices)s.", value=value, choices=choices)


class Integer(click.types.IntParamType):
    """click's INT, refusing a value that is not a whole number in the operator's language."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(_("%(value)r is not a whole number.", value=value), param, ctx)


class File(click.Path):
    """click.Path for a file, refusing a missing one or a directory in the operator's language."""

    def __init__(self, *, exists: bool = False) -> None:
        super().__init__(exists=exists, dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        path = Path(os.fsdecode(value))
        if self.exists and not path.exists():
            self.fail(_("The file %(path)r does not exist.", path=str(path)), param, ctx)
        if path.is_dir():
            self.fail(_("%(path)r is a folder, not a file.", path=str(path)), param, ctx)
        return super().convert(value, param, ctx)


def _language_in(args) -> str | None:
    """The value of --language in a command's arguments, before click has parsed them."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--language" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--language="):
            return arg.partition("=")[2]
    return None


def _or_list(items) -> str:
    """*items* as a list with "or" in the current language ("--limit or --quiet")."""
    locale = get_locale()
    return lists.format_list(list(items), style="or", locale=locale or "sv")


def _hint(value) -> str:
    return " / ".join(value) if isinstance(value, (list, tuple)) else str(value or "")


def usage_message(error: click.UsageError, command: click.Command | None = None) -> str:
    """What *error* says, in the current language (click's words when it is not one we know).

    *command* is the one whose arguments were being read (click's parser leaves some errors
    without a context).
    """
    ctx, param = error.ctx, getattr(error, "param", None)
    command = ctx.command if ctx is not None else command
    if isinstance(error, click.MissingParameter):
        name = _hint(error.param_hint or (param.get_error_hint(ctx) if param else ""))
        kind = error.param_type or (param.param_type_name if param else "")
        if kind == "option":
            text = _("Missing option %(name)s.", name=name)
        elif kind == "argument":
            text = _("Missing argument %(name)s.", name=name)
        else:
            text = _("Missing %(name)s.", name=name)
        if param is not None and isinstance(param.type, click.Choice):
            text += " " + _("Choose from: %(choices)s.", choices=", ".join(map(str, param.type.choices)))
        return text
    if isinstance(error, click.NoSuchOption):
        text = _("There is no option %(name)r.", name=error.option_name)
        if error.possibilities:
            names = _or_list(error.possibilities)
            text += " " + _("Did you mean %(names)s?", names=names)
        return text
    if isinstance(error, click.BadOptionUsage):
        options = command.params if command is not None else ()
        option = next((p for p in options if error.option_name in getattr(p, "opts", ())), None)
        if option is not None and getattr(option, "is_flag", False):
            return _("The option %(name)r takes no value.", name=error.option_name)
        return _("The option %(name)r needs a value.", name=error.option_name)
    if isinstance(error, click.BadParameter):
        hint = _hint(error.param_hint or (param.get_error_hint(ctx) if param else ""))
        if hint:
            return _("Invalid value for %(param)s: %(message)s", param=hint, message=error.message)
    return error.format_message()


def usage_text(error: click.UsageError, command: click.Command | None = None) -> str:
    """The whole of a usage error as click prints it (usage line, hint, error), in the current language."""
    lines = []
    ctx = error.ctx
    if ctx is not None:
        formatter = ctx.make_formatter()
        pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
        formatter.write_usage(ctx.command_path, pieces, _("Usage:") + " ")
        lines.append(formatter.getvalue().rstrip("\n"))
        names = ctx.command.get_help_option_names(ctx)
        if ctx.command.get_help_option(ctx) is not None and names:
            lines.append(
                _("Try '%(command)s' for help.", command=f"{ctx.command_path} {max(names, key=len)}")
            )
        lines.append("")
    lines.append(_("Error: %(message)s", message=usage_message(error, command)))
    return "\n".join(lines)


def _command_app(parent):
    """The app a command runs in, found as flask's with_appcontext finds it (None: none found)."""
    if has_app_context():
        return current_app._get_current_object()
    info = parent.find_object(ScriptInfo) if parent is not None else None
    if info is None:
        return None
    try:
        return info.load_app()
    except NoAppException:
        return None


class OperatorCommand(click.Command):
    """A command whose usage errors are printed in the operator's language, as its output is.

    The language is read from the arguments (--language) before click parses them, else from
    the environment (:func:`operator_language`); click's parsing then runs in it, so the types
    above word their refusals in it, and a usage error is reworded by :func:`usage_text`.
    """

    def make_context(self, info_name, args, parent=None, **extra):
        app = _command_app(parent)
        if app is None:
            return super().make_context(info_name, args, parent=parent, **extra)
        pushed = nullcontext() if has_app_context() else app.app_context()
        with pushed, force_locale(operator_language(_language_in(args))):
            try:
                return super().make_context(info_name, args, parent=parent, **extra)
            except click.UsageError as error:
                raise Refusal(usage_text(error, self), error.exit_code) from error


# --------------------------------------------------------------------------- files in their own language

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


@functools.cache
def _catalogue(language: str) -> support.NullTranslations:
    return support.Translations.load(str(TRANSLATIONS), [language])


class InLanguage:
    """gettext and ngettext in one fixed *language*, whoever reads and with or without an app.

    The files the app writes (the meeting pack, its CSV and JSON, the outcome report) are in
    their own language, not the reader's, and the pack's writer runs without an app too. Both
    read the same catalogues (``app/translations``) as the pages, so a word is the same in a
    file as on the page. A language the app has no catalogue for is read as Swedish.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._t = _catalogue(language)

    def gettext(self, message, **variables) -> str:
        """*message* (a source string, or a lazy string like ``STATUS_LABELS``) in this language."""
        if isinstance(message, LazyString) and has_app_context():
            with force_locale(self.language):
                text = str(message)
        else:
            # Outside an app a lazy string is its source text (Flask-Babel has no catalogue then).
            text = self._t.ugettext(str(message))
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, num: int, **variables) -> str:
        """The plural form of *num* in this language, ``%(num)d`` filled like Flask-Babel's."""
        return self._t.ungettext(singular, plural, num) % {"num": num, **variables}


def in_language(language: str) -> InLanguage:
    """The translations of *language*, for a file written in it (see :class:`InLanguage`)."""
    return InLanguage(language if language in ("sv", "en") else "sv")
