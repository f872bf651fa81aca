"""Every user-visible string is translatable, Swedish is complete, English is the source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def _catalog(language):
    with open(ROOT / f"app/translations/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        # Strict: a malformed entry (a msgid without its msgstr, as a careless merge leaves) fails here
        # instead of being read past, which would silently drop or misassign translations.
        return read_po(handle, locale=language, abort_invalid=True)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Every msgid the code and templates use (what `make extract-messages` would extract)."""
    pot = tmp_path_factory.mktemp("extract") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--ignore-dirs=.* .venv node_modules",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    with open(pot, "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def test_swedish_catalogue_translates_every_string_in_the_code(extracted):
    swedish = _catalog("sv")
    untranslated = []
    for message_id in sorted(extracted):
        message = swedish.get(message_id)
        if (
            message is None
            or not message.string
            or "fuzzy" in message.flags
            or (isinstance(message.string, tuple) and not all(message.string))
        ):
            untranslated.append(message_id)
    assert not untranslated, f"{len(untranslated)} strings lack Swedish: {untranslated[:10]}"
    english = _catalog("en")
    assert extracted <= {m.id if isinstance(m.id, str) else m.id[0] for m in english if m.id}


def test_the_catalogues_hold_no_new_entries_the_code_no_longer_uses(extracted):
    # An entry a change leaves unused is removed from both catalogues with that change (issue 22
    # retired the old apply flow's and the quote-span suggestion form's wording this way).
    for language in ("sv", "en"):
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(language) if m.id}
        unused = ids - extracted
        assert not unused, f"{language}: {sorted(unused)}"


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in _catalog("sv"):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert sorted(pattern.findall(source)) == sorted(pattern.findall(target)), source


def test_form_library_messages_follow_each_readers_language(factory, make_client):
    """WTForms' own messages (kept once per language and process) come in the reader's language."""
    document = factory.document(slug="d")
    uid = document.block_uids["p2"]
    for language, message in (
        ("sv", "Inte ett giltigt val"),
        ("en", "Not a valid choice"),
        ("sv", "giltigt val"),
    ):
        user = factory.user(language=language)
        client = make_client()
        assert client.login(user.email).status_code == 302
        response = client.post(f"/d/d/v/1/b/{uid}/comment", {"kind": "no-such-kind", "body": "Text"})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), language


@pytest.mark.parametrize(("language", "word"), [("sv", "Version"), ("en", "Version")])
def test_templates_translate_and_escape_as_jinjas_own_gettext(app, language, word):
    """Templates' _() and gettext() (app.i18n's own, one call instead of Jinja's three): the
    reader's language, variables escaped where the template autoescapes (pages) and left as
    they are where it does not (plain-text mail), and always a %-format string."""
    hostile = "<script>alert(1)</script> & co"
    source = (
        "{{ _('Version %(label)s', label=x) }}|{{ gettext('Show') }}|{{ _('100%%') }}"
        "{% autoescape false %}|{{ _('Version %(label)s', label=x) }}{% endautoescape %}"
    )
    with app.test_request_context("/", headers={"Accept-Language": language}):
        page, show, percent, text = app.jinja_env.from_string(source).render(x=hostile).split("|")
    assert page == f"{word} &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    assert show == {"sv": "Visa", "en": "Show"}[language]
    assert percent == "100%"
    assert text == f"{word} {hostile}"
