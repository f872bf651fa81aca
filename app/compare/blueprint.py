"""The compare blueprint; its routes live in views.py."""

from flask import Blueprint

bp = Blueprint("compare", __name__)
