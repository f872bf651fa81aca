"""The OpenAPI 3.1 description of the API, kept next to the code (tests run schemathesis against it)."""

from __future__ import annotations

import copy
from functools import cache

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.review.labels import STATUS_LABELS
from app.review.models import CommentStatus

# Largest id or number a path accepts (the routes use the same bound), so a huge number is a
# plain 404 rather than an overflow in the database driver.
MAX_ID = 2_147_483_647
EXAMPLE_SLUG = "oppna-licenser"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _obj(required_and_props: dict, **extra) -> dict:
    """An object whose listed properties are all required and nothing else is allowed."""
    return {
        "type": "object",
        "required": list(required_and_props),
        "properties": required_and_props,
        "additionalProperties": False,
        **extra,
    }


STRING = {"type": "string"}
N_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
N_DATETIME = {"type": ["string", "null"], "format": "date-time"}
INTEGER = {"type": "integer"}
N_INTEGER = {"type": ["integer", "null"]}
BOOLEAN = {"type": "boolean"}
URL = {"type": "string", "format": "uri"}
N_URL = {"type": ["string", "null"], "format": "uri"}
KIND = {"type": "string", "enum": ["heading", "paragraph", "bullet", "number", "quote", "table"]}
STATUSES = [status.value for status in CommentStatus]


def _status_names() -> str:
    """Every status with its one name (app.review.labels: the pages, files and e-mail say the same)."""
    return _(
        "The statuses by name: %(names)s.",
        names="; ".join(f"`{s.value}`: {STATUS_LABELS[s]}" for s in CommentStatus),
    )


def _with_status_names(text) -> LazyString:
    """*text* followed by every status's name, both in the language of the moment."""
    return LazyString(lambda: f"{text} {_status_names()}")


# A comment's status: the machine value, described with the name people read.
STATUS = {"type": "string", "enum": STATUSES, "description": _with_status_names(_l("The editors' decision."))}
# A search: something besides white space, and no control characters.
_NOT_CONTROL = "[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]"
SEARCH_PATTERN = f"^{_NOT_CONTROL}*[^\\s\\u0000-\\u001F\\u007F-\\u009F]{_NOT_CONTROL}*$"
# A name to filter by (a slug, an organisation): something besides white space, no control character at all.
_NO_CONTROL = "[^\\u0000-\\u001F\\u007F-\\u009F]"
NAME_PATTERN = f"^{_NO_CONTROL}*[^\\s\\u0000-\\u001F\\u007F-\\u009F]{_NO_CONTROL}*$"
POSITION = {"type": "string", "enum": ["supports", "supports_with_comments", "opposes", "abstains"]}


def _list_of(item: str, **extra_props) -> dict:
    return _obj(
        {
            **extra_props,
            "items": {"type": "array", "items": _ref(item)},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
            "next": {**N_URL, "description": "The URL of the next page; null on the last page."},
        }
    )


