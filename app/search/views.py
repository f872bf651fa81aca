"""The results page /search and the API's /api/v1/search: the same checks, the same queries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.api.blueprint import bp as api_bp
from app.api.errors import bad_parameter
from app.documents.models import VersionState
from app.review.labels import KIND_LABELS, STATUS_LABELS
from app.review.models import CommentKind, CommentStatus
from app.search import index as _index  # noqa: F401  (the session events that keep the index right)
from app.search.blueprint import bp
from app.search.query import MAX_LENGTH, MAX_TERMS, Query, QueryError, parse, snippet
from app.search.results import (
    KINDS,
    STATUSES,
    WHAT,
    Filters,
    Reader,
    filter_choices,
    search_blocks,
    search_comments,
    shows_names,
)

PAGE_SIZE = 20
# Both kinds on one page: this many of each, with a link to all of them.
PREVIEW = 10
MAX_PAGE = 500
API_LIMIT = (20, 50)

MESSAGES = {
    "empty": _l("Type one or more words to search for."),
    "no_words": _l("The search has no words in it: type letters or digits."),
    "stop_words": _l(
        "The search only has very common words (such as “och”, “att”, “det”), which are left out of "
        "searches. Add a word that says what you are looking for."
    ),
    "too_long": _l("The search is too long: at most %(n)d characters.", n=MAX_LENGTH),
    "too_many": _l("The search has too many words: at most %(n)d.", n=MAX_TERMS),
    "invalid": _l("The search contains characters that cannot be searched for."),
}
# The API's messages are English, like the rest of its errors.
# Well-formed queries that just have nothing to search for: the API answers them with no results.
ANSWERED = {"no_words", "stop_words", "too_many"}
API_MESSAGES = {
    "empty": "Give the words to search for.",
    "no_words": "The query has no words (letters or digits).",
    "stop_words": "The query has only stop words, which are not searched.",
    "too_long": f"The query is too long (at most {MAX_LENGTH} characters).",
    "too_many": f"The query has too many words (at most {MAX_TERMS}).",
    "invalid": "The query contains control characters.",
}


@dataclass
class TextHit:
    document: str
    title: str
    version: str
    draft: bool
    ref: str
    snippet: Markup
    url: str


@dataclass
class CommentHit:
    document: str
    title: str
    version: str
    number: int
    reply: bool
    kind: str
    status: str
    withdrawn: bool
    hidden: bool
    author: str | None
    organisation: str
    snippet: Markup
    url: str


def _ref_label(section: str, paragraph: int | None) -> str:
    """As documents.loaders.ref_labels says it: "3.2" for a heading, "3.2 ¶4" (sv "3.2 st. 4")."""
    if paragraph is None:
        return section
    if section:
        return _("%(section)s ¶%(n)d", section=section, n=paragraph)
    return _("¶%(n)d", n=paragraph)


def _text_hits(page, query: Query, external: bool = False) -> list[TextHit]:
    return [
        TextHit(
            document=row.slug,
            title=row.title,
            version=row.label,
            draft=row.state is VersionState.DRAFT,
            ref=_ref_label(row.ref_section, row.ref_paragraph),
            snippet=snippet(row.text, query.keys),
            url=(
                url_for("drafting.draft", slug=row.slug, _external=external, _anchor=f"b-{row.uid}")
                if row.state is VersionState.DRAFT
                else url_for(
                    "documents.version",
                    slug=row.slug,
                    number=row.number,
                    _external=external,
                    _anchor=f"b-{row.uid}",
                )
            ),
        )
        for row in page.rows
    ]


def _comment_hits(page, query: Query, reader: Reader, external: bool = False) -> list[CommentHit]:
    hits = []
    for row in page.rows:
        if row.uid:
            url = url_for(
                "review.block_comments",
                slug=row.slug,
                number=row.number,
                uid=row.uid,
                _external=external,
                _anchor=f"c-{row.comment_number}",
            )
        else:
            url = url_for(
                "documents.version",
                slug=row.slug,
                number=row.number,
                _external=external,
                _anchor=f"c-{row.comment_number}",
            )
        hits.append(
            CommentHit(
                document=row.slug,
                title=row.title,
                version=row.label,
                number=row.comment_number,
                reply=row.parent_id is not None,
                kind=row.kind.value,
                status=CommentStatus.WITHDRAWN.value if row.withdrawn_at else row.status.value,
                withdrawn=row.withdrawn_at is not None,
                hidden=row.hidden_at is not None,
                author=row.author if shows_names(row, reader) else None,
                organisation=row.organisation,
                snippet=snippet(row.text, query.keys),
                url=url,
            )
        )
    return hits


def _int(value: str | None, low: int = 0, high: int = 2_147_483_647) -> int | None:
    """A whole number within bounds, or None for anything else (missing, words, huge numbers)."""
    if value is None or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if low <= number <= high else None


# Control characters cannot be in a slug or a name, and PostgreSQL refuses a NUL in any text parameter:
# the page reads a filter without them; the API refuses one that has them, as its description says.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _slug_filter(value: str | None) -> str | None:
    """A document filter as a slug can be: no control characters, no surrounding space, 80 at most."""
    return _CONTROL.sub("", value or "").strip()[:80] or None


def _page_filters(args) -> tuple[Filters, int]:
    """The page's filters from the URL; anything unknown is ignored rather than refused."""
    what = args.get("what", "all")
    document = _slug_filter(args.get("document"))
    filters = Filters(
        what=what if what in WHAT else "all",
        document=document,
        version=_int(args.get("version")) if document else None,
        status=args.get("status") if args.get("status") in STATUSES else None,
        kind=args.get("kind") if args.get("kind") in KINDS else None,
        organisation_id=_int(args.get("organisation"), 1),
    )
    return filters, _int(args.get("page"), 1, MAX_PAGE) or 1


