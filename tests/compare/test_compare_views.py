"""Comparing versions through HTTP: redline, side by side, changed only, counts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.documents.models import Version, VersionState
from app.extensions import db
from app.review.models import Comment, CommentStatus
from tests.conftest import add_comment


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="jf",
        versions=[
            [
                ("h", "heading", 1, "Öppna licenser"),
                ("same", "paragraph", 1, "Detta stycke är oförändrat."),
                ("edit", "paragraph", 1, "Myndigheter bör välja CC BY 4.0 för text."),
                ("gone", "paragraph", 1, "Detta stycke tas bort."),
                ("move", "paragraph", 1, "Detta stycke flyttas."),
            ],
            [
                ("h", "heading", 1, "Öppna licenser"),
                ("move", "paragraph", 1, "Detta stycke flyttas."),
                ("same", "paragraph", 1, "Detta stycke är oförändrat."),
                (
                    "edit",
                    "paragraph",
                    1,
                    "Myndigheter bör välja CC0 för data &amp; &lt;script&gt;x&lt;/script&gt;.",
                ),
                ("new", "paragraph", 1, "Ett helt nytt stycke."),
            ],
        ],
    )


def test_inline_redline_and_counts(client, doc):
    response = client.get("/d/jf/compare/1..2")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<del>CC BY 4.0</del>" in html or "<del>CC BY 4.0 för text</del>" in html
    assert "<ins>" in html and "CC0" in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "<del>Detta stycke tas bort.</del>" in html
    assert "<ins>Ett helt nytt stycke.</ins>" in html
    for text in ("1 stycke tillagt", "1 stycke borttaget", "1 stycke ändrat", "1 stycke flyttat"):
        assert text in html


def test_only_changed_and_side_by_side(client, doc):
    only = client.get("/d/jf/compare/1..2?only=changed").get_data(as_text=True)
    assert "Detta stycke är oförändrat." not in only
    assert "Detta stycke flyttas." in only  # moved counts as a change
    side = client.get("/d/jf/compare/1..2?view=side").get_data(as_text=True)
    assert 'class="side-by-side"' in side and '<th scope="col">Utkast 1</th>' in side


def test_picker_redirects_and_unknown_versions_404(client, doc):
    response = client.get("/d/jf/compare?a=1&b=2")
    assert response.status_code == 302 and response.location.endswith("/d/jf/compare/1..2")
    assert client.get("/d/jf/compare").location.endswith("/d/jf/compare/1..2")
    assert client.get("/d/jf/compare/1..9").status_code == 404
    assert client.get("/d/nope/compare/1..2").status_code == 404


def test_drafts_cannot_be_compared_by_members(client, doc, factory, app):
    with app.app_context():
        db.session.add(Version(document_id=doc.id, number=3, label="Utkast 3", state=VersionState.DRAFT))
        db.session.commit()
    member = factory.user()
    client.login(member.email)
    assert client.get("/d/jf/compare/2..3").status_code == 404


def test_decided_comments_stand_beside_their_block(client, doc, factory, app):
    author = factory.user(organisation="Samtrafiken")
    with app.app_context():
        comment_id = add_comment(doc, "edit", author, version_number=1, body="Byt licens")
        comment = db.session.get(Comment, comment_id)
        comment.status = CommentStatus.ACCEPTED
        comment.resolved_in_version_id = db.session.scalar(
            sa.select(Version.id).where(Version.document_id == doc.id, Version.number == 2)
        )
        db.session.commit()
    html = client.get("/d/jf/compare/1..2").get_data(as_text=True)
    assert "Synpunkter som avgjorts i den här versionen" in html
    assert '#1</a> Samtrafiken – <span class="badge status status--accepted">Beaktad</span>' in html


def test_reading_view_links_to_the_changes(client, doc, factory, app):
    html = client.get("/d/jf").get_data(as_text=True)
    assert 'href="/d/jf/compare/1..2"' in html
    author = factory.user()
    with app.app_context():
        add_comment(doc, "same", author, version_number=1, body="Gammal synpunkt")
    assert 'href="/d/jf/compare/1..2">Vad har ändrats sedan dess' in client.get("/d/jf").get_data(
        as_text=True
    )


def _count_links(html: str) -> dict[str, tuple[str, int]]:
    """The summary's counts that are links: the word after the number -> (link, number)."""
    import re

    summary = html[html.index('class="compare-counts"') :]
    summary = summary[: summary.index("</ul>")]
    found = re.findall(r'<a href="([^"]+)"[^>]*>(\d+) stycken? (\w+)</a>', summary)
    return {word: (href.replace("&amp;", "&"), int(n)) for href, n, word in found}


@pytest.mark.parametrize("view", ["", "view=side"])
def test_each_count_links_to_exactly_the_paragraphs_it_counts(client, doc, view):
    # Issue 23: the summary's counts are links that filter the comparison to what they count.
    html = client.get(f"/d/jf/compare/1..2?{view}").get_data(as_text=True)
    links = _count_links(html)
    assert {w: n for w, (_h, n) in links.items()} == {"tillagt": 1, "borttaget": 1, "ändrat": 1, "flyttat": 1}
    badge = {"tillagt": "tillagt", "borttaget": "borttaget", "ändrat": "ändrat", "flyttat": "flyttat"}
    for word, (href, n) in links.items():
        assert href.startswith("/d/jf/compare/1..2?"), href
        assert ("view=side" in href) == bool(view)  # the layout is kept
        page = client.get(href).get_data(as_text=True)
        rows = page.count('class="change change--')
        assert rows == n, f"{word}: the count says {n}, the page shows {rows}"
        listed = page[page.index('class="change change--') :]
        assert f'<span class="badge">{badge[word]}</span>' in listed
        notice = page[page.index('class="notice filter-notice"') :]
        notice = notice[: notice.index("</p>")]
        assert f"{n} stycke {word}" in notice and ">Visa alla stycken</a>" in notice
    unknown = client.get("/d/jf/compare/1..2?only=nonsense")
    assert unknown.status_code == 200
    page = unknown.get_data(as_text=True)
    assert "Det urvalet finns inte" in page and page.count('class="change change--') == 6


def test_every_change_links_to_the_next_and_the_previous_and_says_where_it_is(client, doc):
    # Issue 23: "next change / previous change" by keyboard; plain links to fragment ids, so it
    # works without JavaScript, and each change says its position ("Ändring 2 av 4").
    import re

    html = client.get("/d/jf/compare/1..2").get_data(as_text=True)
    ids = re.findall(r'<section class="change change--(?!unchanged)\w+" id="(b-[\w-]+)"', html)
    assert len(ids) == 4
    for i, anchor in enumerate(ids):
        section = html[html.index(f'id="{anchor}"') :]
        section = section[: section.index("</section>")]
        assert f"Ändring {i + 1} av 4" in section
        assert 'tabindex="-1"' in section.split(">", 1)[0]  # the target takes the focus
        previous = f'href="#{ids[i - 1]}"' if i else None
        following = f'href="#{ids[i + 1]}"' if i + 1 < len(ids) else None
        for link, word in ((previous, "Föregående ändring"), (following, "Nästa ändring")):
            if link:
                assert re.search(rf"<a [^>]*{link}[^>]*>{word}", section), (anchor, word)
            else:
                assert not re.search(rf"<a [^>]*>{word}", section), (anchor, word)  # none before the first
    # The way in: a link to the first change at the top.
    assert f'<a class="first-change" href="#{ids[0]}">' in html
