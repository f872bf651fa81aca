"""Files handed to the browser: one way to send bytes as a named download."""

from __future__ import annotations

import io

from flask import Response, send_file
from werkzeug.http import generate_etag


def send_download(
    data: bytes, name: str, mimetype: str, *, etag: str | None = None, inline: bool = False
) -> Response:
    """*data* as the file *name*: an attachment (or *inline*), conditional on its ETag
    (*etag*, else one made from the bytes).

    Flask's ``send_file`` writes the Content-Disposition (an ASCII fallback name for old
    clients and the exact name in UTF-8, RFC 6266) and answers If-None-Match with a 304.
    """
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=not inline,
        download_name=name,
        etag=etag if etag is not None else generate_etag(data),
        conditional=True,
    )