@bp.route("/search")
def search():
    """The results page; works without JavaScript (a GET form)."""
    raw = request.args.get("q", "")
    reader = Reader.of(current_user)
    filters, page_number = _page_filters(request.args)
    context = {
        "q": raw if "\x00" not in raw else raw.replace("\x00", ""),
        "filters": filters,
        "choices": filter_choices(reader, filters.document),
        "statuses": {s.value: str(STATUS_LABELS[s]) for s in CommentStatus},
        "kinds": {k.value: str(KIND_LABELS[k]) for k in CommentKind},
        "reader": reader,
        "error": None,
        "text": None,
        "comments": None,
        "page": page_number,
        "page_size": PAGE_SIZE,
    }
    kept = {
        "q": context["q"],
        "what": filters.what if filters.what != "all" else None,
        "document": filters.document,
        "version": filters.version,
        "status": filters.status,
        "kind": filters.kind,
        "organisation": filters.organisation_id,
    }

    def link(**changes) -> str:
        """This search's URL with some parameters changed (None drops one)."""
        args = {k: v for k, v in {**kept, **changes}.items() if v is not None}
        return url_for("search.search", **args)

    context["link"] = link
    if "q" not in request.args:
        return render_template("search/results.html", **context)
    try:
        query = parse(raw)
    except QueryError as error:
        context["error"] = MESSAGES[error.code]
        return render_template("search/results.html", **context), 400 if raw.strip() else 200
    if filters.what == "all":
        limit, offset = PREVIEW, 0
    else:
        limit, offset = PAGE_SIZE, (page_number - 1) * PAGE_SIZE
    if filters.what in ("all", "text"):
        found = search_blocks(query, reader, filters, limit, offset)
        context["text"] = (_text_hits(found, query), found.total)
    if filters.what in ("all", "comments"):
        found = search_comments(query, reader, filters, limit, offset)
        context["comments"] = (_comment_hits(found, query, reader), found.total)
    return render_template("search/results.html", **context)


def _api_name(value: str, longest: int) -> str | None:
    """*value* as given, or None when it is blank, too long or holds a control character."""
    if not value.strip() or len(value) > longest or _CONTROL.search(value):
        return None
    return value


