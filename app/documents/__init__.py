"""Documents: the document list, the reading view, versions and block numbering."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from app.documents import views  # noqa: E402,F401
