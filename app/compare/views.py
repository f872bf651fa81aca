"""Compare two versions: an inline redline or side by side, all blocks or only the changed ones."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.compare.blueprint import bp
from app.compare.diff import (
    ChangeStatus,
    diff_versions,
    render_change_html,
    render_change_side_by_side,
)
from app.documents.loaders import get_document, get_version, ref_labels, version_blocks
from app.documents.models import VersionState
from app.extensions import db
from app.review.models import Comment


@bp.route("/d/<slug>/compare")
def pick(slug: str):
    """The version picker's target: a GET form without JavaScript lands here."""
    document = get_document(slug)
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    if a is None or b is None:
        published = document.published_versions
        if len(published) < 2:
            abort(404)
        a, b = published[-2].number, published[-1].number
    if a == b:
        # Both menus on the same version: compare it with the one before instead of an empty diff.
        earlier = [v.number for v in _comparable(document) if v.number < b]
        flash(_("Choose two different versions to compare."), "error")
        if not earlier:
            return redirect(url_for("documents.document", slug=document.slug))
        a = earlier[-1]
    # The older version is always on the left, whichever menu it was picked in.
    a, b = min(a, b), max(a, b)
    return redirect(url_for("compare.compare", slug=document.slug, a=a, b=b))


def _is_change(change) -> bool:
    """Whether *change* is one of the changes: anything but an unchanged block in its place."""
    return change.status is not ChangeStatus.UNCHANGED


# ?only=<key>: the blocks each count of the summary counts (diff_versions' counts), and "changed".
SHOWN = {
    "changed": _is_change,
    "added": lambda c: c.status is ChangeStatus.ADDED,
    "removed": lambda c: c.status is ChangeStatus.REMOVED,
    "modified": lambda c: c.status is ChangeStatus.MODIFIED,
    "moved": lambda c: c.moved,
}


def _comparable(document) -> list:
    """The versions this reader may compare: the published ones, and the working draft for editors."""
    editor = document.can_edit(current_user)
    return [v for v in document.versions if editor or v.state is not VersionState.DRAFT]


@bp.route("/d/<slug>/compare/<int:a>..<int:b>")
def compare(slug: str, a: int, b: int):
    """Version *a* against version *b*, word by word."""
    document = get_document(slug)
    old, new = get_version(document, a), get_version(document, b)
    old_blocks, new_blocks = version_blocks(old), version_blocks(new)
    diff = diff_versions(old_blocks, new_blocks)
    layout = "side" if request.args.get("view") == "side" else "inline"
    only = request.args.get("only")
    unknown_only = only is not None and only not in SHOWN
    if unknown_only:
        only = None
    only_changed = only == "changed"
    changes = [c for c in diff.changes if only is None or SHOWN[only](c)]
    # ?block=<uid>: the change in one paragraph (from "what happened to my comments").
    block_uid = request.args.get("block")
    if block_uid:
        changes = [c for c in changes if c.uid == block_uid]
    refs = {**ref_labels(old_blocks), **ref_labels(new_blocks)}
    decided = defaultdict(list)
    for comment in db.session.scalars(
        sa.select(Comment)
        .where(Comment.resolved_in_version_id == new.id, Comment.parent_id.is_(None))
        .options(so.joinedload(Comment.block), so.joinedload(Comment.organisation))
        .order_by(Comment.number)
    ):
        decided[comment.block.uid if comment.block else None].append(comment)
    rows = []
    # Each change's place among the changes shown, and its neighbours: "next / previous change".
    changed = [c.uid for c in changes if _is_change(c)]
    position = {uid: i for i, uid in enumerate(changed)}
    following = dict(pairwise(changed))
    previous = {b: a for a, b in following.items()}
    for change in changes:
        if layout == "side":
            left, right = render_change_side_by_side(change)
            rendered = None
        else:
            left = right = None
            rendered = render_change_html(change)
        block = change.new or change.old
        rows.append(
            {
                "change": change,
                "kind": block.kind,
                "level": block.level,
                "ref": refs.get(change.uid, ""),
                "html": rendered,
                "left": left,
                "right": right,
                "comments": decided.get(change.uid, []),
                "index": position.get(change.uid),
                "previous": previous.get(change.uid),
                "next": following.get(change.uid),
            }
        )
    status_labels = {
        ChangeStatus.UNCHANGED: _("unchanged"),
        ChangeStatus.MODIFIED: _("changed"),
        ChangeStatus.ADDED: _("added"),
        ChangeStatus.REMOVED: _("removed"),
    }
    return render_template(
        "compare/compare.html",
        document=document,
        old=old,
        new=new,
        rows=rows,
        counts=diff.counts,
        layout=layout,
        only=only,
        only_changed=only_changed,
        unknown_only=unknown_only,
        changes_total=len(changed),
        status_labels=status_labels,
        # Each menu lists only the versions that fit the other one: older on the left, newer on the right.
        from_versions=[v for v in _comparable(document) if v.number < new.number],
        to_versions=[v for v in _comparable(document) if v.number > old.number],
        block_uid=block_uid,
    )
