"""The role × route permission matrix, generated from the app's own url_map.

Every rule and method in ``url_map`` must have an entry in ``MATRIX``: a new
route without one fails ``test_every_route_is_in_the_matrix``. Each entry lists
the cases to request and the status each kind of visitor must get.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.documents.models import Visibility
from app.meetings.models import AgendaAttachment, AgendaItem, Meeting, Topic
from tests.conftest import add_comment, add_meeting_with_export, default_blocks
from tests.meetings.pdfs import PDF

ACTORS = ("anonymous", "member_a", "member_b", "editor", "host", "admin")


def expect(anonymous, member_a, member_b=None, editor=None, host=None, admin=None):
    """Statuses per actor; unspecified signed-in actors default to member_a's."""
    member_b = member_a if member_b is None else member_b
    editor = member_a if editor is None else editor
    host = member_a if host is None else host
    admin = member_a if admin is None else admin
    return dict(zip(ACTORS, (anonymous, member_a, member_b, editor, host, admin), strict=True))


EVERYONE_OK = expect(200, 200)
SIGNED_IN = expect(302, 200)
ADMIN_ONLY = expect(302, 403, admin=200)
HOST_ONLY = expect(302, 403, host=200)
EDITOR_ONLY = expect(302, 403, editor=200)


def editor_gets(status):
    """Anonymous visitors are sent to sign in, non-editors refused, editors get *status*."""
    return expect(302, 403, editor=status)


@dataclass
class Case:
    """One request: a path template filled from the world, optional form data, statuses."""

    path: str
    statuses: dict
    data: dict = field(default_factory=dict)


