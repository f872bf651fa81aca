"""The working draft: editing, importing, applying suggestions and publishing."""

from flask import Blueprint

bp = Blueprint("drafting", __name__)
