"""The yardstick of bench_visitor.py: the least a Flask page showing the demo document can do.

It reads the current version's paragraphs from the same SQLite file the app uses (one
connection per request, as Flask's tutorial does) and prints them. gunicorn serves it as
``_minimal:app`` with ``MINIMAL_DATABASE`` naming the file.
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, g

app = Flask(__name__)
DATABASE = os.environ.get("MINIMAL_DATABASE", "")
QUERY = """
    SELECT block_revision.text FROM block_revision
    WHERE block_revision.version_id = (
        SELECT version.id FROM version JOIN document ON document.id = version.document_id
        WHERE document.slug = ? AND version.state != 'draft'
        ORDER BY version.number DESC LIMIT 1
    )
    ORDER BY block_revision.position
"""


def connection() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
    return g.db


@app.teardown_appcontext
def close(_error) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.route("/d/<slug>")
def page(slug: str):
    rows = connection().execute(QUERY, (slug,)).fetchall()
    body = "\n".join(f"<p>{text}</p>" for (text,) in rows)
    return f"<!doctype html><html lang=sv><title>{slug}</title><body>{body}</body></html>"


@app.route("/healthz")
def health():
    return "ok"
