"""The API's routes: load (404) → check (401/403) → serialise. Every route is a GET."""

from __future__ import annotations

import re

from flask import jsonify, request, url_for

from app.api import serializers as s
from app.api.blueprint import bp
from app.api.errors import bad_parameter, not_found
from app.api.loaders import (
    int_arg,
    load_document,
    load_meeting,
    load_version,
    page_args,
    refuse,
    viewer,
    visible_versions,
)
from app.api.openapi import MAX_ID, openapi_document
from app.api.queries import block_rows, comment_page, readable_documents, readable_meetings
from app.compare.diff import diff_versions
from app.documents.loaders import ref_labels
from app.extensions import db
from app.meetings import operations as meeting_operations
from app.meetings.minutes import minutes_of
from app.meetings.models import Export
from app.meetings.permissions import can_download
from app.responses.outcome import load_outcome, load_records, outcome_json, record_json
from app.review.models import CommentStatus
from app.review.threads import who_sees_what
from app.web.downloads import send_download

# Bounds on page sizes: a page is answered in one go, so its size bounds the work.
DOCUMENTS_LIMIT = (50, 200)
BLOCKS_LIMIT = (500, 2000)
COMMENTS_LIMIT = (50, 200)
MEETINGS_LIMIT = (50, 200)
COMMENT_STATUSES = [status.value for status in CommentStatus]
LIST_FILTERS = ("limit", "status", "block")
# Block uids are made by documents.models.new_uid (hex); the bound keeps odd input from the database.
BLOCK_UID = re.compile(r"[0-9A-Za-z_-]{1,24}")


def listing(items: list, next_cursor: int | None, **extra):
    """The envelope of every list: items, and the cursor and URL of the next page (or null)."""
    next_url = None
    if next_cursor is not None:
        # Only the API's own filters travel on: url_for treats "_external" and the like specially.
        kept = {k: v for k, v in request.args.items() if k in LIST_FILTERS}
        args = {**kept, **(request.view_args or {}), "cursor": str(next_cursor)}
        next_url = url_for(request.endpoint, _external=True, **args)
    return jsonify(
        {
            **extra,
            "items": items,
            "next_cursor": str(next_cursor) if next_cursor is not None else None,
            "next": next_url,
        }
    )


@bp.route("/")
def index():
    """Where everything is."""
    return jsonify(
        {
            "documents": url_for("api.documents", _external=True),
            "meetings": url_for("api.meetings", _external=True),
            "openapi": url_for("api.openapi", _external=True),
            "docs": url_for("api_pages.docs", _external=True),
            "feed": url_for("opendata.site_feed", _external=True),
        }
    )


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(request.url_root.rstrip("/") + bp.url_prefix))


@bp.route("/documents")
def documents():
    """Documents the caller may read, by title."""
    page = page_args(*DOCUMENTS_LIMIT)
    rows, next_cursor = readable_documents(viewer(), page)
    return listing([s.document_json(d, visible_versions(d)) for d in rows], next_cursor)


@bp.route("/documents/<slug>")
def document(slug: str):
    """One document."""
    document = load_document(slug)
    return jsonify(s.document_json(document, visible_versions(document)))


@bp.route("/documents/<slug>/versions")
def versions(slug: str):
    """Every version of a document the caller may see, oldest first (not paged: a handful)."""
    document = load_document(slug)
    return jsonify({"items": [s.version_json(document, v) for v in visible_versions(document)]})


@bp.route(f"/documents/<slug>/versions/<int(max={MAX_ID}):number>")
def version(slug: str, number: int):
    """One version."""
    document = load_document(slug)
    return jsonify(s.version_json(document, load_version(document, number)))


@bp.route(f"/documents/<slug>/versions/<int(max={MAX_ID}):number>/blocks")
def blocks(slug: str, number: int):
    """A version's blocks in reading order, with references (one query for any size)."""
    document = load_document(slug)
    version = load_version(document, number)
    page = page_args(*BLOCKS_LIMIT)
    # Numbering needs every block before the page, so all are read and the page cut after.
    every = block_rows(version)
    labels = ref_labels(every)
    chunk = every[page.cursor : page.cursor + page.limit]
    items = [s.block_json(b, page.cursor + i, labels[b.uid]) for i, b in enumerate(chunk)]
    more = page.cursor + page.limit < len(every)
    return listing(items, page.cursor + page.limit if more else None, total=len(every))


