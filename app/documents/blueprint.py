"""The documents blueprint; its routes live in views.py."""

from flask import Blueprint

bp = Blueprint("documents", __name__)
