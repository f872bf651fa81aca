"""What review does when a version is published (app.signals): find the carried quotes again.

Drafting publishes and sits above review, so review listens rather than being called. Connected
when this module is first imported (create_app does it). The receiver runs inside the publishing
transaction: the anchors are stored, or rolled back, with the version.
"""

from __future__ import annotations

from app.review.anchors import store_anchors
from app.signals import version_published


@version_published.connect
def reanchor_quotes(version, **_extra) -> None:
    """Store where the open comments' quotes of earlier versions stand in the new version."""
    store_anchors(version)
