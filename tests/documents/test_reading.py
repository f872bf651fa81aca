"""The document list and the reading view, through HTTP."""

from __future__ import annotations

import re

import pytest

from app.documents.models import VersionState, Visibility
from app.extensions import db


def test_document_list_shows_public_documents_to_visitors(client, factory):
    factory.document(slug="oppen", title="Öppen vägledning")
    factory.document(slug="intern", title="Intern vägledning", visibility=Visibility.NETWORK)
    html = client.get("/").get_data(as_text=True)
    assert "Öppen vägledning" in html
    assert "Intern vägledning" not in html


def test_signed_in_member_sees_network_documents(client, factory):
    factory.document(slug="intern", title="Intern vägledning", visibility=Visibility.NETWORK)
    user = factory.user()
    client.login(user.email)
    assert "Intern vägledning" in client.get("/").get_data(as_text=True)
    assert client.get("/d/intern").status_code == 200


def test_reading_view_numbers_headings_and_paragraphs(client, factory):
    document = factory.document(slug="vl")
    html = client.get("/d/vl").get_data(as_text=True)
    uids = document.block_uids
    # Headings 1 and 1.1; paragraphs referenced inside their section, with permalink anchors.
    # A heading's number is shown once, in the heading, as its permanent link.
    assert re.search(r'<a class="heading-number[^"]*" href="[^"]*#b-\w+">1</a>\s*Varför öppna licenser', html)
    assert re.search(r'<a class="heading-number[^"]*" href="[^"]*#b-\w+">1\.1</a>\s*Vidareutnyttjande', html)
    assert f'id="b-{uids["p1"]}"' in html
    assert f"/d/vl/v/1#b-{uids['p2']}" in html
    assert "1.1 st. 1" in html  # Swedish by default
    assert "<strong>mycket</strong>" in html


def test_reference_format_follows_language(client, factory):
    factory.document(slug="vl")
    html = client.get("/d/vl", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1.1 ¶1" in html
    assert 'lang="en"' in html


def test_permalink_to_each_version_and_timeline(client, factory):
    factory.document(
        slug="vl",
        versions=[
            [("p", "paragraph", 1, "Första lydelsen.")],
            [("p", "paragraph", 1, "Andra lydelsen.")],
        ],
    )
    current = client.get("/d/vl").get_data(as_text=True)
    assert "Andra lydelsen." in current
    assert "Ändringar i utkast 1" in current and "Ändringar i utkast 2" in current
    old = client.get("/d/vl/v/1").get_data(as_text=True)
    assert "Första lydelsen." in old
    assert "Du läser en tidigare version" in old
    # The version switcher works without JavaScript: a GET form that redirects.
    response = client.get("/d/vl?v=1")
    assert response.status_code == 302 and response.location.endswith("/d/vl/v/1")


@pytest.mark.parametrize("path", ["/d/finns-inte", "/d/vl/v/9", "/d/vl/v/0"])
def test_unknown_slug_or_version_is_404_in_users_language(client, factory, path):
    factory.document(slug="vl")
    response = client.get(path)
    assert response.status_code == 404
    assert "Sidan hittades inte" in response.get_data(as_text=True)
    english = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "The page was not found" in english.get_data(as_text=True)


def test_network_document_redirects_visitor_to_sign_in_and_back(client, factory):
    factory.document(slug="intern", visibility=Visibility.NETWORK)
    user = factory.user()
    response = client.get("/d/intern/v/1")
    assert response.status_code == 302
    assert "/login?next=" in response.location
    response = client.post(
        response.location, {"email": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.location.endswith("/d/intern/v/1")


def test_draft_version_is_hidden_from_members(app, client, factory):
    from app.documents.models import Version

    document = factory.document(slug="vl")
    with app.app_context():
        db.session.add(Version(document_id=document.id, number=2, label="Utkast 2", state=VersionState.DRAFT))
        db.session.commit()
    member = factory.user()
    client.login(member.email)
    assert client.get("/d/vl/v/2").status_code == 404
    # and the public reading view still shows the published version
    assert "Utkast 1" in client.get("/d/vl").get_data(as_text=True)


def _blocks(n: int):
    blocks = []
    for i in range(n):
        if i % 10 == 0:
            blocks.append(("heading", 1 + (i // 10) % 2, f"Rubrik {i}"))
        elif i % 7 == 0:
            blocks.append(("bullet", 1, f"Punkt {i}"))
        else:
            blocks.append(("paragraph", 1, f"Stycke {i} med <em>lite</em> text."))
    return blocks


def test_reading_page_uses_the_same_small_number_of_queries_whatever_the_size(client, factory, count_queries):
    factory.document(slug="liten", versions=[_blocks(10)])
    factory.document(slug="stor", versions=[_blocks(500)])
    user = factory.user()
    client.login(user.email)
    counts = {}
    for slug in ("liten", "stor"):
        client.get(f"/d/{slug}")  # warm up
        with count_queries() as statements:
            response = client.get(f"/d/{slug}")
        assert response.status_code == 200
        counts[slug] = len(statements)
    assert counts["liten"] == counts["stor"]
    # 10, and one primary-key lookup for the signed-in reader's "Follow this document" button.
    assert counts["stor"] <= 11
