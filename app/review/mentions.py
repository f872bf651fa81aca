"""@mentions in comments and replies (issue 27).

**How a mention is stored.** The comment's text (``Comment.body``, Markdown) carries the token
``@[user:<id>]``: the browser's suggestion list writes it, and without JavaScript a member types
``@`` and the person's e-mail address (``@anna@example.org``), which the server turns into the
token when the comment is stored, if it is an active, not pseudonymised account; any other
address stays as typed, plain text. A ``comment_mention`` row records each person a comment
named and whether they were told; a token naming no such person (unknown, deactivated or
pseudonymised) is left as the plain text it is.

**How it is shown.** ``body_html`` is rendered once, when stored, as everywhere in Remiss; a
mention becomes ``<span class="mention">@Name</span>``, the name escaped. Names change in one
place only, when an account is pseudonymised (app.accounts.operations): the receiver below then
renders the comments that mention the person again, with the new name as plain text. So every
page, export and API answer shows the current name and costs no query more. Remiss has no
public profiles, so a mention links nowhere.

**Who is told.** A person mentioned for the first time in a comment (when posted, or when an
edit adds them) is told through ``app.signals.comment_mentioned`` if they may read the document;
if not, nobody is told and the author hears so. The author mentioning themselves tells no one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from markupsafe import escape

from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.review import markdown
from app.review.models import Comment, CommentMention
from app.signals import comment_mentioned

TOKEN = re.compile(r"@\[user:(\d{1,12})\]")
# "@" and an e-mail address, not inside a word or another address (typed without JavaScript).
TYPED = re.compile(
    r"(?<![\w@.])@([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})"
)
# A tag of rendered HTML: mentions are replaced in the text between tags only.
_TAG = re.compile(r"(<[^>]*>)")
# At most this many people are looked up per comment; more tokens stay plain text.
MOST = 50


def token(user_id: int) -> str:
    """The text that stands for a mention of the user *user_id*."""
    return f"@[user:{user_id}]"


def _visible(condition) -> sa.Select:
    return sa.select(User.id, User.email, User.name).where(
        condition, User.active.is_(True), User.pseudonymised.is_(False)
    )


def resolve(body: str) -> str:
    """*body* with each ``@address`` of a visible account turned into its token (one query at most)."""
    if "@" not in body:
        return body
    typed = {match.group(1).lower() for match in TYPED.finditer(body)}
    if not typed:
        return body
    found = {
        email.lower(): user_id
        for user_id, email, _name in db.session.execute(
            _visible(sa.func.lower(User.email).in_(sorted(typed)[:MOST]))
        )
    }

    def replace(match: re.Match) -> str:
        user_id = found.get(match.group(1).lower())
        return token(user_id) if user_id is not None else match.group(0)

    return TYPED.sub(replace, body)


def mentioned_ids(body: str) -> list[int]:
    """The user ids of the tokens in *body*, each once, in order of appearance."""
    seen: dict[int, None] = {}
    for match in TOKEN.finditer(body or ""):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)[:MOST]


def render_html(html: str, people: dict[int, tuple[str, bool]]) -> str:
    """Replace the tokens in the text of rendered *html* by the people's names.

    *people* maps a user id to (name, shown as a mention); a mention of a pseudonymised account
    is its plain name. Ids not in *people* stay as typed.
    """
    if not people or "@[user:" not in html:
        return html

    def person(match: re.Match) -> str:
        found = people.get(int(match.group(1)))
        if found is None:
            return match.group(0)
        name, marked = found
        text = escape("@" + name)
        return f'<span class="mention">{text}</span>' if marked else str(text)

    parts = _TAG.split(html)
    return "".join(part if i % 2 else TOKEN.sub(person, part) for i, part in enumerate(parts))


def render(body: str, known: Iterable[int] = ()) -> str:
    """The comment HTML of *body* (Markdown with tokens): names of visible people and of *known*
    ones (mentioned before, perhaps pseudonymised since) put in, one query when there are tokens."""
    html = markdown.render(body)
    ids = set(mentioned_ids(body))
    if not ids:
        return html
    known = set(known) & ids
    rows = db.session.execute(
        sa.select(User.id, User.name, User.active, User.pseudonymised).where(User.id.in_(sorted(ids)))
    ).all()
    people = {
        user_id: (name, not pseudonymised)
        for user_id, name, active, pseudonymised in rows
        if user_id in known or (active and not pseudonymised)
    }
    return render_html(html, people)


def prepare(body: str, known: Iterable[int] = ()) -> tuple[str, str]:
    """(body, body_html) as stored: typed addresses resolved, mentions rendered."""
    body = resolve(body or "")
    return body, render(body, known)


def record_mentions(comments: list[Comment], author) -> None:
    """Store who *comments* newly mention; tell those who may read the document (the signal).

    Each comment gets ``unreachable_mentions``: the names of people newly mentioned who may not
    read the document, so nobody was told (the view says so to the author).
    """
    wanted = {c.id: mentioned_ids(c.body) for c in comments}
    for comment in comments:
        comment.unreachable_mentions = []
    if not any(wanted.values()):
        return
    all_ids = {user_id for ids in wanted.values() for user_id in ids}
    people = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User).where(User.id.in_(all_ids), User.active.is_(True), User.pseudonymised.is_(False))
        )
    }
    before = set(
        db.session.execute(
            sa.select(CommentMention.comment_id, CommentMention.user_id).where(
                CommentMention.comment_id.in_(list(wanted))
            )
        ).all()
    )
    now = utcnow()
    told: list[tuple[Comment, list]] = []
    for comment in comments:
        document = comment.version.document
        new = [people[u] for u in wanted[comment.id] if u in people and (comment.id, u) not in before]
        readers = []
        for person in new:
            reads = document.can_read(person)
            db.session.add(
                CommentMention(comment_id=comment.id, user_id=person.id, notified=reads, created_at=now)
            )
            if not reads:
                comment.unreachable_mentions.append(person.name)
            elif person.id != author.id:
                readers.append(person)
        if readers:
            told.append((comment, readers))
    db.session.flush()
    for comment, readers in told:
        comment_mentioned.send(comment, users=readers, author=author)


def names_in(comment_ids: Iterable[int]) -> dict[int, str]:
    """The current names of the people *comment_ids* mention (their comment_mention rows), in one
    query: for :func:`readable`, when many comments are printed at once. A token naming anyone
    else (typed by hand: an unknown or deactivated account) is not looked up."""
    ids = sorted(set(comment_ids))
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(User.id, User.name)
            .join(CommentMention, CommentMention.user_id == User.id)
            .where(CommentMention.comment_id.in_(ids))
            .distinct()
        ).all()
    )


def names_for(bodies: Iterable[str]) -> dict[int, str]:
    """The current names of the people the tokens in *bodies* name, in one query (none when no
    body mentions anyone): for :func:`readable` where comments are printed without their ids at
    hand (the pack, the outcome report, the API). Pseudonymised accounts are not named."""
    ids = {int(found) for body in bodies if body and "@[user:" in body for found in TOKEN.findall(body)}
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(User.id, User.name).where(User.id.in_(sorted(ids)), User.pseudonymised.is_(False))
        ).all()
    )


def readable(body: str, names: dict[int, str]) -> str:
    """*body* with each token written as "@Name", for plain-text outputs (a printed pack, an
    export); a token naming nobody known stays as typed."""
    if "@[user:" not in (body or ""):
        return body or ""
    return TOKEN.sub(lambda m: "@" + names[int(m.group(1))] if int(m.group(1)) in names else m.group(0), body)


def rerender_mentions_of(user: User) -> int:
    """Render again the comments that mention *user* (whose name changed); returns how many."""
    comments = db.session.scalars(
        sa.select(Comment)
        .join(CommentMention, CommentMention.comment_id == Comment.id)
        .where(CommentMention.user_id == user.id)
    ).all()
    for comment in comments:
        known = db.session.scalars(
            sa.select(CommentMention.user_id).where(CommentMention.comment_id == comment.id)
        ).all()
        comment.body_html = render(comment.body, known)
    db.session.flush()
    return len(comments)


def mentionable(query: str, limit: int = 8) -> list[dict]:
    """People of the network whose name or organisation contains *query*: active accounts, not
    pseudonymised; id, name and organisation only (never an address)."""
    from app.accounts.models import Organisation

    query = " ".join((query or "").split())[:100]
    if not query:
        return []
    pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = db.session.execute(
        sa.select(User.id, User.name, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(
            User.active.is_(True),
            User.pseudonymised.is_(False),
            sa.or_(
                sa.func.lower(User.name).like(pattern, escape="\\"),
                sa.func.lower(Organisation.name).like(pattern, escape="\\"),
            ),
        )
        .order_by(User.name, User.id)
        .limit(limit)
    ).all()
    return [
        {"id": user_id, "name": name, "organisation": org, "token": token(user_id)}
        for user_id, name, org in rows
    ]