@bp.route(f"/documents/<slug>/versions/<int(max={MAX_ID}):number>/comments")
def comments(slug: str, number: int):
    """Top-level comments made on a version, with replies, endorsements and decisions."""
    document = load_document(slug)
    version = load_version(document, number)
    page = page_args(*COMMENTS_LIMIT)
    status = request.args.get("status")
    if status is not None and status not in COMMENT_STATUSES:
        raise bad_parameter("status", "status must be one of " + ", ".join(COMMENT_STATUSES) + ".")
    block_uid = request.args.get("block")
    if block_uid is not None and not BLOCK_UID.fullmatch(block_uid):
        raise bad_parameter("block", "block must be a block uid (letters, digits, - and _).")
    visible, names, organisations = who_sees_what(document, viewer())
    if not visible:
        raise refuse("Comments on this document are shown to signed-in network members only.")
    found = comment_page(
        document,
        version,
        page,
        status=CommentStatus(status) if status not in (None, "withdrawn") else status,
        block_uid=block_uid,
    )
    numbers = {v.id: v.number for v in document.versions}
    items = [
        s.comment_json(
            c,
            version_numbers=numbers,
            replies=found.replies.get(c.id, []),
            endorsements=found.endorsements.get(c.id, 0),
            deciders=found.deciders,
            originals=found.originals,
            show_names=names,
            show_organisations=organisations,
        )
        for c in found.comments
    ]
    return listing(items, found.next_cursor, names_shown=names)


@bp.route(f"/documents/<slug>/versions/<int(max={MAX_ID}):number>/responses")
def responses(slug: str, number: int):
    """Every submitted response to a version and every one it replaced, newest first."""
    document = load_document(slug)
    version = load_version(document, number)
    _visible, names, _organisations = who_sees_what(document, viewer())
    return jsonify({"items": [record_json(r) for r in load_records(version, names)]})


@bp.route(f"/documents/<slug>/versions/<int(max={MAX_ID}):number>/outcome")
def outcome(slug: str, number: int):
    """The outcome report of a version: responses, positions per section, decisions on comments."""
    document = load_document(slug)
    version = load_version(document, number)
    visible, names, _organisations = who_sees_what(document, viewer())
    about = {
        "document": document.slug,
        "version": version.number,
        "label": version.label,
        "html": url_for("responses.outcome", slug=document.slug, number=version.number, _external=True),
    }
    return jsonify(outcome_json(load_outcome(document, version, visible, names), about))


@bp.route("/documents/<slug>/diff")
def diff(slug: str):
    """Version ``from`` against version ``to``, block by block with word operations."""
    document = load_document(slug)
    old_number = int_arg("from", required=True)
    new_number = int_arg("to", required=True)
    old, new = load_version(document, old_number), load_version(document, new_number)
    old_blocks, new_blocks = block_rows(old), block_rows(new)
    result = diff_versions(old_blocks, new_blocks)
    return jsonify(s.diff_json(document, old, new, result, ref_labels(old_blocks), ref_labels(new_blocks)))


@bp.route("/documents/<slug>/meetings")
def document_meetings(slug: str):
    """The meetings of one document."""
    document = load_document(slug)
    rows, next_cursor = readable_meetings(viewer(), page_args(*MEETINGS_LIMIT), document)
    return listing([s.meeting_json(m) for m in rows], next_cursor)


@bp.route("/meetings")
def meetings():
    """Meetings of the documents the caller may read, by start time."""
    rows, next_cursor = readable_meetings(viewer(), page_args(*MEETINGS_LIMIT))
    return listing([s.meeting_json(m) for m in rows], next_cursor)


@bp.route(f"/meetings/<int(max={MAX_ID}):meeting_id>")
def meeting(meeting_id: int):
    """A meeting and the files of its pack."""
    meeting = load_meeting(meeting_id)
    downloadable = meeting.document is not None and can_download(meeting.document, viewer())
    numbers = {v.id: v.number for v in meeting.document.versions} if meeting.document else {}
    exports = sorted(meeting.exports, key=lambda e: (-e.created_at.timestamp(), e.id))
    data = s.meeting_json(meeting, [s.export_json(e, downloadable, numbers) for e in exports])
    # Published minutes only, never a draft, whoever asks (issue 25, point 5).
    data["minutes"] = s.minutes_json(minutes_of(meeting) if meeting.minutes_published_at else None)
    return jsonify(data)


@bp.route(f"/exports/<int(max={MAX_ID}):export_id>/file")
def export_file(export_id: int):
    """One file of a meeting pack; it names every commenter, so only where names are shown."""
    export = db.session.get(Export, export_id)
    if export is None or export.meeting.document is None or not export.meeting.series.can_read(viewer()):
        raise not_found("export")
    document = load_document(export.meeting.document.slug)
    if not can_download(document, viewer()):
        raise refuse("The meeting pack names every commenter: send an API token.")
    data = meeting_operations.export_bytes(export)
    if data is None:
        raise not_found("file")
    media_type = meeting_operations.MEDIA_TYPES[export.kind]
    return send_download(data, export.file_name, media_type, etag=export.sha256)
