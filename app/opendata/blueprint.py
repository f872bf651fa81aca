"""The open-data blueprint; its routes live in views.py."""

from flask import Blueprint

bp = Blueprint("opendata", __name__)