def _api_filters(args) -> Filters:
    """The API's filters: anything given but wrong is a 400 naming it."""
    what = args.get("type", "all")
    if what not in WHAT:
        raise bad_parameter("type", "One of: " + ", ".join(WHAT) + ".")
    filters = Filters(what=what)
    if "document" in args:
        filters.document = _api_name(args["document"], 80)
        if filters.document is None:
            raise bad_parameter("document", "A document's slug.")
    if "version" in args:
        filters.version = _int(args["version"])
        if filters.version is None:
            raise bad_parameter("version", "A version number.")
        # A version number means something within a document only: without one it is ignored.
    for name, allowed in (("status", STATUSES), ("kind", KINDS)):
        if name in args:
            if args[name] not in allowed:
                raise bad_parameter(name, "One of: " + ", ".join(allowed) + ".")
            setattr(filters, name, args[name])
    if "organisation" in args:
        filters.organisation_name = _api_name(args["organisation"], 200)
        if filters.organisation_name is None:
            raise bad_parameter("organisation", "An organisation's name.")
    return filters


@api_bp.route("/search")
def api_search():
    """Search as the token's user (or as a visitor): text and comments, with the page's rules."""
    args = request.args
    notice = None
    try:
        query = parse(args.get("q"))
    except QueryError as error:
        if error.code not in ANSWERED:
            raise bad_parameter("q", API_MESSAGES[error.code]) from None
        query, notice = None, API_MESSAGES[error.code]
    filters = _api_filters(args)
    limit = API_LIMIT[0]
    if "limit" in args:
        limit = _int(args["limit"], 1, API_LIMIT[1])
        if limit is None:
            raise bad_parameter("limit", f"A whole number from 1 to {API_LIMIT[1]}.")
    offset = 0
    if "cursor" in args:
        offset = _int(args["cursor"], 0, 999_999_999)
        if offset is None or len(args["cursor"]) > 9:
            raise bad_parameter("cursor", "Take next_cursor from the previous page.")
    reader = Reader.of(current_user)
    body: dict = {"query": args.get("q"), "text": None, "comments": None, "notice": notice}
    if query is None:
        # Nothing to search for: an empty answer that says why, not an error.
        empty = {"total": 0, "items": []}
        body["text"] = empty if filters.what in ("all", "text") else None
        body["comments"] = empty if filters.what in ("all", "comments") else None
        body["next_cursor"] = None
        return jsonify(body)
    more = False
    if filters.what in ("all", "text"):
        found = search_blocks(query, reader, filters, limit, offset)
        body["text"] = {
            "total": found.total,
            "items": [
                {
                    "document": hit.document,
                    "document_title": hit.title,
                    "version": row.number,
                    "version_label": hit.version,
                    "draft": hit.draft,
                    "block_uid": row.uid,
                    "ref": hit.ref,
                    "snippet_html": str(hit.snippet),
                    "html": hit.url,
                }
                for hit, row in zip(_text_hits(found, query, external=True), found.rows, strict=True)
            ],
        }
        more = more or found.total > offset + limit
    if filters.what in ("all", "comments"):
        found = search_comments(query, reader, filters, limit, offset)
        body["comments"] = {
            "total": found.total,
            "items": [
                {
                    "document": hit.document,
                    "document_title": hit.title,
                    "version": row.number,
                    "number": hit.number,
                    "reply": hit.reply,
                    "kind": hit.kind,
                    "status": hit.status,
                    "hidden": hit.hidden,
                    "author": {"name": hit.author, "organisation": hit.organisation},
                    "snippet_html": str(hit.snippet),
                    "html": hit.url,
                }
                for hit, row in zip(
                    _comment_hits(found, query, reader, external=True), found.rows, strict=True
                )
            ],
        }
        more = more or found.total > offset + limit
    body["next_cursor"] = str(offset + limit) if more else None
    return jsonify(body)