MATRIX: dict[tuple[str, str], list[Case]] = {
    ("documents.index", "GET"): [Case("/", EVERYONE_OK)],
    ("search.search", "GET"): [
        Case("/search", EVERYONE_OK),
        Case("/search?q=licenser&document={public}&version=1", EVERYONE_OK),
        Case("/search?q=och", expect(400, 400)),
    ],
    ("documents.document", "GET"): [
        Case("/d/{public}", EVERYONE_OK),
        Case("/d/{network}", SIGNED_IN),
        Case("/d/no-such-document", expect(404, 404)),
    ],
    ("documents.version", "GET"): [
        Case("/d/{public}/v/1", EVERYONE_OK),
        Case("/d/{network}/v/1", SIGNED_IN),
        Case("/d/{public}/v/99", expect(404, 404)),
    ],
    ("accounts.login", "GET"): [Case("/login", EVERYONE_OK)],
    ("accounts.login", "POST"): [Case("/login", EVERYONE_OK)],  # empty form: shown again
    ("accounts.logout", "POST"): [Case("/logout", expect(302, 302))],
    # SAML service provider (issue 26): public by nature; a message that does not verify is refused.
    ("accounts.saml_metadata", "GET"): [Case("/sso/saml/metadata", EVERYONE_OK)],
    ("accounts.saml_acs", "POST"): [Case("/sso/saml/acs", expect(400, 400), {"SAMLResponse": "bm9uZQ=="})],
    ("accounts.saml_slo", "GET"): [Case("/sso/saml/slo?SAMLRequest=bm9uZQ", expect(400, 400))],
    ("accounts.saml_slo", "POST"): [Case("/sso/saml/slo", expect(400, 400), {"SAMLRequest": "bm9uZQ=="})],
    ("accounts.profile", "GET"): [Case("/profile", SIGNED_IN)],
    ("accounts.profile_data", "GET"): [Case("/profile/data", SIGNED_IN)],
    ("accounts.audit_log", "GET"): [
        Case("/admin/audit", ADMIN_ONLY),
        Case("/admin/audit?action=nonsense&date_from=2020-13-45", expect(302, 403, admin=400)),
    ],
    ("accounts.profile_language", "POST"): [Case("/profile/language", expect(302, 400))],
    ("accounts.profile_password", "POST"): [Case("/profile/password", expect(302, 400))],
    ("accounts.accept_invitation", "GET"): [
        Case("/invitation/{invitation}", expect(200, 302)),
        Case("/invitation/not-a-token", expect(404, 404)),
    ],
    ("accounts.accept_invitation", "POST"): [Case("/invitation/{invitation}", expect(400, 302))],
    ("accounts.admin_users", "GET"): [Case("/admin/users", ADMIN_ONLY)],
    ("accounts.admin_user", "GET"): [Case("/admin/users/{member_a_id}", ADMIN_ONLY)],
    ("accounts.admin_user", "POST"): [Case("/admin/users/{member_a_id}", expect(302, 403, admin=400))],
    ("accounts.admin_organisations", "GET"): [Case("/admin/organisations", ADMIN_ONLY)],
    ("accounts.admin_organisations", "POST"): [Case("/admin/organisations", expect(302, 403, admin=400))],
    ("accounts.admin_invite", "GET"): [Case("/admin/invitations", ADMIN_ONLY)],
    ("accounts.admin_identity_providers", "GET"): [Case("/admin/sign-in-services", ADMIN_ONLY)],
    ("accounts.admin_identity_provider_new", "GET"): [Case("/admin/sign-in-services/new", ADMIN_ONLY)],
    ("accounts.admin_identity_provider_new", "POST"): [
        Case("/admin/sign-in-services/new", expect(302, 403, admin=400))
    ],
    ("accounts.admin_identity_provider", "GET"): [
        Case("/admin/sign-in-services/999999", expect(302, 403, admin=404))
    ],
    ("accounts.admin_identity_provider", "POST"): [
        Case("/admin/sign-in-services/999999", expect(302, 403, admin=404))
    ],
    ("accounts.admin_identity_provider_active", "POST"): [
        Case("/admin/sign-in-services/999999/active", expect(302, 403, admin=404))
    ],
    ("accounts.sso_start", "GET"): [Case("/sign-in/sso/999999", expect(404, 404))],
    ("accounts.sso_choose", "GET"): [Case("/sign-in/organisation", EVERYONE_OK)],
    ("accounts.sso_choose", "POST"): [Case("/sign-in/organisation", expect(400, 400))],  # empty form
    ("accounts.sso_link", "GET"): [Case("/sign-in/link", expect(410, 410))],  # nothing waiting
    ("accounts.sso_link", "POST"): [Case("/sign-in/link", expect(410, 410))],
    # A first sign-in without an e-mail (tests/accounts/test_sso_no_email.py): nothing waiting, no link.
    ("accounts.sso_email", "GET"): [Case("/sign-in/email", expect(410, 410))],
    ("accounts.sso_email", "POST"): [Case("/sign-in/email", expect(410, 410))],
    ("accounts.sso_email_confirm", "GET"): [Case("/sign-in/email/forged", expect(410, 410))],
    ("accounts.sso_email_confirm", "POST"): [Case("/sign-in/email/forged", expect(410, 410))],
    # The invitation's organisation has no provider without passwords: back to the invitation.
    ("accounts.sso_start_invited", "GET"): [
        Case("/invitation/{invitation}/sign-in", expect(302, 302)),
        Case("/invitation/not-a-token/sign-in", expect(404, 404)),
    ],
    # A valid invitation is not renewed: the admin is sent back with a message.
    ("accounts.admin_renew_invitation", "POST"): [
        Case("/admin/invitations/{invitation_id}/renew", expect(302, 403, admin=302))
    ],
    ("accounts.forgot_password", "GET"): [Case("/forgot-password", expect(200, 302))],
    ("accounts.forgot_password", "POST"): [Case("/forgot-password", expect(400, 302))],  # empty form
    ("accounts.reset_password", "GET"): [Case("/reset-password/1-forged", expect(410, 410))],
    ("accounts.reset_password", "POST"): [Case("/reset-password/not-a-token", expect(410, 410))],
    ("accounts.admin_invite", "POST"): [Case("/admin/invitations", expect(302, 403, admin=400))],
    # Sign-in through an OpenID Provider (issue 26): an unknown provider, an answer for a sign-in
    # never started, a link never asked for.
    ("accounts.sso_oidc_start", "GET"): [Case("/sso/oidc/start/999999", expect(404, 404))],
    ("accounts.sso_oidc_callback", "GET"): [Case("/sso/oidc/callback?code=x&state=y", expect(400, 400))],
    # The inbox is one's own: nobody else's item opens (404), visitors sign in first (issue 27).
    ("notifications.inbox_page", "GET"): [Case("/inbox", SIGNED_IN)],
    ("notifications.open_item", "GET"): [Case("/inbox/999999", expect(302, 404))],
    ("notifications.mark_all_read", "POST"): [Case("/inbox/read", expect(302, 302))],
    ("review.mention_people", "GET"): [Case("/mentions/people?q=a", SIGNED_IN)],
    ("accounts.sso_oidc_signed_out", "GET"): [Case("/sso/oidc/signed-out", expect(302, 302))],
    ("site.accessibility", "GET"): [Case("/accessibility", EVERYONE_OK)],
    ("site.set_language", "POST"): [Case("/language", expect(400, 400))],
    ("site.health", "GET"): [Case("/healthz", EVERYONE_OK)],
    # Commenting: signed-in users on open versions; 403 on closed ones; 404 for unknown blocks.
    ("review.comment_block", "GET"): [
        Case("/d/{public}/v/2/b/{uid}/comment", SIGNED_IN),
        Case("/d/{public}/v/1/b/{uid}/comment", expect(302, 403)),
        Case("/d/{public}/v/2/b/nosuchblock/comment", expect(302, 404)),
        Case("/d/{network}/v/1/b/{network_uid}/comment", SIGNED_IN),
    ],
    ("review.comment_block", "POST"): [
        Case("/d/{public}/v/2/b/{uid}/comment", expect(302, 400)),
        Case("/d/{public}/v/1/b/{uid}/comment", expect(302, 403)),
    ],
    # Suggesting a paragraph's wording: as commenting. A post seen on version 1 while version 2
    # is open is weighed against version 2 (here: no revision named, so 400).
    ("review.suggest_block", "GET"): [
        Case("/d/{public}/v/2/b/{uid}/suggest", SIGNED_IN),
        Case("/d/{public}/v/1/b/{uid}/suggest", expect(302, 403)),
        Case("/d/{public}/v/2/b/nosuchblock/suggest", expect(302, 404)),
        Case("/d/{network}/v/1/b/{network_uid}/suggest", SIGNED_IN),
    ],
    ("review.suggest_block", "POST"): [
        Case("/d/{public}/v/2/b/{uid}/suggest", expect(302, 400)),
        Case("/d/{public}/v/1/b/{uid}/suggest", expect(302, 400)),
    ],
    ("review.comment_version", "GET"): [Case("/d/{public}/v/2/comment", SIGNED_IN)],
    ("review.comment_version", "POST"): [
        Case("/d/{public}/v/2/comment", expect(302, 400)),
        Case("/d/{public}/v/1/comment", expect(302, 403)),
    ],
    ("review.reply", "GET"): [
        Case("/comments/{comment_id}/reply", SIGNED_IN),
        Case("/comments/999999/reply", expect(302, 404)),
    ],
    ("review.reply", "POST"): [Case("/comments/{comment_id}/reply", expect(302, 400))],
    ("review.endorse", "POST"): [
        Case("/comments/{comment_id}/endorse", expect(302, 302)),
        Case("/comments/{network_comment_id}/endorse", expect(302, 302)),
    ],
    ("review.edit", "GET"): [Case("/comments/{comment_id}/edit", expect(302, 200, 403, 403, 403, 403))],
    ("review.edit", "POST"): [Case("/comments/{comment_id}/edit", expect(302, 400, 403, 403, 403, 403))],
    ("review.withdraw", "GET"): [
        Case("/comments/{comment_id}/withdraw", expect(302, 200, 403, 403, 403, 403))
    ],
    ("review.withdraw", "POST"): [
        Case("/comments/{comment_id}/withdraw", expect(302, 302, 403, 403, 403, 403))
    ],
    # Moderation: editors and admins hide a comment with a reason (an empty form: 400) or show it again.
    ("review.hide", "GET"): [
        Case("/comments/{comment_id}/hide", expect(302, 403, editor=200, admin=200)),
        Case("/comments/{network_comment_id}/hide", expect(302, 403, editor=200, admin=200)),
        Case("/comments/999999/hide", expect(302, 404)),
    ],
    ("review.hide", "POST"): [Case("/comments/{comment_id}/hide", expect(302, 403, editor=400, admin=400))],
    ("review.unhide", "POST"): [
        Case("/comments/{comment_id}/unhide", expect(302, 403, editor=302, admin=302)),
        Case("/comments/999999/unhide", expect(302, 404)),
    ],
    # The event stream: a reader's right to the document, never a sign-in redirect (issue 27).
    ("live.stream", "GET"): [
        Case("/d/{public}/live", EVERYONE_OK),
        Case("/d/{network}/live", expect(403, 200)),
        Case("/d/no-such-document/live", expect(404, 404)),
    ],
    ("live.deciding", "POST"): [
        Case("/d/{public}/live/deciding/{comment_id}", expect(403, 403, editor=204)),
        Case("/d/{public}/live/deciding/999999", expect(403, 403, editor=404)),
    ],
    ("live.deciding_many", "POST"): [
        Case("/d/{public}/live/deciding", expect(403, 403, editor=204)),
        Case("/d/{network}/live/deciding", expect(403, 403, editor=204)),
        Case("/d/no-such-document/live/deciding", expect(404, 404)),
    ],
    ("review.block_comments", "GET"): [
        Case("/d/{public}/v/2/b/{uid}/comments", EVERYONE_OK),
        Case("/d/{network}/v/1/b/{network_uid}/comments", SIGNED_IN),
        Case("/d/{public}/v/2/b/nosuchblock/comments", expect(404, 404)),
    ],
    ("compare.pick", "GET"): [
        Case("/d/{public}/compare?a=1&b=2", expect(302, 302)),
        Case("/d/{network}/compare?a=1&b=1", expect(302, 302)),
    ],
    ("compare.compare", "GET"): [
        Case("/d/{public}/compare/1..2", EVERYONE_OK),
        Case("/d/{network}/compare/1..1", SIGNED_IN),
        Case("/d/{public}/compare/1..9", expect(404, 404)),
    ],
    ("review.overview", "GET"): [
        Case("/d/{public}/v/2/overview", EVERYONE_OK),
        Case("/d/{network}/v/1/overview", SIGNED_IN),
    ],
    # The working draft and decisions on comments: editors only ({public} has a draft, {network} none).
    ("drafting.draft", "GET"): [
        Case("/d/{public}/draft", EDITOR_ONLY),
        Case("/d/{network}/draft", EDITOR_ONLY),
    ],
    ("drafting.start", "POST"): [
        Case("/d/{public}/draft/start", editor_gets(409)),
        Case("/d/{network}/draft/start", editor_gets(302)),
    ],
    ("drafting.edit_block", "GET"): [
        Case("/d/{public}/draft/b/{uid}", EDITOR_ONLY),
        Case("/d/{public}/draft/b/nosuchblock", editor_gets(404)),
        Case("/d/{network}/draft/b/{network_uid}", editor_gets(404)),
    ],
    ("drafting.edit_block", "POST"): [Case("/d/{public}/draft/b/{uid}", editor_gets(400))],
    ("drafting.insert", "GET"): [
        Case("/d/{public}/draft/insert?after={uid}", EDITOR_ONLY),
        Case("/d/{public}/draft/insert?after=nosuchblock", editor_gets(404)),
    ],
    ("drafting.insert", "POST"): [Case("/d/{public}/draft/insert", editor_gets(400))],
    ("drafting.move", "POST"): [Case("/d/{public}/draft/b/{uid}/move", editor_gets(400))],
    ("drafting.remove", "GET"): [Case("/d/{public}/draft/b/{uid}/remove", EDITOR_ONLY)],
    ("drafting.remove", "POST"): [Case("/d/{public}/draft/b/{uid}/remove", editor_gets(400))],
    ("drafting.merge", "GET"): [Case("/d/{public}/draft/b/{uid}/merge", EDITOR_ONLY)],
    ("drafting.merge", "POST"): [Case("/d/{public}/draft/b/{uid}/merge", editor_gets(400))],
    ("drafting.split", "GET"): [Case("/d/{public}/draft/b/{uid}/split", EDITOR_ONLY)],
    ("drafting.split", "POST"): [Case("/d/{public}/draft/b/{uid}/split", editor_gets(400))],
    ("drafting.publish", "GET"): [
        Case("/d/{public}/draft/publish", EDITOR_ONLY),
        Case("/d/{network}/draft/publish", editor_gets(404)),
    ],
    ("drafting.publish", "POST"): [Case("/d/{public}/draft/publish", editor_gets(400))],
    # Importing a draft (Word file or paste); a pending import belongs to the editor who uploaded it.
    ("drafting.import_docx", "GET"): [
        Case("/d/{public}/draft/import", EDITOR_ONLY),
        Case("/d/{network}/draft/import", EDITOR_ONLY),
        Case("/d/no-such-document/draft/import", expect(302, 404)),
    ],
    ("drafting.import_docx", "POST"): [Case("/d/{public}/draft/import", editor_gets(400))],
    ("drafting.paste", "GET"): [
        Case("/d/{public}/draft/paste", EDITOR_ONLY),
        Case("/d/no-such-document/draft/paste", expect(302, 404)),
    ],
    ("drafting.paste", "POST"): [Case("/d/{network}/draft/paste", editor_gets(400))],
    ("drafting.new_document_import", "GET"): [Case("/documents/new/import", EDITOR_ONLY)],
    ("drafting.new_document_import", "POST"): [Case("/documents/new/import", editor_gets(400))],
    ("drafting.import_report", "GET"): [Case("/imports/" + "A" * 32, editor_gets(302))],
    ("drafting.import_confirm", "POST"): [Case("/imports/" + "A" * 32 + "/confirm", editor_gets(302))],
    ("drafting.import_cancel", "POST"): [Case("/imports/" + "A" * 32 + "/cancel", editor_gets(302))],
    # Comments from Word (issue 16): anyone who may comment; a preview belongs to its uploader.
    ("wordcomments.upload", "GET"): [
        Case("/d/{public}/v/2/word-comments", SIGNED_IN),
        Case("/d/{network}/v/1/word-comments", SIGNED_IN),
        Case("/d/{public}/v/1/word-comments", expect(302, 403)),
        Case("/d/no-such-document/v/1/word-comments", expect(302, 404)),
    ],
    ("wordcomments.upload", "POST"): [
        Case("/d/{public}/v/2/word-comments", expect(302, 400)),
        Case("/d/{public}/v/1/word-comments", expect(302, 403)),
    ],
    ("wordcomments.preview", "GET"): [Case("/word-comments/" + "A" * 32, expect(302, 404))],
    ("wordcomments.confirm", "POST"): [Case("/word-comments/" + "A" * 32, expect(302, 404))],
    ("wordcomments.cancel", "POST"): [Case("/word-comments/" + "A" * 32 + "/cancel", expect(302, 404))],
    ("review.dashboard", "GET"): [
        Case("/d/{public}/v/2/review", EDITOR_ONLY),
        Case("/d/{network}/v/1/review", EDITOR_ONLY),
        Case("/d/{public}/v/99/review", editor_gets(404)),
    ],
    ("review.dashboard", "POST"): [Case("/d/{public}/v/2/review", editor_gets(400))],
    ("review.decide", "GET"): [
        Case("/d/{public}/review/c/{comment_id}", EDITOR_ONLY),
        Case("/d/{public}/review/c/{network_comment_id}", editor_gets(403)),
        Case("/d/{public}/review/c/999999", editor_gets(404)),
    ],
    ("review.decide", "POST"): [
        Case("/d/{public}/review/c/{comment_id}", editor_gets(400)),
        Case("/d/{public}/review/c/{network_comment_id}", editor_gets(403)),
    ],
    ("review.my_comments", "GET"): [
        Case("/d/{public}/mine", SIGNED_IN),
        Case("/d/{network}/mine", SIGNED_IN),
        Case("/d/no-such-document/mine", expect(302, 404)),
    ],
    # Without a working draft nothing can be applied: the editor is told why (409).
    ("review.apply", "GET"): [
        Case("/d/{public}/review/c/{comment_id}/apply", editor_gets(409)),
        Case("/d/{public}/review/c/{network_comment_id}/apply", editor_gets(403)),
        Case("/d/{public}/review/c/999999/apply", editor_gets(404)),
    ],
    ("review.apply", "POST"): [
        Case("/d/{public}/review/c/{comment_id}/apply", editor_gets(409)),
        Case("/d/{public}/review/c/{network_comment_id}/apply", editor_gets(403)),
    ],
    ("review.apply_write", "GET"): [
        Case("/d/{public}/review/c/{comment_id}/apply/write", editor_gets(409)),
        Case("/d/{public}/review/c/{network_comment_id}/apply/write", editor_gets(403)),
    ],
    ("review.apply_write", "POST"): [
        Case("/d/{public}/review/c/{comment_id}/apply/write", editor_gets(409)),
        Case("/d/{public}/review/c/{network_comment_id}/apply/write", editor_gets(403)),
    ],
    # Meetings: everyone sees those of documents they may read; hosts plan them and export packs.
    ("meetings.index", "GET"): [Case("/meetings", EVERYONE_OK)],
    ("meetings.meeting", "GET"): [
        Case("/meetings/{meeting_id}", EVERYONE_OK),
        Case("/meetings/{network_meeting_id}", SIGNED_IN),
        Case("/meetings/999999", expect(404, 404)),
    ],
    ("meetings.series", "GET"): [
        Case("/series/{series_id}", EVERYONE_OK),
        Case("/series/{network_series_id}", SIGNED_IN),
        Case("/series/999999", expect(404, 404)),
    ],
    # Calendar programs cannot sign in: a network series' feeds are 404 to visitors.
    ("meetings.series_ics", "GET"): [
        Case("/series/{series_id}.ics", EVERYONE_OK),
        Case("/series/{network_series_id}.ics", expect(404, 200)),
    ],
    ("meetings.series_atom", "GET"): [
        Case("/series/{series_id}.atom", EVERYONE_OK),
        Case("/series/{network_series_id}.atom", expect(404, 200)),
    ],
    ("meetings.meeting_ics", "GET"): [
        Case("/meetings/{meeting_id}.ics", EVERYONE_OK),
        Case("/meetings/{network_meeting_id}.ics", expect(404, 200)),
    ],
    ("meetings.new_series", "GET"): [Case("/series/new", HOST_ONLY)],
    ("meetings.new_series", "POST"): [Case("/series/new", expect(302, 403, host=400))],
    ("meetings.edit_series", "GET"): [
        Case("/series/{series_id}/edit", HOST_ONLY),
        Case("/series/999999/edit", expect(302, 403, host=404)),
    ],
    ("meetings.edit_series", "POST"): [Case("/series/{series_id}/edit", expect(302, 403, host=400))],
    ("meetings.cancel", "GET"): [
        Case("/meetings/{meeting_id}/cancel", HOST_ONLY),
        Case("/meetings/999999/cancel", expect(302, 403, host=404)),
    ],
    ("meetings.reinstate", "POST"): [
        Case("/meetings/{meeting_id}/reinstate", expect(302, 403, host=302)),
        Case("/meetings/999999/reinstate", expect(302, 403, host=404)),
    ],
    ("meetings.cancel", "POST"): [
        Case("/meetings/{meeting_id}/cancel", expect(302, 403, host=302)),
        Case("/meetings/999999/cancel", expect(302, 403, host=404)),
    ],
    ("meetings.new", "GET"): [Case("/meetings/new", HOST_ONLY)],
    ("meetings.new", "POST"): [Case("/meetings/new", expect(302, 403, host=400))],
    ("meetings.edit", "GET"): [
        Case("/meetings/{meeting_id}/edit", HOST_ONLY),
        Case("/meetings/{network_meeting_id}/edit", HOST_ONLY),
        Case("/meetings/999999/edit", expect(302, 403, host=404)),
    ],
    ("meetings.edit", "POST"): [Case("/meetings/{meeting_id}/edit", expect(302, 403, host=400))],
    ("meetings.export", "POST"): [
        Case("/meetings/{meeting_id}/export", expect(302, 403, host=302)),
        Case("/meetings/999999/export", expect(302, 403, host=404)),
    ],
    # Sign-up (issue 25): members in one click, guests with a form (an empty one is 400);
    # the links in the e-mails answer 410 to a forged token; participants for hosts and editors.
    ("meetings.signup_for", "POST"): [
        Case("/meetings/{meeting_id}/signup", expect(400, 302)),
        Case("/meetings/{network_meeting_id}/signup", expect(302, 302)),
        Case("/meetings/999999/signup", expect(404, 404)),
    ],
    ("meetings.cancel_signup", "POST"): [
        Case("/meetings/{meeting_id}/signup/cancel", expect(302, 302)),
        Case("/meetings/999999/signup/cancel", expect(404, 404)),
    ],
    # Topics from the network: members propose and support, the proposer withdraws, hosts take
    # them into a meeting or close them; a network series' topics ask visitors to sign in.
    ("meetings.propose_topic", "POST"): [
        Case("/series/{series_id}/topics", expect(302, 400)),
        Case("/series/{network_series_id}/topics", expect(302, 400)),
        Case("/series/{series_id}/topics", expect(302, 302), data={"title": "Ett ämne"}),
        Case("/series/999999/topics", expect(404, 404)),
    ],
    ("meetings.support_topic", "POST"): [
        Case("/topics/{topic_id}/support", expect(302, 302)),
        Case("/topics/{network_topic_id}/support", expect(302, 302)),
        Case("/topics/999999/support", expect(404, 404)),
    ],
    ("meetings.unsupport_topic", "POST"): [
        Case("/topics/{topic_id}/unsupport", expect(302, 302)),
        Case("/topics/999999/unsupport", expect(404, 404)),
    ],
    ("meetings.withdraw_topic", "POST"): [
        Case("/topics/{topic_id}/withdraw", expect(302, 302)),
        Case("/topics/{network_topic_id}/withdraw", expect(302, 302)),
        Case("/topics/999999/withdraw", expect(404, 404)),
    ],
    ("meetings.take_topic", "POST"): [
        Case("/topics/{topic_id}/take", expect(302, 403, host=302)),
        Case("/topics/999999/take", expect(302, 403, host=404)),
    ],
    ("meetings.close_topic", "GET"): [
        Case("/topics/{topic_id}/close", HOST_ONLY),
        Case("/topics/{network_topic_id}/close", HOST_ONLY),
        Case("/topics/999999/close", expect(302, 403, host=404)),
    ],
    ("meetings.close_topic", "POST"): [
        Case("/topics/{topic_id}/close", expect(302, 403, host=400)),
        Case("/topics/999999/close", expect(302, 403, host=404)),
    ],
    # The agenda's items (issue 25, point 4): hosts change them; attachments go with the meeting.
    ("meetings.agenda_page", "GET"): [
        Case("/meetings/{meeting_id}/agenda", HOST_ONLY),
        Case("/meetings/{network_meeting_id}/agenda", HOST_ONLY),
        Case("/meetings/999999/agenda", expect(302, 403, host=404)),
    ],
    ("meetings.agenda_page", "POST"): [
        Case("/meetings/{meeting_id}/agenda", expect(302, 403, host=400)),
        Case("/meetings/{meeting_id}/agenda", expect(302, 403, host=302), data={"title": "Punkt"}),
    ],
    ("meetings.edit_agenda_item", "GET"): [
        Case("/meetings/{meeting_id}/agenda/{agenda_item_id}/edit", HOST_ONLY),
        Case("/meetings/{network_meeting_id}/agenda/{agenda_item_id}/edit", expect(302, 403, host=404)),
    ],
    ("meetings.edit_agenda_item", "POST"): [
        Case("/meetings/{meeting_id}/agenda/{agenda_item_id}/edit", expect(302, 403, host=400)),
    ],
    ("meetings.move_agenda_item", "POST"): [
        Case("/meetings/{meeting_id}/agenda/{agenda_item_id}/move", expect(302, 403, host=400)),
        Case(
            "/meetings/{meeting_id}/agenda/{agenda_item_id}/move",
            expect(302, 403, host=302),
            data={"direction": "down"},
        ),
    ],
    ("meetings.remove_agenda_item", "POST"): [
        Case("/meetings/{network_meeting_id}/agenda/{agenda_item_id}/remove", expect(302, 403, host=404)),
        Case("/meetings/{meeting_id}/agenda/{agenda_item_id}/remove", expect(302, 403, host=302)),
    ],
    ("meetings.publish_agenda", "POST"): [
        Case("/meetings/{meeting_id}/agenda/publish", expect(302, 403, host=302), data={"publish": "1"}),
        Case("/meetings/999999/agenda/publish", expect(302, 403, host=404)),
    ],
    ("meetings.agenda_attachment", "GET"): [
        Case("/meetings/attachments/{attachment_id}", EVERYONE_OK),
        Case("/meetings/attachments/{network_attachment_id}", SIGNED_IN),
        Case("/meetings/attachments/999999", expect(404, 404)),
    ],
    ("meetings.confirm_signup", "GET"): [Case("/signup/confirm/not-a-token", expect(410, 410))],
    ("meetings.confirm_signup", "POST"): [Case("/signup/confirm/not-a-token", expect(410, 410))],
    ("meetings.cancel_by_link", "GET"): [Case("/signup/cancel/not-a-token", expect(410, 410))],
    ("meetings.cancel_by_link", "POST"): [Case("/signup/cancel/not-a-token", expect(410, 410))],
    ("meetings.participants", "GET"): [
        Case("/meetings/{meeting_id}/participants", expect(302, 403, editor=200, host=200)),
        Case("/meetings/{network_meeting_id}/participants", expect(302, 403, editor=200, host=200)),
        Case("/meetings/999999/participants", expect(302, 404)),
    ],
    ("meetings.participants_csv", "GET"): [
        Case("/meetings/{meeting_id}/participants.csv", expect(302, 403, editor=200, host=200)),
        Case("/meetings/999999/participants.csv", expect(302, 404)),
    ],
    # The pack names every commenter: visitors only where the document shows names.
    ("meetings.download", "GET"): [
        Case("/exports/{export_id}", expect(302, 200)),
        Case("/exports/{network_export_id}", expect(302, 200)),
        Case("/exports/999999", expect(404, 404)),
    ],
    # Minutes (issue 25, point 5): hosts write them once the meeting started; unpublished minutes
    # are for hosts only (404 for others), published ones are read as the series is.
    ("meetings.minutes_page", "GET"): [
        Case("/meetings/{meeting_id}/minutes", expect(404, 404, host=200)),
        Case("/meetings/{network_meeting_id}/minutes", expect(302, 404, host=200)),
        Case("/meetings/999999/minutes", expect(404, 404)),
    ],
    ("meetings.minutes_docx", "GET"): [
        Case("/meetings/{meeting_id}/minutes.docx", expect(404, 404, host=200)),
        Case("/meetings/{network_meeting_id}/minutes.docx", expect(302, 404, host=200)),
        Case("/meetings/999999/minutes.docx", expect(404, 404)),
    ],
    ("meetings.edit_minutes", "GET"): [
        Case("/meetings/{meeting_id}/minutes/edit", HOST_ONLY),
        Case("/meetings/{network_meeting_id}/minutes/edit", HOST_ONLY),
        Case("/meetings/999999/minutes/edit", expect(302, 403, host=404)),
    ],
    ("meetings.save_minutes_text", "POST"): [
        Case(
            "/meetings/{meeting_id}/minutes/text",
            expect(302, 403, host=302),
            data={"token": "0", "general": "x"},
        ),
        Case("/meetings/{meeting_id}/minutes/text", expect(302, 403, host=400), data={"token": "no"}),
        Case("/meetings/999999/minutes/text", expect(302, 403, host=404)),
    ],
    ("meetings.save_attendance", "POST"): [
        Case("/meetings/{meeting_id}/minutes/attendance", expect(302, 403, host=302), data={"token": "0"}),
        Case("/meetings/{meeting_id}/minutes/attendance", expect(302, 403, host=409), data={"token": "1"}),
    ],
    ("meetings.add_attendee", "POST"): [
        Case("/meetings/{meeting_id}/minutes/attendees", expect(302, 403, host=302), data={"name": "Gun"}),
        Case("/meetings/{meeting_id}/minutes/attendees", expect(302, 403, host=400)),
    ],
    ("meetings.remove_attendee", "POST"): [
        Case("/meetings/{meeting_id}/minutes/attendees/999999/remove", expect(302, 403, host=400)),
    ],
    ("meetings.add_decision", "POST"): [
        Case("/meetings/{meeting_id}/minutes/decisions", expect(302, 403, host=302), data={"text": "Beslut"}),
        Case("/meetings/{meeting_id}/minutes/decisions", expect(302, 403, host=400)),
    ],
    ("meetings.remove_decision", "POST"): [
        Case("/meetings/{meeting_id}/minutes/decisions/999999/remove", expect(302, 403, host=400)),
    ],
    ("meetings.add_action", "POST"): [
        Case(
            "/meetings/{meeting_id}/minutes/actions",
            expect(302, 403, host=302),
            data={"what": "Göra", "owner_name": "Gun", "due_on": "2020-12-01"},
        ),
        Case(
            "/meetings/{meeting_id}/minutes/actions",
            expect(302, 403, host=400),
            data={"due_on": "2020-13-45"},
        ),
    ],
    ("meetings.remove_action", "POST"): [
        Case("/meetings/{meeting_id}/minutes/actions/999999/remove", expect(302, 403, host=400)),
    ],
    ("meetings.publish_minutes", "POST"): [
        Case("/meetings/{meeting_id}/minutes/publish", expect(302, 403, host=302)),
        Case("/meetings/999999/minutes/publish", expect(302, 403, host=404)),
    ],
    ("meetings.unpublish_minutes", "POST"): [
        Case("/meetings/{meeting_id}/minutes/unpublish", expect(302, 403, host=302)),
    ],
    # The owner of an action point or a host marks it; visitors sign in first.
    ("meetings.action_status", "POST"): [
        Case("/actions/999999/status", expect(302, 404), data={"status": "done"}),
    ],
    # The JSON API (issue 8) ignores the session cookie: only a bearer token gives rights
    # (tests/api), so every actor here gets a visitor's answer; 401 where a token is needed.
    ("api.index", "GET"): [Case("/api/v1/", EVERYONE_OK)],
    # Search (issue 19): everyone may search; what each finds is tested in tests/search/.
    ("api.api_search", "GET"): [
        Case("/api/v1/search?q=licenser", EVERYONE_OK),
        Case("/api/v1/search?q=", expect(400, 400)),
        Case("/api/v1/search?q=a%00b", expect(400, 400)),
    ],
    ("api.openapi", "GET"): [Case("/api/v1/openapi.json", EVERYONE_OK)],
    ("api.documents", "GET"): [
        Case("/api/v1/documents", EVERYONE_OK),
        Case("/api/v1/documents?limit=0", expect(400, 400)),
    ],
    ("api.document", "GET"): [
        Case("/api/v1/documents/{public}", EVERYONE_OK),
        Case("/api/v1/documents/{network}", expect(401, 401)),
        Case("/api/v1/documents/no-such-document", expect(404, 404)),
    ],
    ("api.versions", "GET"): [
        Case("/api/v1/documents/{public}/versions", EVERYONE_OK),
        Case("/api/v1/documents/{network}/versions", expect(401, 401)),
    ],
    ("api.version", "GET"): [
        Case("/api/v1/documents/{public}/versions/2", EVERYONE_OK),
        Case("/api/v1/documents/{public}/versions/99", expect(404, 404)),
        Case("/api/v1/documents/{network}/versions/1", expect(401, 401)),
    ],
    ("api.blocks", "GET"): [
        Case("/api/v1/documents/{public}/versions/2/blocks", EVERYONE_OK),
        Case("/api/v1/documents/{public}/versions/2/blocks?cursor=x", expect(400, 400)),
        Case("/api/v1/documents/{network}/versions/1/blocks", expect(401, 401)),
    ],
    ("api.comments", "GET"): [
        Case("/api/v1/documents/{public}/versions/2/comments", EVERYONE_OK),
        Case("/api/v1/documents/{network}/versions/1/comments", expect(401, 401)),
    ],
    ("api.diff", "GET"): [
        Case("/api/v1/documents/{public}/diff?from=1&to=2", EVERYONE_OK),
        Case("/api/v1/documents/{public}/diff?from=1", expect(400, 400)),
        Case("/api/v1/documents/{network}/diff?from=1&to=1", expect(401, 401)),
    ],
    ("api.document_meetings", "GET"): [
        Case("/api/v1/documents/{public}/meetings", EVERYONE_OK),
        Case("/api/v1/documents/{network}/meetings", expect(401, 401)),
    ],
    ("api.meetings", "GET"): [Case("/api/v1/meetings", EVERYONE_OK)],
    ("api.meeting", "GET"): [
        Case("/api/v1/meetings/{meeting_id}", EVERYONE_OK),
        Case("/api/v1/meetings/{network_meeting_id}", expect(401, 401)),
        Case("/api/v1/meetings/999999", expect(404, 404)),
    ],
    # Visitors of the public document see organisations but not names: no pack without a token.
    ("api.export_file", "GET"): [
        Case("/api/v1/exports/{export_id}/file", expect(401, 401)),
        Case("/api/v1/exports/999999/file", expect(404, 404)),
    ],
    ("api.responses", "GET"): [
        Case("/api/v1/documents/{public}/versions/2/responses", EVERYONE_OK),
        Case("/api/v1/documents/{network}/versions/1/responses", expect(401, 401)),
    ],
    ("api.outcome", "GET"): [
        Case("/api/v1/documents/{public}/versions/2/outcome", EVERYONE_OK),
        Case("/api/v1/documents/{public}/versions/99/outcome", expect(404, 404)),
        Case("/api/v1/documents/{network}/versions/1/outcome", expect(401, 401)),
    ],
    ("api_pages.docs", "GET"): [Case("/api", EVERYONE_OK)],
    ("api_pages.create", "POST"): [Case("/profile/tokens", expect(302, 400))],
    ("api_pages.revoke", "POST"): [Case("/profile/tokens/999999/revoke", expect(302, 404))],
    # Open data: published versions only, with the reading page's rules.
    ("opendata.downloads", "GET"): [
        Case("/d/{public}/v/2/downloads", EVERYONE_OK),
        Case("/d/{network}/v/1/downloads", SIGNED_IN),
        Case("/d/{public}/v/99/downloads", expect(404, 404)),
    ],
    ("opendata.download", "GET"): [
        Case("/d/{public}/v/2/downloads/text.md", EVERYONE_OK),
        Case("/d/{public}/v/2/downloads/comments.csv", EVERYONE_OK),
        Case("/d/{public}/v/2/downloads/outcome.csv", EVERYONE_OK),
        Case("/d/{network}/v/1/downloads/outcome.json", SIGNED_IN),
        Case("/d/{network}/v/1/downloads/text.json", SIGNED_IN),
        Case("/d/{public}/v/2/downloads/secrets.txt", expect(404, 404)),
    ],
    # Responses (remissvar): members of the organisation draft; the record and the outcome are public.
    ("responses.edit", "GET"): [
        Case("/d/{public}/v/2/responses/{org_a}/edit", expect(302, 200, 403, 403, 403, 403)),
        Case("/d/{public}/v/1/responses/{org_a}/edit", expect(302, 409, 403, 403, 403, 403)),
        Case("/d/{public}/v/2/responses/999999/edit", expect(302, 404)),
        Case("/d/{public}/v/3/responses/{org_a}/edit", expect(302, 404)),
    ],
    ("responses.edit", "POST"): [
        Case("/d/{public}/v/2/responses/{org_a}/edit", expect(302, 400, 403, 403, 403, 403)),
    ],
    # 'Lämna remissvaret': members of the organisation see the summary (no draft yet: back to the form);
    # confirming needs the right to answer for it and the summary's token.
    ("responses.confirm", "GET"): [
        Case("/d/{public}/v/2/responses/{org_a}/submit", expect(302, 302, 403, 403, 403, 403)),
        Case("/d/{public}/v/1/responses/{org_a}/submit", expect(302, 409, 403, 403, 403, 403)),
        Case("/d/{public}/v/2/responses/999999/submit", expect(302, 404)),
    ],
    ("responses.confirm", "POST"): [
        Case("/d/{public}/v/2/responses/{org_a}/submit", expect(302, 403, 403, 403, 403, 403)),
    ],
    ("responses.organisation", "GET"): [
        Case("/d/{public}/v/2/responses/{org_a}", EVERYONE_OK),
        Case("/d/{network}/v/1/responses/{org_a}", SIGNED_IN),
        Case("/d/{public}/v/2/responses/999999", expect(404, 404)),
    ],
    ("responses.overview", "GET"): [
        Case("/d/{public}/v/2/responses", EDITOR_ONLY),
        Case("/d/{network}/v/1/responses", EDITOR_ONLY),
    ],
    ("responses.outcome", "GET"): [
        Case("/d/{public}/v/2/outcome", EVERYONE_OK),
        Case("/d/{network}/v/1/outcome", SIGNED_IN),
        Case("/d/{public}/v/99/outcome", expect(404, 404)),
        Case("/d/{public}/v/3/outcome", expect(404, 404)),
    ],
    ("responses.outcome_docx", "GET"): [
        Case("/d/{public}/v/1/outcome.docx", EVERYONE_OK),
        Case("/d/{network}/v/1/outcome.docx", SIGNED_IN),
    ],
    ("opendata.document_feed", "GET"): [
        Case("/d/{public}/feed.atom", EVERYONE_OK),
        Case("/d/{network}/feed.atom", SIGNED_IN),
    ],
    ("opendata.site_feed", "GET"): [Case("/feed.atom", EVERYONE_OK)],
    # E-mail notifications: settings and following need a sign-in; an unsubscribe link works
    # without one, carrying a signed token (a bad one: 400); valid tokens: tests/notifications.
    ("notifications.preferences", "POST"): [Case("/profile/notifications", expect(302, 400))],
    ("notifications.follow", "POST"): [
        Case("/d/{public}/follow", expect(302, 302)),
        Case("/d/{network}/follow", expect(302, 302)),
        Case("/d/no-such-document/follow", expect(302, 404)),
    ],
    ("notifications.unfollow", "POST"): [Case("/d/{public}/unfollow", expect(302, 302))],
    ("notifications.undelivered", "GET"): [Case("/admin/mail", ADMIN_ONLY)],
    # No such message: admins get 404 once the token is checked; the rest never get that far.
    ("notifications.retry", "POST"): [Case("/admin/mail/999999/retry", expect(302, 403, admin=404))],
    ("notifications.retry_all", "POST"): [Case("/admin/mail/retry", expect(302, 403, admin=302))],
    ("notifications.unsubscribe", "GET"): [Case("/unsubscribe/not-a-token", expect(400, 400))],
    ("notifications.unsubscribe", "POST"): [Case("/unsubscribe/not-a-token", expect(400, 400))],
}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method


