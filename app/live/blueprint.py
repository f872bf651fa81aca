"""The live blueprint: the event streams and the "is deciding" signal."""

from flask import Blueprint

bp = Blueprint("live", __name__)
