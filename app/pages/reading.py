"""The reading page: a version's blocks with their comments, what it answered, the follow button.

It is composed here, above documents, review and notifications, so none of them imports the
others' pages. The routes register on the documents blueprint: the URLs and the endpoint names
(documents.document, documents.version) stay the ones readers and templates know.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import get_template_attribute, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from app import fragments
from app.documents.blueprint import bp
from app.documents.loaders import document_statement, get_version, page_blocks, readable, ref_labels
from app.documents.models import Document
from app.extensions import db
from app.notifications.models import Follow
from app.pagecache import visitor_page
from app.pages.blocks import render_blocks
from app.review.labels import thread_context
from app.review.proposals import open_suggestions
from app.review.rendering import ThreadRenderer
from app.review.threads import (
    FILTERS,
    INLINE_LIMIT,
    answered_by_block,
    count_by_block,
    load_threads,
    quote_ranges,
)


def get_document_for_reader(slug: str) -> tuple[Document, bool]:
    """As documents' get_document, and whether the signed-in reader follows the document: one query.

    The reading page shows a Follow button; asking separately cost a round trip per view.
    """
    user_id = current_user.id if current_user.is_authenticated else None
    row = db.session.execute(_reader_statement(), {"slug": slug, "user_id": user_id})
    document, following = row.unique().one_or_none() or (None, False)
    return readable(document), bool(following)


@functools.cache
def _reader_statement() -> sa.Select:
    """The document query with a second column: whether the user ``user_id`` follows it (built once)."""
    followed = sa.exists().where(Follow.user_id == sa.bindparam("user_id"), Follow.document_id == Document.id)
    return document_statement().add_columns(followed.label("following"))


@bp.route("/d/<slug>")
@visitor_page
def document(slug: str):
    """The current published version of a document."""
    document, following = get_document_for_reader(slug)
    wanted = request.args.get("v", type=int)
    if wanted is not None:
        return redirect(url_for("documents.version", slug=slug, number=wanted, **_switches()))
    version = document.current_version
    if version is None:
        return render_template("documents/empty.html", document=document)
    return _render_version(document, version, following)


@bp.route("/d/<slug>/v/<int:number>")
@visitor_page
def version(slug: str, number: int):
    """One version of a document, by number (a permalink)."""
    document, following = get_document_for_reader(slug)
    return _render_version(document, get_version(document, number), following)


def _render_version(document, version, following: bool):
    blocks = page_blocks(version)
    current = document.current_version
    texts = {b.uid: b.text for b in blocks}
    mode = request.args.get("comments", "all")
    if mode not in FILTERS or (mode == "mine" and not current_user.is_authenticated):
        mode = "all"
    organisation_id = request.args.get("org", type=int)
    viewer = current_user._get_current_object()
    counts = count_by_block(document, version)
    if sum(total for total, _open in counts.values()) > INLINE_LIMIT and mode != "none":
        # A busy version: counts in the margin, each block's discussion on its own page; only
        # the comments on the whole version and on removed text are shown in full.
        inside = {b.block_id for b in blocks}
        threads = load_threads(
            document,
            version,
            texts,
            viewer,
            mode,
            organisation_id,
            only_blocks=set(counts) - inside,
            with_general=True,
        )
        if threads.visible:
            by_id = {b.block_id: b.uid for b in blocks}
            threads.collapsed = {by_id[i]: total for i, (total, _o) in counts.items() if i in by_id}
            threads.open_counts = {by_id[i]: o for i, (_t, o) in counts.items() if i in by_id and o}
    else:
        threads = load_threads(document, version, texts, viewer, mode, organisation_id)
    base = url_for("documents.version", slug=document.slug, number=version.number)
    compare_pattern = url_for("compare.compare", slug=document.slug, a=0, b=version.number).replace(
        "/0..", "/__a__.."
    )
    # On an earlier version, each comment links to what has changed since it was made.
    since_url = (
        url_for("compare.compare", slug=document.slug, a=version.number, b=current.number)
        if version.is_published and current is not None and current.number > version.number
        else None
    )
    can_comment = current_user.is_authenticated and version.accepts_comments()
    thread_open = version.accepts_comments() or bool(current and current.accepts_comments())
    refs = ref_labels(blocks)
    context = thread_context()
    thread_html = ThreadRenderer(
        context,
        texts=texts,
        show_names=threads.show_names,
        show_organisations=threads.show_organisations,
        thread_open=thread_open,
        compare_pattern=compare_pattern,
        since_url=since_url,
    )
    filter_query = ("?" + request.query_string.decode()) if request.query_string else ""
    answered = answered_by_block(version) if threads.visible and version.number > 1 else {}
    show_suggestions = _switches().get("suggestions") == "1"
    inline = None
    if show_suggestions and version.is_published:
        inline = _inline_renderer(
            open_suggestions(document, version, texts, viewer),
            threads,
            url_for("review.block_comments", slug=document.slug, number=version.number, uid="__uid__"),
        )
    body = render_blocks(
        document,
        version,
        blocks,
        threads,
        thread_html,
        refs=refs,
        ranges=quote_ranges(threads),
        can_comment=can_comment,
        version_url=base,
        comment_url_pattern=url_for(
            "review.comment_block", slug=document.slug, number=version.number, uid="__uid__"
        ),
        show_url_pattern=url_for(
            "review.block_comments", slug=document.slug, number=version.number, uid="__uid__"
        )
        + filter_query,
        suggest_url_pattern=url_for(
            "review.suggest_block", slug=document.slug, number=version.number, uid="__uid__"
        ),
        answered=_answered_renderer(answered, document.slug, threads.show_organisations),
        inline=inline,
    )
    return render_template(
        "documents/version.html",
        body=body,
        thread_html=thread_html,
        document=document,
        version=version,
        threads=threads,
        mode=mode,
        organisation_id=organisation_id,
        is_current=version is document.current_version,
        can_comment=can_comment,
        thread_open=thread_open,
        following=following,
        show_suggestions=show_suggestions,
        switch_url=_switch_url(request.script_root + request.path, not show_suggestions),
        **context,
    )


def _switches() -> dict[str, str]:
    """The reading page's switches that links and forms carry along: suggestions in the text."""
    return {"suggestions": "1"} if request.args.get("suggestions") == "1" else {}