SCHEMAS: dict = {
    "Error": _obj(
        {
            "error": _obj(
                {
                    "code": {
                        "type": "string",
                        "description": "Stable machine-readable code, e.g. `not_found`, "
                        "`invalid_parameter`, `authentication_required`, `invalid_token`.",
                    },
                    "message": {"type": "string", "description": "Human-readable explanation (English)."},
                    "parameter": {
                        "type": ["string", "null"],
                        "description": "The query parameter at fault, for `invalid_parameter`.",
                    },
                }
            )
        }
    ),
    "Index": _obj({"documents": URL, "meetings": URL, "openapi": URL, "docs": URL, "feed": URL}),
    "Licence": _obj({"id": STRING, "name": STRING, "url": N_URL}),
    "Document": _obj(
        {
            "slug": STRING,
            "title": STRING,
            "description": STRING,
            "visibility": {"type": "string", "enum": ["public", "network"]},
            "comment_visibility": {
                "type": "string",
                "enum": ["none", "organisation", "full"],
                "description": "What visitors without a token see of comments: nothing, organisations, "
                "or names too.",
            },
            "licence": _ref("Licence"),
            "current_version": {**N_INTEGER, "description": "The newest published version's number."},
            "versions": {
                "type": "array",
                "items": INTEGER,
                "description": "Numbers of the visible versions.",
            },
            "created_at": DATETIME,
            "links": _obj({"self": URL, "versions": URL, "html": URL, "feed": URL}),
        }
    ),
    "DocumentList": _list_of("Document"),
    "Version": _obj(
        {
            "document": STRING,
            "number": INTEGER,
            "label": STRING,
            "state": {"type": "string", "enum": ["draft", "open", "closed"]},
            "change_summary": STRING,
            "deadline": N_DATETIME,
            "published_at": N_DATETIME,
            "accepts_comments": BOOLEAN,
            "links": _obj(
                {
                    "self": URL,
                    "blocks": URL,
                    "comments": URL,
                    "html": URL,
                    "downloads": {**N_URL, "description": "Open-data downloads (published versions)."},
                    "diff_from_previous": N_URL,
                }
            ),
        }
    ),
    "VersionList": _obj({"items": {"type": "array", "items": _ref("Version")}}),
    "Ref": _obj(
        {
            "label": {"type": "string", "description": 'As people say it: "3.2" or "3.2 ¶4" (localised).'},
            "section": {"type": "string", "description": 'Section number, "" before the first heading.'},
            "paragraph": {**N_INTEGER, "description": "Place within the section; null for headings."},
        }
    ),
    "Block": _obj(
        {
            "uid": {"type": "string", "description": "Stable across versions; comments anchor to it."},
            "position": INTEGER,
            "ref": _ref("Ref"),
            "kind": KIND,
            "level": {"type": "integer", "minimum": 1, "maximum": 3},
            "text": {
                "type": "string",
                "description": "Plain text; table cells split by tabs, rows by newlines.",
            },
            "html": {
                "type": "string",
                "description": "Sanitised HTML: inline `strong`, `em`, `a href`; a `table` for tables.",
            },
        }
    ),
    "BlockList": _list_of("Block", total={"type": "integer", "description": "Blocks in the version."}),
    "Person": _obj(
        {
            "name": {**N_STRING, "description": "Null where the web page does not show names."},
            "organisation": N_STRING,
        }
    ),
    "Reply": _obj(
        {
            "number": INTEGER,
            "author": _ref("Person"),
            "body": {
                **N_STRING,
                "description": (
                    "Markdown source; null if hidden by a moderator. A mention of a member is the token "
                    "@[user:<id>]; body_html shows it as the member's name."
                ),
            },
            "body_html": N_STRING,
            "created_at": DATETIME,
            "edited_at": N_DATETIME,
            "withdrawn": BOOLEAN,
            "hidden": BOOLEAN,
        }
    ),
    "Decision": _obj(
        {
            "status": STATUS,
            "response": N_STRING,
            "response_html": N_STRING,
            "decided_at": N_DATETIME,
            "decided_by": N_STRING,
            "duplicate_of": {**N_INTEGER, "description": "Number of the original comment."},
            "resolved_in_version": N_INTEGER,
        }
    ),
    "Comment": _obj(
        {
            "number": {"type": "integer", "description": "Per document, as said in meetings (#12)."},
            "version": INTEGER,
            "block_uid": {**N_STRING, "description": "Null for a comment on the version as a whole."},
            "kind": {"type": "string", "enum": ["comment", "question", "suggestion"]},
            "status": STATUS,
            "author": _ref("Person"),
            "body": N_STRING,
            "body_html": N_STRING,
            "quote": {
                **N_STRING,
                "description": "The words of the paragraph the comment points at. For a suggestion "
                "it only points: the suggestion is always the whole paragraph.",
            },
            "suggestion": {
                **N_STRING,
                "description": "A suggestion's proposal: the whole paragraph as the member would have "
                "it, as plain text (null for other comments and hidden ones).",
            },
            "suggestion_html": {
                **N_STRING,
                "description": "The proposed paragraph as stored rich text (strong, em, a href).",
            },
            "suggestion_base": {
                **N_STRING,
                "description": "The text of the paragraph the suggestion was made on (the published "
                "revision of the version it was made on), as plain text.",
            },
            "suggestion_base_html": {**N_STRING, "description": "The same, as stored rich text."},
            "suggestion_ops": {
                "oneOf": [{"type": "array", "items": _ref("WordOp")}, {"type": "null"}],
                "description": "The word operations that turn suggestion_base into the proposal "
                "(joined in order they give both texts): the diff the pages show.",
            },
            "created_at": DATETIME,
            "edited_at": N_DATETIME,
            "withdrawn": BOOLEAN,
            "hidden": BOOLEAN,
            "endorsements": {"type": "integer", "minimum": 0},
            "decision": _nullable(_ref("Decision")),
            "replies": {"type": "array", "items": _ref("Reply")},
        }
    ),
    "CommentList": _list_of(
        "Comment", names_shown={"type": "boolean", "description": "Whether author names are included."}
    ),
    "WordOp": _obj(
        {
            "op": {"type": "string", "enum": ["equal", "insert", "delete"]},
            "text": STRING,
            "html": STRING,
        }
    ),
    "Side": _obj({"kind": KIND, "level": INTEGER, "text": STRING, "html": STRING}),
    "BlockChange": _obj(
        {
            "uid": STRING,
            "status": {"type": "string", "enum": ["unchanged", "modified", "added", "removed", "moved"]},
            "moved": {"type": "boolean", "description": "Also true for a moved block that was edited."},
            "replaced": {
                "type": "boolean",
                "description": "Shown whole (a table that changed shape): no ops or cells.",
            },
            "ref_old": N_STRING,
            "ref_new": N_STRING,
            "old": _nullable(_ref("Side")),
            "new": _nullable(_ref("Side")),
            "ops": {"type": "array", "items": _ref("WordOp")},
            "cells": {
                "description": "Tables: rows of cells of word operations.",
                "oneOf": [
                    {
                        "type": "array",
                        "items": {"type": "array", "items": {"type": "array", "items": _ref("WordOp")}},
                    },
                    {"type": "null"},
                ],
            },
        }
    ),
    "Diff": _obj(
        {
            "document": STRING,
            "from": INTEGER,
            "to": INTEGER,
            "counts": _obj(dict.fromkeys(("unchanged", "modified", "added", "removed", "moved"), INTEGER)),
            "blocks": {"type": "array", "items": _ref("BlockChange")},
        }
    ),
    "Export": _obj(
        {
            "id": INTEGER,
            "kind": {"type": "string", "enum": ["tracked", "clean", "csv", "json"]},
            "file_name": STRING,
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "size": INTEGER,
            "version": N_INTEGER,
            "base_version": N_INTEGER,
            "created_at": DATETIME,
            "download": {**N_URL, "description": "Null unless the caller may see commenters' names."},
        }
    ),
    "Meeting": {
        "type": "object",
        "required": [
            "id",
            "title",
            "series",
            "subject",
            "description",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "place",
            "cancelled",
            "sequence",
            "signups",
            "speakers",
            "document",
            "version",
            "base_version",
            "agenda_published",
            "agenda",
            "agenda_html",
            "agenda_items",
            "links",
        ],
        "properties": {
            "id": INTEGER,
            "title": STRING,
            "series": _obj({"id": INTEGER, "title": STRING}),
            "subject": STRING,
            "description": STRING,
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "duration_minutes": INTEGER,
            "place": {**STRING, "description": "An address or room; the video link is never here."},
            "cancelled": BOOLEAN,
            "sequence": {**INTEGER, "description": "Raised on every change (the iCalendar SEQUENCE)."},
            "signups": {
                **_obj({"signed_up": INTEGER, "waiting": INTEGER, "capacity": N_INTEGER}),
                "description": "Counts, never names: confirmed places taken, the waiting list, and the "
                "places (null: no limit). Guests count once their address is confirmed.",
            },
            "speakers": {
                "type": "array",
                "items": _obj({"name": STRING, "title": STRING, "organisation": STRING}),
            },
            "document": {**N_STRING, "description": "Null when the meeting presents no draft."},
            "version": N_INTEGER,
            "base_version": N_INTEGER,
            "agenda_published": BOOLEAN,
            "agenda": {**STRING, "description": "Empty until the agenda is published."},
            "agenda_html": STRING,
            "agenda_items": {
                "type": "array",
                "items": _ref("AgendaItem"),
                "description": "The agenda's items in order; empty until the agenda is published.",
            },
            "links": _obj({"self": URL, "html": URL, "ics": URL, "series": URL}),
            "exports": {
                "type": "array",
                "items": _ref("Export"),
                "description": "Only when one meeting is fetched.",
            },
            "minutes": {
                "oneOf": [_ref("Minutes"), {"type": "null"}],
                "description": "Only when one meeting is fetched; null until the minutes are published.",
            },
        },
        "additionalProperties": False,
    },
    "Minutes": _obj(
        {
            "published_at": DATETIME,
            "updated_at": {**DATETIME, "description": "Later than published_at after a correction."},
            "attendance": {**INTEGER, "description": "How many attended: a count, never names."},
            "minutes_html": {**STRING, "description": "The general minutes (sanitised HTML)."},
            "items": {
                "type": "array",
                "items": _obj({"id": INTEGER, "title": STRING, "minutes_html": STRING}),
                "description": "The agenda items in order, with their minutes (sanitised HTML).",
            },
            "decisions": {
                "type": "array",
                "items": _obj({"text": STRING, "agenda_item": _ref("MinutesItem")}),
            },
            "action_points": {
                "type": "array",
                "items": _obj(
                    {
                        "id": INTEGER,
                        "what": STRING,
                        "owner": {**STRING, "description": "The owner's name as the minutes give it."},
                        "due_on": {"type": ["string", "null"], "format": "date"},
                        "status": {"type": "string", "enum": ["open", "done", "dropped"]},
                        "overdue": BOOLEAN,
                        "agenda_item": _ref("MinutesItem"),
                    }
                ),
            },
            "links": _obj({"html": URL, "docx": URL}),
        }
    ),
    "MinutesItem": {
        "oneOf": [_obj({"id": INTEGER, "title": STRING}), {"type": "null"}],
        "description": "The agenda item it belongs to; null for the meeting as a whole.",
    },
    "MeetingList": _list_of("Meeting"),
    "AgendaItem": _obj(
        {
            "position": {**INTEGER, "description": "1 for the first item."},
            "title": STRING,
            "description": STRING,
            "starts_at": {**N_DATETIME, "description": "UTC; shown in Swedish time. Null: no start time."},
            "ends_at": {
                **N_DATETIME,
                "description": "Its start plus its duration, else the next item's start, else the "
                "meeting's end (the last item); null when not known.",
            },
            "duration_minutes": N_INTEGER,
            "presenter": STRING,
            "link": {
                "type": ["object", "null"],
                "description": "At most one: a version of the meeting's document (`version`, its "
                "number), a topic of the series (`topic`, its id) or an attachment (slides as PDF: "
                "`file_name`, `size`, `sha256`, `download`).",
                "required": ["type"],
                "properties": {
                    "type": {"type": "string", "enum": ["version", "topic", "attachment"]},
                    "version": INTEGER,
                    "topic": INTEGER,
                    "file_name": STRING,
                    "size": INTEGER,
                    "sha256": STRING,
                    "download": URL,
                },
                "additionalProperties": False,
            },
        }
    ),
    "SearchTextHit": _obj(
        {
            "document": STRING,
            "document_title": STRING,
            "version": INTEGER,
            "version_label": STRING,
            "draft": {**BOOLEAN, "description": "Only editors find text in drafts."},
            "block_uid": STRING,
            "ref": {"type": "string", "description": 'As people say it: "3.2 ¶4" (localised).'},
            "snippet_html": {
                "type": "string",
                "description": "Escaped text around the match, matches in `mark`.",
            },
            "html": URL,
        }
    ),
    "SearchCommentHit": _obj(
        {
            "document": STRING,
            "document_title": STRING,
            "version": INTEGER,
            "number": INTEGER,
            "reply": BOOLEAN,
            "kind": {"type": "string", "enum": ["comment", "question", "suggestion"]},
            "status": STATUS,
            "hidden": {
                **BOOLEAN,
                "description": "Hidden comments are found by editors and administrators only.",
            },
            "author": _ref("Person"),
            "snippet_html": STRING,
            "html": URL,
        }
    ),
    "SearchResults": _obj(
        {
            "query": STRING,
            "text": _nullable(
                _obj({"total": INTEGER, "items": {"type": "array", "items": _ref("SearchTextHit")}})
            ),
            "comments": _nullable(
                _obj({"total": INTEGER, "items": {"type": "array", "items": _ref("SearchCommentHit")}})
            ),
            "notice": {
                **N_STRING,
                "description": "Why nothing was searched: the query had no words, only stop words, "
                "or more than 12 words.",
            },
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        }
    ),
    "ResponseRecord": _obj(
        {
            "id": INTEGER,
            "organisation": STRING,
            "state": {"type": "string", "enum": ["submitted", "replaced"]},
            "position": POSITION,
            "position_label_sv": STRING,
            "position_label_en": STRING,
            "summary": {**STRING, "description": "The summary as written (a small Markdown subset)."},
            "summary_html": {**STRING, "description": "The summary rendered and sanitised."},
            "reference": {**STRING, "description": "The organisation's reference number (diarienummer)."},
            "decision_maker": STRING,
            "decision_maker_title": STRING,
            "officer": {**STRING, "description": "Who prepared the response."},
            "submitted_at": N_DATETIME,
            "submitted_by": {
                **N_STRING,
                "description": "The member who submitted it, where names are shown.",
            },
            "replaced_at": {
                **N_DATETIME,
                "description": "When a later submission replaced it; null if standing.",
            },
            "sections": {
                "type": "array",
                "items": _obj({"block_uid": STRING, "heading": STRING, "position": POSITION}),
            },
        }
    ),
    "ResponseList": _obj({"items": {"type": "array", "items": _ref("ResponseRecord")}}),
    "Outcome": _obj(
        {
            "about": _obj({"document": STRING, "version": INTEGER, "label": STRING, "html": URL}),
            "positions": {"type": "object", "additionalProperties": INTEGER},
            "organisations": {
                "type": "array",
                "items": _obj(
                    {
                        "organisation": STRING,
                        "answered": BOOLEAN,
                        "response": _nullable(_ref("ResponseRecord")),
                        "history": {"type": "array", "items": _ref("ResponseRecord")},
                    }
                ),
            },
            "sections": {
                "type": "array",
                "items": _obj(
                    {
                        "block_uid": STRING,
                        "heading": STRING,
                        "in_text": BOOLEAN,
                        "positions": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": STRING},
                        },
                    }
                ),
            },
            "comments_visible": BOOLEAN,
            "names_included": BOOLEAN,
            "comment_counts": _obj(
                {
                    "total": INTEGER,
                    "by_status": {"type": "object", "additionalProperties": INTEGER},
                    "by_organisation": {
                        "type": "array",
                        "items": _obj(
                            {
                                "organisation": STRING,
                                "total": INTEGER,
                                "by_status": {"type": "object", "additionalProperties": INTEGER},
                            }
                        ),
                    },
                }
            ),
            "comments": {
                "type": "array",
                "items": _obj(
                    {
                        "number": INTEGER,
                        "section": STRING,
                        "ref": STRING,
                        "block_uid": N_STRING,
                        "organisation": STRING,
                        "author": N_STRING,
                        "body": STRING,
                        "suggestion": {
                            **N_STRING,
                            "description": "A suggestion's proposal: the whole paragraph, plain text.",
                        },
                        "suggestion_base": {
                            **N_STRING,
                            "description": "The paragraph's text the suggestion was made on, plain text.",
                        },
                        "hidden": BOOLEAN,
                        "status": STATUS,
                        "duplicate_of": N_INTEGER,
                        "response": STRING,
                    }
                ),
            },
        }
    ),
}


