"""The accounts blueprint; its routes live in views.py."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)
