"""The notifications blueprint; its routes live in views/."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
