"""What happened, announced from below: operations send these, features above subscribe.

A lower package (review, drafting, accounts) never imports what reacts to it (notifications,
caches); it sends a signal here and whoever cares connects to it at start-up. Receivers run in
the sender's transaction, before its commit, so what they add is saved, or rolled back, with it.
Flask ships blinker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from blinker import Namespace

remiss = Namespace()

# ---- comments, decisions and versions (review, drafting) ------------------------------------

comments_posted = remiss.signal("comments-posted")
"""Comments or replies were posted (sender: the document; keywords: comments, in order, replies
among them; author; follows, True when the caller knows the author follows the document).
Sent once per batch by app.review.operations.create_comments, after the flush."""

comment_decided = remiss.signal("comment-decided")
"""An editor recorded a decision other than "open" (sender: the comment; keyword: editor).
Sent by app.review.operations.decide."""

comments_decided = remiss.signal("comments-decided")
"""An editor recorded one decision other than "open" on many comments at once (sender: the id of
the document; keywords: comments, those whose decision changed; editor). Sent once per bulk
decision by app.review.bulk.decide_all, after the flush, instead of comment_decided per comment."""

version_published = remiss.signal("version-published")
"""A draft became the version open for comments (sender: the version; keyword: editor).
Sent by app.drafting.operations.publish_draft."""

# ---- what else happens on a document, for whoever shows it live (app.live) ------------------

comment_edited = remiss.signal("comment-edited")
"""A comment's wording changed (sender: the comment; keyword: actor). Sent by
app.review.operations.edit_comment when anything changed."""

comment_withdrawn = remiss.signal("comment-withdrawn")
"""A comment was withdrawn by its author (sender: the comment; keyword: actor)."""

comment_hidden = remiss.signal("comment-hidden")
"""A moderator hid a comment's text, or showed it again (sender: the comment; keywords: hidden,
True or False; actor). Receivers must not pass the text on."""

comment_endorsed = remiss.signal("comment-endorsed")
"""Someone endorsed a comment or took it back (sender: the comment; keywords: user, stands)."""

draft_block_saved = remiss.signal("draft-block-saved")
"""An editor saved a block of the working draft (sender: the block's revision, before it is
expired; keyword: editor). Sent by app.drafting.operations._save, which every edit goes through
(applying a suggestion too)."""

suggestion_applied = remiss.signal("suggestion-applied")
"""A suggestion was merged into the working draft (sender: the comment; keywords: draft, editor).
Sent by app.drafting.operations.apply_suggestion after its decision."""


# ---- accounts, the mail outbox and the reminders of features above it ----------------------

user_forgotten = remiss.signal("user-forgotten")
"""A member was pseudonymised (sender: the user): nothing may be mailed to them any more."""

password_reset_requested = remiss.signal("password-reset-requested")
"""Someone asked for a link to choose a new password (sender: the e-mail address as typed).
The receiver queues the link, if the address may have one, and returns its user or None."""

password_reset_opened = remiss.signal("password-reset-opened")
"""A password reset link was opened (sender: its token). The receiver returns (user, "valid"),
or (None, "invalid" | "expired")."""

mail_run_started = remiss.signal("mail-run-started")
"""A run of `flask send-mail` or `flask send-digests` begins (keyword: now): features queue the
reminders of their own that have come due, before the outbox is read."""

owed_mail_listed = remiss.signal("owed-mail-listed")
"""The administrators' mail page is shown (no sender): features above notifications that keep
e-mails of their own (meetings' sign-ups and topics) return a list of
:class:`OwedMail` rows not yet sent, the newest first."""


@dataclass(frozen=True)
class OwedMail:
    """An e-mail a feature keeps in its own table, as the administrators' mail page lists it:
    ``state`` is "given_up" (no more attempts), "retrying" (failed, tried again) or "queued"."""

    created_at: datetime
    to_name: str
    to_email: str
    about: str
    detail: str
    attempts: int
    state: str


notification_wording = remiss.signal("notification-wording")
"""Word an outbox message of a kind a feature above notifications added (sender: the kind;
keywords: notification, now, item). The receiver returns ``item(subject=, text=, link=)``,
or None once the message is no longer true."""

# Mentions and the inbox (issue 27) ------------------------------------------------------------

comment_mentioned = remiss.signal("comment-mentioned")
"""People were @mentioned for the first time in a comment or a reply, as it was posted or edited
(sender: the comment; keywords: users, those newly mentioned who may read the document; author).
Sent by app.review.mentions.record_mentions, after the flush, at most once per comment and save."""