def test_every_route_is_in_the_matrix(app):
    missing = sorted(set(_rules(app)) - set(MATRIX))
    assert not missing, f"routes without a permission-matrix entry: {missing}"
    stale = sorted(set(MATRIX) - set(_rules(app)))
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


@pytest.fixture
def world(app, factory):
    """Two organisations' members, an editor, a host, an admin, documents and an invitation."""
    from app.accounts import operations
    from app.extensions import db

    users = {
        "member_a": factory.user(email="a@example.org", organisation="Org A"),
        "member_b": factory.user(email="b@example.org", organisation="Org B"),
        "editor": factory.user(
            email="editor@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV"
        ),
        "host": factory.user(email="host@example.org", roles=(Role.HOST, Role.MEMBER), organisation="DIGG"),
        "admin": factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG"),
    }
    public = factory.document(slug="offentlig", versions=[default_blocks(), default_blocks()])
    network = factory.document(slug="natverk", visibility=Visibility.NETWORK)
    with app.app_context():
        admin = db.session.merge(users["admin"])
        invitation, token = operations.invite(
            email="new@example.org",
            name="Ny",
            organisation=admin.organisation,
            roles={Role.MEMBER},
            actor=admin,
        )
        db.session.commit()
        invitation_id = invitation.id
        comment_id = add_comment(public, "p2", users["member_a"], version_number=2)
        network_comment_id = add_comment(network, "p2", users["member_b"], version_number=1)
        meeting_id, export_id = add_meeting_with_export(app, public)
        network_meeting_id, network_export_id = add_meeting_with_export(app, network)
        _start_draft(public, users["editor"])
        # Each document's meetings form a series of their own, visible as the document.
        series_ids = dict(
            db.session.execute(
                sa.select(Meeting.id, Meeting.series_id).where(
                    Meeting.id.in_([meeting_id, network_meeting_id])
                )
            ).all()
        )
        topic_ids = {}
        for key, series_key, proposer in (
            ("topic_id", meeting_id, "member_a"),
            ("network_topic_id", network_meeting_id, "member_b"),
        ):
            topic = Topic(series_id=series_ids[series_key], proposer_id=users[proposer].id, title="Ämne")
            db.session.add(topic)
            db.session.flush()
            topic_ids[key] = topic.id
        agenda_ids = {}
        for key, owner in (("attachment_id", meeting_id), ("network_attachment_id", network_meeting_id)):
            attachment = AgendaAttachment(
                meeting_id=owner, file_name="bilder.pdf", size=len(PDF), sha256="0" * 64, content=PDF
            )
            db.session.add(attachment)
            db.session.flush()
            agenda_ids[key] = attachment.id
        item = AgendaItem(meeting_id=meeting_id, title="Punkt", position=0)
        db.session.add(item)
        db.session.flush()
        agenda_ids["agenda_item_id"] = item.id
        db.session.commit()
    values = {
        "uid": public.block_uids["p2"],
        "network_uid": network.block_uids["p2"],
        "comment_id": comment_id,
        "network_comment_id": network_comment_id,
        "public": public.slug,
        "network": network.slug,
        "invitation": token,
        "invitation_id": invitation_id,
        "member_a_id": users["member_a"].id,
        "org_a": users["member_a"].organisation_id,
        "meeting_id": meeting_id,
        "network_meeting_id": network_meeting_id,
        "export_id": export_id,
        "network_export_id": network_export_id,
        "series_id": series_ids[meeting_id],
        "network_series_id": series_ids[network_meeting_id],
        **topic_ids,
        **agenda_ids,
    }
    return users, values


