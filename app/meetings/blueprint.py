"""The meetings blueprint; its routes live in views.py."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
