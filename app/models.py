"""Import every model so the metadata (and Alembic) sees all tables."""

from app.accounts.models import Invitation, Organisation, Role, User, UserRole
from app.api.models import ApiToken
from app.audit import AuditEvent
from app.documents.models import Block, BlockRevision, Document, Version
from app.drafting.models import StoredImport
from app.meetings.models import Export, Meeting, MeetingSeries, Registration, RegistrationMail, Speaker
from app.notifications.models import Follow, Notification, NotificationPreference
from app.pagecache import DataStamp
from app.ratelimit import RateCounter
from app.responses.models import Response, SectionPosition
from app.review.models import Comment, CommentAnchor, CommentRevision, Endorsement
from app.search.models import SearchEntry
from app.wordcomments.models import WordImport

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Block",
    "BlockRevision",
    "Comment",
    "CommentAnchor",
    "CommentRevision",
    "DataStamp",
    "Document",
    "Endorsement",
    "Export",
    "Follow",
    "Invitation",
    "Meeting",
    "MeetingSeries",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "RateCounter",
    "Registration",
    "RegistrationMail",
    "Response",
    "Role",
    "SearchEntry",
    "SectionPosition",
    "Speaker",
    "StoredImport",
    "User",
    "UserRole",
    "Version",
    "WordImport",
]
