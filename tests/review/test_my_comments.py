"""What happened to my comments: where each was, the decision, the change in that paragraph; and on
a new version, per paragraph, the comments it answered."""

from __future__ import annotations

import sqlalchemy as sa

from app.documents.models import Document
from app.extensions import db
from app.review.models import Comment, CommentStatus
from tests.conftest import add_comment

V1 = [
    ("h", "heading", 1, "Öppna licenser"),
    ("a", "paragraph", 1, "Myndigheter bör välja en öppen licens."),
    ("b", "paragraph", 1, "Data bör publiceras med CC0 när det går."),
]
V2 = [
    ("h", "heading", 1, "Öppna licenser"),
    ("a", "paragraph", 1, "Myndigheter ska välja CC BY 4.0."),
    ("b", "paragraph", 1, "Data ska publiceras med CC0 när det går."),
]


def _decide(app, comment_id: int, status: CommentStatus, response: str, resolved_in: int | None = None):
    from app.review.markdown import render

    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.status = status
        comment.response = response
        comment.response_html = render(response)
        if resolved_in:
            document = db.session.get(Document, comment.document_id)
            comment.resolved_in_version_id = next(v.id for v in document.versions if v.number == resolved_in)
        db.session.commit()


def test_each_comment_says_where_it_was_what_was_decided_and_links_to_that_paragraphs_change(
    client, app, factory
):
    doc = factory.document(slug="vl", versions=[V1, V2])
    maja = factory.user(email="maja@example.org")
    with app.app_context():
        quoted = add_comment(doc, "b", maja, version_number=1, body="Varför CC0?", quote="CC0")
        plain = add_comment(doc, "a", maja, version_number=1, body="Vilken licens?")
        add_comment(doc, "a", maja, version_number=2, body="Bättre nu.")
    _decide(app, quoted, CommentStatus.REJECTED, "CC0 behålls för data.")
    _decide(app, plain, CommentStatus.ACCEPTED, "Infört.", resolved_in=2)
    client.login(maja.email)
    html = client.get("/d/vl/mine").get_data(as_text=True)
    # The paragraph reference, as numbered in the version commented on, and the quote in context.
    assert "på 1 st. 2 i version Utkast 1" in html and "på 1 st. 1 i version Utkast 2" in html
    assert "Data bör publiceras med <mark>CC0</mark> när det går." in html
    assert "CC0 behålls för data." in html and "Ej beaktad" in html
    # The change in that paragraph only.
    uid_b = doc.block_uids["b"]
    link = f"/d/vl/compare/1..2?block={uid_b}"
    assert link in html
    compared = client.get(link).get_data(as_text=True)
    assert "Bara ett stycke visas." in compared
    assert "<ins>ska</ins>" in compared and "CC BY 4.0" not in compared
    # Counts per outcome at the top, before the first comment.
    top = html[: html.index('class="review-item"')]
    assert "Öppen</span> 1" in top and "Ej beaktad</span> 1" in top and "Beaktad</span> 1" in top


def test_a_new_version_shows_per_paragraph_the_comments_it_answered(client, app, factory):
    doc = factory.document(slug="vl", versions=[V1, V2])
    maja = factory.user(email="maja@example.org", organisation="Samtrafiken")
    with app.app_context():
        answered = add_comment(doc, "a", maja, version_number=1, body="Vilken licens?")
        add_comment(doc, "b", maja, version_number=1, body="Öppen fortfarande.")
    _decide(app, answered, CommentStatus.ACCEPTED, "Vi skriver CC BY 4.0.", resolved_in=2)
    html = client.get("/d/vl").get_data(as_text=True)
    uid_a, uid_b = doc.block_uids["a"], doc.block_uids["b"]
    block_a = html[html.index(f'id="b-{uid_a}"') : html.index(f'id="b-{uid_b}"')]
    assert '<details class="answered">' in block_a
    assert "1 synpunkt besvarad i den här versionen" in block_a
    assert "Vi skriver CC BY 4.0." in block_a and 'href="/d/vl/v/1#c-1"' in block_a
    assert html.count('class="answered"') == 1  # only where this version answered something
    # The earlier version answered nothing.
    assert 'class="answered"' not in client.get("/d/vl/v/1").get_data(as_text=True)


