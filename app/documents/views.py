"""The document list and the reading view."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for
from flask_login import current_user

from app.documents import bp
from app.documents.loaders import get_document, get_version, version_blocks
from app.documents.models import Document, Visibility
from app.extensions import db


@bp.route("/")
def index():
    """Every document the visitor may read."""
    query = sa.select(Document).order_by(Document.title)
    if not current_user.is_authenticated:
        query = query.where(Document.visibility == Visibility.PUBLIC)
    documents = db.session.scalars(query).all()
    return render_template("documents/index.html", documents=documents)


@bp.route("/d/<slug>")
def document(slug: str):
    """The current published version of a document."""
    document = get_document(slug)
    wanted = request.args.get("v", type=int)
    if wanted is not None:
        return redirect(url_for("documents.version", slug=slug, number=wanted))
    version = document.current_version
    if version is None:
        return render_template("documents/empty.html", document=document)
    return _render_version(document, version)


@bp.route("/d/<slug>/v/<int:number>")
def version(slug: str, number: int):
    """One version of a document, by number (a permalink)."""
    document = get_document(slug)
    return _render_version(document, get_version(document, number))


def _render_version(document, version):
    blocks = version_blocks(version)
    return render_template(
        "documents/version.html",
        document=document,
        version=version,
        blocks=blocks,
        is_current=version is document.current_version,
    )
