"""The documents blueprint, and the template filter that lays out a table block."""

from flask import Blueprint

from app.richtext import table_rows

bp = Blueprint("documents", __name__)
bp.add_app_template_filter(table_rows, "table_rows")
