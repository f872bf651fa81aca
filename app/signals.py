"""What happened, announced from below: operations send these, features above subscribe.

A lower package (review, drafting, accounts) never imports what reacts to it (notifications,
caches); it sends a signal here and whoever cares connects to it at start-up. Receivers run in
the sender's transaction, before its commit, so what they add is saved, or rolled back, with it.
Flask ships blinker.
"""

from __future__ import annotations

from blinker import Namespace

remiss = Namespace()

# Sent by app.review.operations.create_comments once per batch, after the flush:
# sender the document; comments (in order, replies among them), author, and follows (True when
# the caller knows the author follows the document already).
comments_posted = remiss.signal("comments-posted")

# Sent by app.review.operations.decide when an editor records a decision other than "open":
# sender the comment; editor.
comment_decided = remiss.signal("comment-decided")

# Sent by app.drafting.operations.publish_draft when a draft becomes the open version:
# sender the version; editor.
version_published = remiss.signal("version-published")