def _param(name: str, where: str, schema: dict, description: str, required: bool = False, **extra) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
        **extra,
    }


SLUG = _param(
    "slug", "path", {"type": "string", "minLength": 1}, _l("The document's slug."), example=EXAMPLE_SLUG
)
NUMBER = _param(
    "number",
    "path",
    {"type": "integer", "minimum": 0, "maximum": MAX_ID},
    _l("The version number."),
    example=1,
)


def _limit(default: int, maximum: int) -> dict:
    return _param(
        "limit",
        "query",
        {"type": "integer", "minimum": 1, "maximum": maximum, "default": default},
        _l("Items per page (at most %(n)d).", n=maximum),
    )


CURSOR = _param(
    "cursor",
    "query",
    {"type": "string", "pattern": "^[0-9]{1,9}$"},
    _l("Opaque: the next_cursor of the previous page."),
)


def _response(description: str, schema: str | None = None, content_type: str = "application/json") -> dict:
    response: dict = {"description": description}
    if schema is not None:
        response["content"] = {content_type: {"schema": _ref(schema)}}
    return response


ERRORS = {
    "304": {"description": "Not modified: the `If-None-Match` ETag still matches."},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}
BAD_REQUEST = {"400": {"$ref": "#/components/responses/BadRequest"}}
FORBIDDEN = {"403": {"$ref": "#/components/responses/Forbidden"}}