def test_the_answered_list_follows_a_changed_decision_and_the_language(make_client, app, factory):
    # The lists are kept rendered by the process: a new response, a new decision or another
    # language must each show at once, and a signed-in reader (no whole-page cache) sees it too.
    doc = factory.document(slug="vl", versions=[V1, V2])
    maja = factory.user(email="maja@example.org", organisation="Samtrafiken")
    with app.app_context():
        answered = add_comment(doc, "a", maja, version_number=1, body="Vilken licens?")
    _decide(app, answered, CommentStatus.ACCEPTED, "Vi skriver CC BY 4.0.", resolved_in=2)
    reader = make_client()
    reader.login(maja.email)
    assert "Vi skriver CC BY 4.0." in reader.get("/d/vl").get_data(as_text=True)
    _decide(app, answered, CommentStatus.PARTLY_ACCEPTED, "Delvis: CC BY 4.0 för text.", resolved_in=2)
    html = reader.get("/d/vl").get_data(as_text=True)
    assert "Delvis: CC BY 4.0 för text." in html and "Vi skriver CC BY 4.0." not in html
    assert "Delvis beaktad" in html
    # A visitor reading in English: the Swedish list of the same rows is not theirs.
    page = make_client().get("/d/vl", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 comment answered in this version" in page and "Partly accepted" in page


def test_the_answered_comments_cost_one_query_whatever_their_number(
    client, app, factory, count_queries, monkeypatch
):
    # What the page costs to make, not what the visitors' whole-page cache saves.
    monkeypatch.setitem(app.config, "PAGE_CACHE_SIZE", 0)
    doc = factory.document(slug="vl", versions=[V1, V2])
    maja = factory.user(email="maja@example.org")

    def queries():
        with count_queries() as counted:
            assert client.get("/d/vl").status_code == 200
        return len(counted)

    for key in "ab":
        with app.app_context():
            first = add_comment(doc, key, maja, version_number=1, body="En.")
        _decide(app, first, CommentStatus.ACCEPTED, "Ja.", resolved_in=2)
    queries()  # the first reading also loads the version's text into the process's cache
    few = queries()
    for n in range(8):
        with app.app_context():
            more = add_comment(doc, "ab"[n % 2], maja, version_number=1, body=f"Fler {n}")
        _decide(app, more, CommentStatus.PARTLY_ACCEPTED, "Delvis.", resolved_in=2)
    assert queries() == few
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 10


def _outcome_links(html: str) -> dict[str, tuple[str, int]]:
    """The outcome counts at the top of "my comments": status word -> (link, number)."""
    import re

    top = html[html.index('class="status-counts outcome-counts"') :]
    top = top[: top.index("</ul>")]
    found = re.findall(r'<a href="([^"]+)"[^>]*>\s*<span class="badge[^"]*">([^<]+)</span>\s*(\d+)', top)
    return {word: (href.replace("&amp;", "&"), int(n)) for href, word, n in found}


def test_each_outcome_count_links_to_exactly_the_comments_it_counts(client, app, factory):
    # Issue 23: the counts on "Mina synpunkter" were plain numbers; each is a link that filters
    # the list to what it counts (a query parameter: it works without JavaScript).
    doc = factory.document(slug="vl", versions=[V1, V2])
    maja = factory.user(email="maja@example.org")
    with app.app_context():
        rejected = add_comment(doc, "b", maja, version_number=1, body="Varför CC0?")
        accepted = add_comment(doc, "a", maja, version_number=1, body="Vilken licens?")
        add_comment(doc, "a", maja, version_number=2, body="Bättre nu.")
        add_comment(doc, "b", maja, version_number=2, body="Och data?")
        parent = db.session.get(Comment, accepted)
        add_comment(doc, "a", maja, version_number=1, body="Ett svar räknas inte.", parent=parent)
    _decide(app, rejected, CommentStatus.REJECTED, "CC0 behålls.")
    _decide(app, accepted, CommentStatus.ACCEPTED, "Infört.", resolved_in=2)
    client.login(maja.email)
    links = _outcome_links(client.get("/d/vl/mine").get_data(as_text=True))
    assert {word: n for word, (_href, n) in links.items()} == {"Öppen": 2, "Beaktad": 1, "Ej beaktad": 1}
    for word, (href, n) in links.items():
        assert href.startswith("/d/vl/mine?status="), href
        html = client.get(href).get_data(as_text=True)
        items = html.count('class="review-item"')
        assert items == n, f"{word}: the count says {n}, the list shows {items}"
        shown = html[html.index('class="review-item"') :]
        assert shown.count(f'">{word}</span>') == n  # each listed comment has that outcome
        # The page says what it shows and how to see everything again.
        notice = html[html.index('class="notice filter-notice"') :]
        notice = notice[: notice.index("</p>")]
        assert word in notice and str(n) in notice
        assert 'href="/d/vl/mine">Visa alla mina synpunkter</a>' in notice
        # The chosen count is marked as the current one.
        counts = html[html.index("outcome-counts") :]
        assert f'aria-current="true"><span class="badge badge--status">{word}</span>' in counts
    # The whole list: all five, no notice.
    everything = client.get("/d/vl/mine").get_data(as_text=True)
    assert everything.count('class="review-item"') == 5 and "filter-notice" not in everything


def test_an_unknown_outcome_filter_says_so_and_shows_everything(client, app, factory):
    doc = factory.document(slug="vl", versions=[V1, V2])
    maja = factory.user(email="maja@example.org")
    with app.app_context():
        add_comment(doc, "a", maja, version_number=2, body="Bättre nu.")
    client.login(maja.email)
    response = client.get("/d/vl/mine?status=<script>")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count('class="review-item"') == 1
    assert "Det utfallet finns inte" in html and "<script>" not in html.split("<main", 1)[1]
