"""The compilation of comments of a meeting pack: its rows, labels, CSV and JSON forms.

The same ordering and labels serve the DOCX compilation table
(:mod:`app.meetings.pack`), the CSV file for Excel and the JSON file, so the
three always agree on which comments there are, in which order and with which status.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.review.labels import status_labels
from app.richtext import plain
from app.timeutil import STOCKHOLM
from app.worddiff import EQUAL, WordOp, whole_ops, word_ops

STATUSES = ("open", "accepted", "partly_accepted", "rejected", "noted", "duplicate", "withdrawn")
KINDS = ("comment", "question", "suggestion")


@dataclass(frozen=True, slots=True)
class PackReply:
    """A member's reply in a comment's thread, as the pack shows it (before the editors' decision).

    ``body_text`` is plain text (newlines kept); a reply a moderator hid has none, and
    ``hidden_reason`` says why. A reply its author withdrew stays, marked ``withdrawn``, as
    on the page: the thread is a public record.
    """

    author: str
    organisation: str
    body_text: str
    created_at: datetime
    hidden: bool = False
    hidden_reason: str = ""
    withdrawn: bool = False

    @property
    def author_label(self) -> str:
        """ "Name (Organisation)", as shown on a Word comment."""
        return f"{self.author} ({self.organisation})" if self.organisation else self.author


@dataclass(frozen=True, slots=True)
class PackComment:
    """One submitted comment as the meeting pack shows it (built by the app from a Comment).

    ``block_uid`` is the block it was made on (None: on the version as a whole);
    ``ref`` the human reference of that block ("3.2 ¶4"); ``section`` the heading the
    compilation groups it under ("" for general comments). ``body_text`` is plain text
    (newlines kept), ``quote`` the quoted span if any (it only points at words),
    ``suggestion`` the whole paragraph a suggestion proposes and ``suggestion_base`` the text it
    was made on, both stored rich text (``app.richtext``); the pack and the outcome report show
    the one against the other as a word diff. ``status`` is a CommentStatus value
    (see :data:`STATUSES`), ``duplicate_of`` the number of the original for duplicates.
    ``withdrawn`` marks a comment its author withdrew: it stays in the compilation.
    ``hidden`` marks a comment a moderator hid: it stays in the compilation as a row with
    ``hidden_reason`` and without its text (the app leaves body, quote and suggestion empty).
    ``replies`` are the members' replies in its thread (:class:`PackReply`), oldest first.
    """

    number: int
    block_uid: str | None
    ref: str
    section: str
    organisation: str
    author: str
    body_text: str
    version_label: str
    created_at: datetime
    kind: str = "comment"
    quote: str | None = None
    # The context and offset stored with the quote, so the pack finds the quoted words again in
    # the presented text (app.review.anchoring): the same words as the reading page marks.
    quote_prefix: str = ""
    quote_suffix: str = ""
    quote_start: int | None = None
    suggestion: str | None = None
    suggestion_base: str | None = None
    status: str = "open"
    duplicate_of: int | None = None
    response: str = ""
    decided_by: str = ""
    withdrawn: bool = False
    hidden: bool = False
    hidden_reason: str = ""
    decided_in_label: str = ""
    decided_at: datetime | None = None
    decided_by_organisation: str = ""
    # Members' replies in the thread, oldest first (PackReply).
    replies: tuple[PackReply, ...] = ()

    @property
    def is_open(self) -> bool:
        """Still awaiting a decision, not withdrawn and not hidden (these become Word comments)."""
        return self.status == "open" and not self.withdrawn and not self.hidden

    @property
    def decision(self) -> str:
        """The machine status as the summary counts it: a withdrawn comment counts as withdrawn."""
        return "withdrawn" if self.withdrawn else self.status

    @property
    def decider_label(self) -> str:
        """ "Name (Organisation)" of the editor who decided, as on the Word reply."""
        if self.decided_by and self.decided_by_organisation:
            return f"{self.decided_by} ({self.decided_by_organisation})"
        return self.decided_by

    @property
    def author_label(self) -> str:
        """ "Name (Organisation)", as shown on a Word comment."""
        if self.organisation:
            return f"{self.author} ({self.organisation})"
        return self.author


LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "kicker": "Mötesunderlag",
        "version": "Version {label}",
        "state_draft": "utkast, ej publicerat",
        "state_open": "öppen för synpunkter",
        "state_closed": "stängd för synpunkter",
        "date": "Datum",
        "meeting": "Möte",
        "compared_with": "Ändringar sedan version {label} visas som spårade ändringar.",
        "clean_text": "Texten i version {label} utan spårade ändringar.",
        "clean_compared_with": "Ändringarna sedan version {label} visas i versionen med spårade ändringar.",
        "organisations": "Organisationer",
        "licence": "Texten får återanvändas enligt licensen {name}:",
        "contents": "Innehåll",
        "toc_placeholder": "Innehållsförteckningen fylls i när dokumentet öppnas i Word. "
        "Är den tom: högerklicka här och välj Uppdatera fält.",
        "history": "Versionshistorik",
        "col_number": "Nr",
        "col_version": "Version",
        "col_date": "Datum",
        "col_published_by": "Publicerad av",
        "col_summary": "Sammanfattning av ändringar",
        "compilation": "Sammanställning av inkomna synpunkter",
        "col_ref": "Stycke",
        "col_section": "Avsnitt",
        "col_organisation": "Organisation",
        "col_author": "Författare",
        "col_kind": "Typ",
        "col_comment": "Synpunkt",
        "col_quote": "Citat",
        "col_suggestion": "Ändringsförslag",
        "col_suggestion_base": "Text som förslaget gäller",
        "col_status": "Status",
        "col_response": "Svar och motivering",
        "col_decided_by": "Beslutad av",
        "col_decided_in": "Beslutad i version",
        "col_created": "Inkommen",
        "general_comments": "Allmänna synpunkter",
        "general_comment": "Allmän synpunkt",
        "made_on_version": "Version {label}",
        "no_comments": "Inga synpunkter har lämnats.",
        "page": "Sida",
        "hidden_body": "Dold av moderator. Skäl: {reason}",
        "kind_comment": "Synpunkt",
        "kind_question": "Fråga",
        "kind_suggestion": "Ändringsförslag",
        "decided_in_version": "Beslutad i version {label}",
        "summary": "Sammanfattning: vi frågade – ni svarade – vi gjorde",
        "summary_by_decision": "Synpunkter per beslut",
        "summary_by_organisation": "Synpunkter per organisation",
        "summary_paragraphs": "Ändrade stycken",
        "col_decision": "Beslut",
        "col_count": "Antal",
        "col_comments": "Synpunkter",
        "col_decided": "Beslutade",
        "col_change": "Ändring",
        "change_changed": "Ändrade",
        "change_added": "Tillagda",
        "change_removed": "Strukna",
        "change_moved": "Flyttade",
        "total": "Totalt",
        "agenda": "Dagordning",
        "place": "Plats",
        "time": "Tid",
        "time_zone": "svensk tid",
        "decision_reply": "Beslut: {status}",
        "editors": "Redaktionen",
        "col_replies": "Svar i tråden",
        "reply_line": "{author}, {date}: {text}",
        # The names of the pack's own styles, as Word lists them (Swedish Word's own are Swedish).
        "style_heading": "Underlag – rubrik",
        "style_subheading": "Underlag – underrubrik",
        "style_table_text": "Underlag – tabelltext",
        "style_agenda": "Underlag – dagordning",
    },
    "en": {
        "kicker": "Meeting pack",
        "version": "Version {label}",
        "state_draft": "draft, not published",
        "state_open": "open for comments",
        "state_closed": "closed for comments",
        "date": "Date",
        "meeting": "Meeting",
        "compared_with": "Changes since version {label} are shown as tracked changes.",
        "clean_text": "The text of version {label} without tracked changes.",
        "clean_compared_with": "The changes since version {label} are shown in the version "
        "with tracked changes.",
        "organisations": "Organisations",
        "licence": "The text may be reused under the licence {name}:",
        "contents": "Contents",
        "toc_placeholder": "The table of contents is filled in when the document is opened in "
        "Word. If it is empty: right-click here and choose Update Field.",
        "history": "Version history",
        "col_number": "No.",
        "col_version": "Version",
        "col_date": "Date",
        "col_published_by": "Published by",
        "col_summary": "Summary of changes",
        "compilation": "Compilation of comments",
        "col_ref": "Paragraph",
        "col_section": "Section",
        "col_organisation": "Organisation",
        "col_author": "Author",
        "col_kind": "Kind",
        "col_comment": "Comment",
        "col_quote": "Quote",
        "col_suggestion": "Suggested wording",
        "col_suggestion_base": "Text the suggestion was made on",
        "col_status": "Status",
        "col_response": "Response and reason",
        "col_decided_by": "Decided by",
        "col_decided_in": "Decided in version",
        "col_created": "Submitted",
        "general_comments": "General comments",
        "general_comment": "General comment",
        "made_on_version": "Version {label}",
        "no_comments": "No comments were made.",
        "page": "Page",
        "hidden_body": "Hidden by a moderator. Reason: {reason}",
        "kind_comment": "Comment",
        "kind_question": "Question",
        "kind_suggestion": "Suggestion",
        "decided_in_version": "Decided in version {label}",
        "summary": "Summary: we asked – you answered – we did",
        "summary_by_decision": "Comments by decision",
        "summary_by_organisation": "Comments by organisation",
        "summary_paragraphs": "Changed paragraphs",
        "col_decision": "Decision",
        "col_count": "Count",
        "col_comments": "Comments",
        "col_decided": "Decided",
        "col_change": "Change",
        "change_changed": "Changed",
        "change_added": "Added",
        "change_removed": "Removed",
        "change_moved": "Moved",
        "total": "Total",
        "agenda": "Agenda",
        "place": "Place",
        "time": "Time",
        "time_zone": "Swedish time",
        "decision_reply": "Decision: {status}",
        "editors": "The editors",
        "col_replies": "Replies in the thread",
        "reply_line": "{author}, {date}: {text}",
        "style_heading": "Pack – heading",
        "style_subheading": "Pack – subheading",
        "style_table_text": "Pack – table text",
        "style_agenda": "Pack – agenda",
    },
}


def labels(language: str = "sv", overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The pack's label table for *language* (Swedish if unknown), with *overrides* applied.

    The status words (``status_open`` …, ``status_duplicate_of``) are not a table of their own:
    they are :data:`app.review.labels.STATUS_LABELS` in *language*, the words of the pages.
    """
    language = language if language in LABELS else "sv"
    table = dict(LABELS[language])
    table.update((f"status_{key}", value) for key, value in status_labels(language).items())
    if overrides:
        table.update(overrides)
    return table


def fill(template: str, **values: object) -> str:
    """Put *values* into a label's ``{name}`` placeholders.

    Plain replacement rather than ``str.format``: a brace in a translated label or in a
    value must not raise or be interpreted.
    """
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def status_label(comment: PackComment, strings: Mapping[str, str]) -> str:
    """The human status of *comment*: withdrawn wins, duplicates name their original."""
    if comment.withdrawn:
        return strings["status_withdrawn"]
    if comment.status == "duplicate" and comment.duplicate_of is not None:
        return fill(strings["status_duplicate_of"], number=comment.duplicate_of)
    return strings.get(f"status_{comment.status}", comment.status)


def comment_text(comment: PackComment | PackReply, strings: Mapping[str, str]) -> str:
    """The text shown for *comment* (or a reply): its body, or the moderator's note when it was hidden."""
    if comment.hidden:
        return fill(strings["hidden_body"], reason=comment.hidden_reason)
    return comment.body_text


def reply_text(reply: PackReply, strings: Mapping[str, str]) -> str:
    """The text shown for *reply*: its body, or the moderator's note when it was hidden."""
    if reply.hidden:
        return fill(strings["hidden_body"], reason=reply.hidden_reason)
    if reply.withdrawn:
        return f"{reply.body_text}\n({strings['status_withdrawn']})"
    return reply.body_text


def replies_cell(comment: PackComment, strings: Mapping[str, str]) -> str:
    """The thread's replies in one cell, one line each: "Name (Organisation), date: text"."""
    return "\n".join(
        fill(
            strings["reply_line"],
            author=reply.author_label,
            date=_local_minute(reply.created_at),
            text=" ".join(reply_text(reply, strings).split()),
        )
        for reply in comment.replies
    )


def _local_minute(moment: datetime) -> str:
    """*moment* in Swedish time to the minute, as the pack shows dates ("2025-03-01 10:30")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def suggestion_ops(comment: PackComment) -> list[WordOp]:
    """A suggestion's word ops from the text it was made on to the paragraph it proposes, which
    the pack and the outcome report write as struck and underlined runs (without the text it
    was made on, the proposal as it is)."""
    if comment.suggestion_base is None:
        return whole_ops(comment.suggestion or "", EQUAL)
    return word_ops(comment.suggestion_base, comment.suggestion or "")


def kind_label(comment: PackComment, strings: Mapping[str, str]) -> str:
    """The human kind of *comment* (comment, question, suggestion)."""
    return strings.get(f"kind_{comment.kind}", comment.kind)


def section_label(comment: PackComment, strings: Mapping[str, str]) -> str:
    """The group *comment* is listed under; general comments have their own group."""
    return comment.section or strings["general_comments"]


def by_section(
    comments: Iterable[PackComment], strings: Mapping[str, str]
) -> list[tuple[str, list[PackComment]]]:
    """Comments grouped by section: general comments first, then sections as they appear.

    The app passes comments in reading order of their blocks, so first appearance is
    the order of the document; a stable grouping keeps it, never sorting by label.
    Comments keep their given order inside a group.
    """
    general = strings["general_comments"]
    groups: dict[str, list[PackComment]] = {general: []}
    for comment in comments:
        groups.setdefault(section_label(comment, strings), []).append(comment)
    return [(label, group) for label, group in groups.items() if group]


def ordered(comments: Iterable[PackComment], strings: Mapping[str, str]) -> list[PackComment]:
    """Comments in compilation order (grouped by section), as every output lists them."""
    return [comment for _, group in by_section(comments, strings) for comment in group]


CHANGES = ("changed", "added", "removed", "moved")


def paragraph_changes(blocks: Iterable[object]) -> dict[str, int]:
    """How many blocks were changed, added, removed and moved since the base version.

    *blocks* are the pack's blocks (anything with ``status`` and ``moved``); a block that
    moved and was edited counts in both.
    """
    counts = dict.fromkeys(CHANGES, 0)
    for block in blocks:
        status = getattr(block, "status", "unchanged")
        if status == "modified":
            counts["changed"] += 1
        elif status in ("added", "removed"):
            counts[status] += 1
        if getattr(block, "moved", False) or status == "moved":
            counts["moved"] += 1
    return counts


def summarise(comments: Sequence[PackComment], blocks: Iterable[object]) -> dict[str, object]:
    """The figures of the pack's summary page, as the DOCX shows them and the JSON holds them.

    ``by_decision`` counts every status of :data:`STATUSES` (zeros included, in that
    order); ``by_organisation`` lists organisations by number of comments (then name),
    each with how many of its comments are decided (neither open nor withdrawn).
    """
    by_decision = dict.fromkeys(STATUSES, 0)
    organisations: dict[str, list[int]] = {}
    for comment in comments:
        by_decision[comment.decision] = by_decision.get(comment.decision, 0) + 1
        counts = organisations.setdefault(comment.organisation, [0, 0])
        counts[0] += 1
        if comment.decision not in ("open", "withdrawn"):
            counts[1] += 1
    return {
        "comments": len(comments),
        "by_decision": by_decision,
        "by_organisation": [
            {"organisation": name, "comments": total, "decided": decided}
            for name, (total, decided) in sorted(organisations.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ],
        "paragraphs": paragraph_changes(blocks),
    }


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Excel runs a cell that starts with one of these as a formula (CSV injection); a
# leading apostrophe makes it text. Tab and CR start DDE payloads in some readers.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """*value* as a CSV cell Excel shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def compilation_csv(comments: Sequence[PackComment], strings: Mapping[str, str]) -> bytes:
    """The compilation as CSV for Excel: UTF-8 with BOM, CRLF, one header row, formula-safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            strings[key]
            for key in (
                "col_number",
                "col_version",
                "col_section",
                "col_ref",
                "col_organisation",
                "col_author",
                "col_kind",
                "col_comment",
                "col_quote",
                "col_suggestion",
                "col_suggestion_base",
                "col_status",
                "col_response",
                "col_replies",
                "col_decided_by",
                "col_decided_in",
                "col_created",
            )
        ]
    )
    for c in ordered(comments, strings):
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    c.number,
                    c.version_label,
                    section_label(c, strings),
                    c.ref,
                    c.organisation,
                    c.author,
                    kind_label(c, strings),
                    comment_text(c, strings),
                    c.quote or "",
                    plain(c.suggestion or ""),
                    plain(c.suggestion_base or "") if c.suggestion else "",
                    status_label(c, strings),
                    c.response,
                    replies_cell(c, strings),
                    c.decided_by,
                    c.decided_in_label,
                    _iso(c.created_at),
                )
            ]
        )
    # The BOM is what makes Excel read the file as UTF-8 (å, ä, ö) rather than ANSI.
    return out.getvalue().encode("utf-8-sig")


def compilation_json(
    comments: Sequence[PackComment],
    strings: Mapping[str, str],
    about: Mapping[str, object] | None = None,
    summary: Mapping[str, object] | None = None,
) -> bytes:
    """The compilation as UTF-8 JSON: ``{"about", "summary", "comments": [...]}``, stable order.

    *summary* is :func:`summarise`'s figures (the pack's summary page), when given.

    Keys are written in a fixed order (not sorted, not dependent on input), so the same
    comments give the same bytes. ``status`` is the machine value, ``status_label`` the
    human one; ``suggestion`` is the whole proposed paragraph as plain text and
    ``suggestion_html`` as the stored rich text, ``suggestion_base`` and ``suggestion_base_html``
    the text it was made on (null without a suggestion);
    ``replies`` the members' replies in the thread, oldest first.
    """
    rows = [
        {
            "number": c.number,
            "version": c.version_label,
            "section": section_label(c, strings),
            "ref": c.ref,
            "block_uid": c.block_uid,
            "organisation": c.organisation,
            "author": c.author,
            "kind": c.kind,
            "body": comment_text(c, strings),
            "quote": c.quote,
            "suggestion": plain(c.suggestion) if c.suggestion else None,
            "suggestion_html": c.suggestion,
            "suggestion_base": plain(c.suggestion_base or "") if c.suggestion else None,
            "suggestion_base_html": (c.suggestion_base or "") if c.suggestion else None,
            "status": "withdrawn" if c.withdrawn else c.status,
            "status_label": status_label(c, strings),
            "duplicate_of": c.duplicate_of,
            "response": c.response,
            "replies": [
                {
                    "author": r.author,
                    "organisation": r.organisation,
                    "body": comment_text(r, strings),
                    "created_at": _iso(r.created_at),
                    "hidden": r.hidden,
                    "hidden_reason": r.hidden_reason if r.hidden else None,
                    "withdrawn": r.withdrawn,
                }
                for r in c.replies
            ],
            "decided_by": c.decided_by,
            "withdrawn": c.withdrawn,
            "hidden": c.hidden,
            "hidden_reason": c.hidden_reason if c.hidden else None,
            "open": c.is_open,
            "created_at": _iso(c.created_at),
            "decided_in_version": c.decided_in_label or None,
            "decided_at": _iso(c.decided_at) or None,
        }
        for c in ordered(comments, strings)
    ]
    document: dict[str, object] = {"about": dict(about or {})}
    if summary is not None:
        document["summary"] = dict(summary)
    document["comments"] = rows
    text = json.dumps(document, ensure_ascii=False, indent=2, default=_json_value)
    return (text + "\n").encode("utf-8")


def _json_value(value: object) -> str:
    # Dates in *about* (meeting date, version date) as ISO-8601 UTC, like created_at.
    if isinstance(value, datetime):
        return _iso(value)
    return str(value)
