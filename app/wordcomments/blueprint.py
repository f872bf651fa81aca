"""The blueprint of comments sent back in Word files."""

from flask import Blueprint

bp = Blueprint("wordcomments", __name__)
