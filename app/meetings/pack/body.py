"""The text of the presented version, with real tracked changes against the base version.

``w:ins``/``w:del`` are signed with the editor and the time of the change, moved paragraphs
are ``w:moveFrom``/``w:moveTo``; Word heading styles with 1 / 1.1 / 1.1.1 numbering, real
Word lists, quotes, tables, bold, italic and links; each block of the presented version
inside a hidden bookmark named after its uid, the whole text inside the text bookmark.
The Word comments (:mod:`app.meetings.pack.threads`) are anchored here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.docx import wml as x
from app.docx.bookmarks import TEXT_BOOKMARK, paragraph_bookmark_name
from app.docx.numbering import FIRST_LIST_NUM, NUM_BULLETS
from app.meetings.pack.context import (
    KINDS,
    STYLE_OF_KIND,
    TEXT_WIDTH,
    PackContext,
    block_status,
    clamp_level,
    is_gone,
    side_runs,
)
from app.meetings.pack.data import PackBlock
from app.meetings.pack.threads import Threads
from app.review.anchoring import Selector, find_quote
from app.review.compilation import PackComment, fill
from app.richtext import Segment, plain, segments, table_rows

TEXT_BOOKMARK_ID = 999_999


def text(ctx: PackContext, threads: Threads) -> str:
    """The presented text, opened by a note that also holds the general comments."""
    return _Text(ctx, threads).write()


class _Text:
    """Writes the blocks in reading order, each with its role (clean, normal, moved from or to)."""

    def __init__(self, ctx: PackContext, threads: Threads) -> None:
        self.ctx = ctx
        self.threads = threads
        self._move_names: dict[str, str] = {}

    def _layout(self) -> list[tuple[PackBlock, str]]:
        """The blocks to write with their role: clean, normal, move_from or move_to."""
        blocks = list(self.ctx.pack.blocks)
        if not self.ctx.tracked:
            return [(b, "clean") for b in blocks if block_status(b) != "removed"]
        moved = {
            b.uid: b
            for b in blocks
            if b.moved and b.old_index is not None and block_status(b) in ("unchanged", "modified")
        }
        pending = sorted(moved.values(), key=lambda b: b.old_index or 0)
        out: list[tuple[PackBlock, str]] = []
        for block in blocks:
            if block.uid in moved:
                out.append((block, "move_to"))
                continue
            # The blocks that did not move keep the base version's order, so the old
            # copy of a moved block goes before the first of them that followed it.
            if block.old_index is not None:
                while pending and (pending[0].old_index or 0) < block.old_index:
                    out.append((pending.pop(0), "move_from"))
            out.append((block, "normal"))
        out.extend((block, "move_from") for block in pending)
        return out

    def write(self) -> str:
        """The presented text, opened by a note that also holds the general comments."""
        layout = self._layout()
        present = {b.uid for b, role in layout if role != "move_from" and not is_gone(b, role)}
        deleted = {b.uid for b, role in layout if role == "normal" and block_status(b) == "removed"}
        self.threads.plan(present, deleted)
        s, p = self.ctx.strings, self.ctx.pack
        if self.ctx.tracked and p.base_version_label:
            note = fill(s["compared_with"], label=p.base_version_label)
        else:
            note = fill(s["clean_text"], label=p.version_label)
        start, end = self.threads.marks(self.threads.unanchored)
        out = [x.paragraph(start + x.run(note, italic=True) + end, page_break_before=True)]
        # A bookmark around the text itself: importing an edited pack reads only this part,
        # not the title page, the history or the compilation around it.
        out.append(f'<w:bookmarkStart w:id="{TEXT_BOOKMARK_ID}" w:name="{TEXT_BOOKMARK}"/>')
        list_num: int | None = None
        previous_table = False
        numbers = [0, 0, 0]
        for block, role in layout:
            kind = block.kind if block.kind in KINDS else "paragraph"
            if kind == "number" and list_num is None:
                list_num = self.ctx.new_list()
            elif kind not in ("bullet", "number"):
                list_num = None
            comments = self.threads.anchored.get(block.uid, []) if role != "move_from" else []
            # The paragraph marker: a hidden bookmark named after the block, on every block
            # of the presented version (not on the deleted or moved-away copies).
            if is_gone(block, role):
                mark_start = mark_end = ""
            else:
                bookmark_id = self.ctx.ids.next()
                mark_start = x.bookmark_start(bookmark_id, paragraph_bookmark_name(block.uid))
                mark_end = x.bookmark_end(bookmark_id)
                if kind == "heading":
                    level = clamp_level(block.level)
                    numbers[level - 1] += 1
                    numbers[level:] = [0] * (3 - level)
                    number = ".".join(str(n) for n in numbers[:level])
                    title = plain(block.text_html)
                    self.ctx.headings.append((level, f"{number} {title}", paragraph_bookmark_name(block.uid)))
            if kind == "table":
                if previous_table:
                    # Two tables in a row would merge into one in Word.
                    out.append(x.paragraph(""))
                start, end = self.threads.marks(comments)
                out.append(self._table(block, role, start, end, mark_start, mark_end))
            else:
                out.append(self._paragraph(block, kind, role, list_num, comments, mark_start, mark_end))
            previous_table = kind == "table"
        out.append(f'<w:bookmarkEnd w:id="{TEXT_BOOKMARK_ID}"/>')
        return "".join(out)

    def _signature(self, block: PackBlock) -> x.Signature:
        return x.Signature(block.author, x.w_date(block.changed_at))

    def _paragraph(
        self,
        block: PackBlock,
        kind: str,
        role: str,
        list_num: int | None,
        comments: Sequence[PackComment] = (),
        mark_start: str = "",
        mark_end: str = "",
    ) -> str:
        status = block_status(block)
        sig = self._signature(block)
        ids = self.ctx.ids
        ops = block.ops
        mark = ""
        before = after = ""
        gone = is_gone(block, role)  # the paragraph is not in the presented version at this place
        # The paragraph's runs as pieces (runs, revision wrapper, part of the presented text?).
        pieces: list[tuple[Sequence[Segment], str | None, bool]]
        if role == "clean" or (role == "normal" and status == "unchanged"):
            pieces = [(segments(block.text_html), None, True)]
        elif role == "move_to":
            name = self._move_name(block.uid)
            range_id = ids.next()
            before = f'<w:moveToRangeStart w:id="{range_id}"{sig.who()} w:name="{name}"/>'
            after = f'<w:moveToRangeEnd w:id="{range_id}"/>'
            # Deleted words are shown once, in the moved-from copy; here the text reads
            # as it now stands, inserted words marked, so rejecting the move is exact.
            if ops is None:
                pieces = [(segments(block.text_html), "w:moveTo", True)]
            else:
                pieces = [
                    (runs, "w:moveTo" if tag == "equal" else "w:ins", True)
                    for tag, runs in ops
                    if tag != "delete"
                ]
            mark = f"<w:moveTo{sig.attrs(ids)}/>"
        elif role == "move_from":
            name = self._move_name(block.uid)
            range_id = ids.next()
            before = f'<w:moveFromRangeStart w:id="{range_id}"{sig.who()} w:name="{name}"/>'
            after = f'<w:moveFromRangeEnd w:id="{range_id}"/>'
            runs = side_runs(ops, "insert") if ops is not None else segments(block.text_html)
            pieces = [(runs, "w:moveFrom", False)]
            mark = f"<w:moveFrom{sig.attrs(ids)}/>"
        elif status == "added":
            runs = side_runs(ops, "delete") if ops is not None else segments(block.text_html)
            pieces = [(runs, "w:ins", True)]
            mark = f"<w:ins{sig.attrs(ids)}/>"
        elif status == "removed":
            runs = side_runs(ops, "insert") if ops is not None else segments(block.text_html)
            pieces = [(runs, "w:del", False)]
            mark = f"<w:del{sig.attrs(ids)}/>"
        elif ops is None:
            pieces = [(segments(block.text_html), None, True)]
        else:
            wrap = {"insert": "w:ins", "delete": "w:del"}
            pieces = [(runs, wrap.get(tag), tag != "delete") for tag, runs in ops]
        content = self._anchor(pieces, comments, sig, whole=gone)

        level = clamp_level(block.level)
        style = STYLE_OF_KIND.get(kind)
        num: tuple[int, int] | None = None
        if kind == "heading":
            style = f"Heading{level}"
            # A heading that is gone from this place must not take a number: the pack's
            # 1 / 1.1 numbering has to match the references ("3.2 ¶4") people use.
            num = (0, 0) if gone else None
        elif kind == "bullet":
            num = (NUM_BULLETS, level - 1)
        elif kind == "number":
            num = (0, 0) if gone else (list_num or FIRST_LIST_NUM, level - 1)
        return x.paragraph(mark_start + before + content + after + mark_end, style=style, num=num, mark=mark)

    def _anchor(
        self,
        pieces: Sequence[tuple[Sequence[Segment], str | None, bool]],
        comments: Sequence[PackComment],
        sig: x.Signature,
        whole: bool,
    ) -> str:
        """The runs of *pieces* with the Word threads of *comments* anchored in them.

        A comment whose quoted words are found in the presented text of the paragraph (as the
        reading page finds them: app.review.anchoring) is anchored on them; any other (and
        every one when *whole*) on the paragraph.
        """
        runs = self.ctx.inline.runs
        presented = "".join(seg.text for segs, _wrap, counts in pieces if counts for seg in segs)
        markers: list[tuple[int, int, str]] = []  # (offset, 0 end / 1 start, xml)
        outer: list[PackComment] = []
        for comment in comments:
            quote = comment.quote
            found = None
            if quote and not whole:
                selector = Selector(quote, comment.quote_prefix, comment.quote_suffix, comment.quote_start)
                found = find_quote(presented, selector)
            if found is None:
                outer.append(comment)
                continue
            start, end = self.threads.thread(comment, on_quote=True)
            markers += [(found[0], 1, start), (found[1], 0, end)]
        start, end = self.threads.marks(outer)
        if not markers:
            return start + "".join(runs(segs, wrap, sig) for segs, wrap, _counts in pieces) + end
        markers.sort(key=lambda m: (m[0], m[1]))
        out: list[str] = [start]
        pending: list[Segment] = []
        pending_wrap: str | None = None
        position = 0
        index = 0

        def flush() -> None:
            if pending:
                out.append(runs(list(pending), pending_wrap, sig))
                pending.clear()

        for segs, wrap, counts in pieces:
            for seg in segs:
                text_ = seg.text
                while True:
                    while index < len(markers) and markers[index][0] <= position:
                        flush()
                        out.append(markers[index][2])
                        index += 1
                    if not counts or index >= len(markers) or markers[index][0] >= position + len(text_):
                        break
                    cut = markers[index][0] - position
                    if wrap != pending_wrap:
                        flush()
                        pending_wrap = wrap
                    pending.append(replace(seg, text=text_[:cut]))
                    position += cut
                    text_ = text_[cut:]
                if wrap != pending_wrap:
                    flush()
                    pending_wrap = wrap
                if text_:
                    pending.append(replace(seg, text=text_))
                if counts:
                    position += len(text_)
        flush()
        out.extend(m[2] for m in markers[index:])
        out.append(end)
        return "".join(out)

    def _move_name(self, uid: str) -> str:
        if uid not in self._move_names:
            self._move_names[uid] = f"move{len(self._move_names) + 1}"
        return self._move_names[uid]

    def _table(
        self, block: PackBlock, role: str, start: str, end: str, mark_start: str = "", mark_end: str = ""
    ) -> str:
        """A table block; tracked rows carry ``w:ins``/``w:del`` in ``w:trPr`` when whole.

        Tables are never marked as moves (Word moves runs, not rows): a moved table is
        written as deleted at its old place and inserted at its new one.
        """
        status = block_status(block)
        sig = self._signature(block)
        whole: str | None = None  # "w:ins" / "w:del" for a table added or removed whole
        if role == "move_from" or (role == "normal" and status == "removed"):
            whole = "w:del"
        elif role == "move_to" or (role == "normal" and status == "added"):
            whole = "w:ins"
        cells: list[list[str]]
        if (
            role == "clean"
            or (role == "normal" and status == "unchanged")
            or (whole is None and block.cells is None)
        ):
            cells = [[self.ctx.inline.runs(segments(c)) for c in r] for r in table_rows(block.text_html)]
        elif whole is not None:
            skip = "insert" if whole == "w:del" else "delete"
            if block.cells is not None:
                rows_runs = [[side_runs(ops, skip) for ops in r] for r in block.cells]
            else:
                rows_runs = [[segments(c) for c in r] for r in table_rows(block.text_html)]
            cells = [[self.ctx.inline.runs(runs, whole, sig) for runs in r] for r in rows_runs]
        else:
            wrap = {"insert": "w:ins", "delete": "w:del"}
            cells = [
                ["".join(self.ctx.inline.runs(runs, wrap.get(tag), sig) for tag, runs in ops) for ops in r]
                for r in block.cells or []
            ]
        columns = max((len(r) for r in cells), default=1) or 1
        width = TEXT_WIDTH // columns
        rows = []
        for i, r in enumerate(cells):
            padded = list(r) + [""] * (columns - len(r))
            if i == 0:
                padded[0] = mark_start + start + padded[0] + end
            if i == len(cells) - 1:
                padded[-1] = padded[-1] + mark_end
            tcs = [
                x.cell(
                    x.paragraph(content, mark=f"<{whole}{sig.attrs(self.ctx.ids)}/>" if whole else ""),
                    width,
                )
                for content in padded
            ]
            row_mark = f"<{whole}{sig.attrs(self.ctx.ids)}/>" if whole else ""
            rows.append(x.row(tcs, header=i == 0 and len(cells) > 1, mark=row_mark))
        return x.table([width] * columns, rows)
