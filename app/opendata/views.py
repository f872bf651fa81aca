"""Open-data downloads of a published version, the page listing them, and the Atom feeds."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.api.serializers import CC0, block_json, iso, licence
from app.documents.loaders import get_document, published_version, ref_labels, version_blocks
from app.documents.models import Document, Version, VersionState, Visibility
from app.extensions import db, login_manager
from app.meetings.operations import PACK_LANGUAGE, version_compilation
from app.opendata.blueprint import bp
from app.opendata.formats import FeedEntry, MdBlock, atom_feed, blocks_markdown
from app.responses.outcome import outcome_file
from app.review.compilation import compilation_csv, compilation_json, labels
from app.review.threads import who_sees_what
from app.web.downloads import send_download

TEXT_FILES = {
    "text.md": ("text/markdown; charset=utf-8", _l("The text as Markdown")),
    "text.html": ("text/html; charset=utf-8", _l("The text as a web page (HTML)")),
    "text.json": ("application/json", _l("The text as JSON, block by block with references")),
}
COMMENT_FILES = {
    "comments.csv": ("text/csv; charset=utf-8", _l("Compilation of comments for Excel (CSV)")),
    "comments.json": ("application/json", _l("Compilation of comments (JSON)")),
}
# The outcome report (app.responses): responses are public records; comments in it follow the page's rules.
OUTCOME_FILES = {
    "outcome.json": (
        "application/json",
        _l("Outcome of the consultation: responses, positions, decisions (JSON)"),
    ),
    "outcome.csv": ("text/csv; charset=utf-8", _l("Responses by organisation for Excel (CSV)")),
}
FEED_TYPE = "application/atom+xml; charset=utf-8"
SITE_FEED_SIZE = 50
# The "updated" of an empty site's feed: any fixed moment will do, it only has to be stable.
FEED_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def comments_shown(document: Document) -> tuple[bool, bool]:
    """(comments downloadable, names included): exactly what the web page shows the visitor."""
    visible, names, _organisations = who_sees_what(document, current_user)
    return visible, names


def _file_name(document: Document, version: Version, name: str) -> str:
    stem, suffix = name.split(".")
    return f"{document.slug}-v{version.number}-{stem}.{suffix}"


def _download(body: bytes, content_type: str, file_name: str, licence_url: str) -> Response:
    response = send_download(body, file_name, content_type, inline=True)
    # The licence travels with every file, also where the format has no place for it (CSV).
    response.headers["Link"] = f'<{licence_url}>; rel="license"'
    return response


@bp.route("/d/<slug>/v/<int:number>/downloads")
def downloads(slug: str, number: int):
    """The open-data files of a published version, with their licences."""
    document, version = published_version(slug, number)
    comments_visible, names = comments_shown(document)
    return render_template(
        "opendata/downloads.html",
        document=document,
        version=version,
        text_files=TEXT_FILES,
        comment_files=COMMENT_FILES if comments_visible else {},
        outcome_files=OUTCOME_FILES,
        names=names,
        file_name=lambda name: _file_name(document, version, name),
        cc0=CC0,
    )


@bp.route("/d/<slug>/v/<int:number>/downloads/<name>")
def download(slug: str, number: int, name: str):
    """One open-data file of a published version."""
    document, version = published_version(slug, number)
    if name in TEXT_FILES:
        body = _text_file(document, version, name)
        return _download(body, TEXT_FILES[name][0], _file_name(document, version, name), document.licence_url)
    if name in COMMENT_FILES:
        comments_visible, names = comments_shown(document)
        if not comments_visible:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            abort(403)
        body = _comment_file(document, version, name, names)
        return _download(body, COMMENT_FILES[name][0], _file_name(document, version, name), CC0["url"])
    if name in OUTCOME_FILES:
        body = outcome_file(document, version, name, _about(document, version), current_user)
        return _download(body, OUTCOME_FILES[name][0], _file_name(document, version, name), CC0["url"])
    abort(404)


def _about(document: Document, version: Version) -> dict:
    return {
        "document": {"slug": document.slug, "title": document.title, "description": document.description},
        "version": {
            "number": version.number,
            "label": version.label,
            "state": version.state.value,
            "published_at": iso(version.published_at),
            "change_summary": version.change_summary,
        },
        "source": url_for("documents.version", slug=document.slug, number=version.number, _external=True),
    }


def _text_file(document: Document, version: Version, name: str) -> bytes:
    blocks = version_blocks(version)
    refs = ref_labels(blocks)
    if name == "text.json":
        data = {
            **_about(document, version),
            "licence": {"text": licence(document), "metadata": CC0},
            "blocks": [block_json(b, i, refs[b.uid]) for i, b in enumerate(blocks)],
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    source = url_for("documents.version", slug=document.slug, number=version.number, _external=True)
    if name == "text.html":
        return render_template(
            "opendata/text.html", document=document, version=version, blocks=blocks, source=source
        ).encode("utf-8")
    heading = [
        f"# {document.title}",
        "",
        _(
            "Version %(label)s (no. %(n)d), published %(date)s.",
            label=version.label,
            n=version.number,
            date=version.published_at.date().isoformat() if version.published_at else "–",
        ),
        "",
        _(
            "Licence: %(name)s (%(url)s). Source: %(source)s",
            name=document.licence_name,
            url=document.licence_url,
            source=source,
        ),
        "",
    ]
    body = blocks_markdown(
        [MdBlock(b.kind, b.level, b.text, b.ref.section if b.ref.is_heading else "") for b in blocks]
    )
    return ("\n".join(heading) + "\n" + body).encode("utf-8")


def _comment_file(document: Document, version: Version, name: str, names: bool) -> bytes:
    rows = version_compilation(version)
    if not names:
        # The visitor sees organisations but not names: the file must not say more than the page.
        rows = [replace(row, author="", decided_by="") for row in rows]
    strings = labels(PACK_LANGUAGE)
    if name == "comments.csv":
        return compilation_csv(rows, strings)
    about = {**_about(document, version), "licence": CC0, "names_included": names}
    return compilation_json(rows, strings, about)


# --------------------------------------------------------------------------- feeds


def _entry(document: Document, version: Version) -> FeedEntry:
    url = url_for("documents.version", slug=document.slug, number=version.number, _external=True)
    return FeedEntry(
        id=url,
        title=_("%(title)s: version %(label)s", title=document.title, label=version.label),
        url=url,
        updated=version.published_at or version.created_at,
        summary=version.change_summary or _("No change summary."),
    )


def _feed_response(body: bytes) -> Response:
    response = Response(body, content_type=FEED_TYPE)
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/d/<slug>/feed.atom")
def document_feed(slug: str):
    """New published versions of one document, with their change summaries."""
    document = get_document(slug)
    published = list(reversed(document.published_versions))
    return _feed_response(
        atom_feed(
            feed_id=url_for("opendata.document_feed", slug=slug, _external=True),
            title=_("%(title)s: new versions", title=document.title),
            self_url=url_for("opendata.document_feed", slug=slug, _external=True),
            html_url=url_for("documents.document", slug=slug, _external=True),
            updated=published[0].published_at if published else document.created_at,
            author="Remiss",
            entries=[_entry(document, v) for v in published],
            rights=_("Text licensed under %(name)s.", name=document.licence_name),
        )
    )


@bp.route("/feed.atom")
def site_feed():
    """The newest published versions of every document the reader may read."""
    query = (
        sa.select(Version)
        .join(Version.document)
        .options(so.contains_eager(Version.document))
        .where(Version.state != VersionState.DRAFT, Version.published_at.is_not(None))
        .order_by(Version.published_at.desc(), Version.id.desc())
        .limit(SITE_FEED_SIZE)
    )
    if not current_user.is_authenticated:
        query = query.where(Document.visibility == Visibility.PUBLIC)
    versions = list(db.session.scalars(query))
    newest = versions[0].published_at if versions else None
    if newest is None:
        newest = db.session.scalar(sa.select(sa.func.min(Document.created_at))) or FEED_EPOCH
    return _feed_response(
        atom_feed(
            feed_id=url_for("opendata.site_feed", _external=True),
            title=_("Remiss: new versions"),
            self_url=url_for("opendata.site_feed", _external=True),
            html_url=url_for("documents.index", _external=True),
            updated=newest,
            author="Remiss",
            entries=[_entry(v.document, v) for v in versions],
        )
    )