def _get(operation_id: str, summary: str, response: str, parameters=(), errors=None, description="") -> dict:
    ok = _response("OK", response)
    ok["headers"] = {"ETag": {"$ref": "#/components/headers/ETag"}}
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": list(parameters),
        "responses": {"200": ok, **(errors if errors is not None else ERRORS)},
    }
    if description:
        operation["description"] = description
    return {"get": operation}


PATHS: dict = {
    "/": _get(
        "index", _l("Where everything is"), "Index", errors={"304": ERRORS["304"], "401": ERRORS["401"]}
    ),
    "/documents": _get(
        "listDocuments",
        _l("Documents the caller may read, by title"),
        "DocumentList",
        [_limit(50, 200), CURSOR],
        {**ERRORS, **BAD_REQUEST},
        _l("Without a token only public documents are listed."),
    ),
    "/documents/{slug}": _get("getDocument", _l("One document"), "Document", [SLUG]),
    "/documents/{slug}/versions": _get(
        "listVersions",
        _l("The document's versions, oldest first"),
        "VersionList",
        [SLUG],
        description=_l("Drafts are included only for editors."),
    ),
    "/documents/{slug}/versions/{number}": _get("getVersion", _l("One version"), "Version", [SLUG, NUMBER]),
    "/documents/{slug}/versions/{number}/blocks": _get(
        "listBlocks",
        _l("The version's blocks in reading order"),
        "BlockList",
        [SLUG, NUMBER, _limit(500, 2000), CURSOR],
        {**ERRORS, **BAD_REQUEST},
    ),
    "/documents/{slug}/versions/{number}/comments": _get(
        "listComments",
        _l("Top-level comments made on the version, by number"),
        "CommentList",
        [
            SLUG,
            NUMBER,
            _limit(50, 200),
            CURSOR,
            _param(
                "status",
                "query",
                {"type": "string", "enum": STATUSES},
                _with_status_names(_l("Only comments with this decision (or withdrawn ones).")),
            ),
            _param(
                "block",
                "query",
                {"type": "string", "pattern": "^[0-9A-Za-z_-]{1,24}$"},
                _l("Only the comments on the block with this uid."),
            ),
        ],
        {**ERRORS, **BAD_REQUEST, **FORBIDDEN},
        _l(
            "With replies, endorsement counts and the editors' decisions. Author names only where the "
            "web page shows them (comment_visibility); without a token and with none, a 401."
        ),
    ),
    "/documents/{slug}/versions/{number}/responses": _get(
        "listResponses",
        _l("The organisations' formal responses to the version, newest first"),
        "ResponseList",
        [SLUG, NUMBER],
        description=_l(
            "Submitted responses and the ones they replaced (state `replaced`); drafts are never listed. "
            "The submitting member's name only where the web page shows names."
        ),
    ),
    "/documents/{slug}/versions/{number}/outcome": _get(
        "getOutcome",
        _l("The outcome report of the version"),
        "Outcome",
        [SLUG, NUMBER],
        description=_l(
            "Who answered with which position (and who did not), positions per section, comment counts "
            "by decision and organisation, and every comment with its decision, as visibility allows."
        ),
    ),
    "/documents/{slug}/diff": _get(
        "diffVersions",
        _l("Compare two versions block by block, word by word"),
        "Diff",
        [
            SLUG,
            _param(
                "from",
                "query",
                {"type": "integer", "minimum": 0, "maximum": 999_999_999},
                _l("The older version's number."),
                True,
            ),
            _param(
                "to",
                "query",
                {"type": "integer", "minimum": 0, "maximum": 999_999_999},
                _l("The newer version's number."),
                True,
            ),
        ],
        {**ERRORS, **BAD_REQUEST},
    ),
    "/documents/{slug}/meetings": _get(
        "listDocumentMeetings",
        _l("The document's meetings, by start time"),
        "MeetingList",
        [SLUG, _limit(50, 200), CURSOR],
        {**ERRORS, **BAD_REQUEST},
    ),
    "/meetings": _get(
        "listMeetings",
        _l("Meetings of documents the caller may read, by start time"),
        "MeetingList",
        [_limit(50, 200), CURSOR],
        {**ERRORS, **BAD_REQUEST},
    ),
    "/meetings/{meeting_id}": _get(
        "getMeeting",
        _l("A meeting with the files of its pack"),
        "Meeting",
        [
            _param(
                "meeting_id",
                "path",
                {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                _l("The id."),
                example=1,
            )
        ],
    ),
    "/search": _get(
        "search",
        _l("Search text and comments, in Swedish word forms"),
        "SearchResults",
        [
            _param(
                "q",
                "query",
                {"type": "string", "minLength": 1, "maxLength": 500, "pattern": SEARCH_PATTERN},
                _l("All these words in any form, in any order; a phrase in double quotes."),
                True,
                example="öppna licenser",
            ),
            _param(
                "type",
                "query",
                {"type": "string", "enum": ["all", "text", "comments"]},
                _l("What to search."),
            ),
            _param(
                "document",
                "query",
                {"type": "string", "minLength": 1, "maxLength": 80, "pattern": NAME_PATTERN},
                _l("A document's slug."),
            ),
            _param(
                "version",
                "query",
                {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                _l("A version of the document (default: the newest the caller may see)."),
            ),
            _param(
                "status",
                "query",
                {"type": "string", "enum": STATUSES},
                _with_status_names(_l("Only comments with this status.")),
            ),
            _param(
                "kind",
                "query",
                {"type": "string", "enum": ["comment", "question", "suggestion"]},
                _l("Only comments of this kind."),
            ),
            _param(
                "organisation",
                "query",
                {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NAME_PATTERN},
                _l("Only comments from the organisation with this name."),
            ),
            _limit(20, 50),
            CURSOR,
        ],
        {"304": ERRORS["304"], "401": ERRORS["401"], **BAD_REQUEST},
        _l(
            "The same rules as the web page: drafts only for editors, hidden comments only for "
            "moderators, names only where the page shows them. A query without any word or of only "
            "stop words finds nothing and says why in `notice`; a blank one is a 400 naming `q`."
        ),
    ),
    "/exports/{export_id}/file": {
        "get": {
            "operationId": "getExportFile",
            "summary": _l("Download one file of a meeting pack"),
            "description": _l("The files name every commenter: only for callers who may see names."),
            "parameters": [
                _param(
                    "export_id",
                    "path",
                    {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                    _l("The id."),
                    example=1,
                )
            ],
            "responses": {
                "200": {
                    "description": "The file.",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                            "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
                        },
                        "text/csv": {"schema": {"type": "string"}},
                        "application/json": {"schema": {}},
                    },
                },
                **ERRORS,
                **FORBIDDEN,
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": _l("This description"),
            "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {}}}},
                "304": ERRORS["304"],
                "401": ERRORS["401"],
            },
        }
    },
}


def _error_response(description: str) -> dict:
    return _response(description, "Error")


COMPONENTS = {
    "schemas": SCHEMAS,
    "responses": {
        "BadRequest": _error_response("A query parameter is wrong; `error.parameter` names it."),
        "Unauthorized": {
            **_error_response(
                "A token is needed (code `authentication_required`), or the one sent is wrong or "
                "revoked (code `invalid_token`)."
            ),
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        },
        "Forbidden": _error_response("The token's user may not see this."),
        "NotFound": _error_response("No such document, version, meeting or export (or not visible)."),
    },
    "headers": {
        "ETag": {
            "description": "Send it back as `If-None-Match` to get a 304 while nothing changed.",
            "schema": {"type": "string"},
        }
    },
    "securitySchemes": {
        "token": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token made on one's profile page. Without one, the API "
            "answers as to a visitor who is not signed in.",
        }
    },
}


