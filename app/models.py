"""Import every model so the metadata (and Alembic) sees all tables."""

from app.accounts.models import Invitation, Organisation, Role, User, UserRole
from app.api.models import ApiToken
from app.audit import AuditEvent
from app.documents.models import Block, BlockRevision, Document, Version
from app.meetings.models import Export, Meeting
from app.notifications.models import Follow, Notification, NotificationPreference
from app.responses.models import Response, SectionPosition
from app.review.models import Comment, CommentRevision, Endorsement

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Block",
    "BlockRevision",
    "Comment",
    "CommentRevision",
    "Document",
    "Endorsement",
    "Export",
    "Follow",
    "Invitation",
    "Meeting",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "Response",
    "Role",
    "SectionPosition",
    "User",
    "UserRole",
    "Version",
]
