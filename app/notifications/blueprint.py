"""The notifications blueprint; its routes live in views.py."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