def _switch_url(path: str, on: bool) -> str:
    """This page's address with the suggestions switch turned *on* or off, other choices kept."""
    args = request.args.to_dict(flat=False)
    args.pop("suggestions", None)
    if on:
        args["suggestions"] = ["1"]
    query = urlencode(args, doseq=True)
    return path + ("?" + query if query else "")


def _inline_renderer(found: dict, threads, show_pattern: str):
    """For render_blocks: a block's open suggestions as redlines inside it, or "".

    Each block's list is rendered once per process for what it shows (the suggestions
    themselves, the language, where their threads are); the suggestions are read afresh on
    every view, so an edited or decided one is a new key.
    """
    if not found:
        return None
    macro = get_template_attribute("documents/_suggestions.html", "inline_suggestions")
    cache = fragments.cache("inline-suggestions")
    locale = get_locale()
    language = locale.language if locale else "sv"

    def render(uid: str) -> str:
        items = found.get(uid)
        if not items:
            return ""
        # On a busy version the threads are on the block's own page, not on this one.
        link = show_pattern.replace("__uid__", uid) if uid in threads.collapsed else ""
        return cache.get((language, request.script_root, link, items), lambda: macro(items, link))

    return render


def _answered_renderer(answered: dict, slug: str, show_organisations: bool):
    """For render_blocks: a block's "answered in this version" list, or None if there is none.

    Each list is rendered once per process for what it shows (the rows themselves, the
    language, the links' root): the rows are read afresh on every view, so a decision changed
    since is a new key, on every server.
    """
    if not answered:
        return None
    macro = get_template_attribute("documents/_answered.html", "answered_here")
    cache = fragments.cache("answered")
    locale = get_locale()
    page = (locale.language if locale else "sv", request.script_root, slug, show_organisations)

    def render(uid: str):
        if uid not in answered:
            return ""
        items = answered[uid]
        return cache.get((page, tuple(items)), lambda: macro(items, slug, show_organisations))

    return render
