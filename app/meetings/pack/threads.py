"""The pack's Word comments: each comment of the compilation as a thread on its paragraph.

A thread is the comment, signed "Name (Organisation)" with the author's initials, the
members' replies in the order they came, and once decided the editors' decision and
response as the last reply; a decided or withdrawn thread is marked done.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.docx import comments as wc
from app.docx import wml as x
from app.meetings.pack.context import PackContext
from app.review.compilation import PackComment, comment_text, kind_label, reply_text, status_label


class Threads:
    """The Word comments of one pack: comments.xml and commentsExtended.xml entries, and where they sit."""

    def __init__(self, ctx: PackContext) -> None:
        self.ctx = ctx
        self.comments: list[str] = []
        self.comments_ex: list[str] = []
        self.anchored: dict[str, list[PackComment]] = {}
        self.unanchored: list[PackComment] = []

    def plan(self, present: set[str], deleted: set[str]) -> None:
        """Decide where each comment of the compilation is anchored (tracked variant only).

        A comment on a block of the presented text sits on that block (on its quote when
        the body, :mod:`app.meetings.pack.body`, finds it there once); one on a block whose
        deleted text the tracked file still shows sits on that deleted paragraph; a general
        comment sits on the note that opens the text. A comment on a block the file no longer holds is in
        the compilation only.
        """
        if not self.ctx.tracked:
            return
        for comment in self.ctx.pack.comments:
            if comment.block_uid is None:
                self.unanchored.append(comment)
            elif comment.block_uid in present or comment.block_uid in deleted:
                self.anchored.setdefault(comment.block_uid, []).append(comment)

    def thread(self, comment: PackComment, on_quote: bool = False) -> tuple[str, str]:
        """The range start and end (with reference runs) of *comment*'s Word thread.

        The thread is the comment, the members' replies in the order they came, and once
        decided the editors' decision and response as the last reply, each threaded on the
        comment (``w15:paraIdParent``); a decided or withdrawn
        thread is marked done (``w15:done``), as Word's "Resolve" does. *on_quote*: the
        range is the quoted span itself, so the comment does not repeat the quote.
        """
        cid = self.ctx.ids.next()
        done = not comment.is_open
        para_id = wc.para_id(cid)
        self.comments.append(self._comment_xml(cid, comment, para_id, on_quote))
        self.comments_ex.append(wc.comment_ex(para_id, done=done))
        start, end = wc.comment_start(cid), wc.comment_end(cid)
        replies = [
            (
                reply.author_label,
                wc.initials(reply.author),
                x.w_date(reply.created_at),
                [
                    wc.comment_run(line)
                    for line in reply_text(reply, self.ctx.strings).splitlines()
                    if line.strip()
                ],
            )
            for reply in comment.replies
        ]
        decision = self._reply_xml(comment)
        if decision is not None:
            replies.append(decision)  # the decision answers the thread: it comes last
        for author, initials, date, paragraphs in replies:
            rid = self.ctx.ids.next()
            reply_para = wc.para_id(rid)
            self.comments.append(wc.comment(rid, author, initials, date, paragraphs, para_id=reply_para))
            self.comments_ex.append(wc.comment_ex(reply_para, parent=para_id, done=done))
            start += wc.comment_start(rid)
            end += wc.comment_end(rid)
        return start, end

    def marks(self, comments: Sequence[PackComment]) -> tuple[str, str]:
        """Range starts and ends (with reference runs) of the threads of *comments*."""
        starts, ends = [], []
        for comment in comments:
            start, end = self.thread(comment)
            starts.append(start)
            ends.append(end)
        return "".join(starts), "".join(ends)

    def _comment_xml(self, cid: int, comment: PackComment, para_id: str, on_quote: bool = False) -> str:
        s = self.ctx.strings
        run = wc.comment_run
        heading = f"#{comment.number} {kind_label(comment, s)}"
        if comment.block_uid is None:
            heading += f" · {s['general_comment']}"
        elif comment.ref:
            heading += f" · {comment.ref}"
        if comment.version_label:
            heading += f" · {self.ctx.label('made_on_version', comment.version_label)}"
        lines = [run(heading, bold=True)]
        lines += [run(line) for line in comment_text(comment, s).splitlines() if line.strip()]
        if comment.quote and not on_quote:
            lines.append(run(f"{s['col_quote']}: ”{comment.quote}”", italic=True))
        if comment.suggestion:
            # The whole proposed paragraph, its changes struck and underlined where they stand.
            lines.append(
                run(f"{s['col_suggestion']}: ", bold=True)
                + self.ctx.comment_inline.redline(self.ctx.suggestion(comment))
            )
        if comment.withdrawn:
            lines.append(run(status_label(comment, s), italic=True))
        return wc.comment(
            cid,
            comment.author_label,
            wc.initials(comment.author),
            x.w_date(comment.created_at),
            lines,
            para_id=para_id,
        )

    def _reply_xml(self, comment: PackComment) -> tuple[str, str, str, list[str]] | None:
        """(author, initials, date, paragraphs) of the editors' reply to *comment*, or None while open."""
        if comment.withdrawn or comment.status == "open":
            return None
        s = self.ctx.strings
        decision = self.ctx.label("decision_reply", status_label(comment, s), "status")
        if comment.decided_in_label:
            decision += f" · {self.ctx.label('decided_in_version', comment.decided_in_label)}"
        paragraphs = [wc.comment_run(decision, bold=True)]
        paragraphs += [wc.comment_run(line) for line in comment.response.splitlines() if line.strip()]
        author = comment.decider_label or s["editors"]
        return (
            author,
            wc.initials(comment.decided_by or s["editors"]),
            x.w_date(comment.decided_at),
            paragraphs,
        )
