"""Every page type of the site, with the role that sees it: the list the layout and axe tests walk.

To add a page type, append a PageType to PAGE_TYPES. Its path may use the names that
``build_world`` returns ({slug}, {uid}, {comment}, {meeting}, {user} ...); ``role`` is the
account that visits it (None: signed out). The demo data gives every page realistic content:
a long document in several versions, comments, meetings.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.demo.seed import DEMO_PASSWORD, seed
from app.documents.models import Block, BlockKind, BlockRevision, Document
from app.extensions import db

# The demo account used for each role.
ACCOUNTS = {
    "member": "member@demo.example",
    "editor": "editor@demo.example",
    "host": "host@demo.example",
    "admin": "admin@demo.example",
}
PASSWORD = DEMO_PASSWORD


@dataclass(frozen=True)
class PageType:
    """One kind of page: a label for reports and screenshot names, a path pattern, who visits."""

    label: str
    path: str
    role: str | None = None
    status: int = 200


PAGE_TYPES = [
    # signed out
    PageType("documents", "/"),
    PageType("reading", "/d/{slug}"),
    PageType("earlier-version", "/d/{slug}/v/1"),
    PageType("compare-inline", "/d/{slug}/compare/{previous}..{current}"),
    PageType("compare-side", "/d/{slug}/compare/{previous}..{current}?view=side&only=changed"),
    PageType("compare-counted", "/d/{slug}/compare/{previous}..{current}?only=modified"),
    PageType("sign-in", "/login"),
    PageType("accessibility", "/accessibility"),
    PageType("not-found", "/d/finns-inte", status=404),
    PageType("meetings", "/meetings"),
    PageType("meeting", "/meetings/{meeting}"),
    PageType("downloads", "/d/{slug}/v/{current}/downloads"),
    PageType("forgot-password", "/forgot-password"),
    PageType("reset-link-invalid", "/reset-password/1-forged", status=410),
    PageType("search", "/search?q=myndighet"),
    PageType("search-nothing", "/search?q=och", status=400),
    PageType("outcome", "/d/{slug}/v/{previous}/outcome"),
    PageType("response", "/d/{slug}/v/{previous}/responses/{org}"),
    # a member
    PageType("reading", "/d/{slug}", "member"),
    PageType("comment-form", "/d/{slug}/v/{current}/b/{uid}/comment", "member"),
    PageType("suggest-form", "/d/{slug}/v/{current}/b/{uid}/suggest", "member"),
    PageType("reading-suggestions-in-text", "/d/{slug}?suggestions=1", "member"),
    PageType("block-comments", "/d/{slug}/v/{current}/b/{uid}/comments", "member"),
    PageType("overview", "/d/{slug}/v/{current}/overview", "member"),
    PageType("my-comments", "/d/{slug}/mine", "member"),
    PageType("my-comments-counted", "/d/{slug}/mine?status=open", "member"),
    PageType("edit-comment", "/comments/{comment}/edit", "member"),
    PageType("withdraw-comment", "/comments/{comment}/withdraw", "member"),
    PageType("reply", "/comments/{comment}/reply", "member"),
    PageType("profile", "/profile", "member"),
    PageType("word-comments-upload", "/d/{slug}/v/{current}/word-comments", "member"),
    PageType("search", "/search?q=licens", "member"),
    PageType("response-form", "/d/{slug}/v/{current}/responses/{org}/edit", "member"),
    # an editor
    PageType("reading", "/d/{slug}", "editor"),
    PageType("review-dashboard", "/d/{slug}/v/{current}/review", "editor"),
    PageType("decide", "/d/{slug}/review/c/{comment}", "editor"),
    PageType("apply-preview", "/d/{slug}/review/c/{comment}/apply", "editor"),
    PageType("apply-write", "/d/{slug}/review/c/{comment}/apply/write", "editor"),
    PageType("hide-comment", "/comments/{comment}/hide", "editor"),
    PageType("draft", "/d/{slug}/draft", "editor"),
    PageType("draft-block", "/d/{slug}/draft/b/{uid}", "editor"),
    PageType("draft-insert", "/d/{slug}/draft/insert?after={uid}", "editor"),
    PageType("publish", "/d/{slug}/draft/publish", "editor"),
    PageType("import-new", "/documents/new/import", "editor"),
    PageType("word-comments-for-organisation", "/d/{slug}/v/{current}/word-comments", "editor"),
    PageType("search-comments", "/search?q=licens&what=comments", "editor"),
    PageType("responses-table", "/d/{slug}/v/{previous}/responses", "editor"),
    PageType("outcome", "/d/{slug}/v/{current}/outcome", "editor"),
    # a host
    PageType("meeting", "/meetings/{meeting}", "host"),
    PageType("meeting-edit", "/meetings/{meeting}/edit", "host"),
    PageType("meeting-new", "/meetings/new", "host"),
    PageType("meeting-agenda", "/meetings/{meeting}/agenda", "host"),
    # an administrator
    PageType("users", "/admin/users", "admin"),
    PageType("user", "/admin/users/{user}", "admin"),
    PageType("organisations", "/admin/organisations", "admin"),
    PageType("invite", "/admin/invitations", "admin"),
    PageType("mail", "/admin/mail", "admin"),
    PageType("audit", "/admin/audit", "admin"),
]

ROLES = sorted({p.role for p in PAGE_TYPES}, key=lambda r: (r is not None, r or ""))


def build_world(app) -> dict:
    """The demo data plus one member's comments on the current version; returns the path names."""
    from app.accounts.models import User
    from app.meetings.models import Meeting
    from app.review.models import CommentKind
    from app.review.operations import create_comment, locate_quote

    with app.app_context():
        seed()
        db.session.commit()
        document = db.session.scalar(sa.select(Document).where(Document.slug == "oppna-licenser"))
        current = document.current_version
        paragraph = db.session.scalar(
            sa.select(BlockRevision)
            .where(BlockRevision.version_id == current.id, BlockRevision.kind == BlockKind.PARAGRAPH)
            .order_by(BlockRevision.position)
        )
        member = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["member"]))
        other = db.session.scalar(sa.select(User).where(User.email == "member2@demo.example"))
        words = paragraph.text.split()
        quote = " ".join(words[1:4]) if len(words) > 4 else None
        comment = create_comment(
            version=current,
            revision=paragraph,
            author=member,
            kind=CommentKind.SUGGESTION,
            body="Förtydliga vad som menas här, gärna med ett exempel som visar hur det fungerar i praktiken.",
            suggestion=paragraph.text.replace(words[0], words[0].upper(), 1),
            quote=locate_quote(paragraph.text, quote) if quote else None,
        )
        create_comment(
            version=current,
            revision=paragraph,
            author=other,
            kind=CommentKind.COMMENT,
            body="Jag håller med.",
            parent=comment,
        )
        create_comment(
            version=current,
            revision=paragraph,
            author=other,
            kind=CommentKind.QUESTION,
            body="Gäller detta även kommuner?",
        )
        # A member's comment on the first version, accepted into the current one.
        from app.review.markdown import render
        from app.review.models import Comment, CommentStatus

        earlier = db.session.scalar(
            sa.select(Comment)
            .where(
                Comment.author_id == member.id,
                Comment.version_id != current.id,
                Comment.block_id.is_not(None),
                Comment.parent_id.is_(None),
            )
            .order_by(Comment.id)
        )
        if earlier is not None:
            earlier.status = CommentStatus.ACCEPTED
            earlier.response = "Vi har skrivit om stycket efter synpunkten."
            earlier.response_html = render(earlier.response)
            earlier.resolved_in_version_id = current.id
        db.session.commit()
        # An invitation that expired unused, for the admin to send again.
        from datetime import timedelta

        from app.accounts.models import Role
        from app.accounts.operations import invite
        from app.database import utcnow

        admin = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["admin"]))
        expired, _token = invite(
            email="nina@example.org",
            name="Nina Ny",
            organisation=admin.organisation,
            roles={Role.MEMBER},
            actor=admin,
        )
        expired.expires_at = utcnow() - timedelta(days=1)
        # The editors' working draft of the next version.
        from app.drafting.operations import start_draft

        editor = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["editor"]))
        start_draft(document, editor)
        db.session.commit()
        meeting = db.session.scalar(sa.select(Meeting).order_by(Meeting.starts_at.desc()))
        block_uid = db.session.get(Block, paragraph.block_id).uid
        return {
            "slug": document.slug,
            "current": current.number,
            "previous": current.number - 1,
            "uid": block_uid,
            "comment": comment.id,
            "meeting": meeting.id,
            "user": member.id,
            "org": member.organisation_id,
        }
