"""The reading page's fragment cache (app.fragments) never changes what anyone sees.

Every page is fetched twice with the cache on (the second answer comes from it) and once
with it off; all three must be the same page, for each kind of reader, in both languages,
after every kind of change a thread can go through. A key that left out an input (who is
reading, a count, a status, a name) would serve one of them a stale or foreign fragment.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from app import fragments
from app.accounts.models import Role, User
from app.accounts.operations import pseudonymise_user
from app.documents.models import CommentVisibility, Document
from app.extensions import db
from app.review import operations
from app.review.models import Comment, CommentStatus
from tests.conftest import CSRF_RE, add_comment

TOKEN_RE = re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]+(")')


@contextmanager
def caches_off(app):
    caches = app.extensions["remiss.cache"]
    sizes = {name: cache.maxsize for name, cache in caches.items()}
    for cache in caches.values():
        cache.maxsize = 0
    try:
        yield
    finally:
        for name, cache in caches.items():
            cache.maxsize = sizes[name]


def _tokens(html: str) -> set[str]:
    return set(CSRF_RE.findall(html))


def assert_same_page(app, client, url: str, headers=None) -> str:
    """The page from a cold cache, from the warm cache and without a cache are one page."""
    client.get("/", headers=headers)  # shows (and so clears) any message left by the last action
    cold = client.get(url, headers=headers)
    warm = client.get(url, headers=headers)
    with caches_off(app):
        fresh = client.get(url, headers=headers)
    pages = [r.get_data(as_text=True) for r in (cold, warm, fresh)]
    assert [r.status_code for r in (cold, warm, fresh)] == [200, 200, 200]
    # Each page carries this session's token (one value per page), never another session's.
    for page in pages:
        assert len(_tokens(page)) <= 1
    normal = [TOKEN_RE.sub(r"\1TOKEN\2", page) for page in pages]
    assert normal[1] == normal[2], f"{url}: the cached page differs from the uncached one"
    assert normal[0] == normal[2]
    return pages[1]


@pytest.fixture
def world(app, factory, make_client):
    author = factory.user(email="anna@example.org", name="Anna Author", organisation="Kommun A")
    other = factory.user(email="bo@example.org", name="Bo Bryggare", organisation="Region B")
    editor = factory.user(email="eva@example.org", roles=(Role.EDITOR,), organisation="PRV")
    admin = factory.user(email="adam@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    document = factory.document(slug="d")
    with app.app_context():
        db.session.get(Document, document.id).comment_visibility = CommentVisibility.FULL
        db.session.commit()
        top = add_comment(document, "p2", author, body="Första synpunkten.", quote="nummer 2")
        reply = add_comment(document, "p2", other, body="Ett svar.", parent=db.session.get(Comment, top))
        add_comment(document, "p3", other, body="Bos egen synpunkt.", suggestion="Ny lydelse.")
        add_comment(document, None, editor, body="Om hela versionen.")
    readers = {"anonymous": make_client()}
    for name, user in (("author", author), ("other", other), ("editor", editor), ("admin", admin)):
        readers[name] = make_client()
        assert readers[name].login(user.email).status_code == 302
    return {"readers": readers, "top": top, "reply": reply, "author": author, "editor": editor}


def _all_readers_see_the_same(app, world, url="/d/d") -> dict[str, str]:
    pages = {}
    for name, client in world["readers"].items():
        pages[name] = assert_same_page(app, client, url)
    return pages


def test_cached_pages_are_the_uncached_pages_for_every_reader_and_change(app, world):
    readers, top, reply = world["readers"], world["top"], world["reply"]
    pages = _all_readers_see_the_same(app, world)
    # The fragments were really served from the cache, and each reader kept their own controls.
    assert fragments_hits(app) > 0
    assert f"/comments/{top}/edit" in pages["author"]
    for name in ("other", "editor", "admin", "anonymous"):
        assert f"/comments/{top}/edit" not in pages[name], name
    assert f"/comments/{top}/hide" in pages["editor"] and f"/comments/{top}/hide" not in pages["other"]
    assert _tokens(pages["author"]) != _tokens(pages["other"])

    # Each change below alters what some thread shows; every reader must see it at once.
    assert readers["other"].post(f"/comments/{top}/endorse").status_code == 302
    _all_readers_see_the_same(app, world)
    response = readers["author"].post(
        f"/comments/{top}/edit", {"kind": "comment", "body": "Ändrad synpunkt.", "suggestion": ""}
    )
    assert response.status_code == 302
    pages = _all_readers_see_the_same(app, world)
    assert "Ändrad synpunkt." in pages["other"]
    assert readers["editor"].post(f"/comments/{reply}/hide", {"reason": "Personuppgifter"}).status_code == 302
    pages = _all_readers_see_the_same(app, world)
    assert "Personuppgifter" in pages["anonymous"] and "Ett svar." not in pages["anonymous"]
    assert readers["editor"].post(f"/comments/{reply}/hide", {"reason": "Annat skäl"}).status_code == 302
    pages = _all_readers_see_the_same(app, world)
    assert "Annat skäl" in pages["anonymous"]
    with app.app_context():
        operations.decide(
            db.session.get(Comment, top),
            status=CommentStatus.PARTLY_ACCEPTED,
            response="Vi tar med en del.",
            editor=db.session.get(User, world["editor"].id),
        )
        db.session.commit()
    pages = _all_readers_see_the_same(app, world)
    assert "Vi tar med en del." in pages["anonymous"]
    with app.app_context():
        author = db.session.get(User, world["author"].id)
        author.active = False
        pseudonymise_user(author, db.session.get(User, world["editor"].id))
        db.session.commit()
    pages = _all_readers_see_the_same(app, world)
    assert "Anna Author" not in pages["other"]
    # Filters and the other language are pages of their own.
    for url in ("/d/d?comments=open", "/d/d?comments=mine", "/d/d?comments=none"):
        assert_same_page(app, readers["other"], url)
    english = assert_same_page(app, readers["anonymous"], "/d/d", headers={"Accept-Language": "en"})
    # The Swedish page was cached first: the English one must not reuse any of it.
    assert 'lang="en"' in english
    assert "Comments on the whole version" in english and "Synpunkter på hela versionen" not in english


def test_a_new_comment_shows_at_once_on_a_cached_page(app, world):
    readers = world["readers"]
    before = assert_same_page(app, readers["other"], "/d/d")
    link = re.search(r'href="(/d/d/v/1/b/[^"]+/comment)"', before).group(1)
    response = readers["author"].post(link, {"kind": "comment", "body": "Helt ny synpunkt."})
    assert response.status_code == 302
    after = assert_same_page(app, readers["other"], "/d/d")
    assert "Helt ny synpunkt." in after and "Helt ny synpunkt." not in before


def fragments_hits(app) -> int:
    return sum(cache.hits for cache in app.extensions["remiss.cache"].values())


def test_the_cache_is_bounded_and_can_be_turned_off(app):
    lru = fragments.LRU(2)
    made = []
    for key in ("a", "b", "a", "c", "b"):
        lru.get(key, lambda key=key: made.append(key) or key.upper())
    # "a" was used again before "c" came, so "b" was the one forgotten and made again.
    assert made == ["a", "b", "c", "b"] and len(lru) == 2
    off = fragments.LRU(0)
    assert [off.get("a", lambda: 1), off.get("a", lambda: 2)] == [1, 2] and len(off) == 0
