"""What review does when a version is published (app.signals): find the carried quotes again;
and when a person is pseudonymised: their @mentions show the new name.

Drafting publishes and sits above review, so review listens rather than being called. Connected
when this module is first imported (create_app does it). The receiver runs inside the publishing
transaction: the anchors are stored, or rolled back, with the version.
"""

from __future__ import annotations

from app.review.anchors import store_anchors
from app.review.mentions import rerender_mentions_of
from app.signals import user_forgotten, version_published


@version_published.connect
def reanchor_quotes(version, **_extra) -> None:
    """Store where the open comments' quotes of earlier versions stand in the new version."""
    store_anchors(version)


@user_forgotten.connect
def rename_mentions(user, **_extra) -> None:
    """A pseudonymised person's mentions show their new name, as plain text."""
    rerender_mentions_of(user)