def _resolved(value):
    """*value* with every lazy (translatable) string made a plain string in the current locale."""
    if isinstance(value, LazyString):
        return str(value)
    if isinstance(value, dict):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item) for item in value]
    return value


@cache
def _document_template() -> dict:
    # The description itself is always English; the human page (/api) is translated.
    with force_locale("en"):
        paths = _resolved(PATHS)
        components = _resolved(COMPONENTS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Remiss API",
            "version": "1.0.0",
            "summary": "Read-only access to documents, versions, comments and meetings.",
            "description": "Everything a person can read in Remiss, a program can read here, with the "
            "same visibility rules. Lists are paged with `limit` and the opaque `cursor` "
            "(take `next_cursor` from the previous page). Every 200 carries an `ETag`. Errors have "
            'the shape `{"error": {"code", "message", "parameter"}}`.',
            "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
        },
        "servers": [{"url": "/api/v1"}],
        # Optional authentication: no token means a visitor's rights.
        "security": [{}, {"token": []}],
        "paths": paths,
        "components": components,
    }


def openapi_document(server_url: str) -> dict:
    """The description (in English), with the server's absolute base URL."""
    document = copy.deepcopy(_document_template())
    document["servers"] = [{"url": server_url}]
    return document


def operations() -> list[dict]:
    """Every operation for the human page, in the current language: method, path, summary, parameters."""
    out = []
    for path, methods in PATHS.items():
        for method, operation in methods.items():
            out.append(
                {
                    "method": method.upper(),
                    "path": "/api/v1" + (path if path != "/" else "/"),
                    "id": operation["operationId"],
                    "summary": str(operation["summary"]),
                    "description": str(operation.get("description", "")),
                    "parameters": _resolved(operation.get("parameters", [])),
                    "statuses": sorted(operation["responses"]),
                }
            )
    return out
