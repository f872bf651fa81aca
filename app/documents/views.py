"""The document list. The reading page, made of documents and their comments, is app.pages.reading."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from app.documents.blueprint import bp
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