def _start_draft(document, editor):
    from app.documents.models import Document
    from app.drafting.operations import start_draft
    from app.extensions import db

    start_draft(db.session.get(Document, document.id), editor)
    db.session.commit()


def _client_for(make_client, users, actor):
    client = make_client()
    if actor != "anonymous":
        response = client.login(users[actor].email)
        assert response.status_code == 302, f"could not sign in as {actor}"
    return client


def _cases():
    for (endpoint, method), cases in sorted(MATRIX.items()):
        for index, case in enumerate(cases):
            yield pytest.param(endpoint, method, case, id=f"{endpoint}-{method}-{index}")


@pytest.mark.parametrize(("endpoint", "method", "case"), list(_cases()))
def test_permission_matrix(make_client, world, endpoint, method, case):
    users, values = world
    path = case.path.format(**values)
    for actor in ACTORS:
        client = _client_for(make_client, users, actor)
        response = client.get(path) if method == "GET" else client.post(path, case.data)
        assert response.status_code == case.statuses[actor], (
            f"{actor} {method} {path}: {response.status_code}, expected {case.statuses[actor]}"
        )
        assert response.status_code != 500


# SAML messages POSTed cross-site by an identity provider (issue 26): CSRF-exempt, signature-checked.
SIGNED_MESSAGES = {("accounts.saml_acs", "POST"), ("accounts.saml_slo", "POST")}


@pytest.mark.parametrize(
    ("endpoint", "method", "case"),
    [p for p in _cases() if p.values[1] != "GET"],
)
def test_every_state_change_needs_a_csrf_token(make_client, world, endpoint, method, case):
    users, values = world
    path = case.path.format(**values)
    for actor in ("anonymous", "admin"):
        client = _client_for(make_client, users, actor)
        response = client.post(path, case.data, csrf=False)
        if response.status_code == 302 and actor == "anonymous" and "/login" in response.location:
            continue  # sign-in comes first; it needs a token of its own
        if (endpoint, method) in SIGNED_MESSAGES:
            # An identity provider posts these from its own site: no token can be there; the
            # message's own XML signature stands in for it, and an unsigned one is refused.
            assert response.status_code in (400, 403), f"{actor} {method} {path}: {response.status_code}"
            continue
        assert response.status_code == 400, f"{actor} {method} {path} without a token: {response.status_code}"
