"""A document with two versions, a meeting on the second, and its meeting pack as Word would get it."""

from __future__ import annotations

import pytest

from app.documents.models import Document
from app.extensions import db
from tests.conftest import add_comment
from tests.wordcomments.wordfiles import export_pack

V1 = [
    ("h1", "heading", 1, "Inledning"),
    ("p1", "paragraph", 1, "Myndigheter skapar mycket material."),
    ("p2", "paragraph", 1, "Ett stycke som tas bort."),
    ("h2", "heading", 1, "Licenser"),
    ("p4", "paragraph", 1, "Välj en licens."),
]
V2 = [
    ("h1", "heading", 1, "Inledning"),
    ("p1", "paragraph", 1, "Myndigheter skapar <strong>väldigt</strong> mycket material."),
    ("p3", "paragraph", 1, "Ett helt nytt stycke om öppna licenser och data."),
    ("h2", "heading", 1, "Licenser"),
    ("p4", "paragraph", 1, "Välj en licens som passar materialet och mottagarna."),
    ("t1", "table", 1, "Licens\tAnvändning\nCC BY 4.0\tText och bilder"),
    ("p5", "paragraph", 1, "Sista stycket handlar om upphovsrätt."),
]


@pytest.fixture
def member(factory):
    return factory.user(email="maja@example.org", name="Maja Medlem", organisation="Kommun A")


@pytest.fixture
def doc(factory, editor):
    return factory.document(slug="oppna-licenser", title="Öppna licenser", versions=[V1, V2], editor=editor)


@pytest.fixture
def web_comment(app, doc, factory):
    """An open comment made on the web, which the pack carries as a Word comment."""
    other = factory.user(email="olle@example.org", name="Olle Annan", organisation="Region B")
    with app.app_context():
        comment_id = add_comment(doc, "p4", other, body="Gör det tydligare.")
        from app.review.models import Comment

        return db.session.get(Comment, comment_id).number


@pytest.fixture
def pack(app, doc, web_comment) -> bytes:
    """The tracked meeting pack of version 2 against version 1, as exported."""
    with app.app_context():
        document = db.session.get(Document, doc.id)
        return export_pack(
            {
                "document_id": document.id,
                "version_id": document.versions[1].id,
                "base_version_id": document.versions[0].id,
            }
        )
