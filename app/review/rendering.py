"""Comment threads rendered through the fragment cache (see app.fragments).

A thread's HTML is a function of what its key lists: the comment's and its replies' shown
fields, the names shown with them, the counts, what this reader may do (edit, withdraw,
endorse, moderate), the paragraph's current text and the page's language and links. Two
readers who may do different things get different keys, so a cached fragment can never show
someone else's controls; the per-session CSRF token is put in after the cache.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from app import fragments


def _comment_key(c) -> tuple:
    return (
        c.id,
        c.number,
        c.kind,
        c.status,
        c.created_at,
        c.updated_at,
        c.withdrawn_at,
        c.hidden_at,
        c.hidden_reason,
        c.body_html,
        c.quote_exact,
        c.suggestion,
        c.response_html,
        c.block_text,
    )


def thread_key(view, current_text: str | None) -> tuple:
    """Everything the thread template reads about *view* (a threads.CommentView)."""
    c = view.comment
    made_on = (c.version.label, c.version.number) if view.anchor.carried else None
    return (
        _comment_key(c),
        made_on,
        view.anchor,
        view.endorsements,
        view.endorsed,
        view.can_edit,
        view.can_withdraw,
        view.can_endorse,
        view.created,
        view.author_name,
        view.organisation_name,
        current_text,
        tuple(
            (
                _comment_key(r.comment),
                r.can_edit,
                r.can_withdraw,
                r.created,
                r.author_name,
                r.organisation_name,
            )
            for r in view.replies
        ),
    )


class ThreadRenderer:
    """Renders one page's threads, each from the cache when its key has been seen before."""

    def __init__(
        self,
        context: dict,
        *,
        texts: dict[str, str],
        show_names: bool,
        show_organisations: bool,
        thread_open: bool,
        compare_pattern: str | None = None,
        since_url: str | None = None,
    ):
        """*context* is review.labels.thread_context() of this request."""
        self.csrf_field = str(context["csrf_field"])
        self.texts = texts
        self.context = dict(
            context,
            csrf_field=Markup(fragments.CSRF_PLACEHOLDER),  # noqa: S704  (a constant)
            texts=texts,
            show_names=show_names,
            show_organisations=show_organisations,
            thread_open=thread_open,
        )
        if compare_pattern is not None:
            self.context["compare_pattern"] = compare_pattern
        if since_url is not None:
            self.context["since_url"] = since_url
        locale = get_locale()
        self.page_key = (
            locale.language if locale else "sv",
            context["signed_in"],
            context["moderator"],
            context["cbase"],
            show_names,
            show_organisations,
            thread_open,
            compare_pattern,
            since_url,
        )
        self.template = current_app.jinja_env.get_template("review/_thread.html")
        self.cache = fragments.cache("threads")

    def __call__(self, view) -> Markup:
        """The HTML of *view*'s thread with this session's CSRF token in its forms."""
        current = self.texts.get(view.block_uid) if view.block_uid else None
        key = (self.page_key, thread_key(view, current))
        html = self.cache.get(key, lambda: self.template.render(self.context, view=view))
        return fragments.fill_csrf(html, self.csrf_field)
