"""Import every model so the metadata (and Alembic) sees all tables."""

from app.accounts.models import Invitation, Organisation, Role, User, UserRole
from app.accounts.sso.models import (
    ExternalIdentity,
    IdentityProvider,
    IdentityProviderDomain,
    SignInState,
    UsedAssertion,
)
from app.api.models import ApiToken
from app.audit import AuditEvent
from app.documents.models import Block, BlockRevision, Document, Version
from app.drafting.models import StoredImport
from app.live.models import LiveEvent
from app.meetings.models import (
    ActionPoint,
    AgendaAttachment,
    AgendaItem,
    Attendance,
    Export,
    Meeting,
    MeetingSeries,
    MinutesDecision,
    Registration,
    RegistrationMail,
    Speaker,
)
from app.notifications.models import Follow, InboxItem, Notification, NotificationPreference
from app.pagecache import DataStamp
from app.ratelimit import RateCounter
from app.responses.models import Response, SectionPosition
from app.review.models import Comment, CommentAnchor, CommentMention, CommentRevision, Endorsement
from app.search.models import SearchEntry
from app.wordcomments.models import WordImport

__all__ = [
    "ActionPoint",
    "AgendaAttachment",
    "AgendaItem",
    "ApiToken",
    "Attendance",
    "AuditEvent",
    "Block",
    "BlockRevision",
    "Comment",
    "CommentAnchor",
    "CommentMention",
    "CommentRevision",
    "DataStamp",
    "Document",
    "Endorsement",
    "Export",
    "ExternalIdentity",
    "Follow",
    "IdentityProvider",
    "IdentityProviderDomain",
    "InboxItem",
    "Invitation",
    "LiveEvent",
    "Meeting",
    "MeetingSeries",
    "MinutesDecision",
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
    "SignInState",
    "Speaker",
    "StoredImport",
    "UsedAssertion",
    "User",
    "UserRole",
    "Version",
    "WordImport",
]
