"""The responses blueprint; its routes live in views.py."""

from flask import Blueprint

bp = Blueprint("responses", __name__)
