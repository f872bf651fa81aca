"""Place what a reviewed Word file holds on the version's paragraphs, and say what becomes what.

Pure logic: a :class:`~app.wordcomments.reader.WordFile` and the version's blocks in, a
:class:`Preview` out (nothing is stored here).

- **Placement**: by the pack's paragraph markers when the file has them; otherwise by
  aligning the file's paragraphs with the version's as the Word import does
  (:func:`app.drafting.alignment.align`); an uncertain match is marked for the uploader to
  confirm or leave out. A paragraph that cannot be placed is listed with its text.
- **Word comments** become comments on their first paragraph, with the commented range as
  the quote when it lies within that paragraph and still matches the version's text exactly;
  otherwise the commented text is kept in the comment's text. Replies stay replies; a reply to
  a comment of the pack itself (``#12 …``) becomes a reply to Remiss comment #12.
- **Tracked changes**: the pack carries tracked changes of its own (the version against its
  base). A paragraph's changes are split into the pack's and the reviewer's by finding which
  of them, accepted or rejected, give back the version's text (:func:`split_changes`); the
  reviewer's changes of one author in one paragraph, however many, become one suggestion as a
  member makes it on the web: the whole paragraph as that reviewer left it (their changes
  accepted, every other reviewer's rejected, the pack's own as the version has them), with the
  version's bold, italics and links kept on the words that stay (:func:`proposal`). The changed
  stretch is kept as the quote only when it is a pointer worth having: found exactly in the
  version's text, shorter than the paragraph and than :data:`QUOTE_POINTER_MAX`.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from app.drafting.alignment import OldBlock, align
from app.richtext import Segment, from_segments, plain, sanitize_inline, segments
from app.wordcomments.reader import DELETED, INSERTED, SAME, Paragraph, Piece, WordComment, WordFile

BODY_MAX = 10_000
QUOTE_MAX = 2000
# A suggestion's changed stretch longer than this points at too much to be worth a quote.
QUOTE_POINTER_MAX = 200
CONTEXT_CHARS = 32
# Below this share of placed paragraphs a file without markers is taken for another document.
MIN_PLACED_SHARE = 0.3
PACK_COMMENT = re.compile(r"^#(\d+)\s")
_SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")

# Why something was left out (labels in app.wordcomments.labels).
LEFT_OUT = (
    "empty",
    "nowhere",
    "unplaced",
    "removed_text",
    "table_change",
    "untracked",
    "too_long",
    "orphan_reply",
)


@dataclass(frozen=True, slots=True)
class PackThread:
    """What the pack wrote of Remiss comment #N: its text, the date of the editors' reply ("" if
    none) and the dates of the members' replies it carries (Word's form, :func:`w_date`)."""

    body: str
    decided: str
    replies: frozenset[str] = frozenset()


@dataclass
class Item:
    """One comment, reply or suggestion to be stored."""

    key: int
    source: str  # "comment", "reply", "change", "new_paragraph"
    kind: str  # a CommentKind value
    uid: str | None
    body: str
    word_author: str
    word_date: str
    fingerprint: str
    quote: str | None = None
    quote_start: int | None = None
    suggestion: str | None = None
    parent_key: int | None = None
    parent_number: int | None = None
    uncertain: bool = False
    score: float = 1.0
    file_text: str = ""
    duplicate: bool = False


@dataclass
class LeftOut:
    """Something in the file that will not be stored, and why (a code of :data:`LEFT_OUT`)."""

    reason: str
    text: str
    author: str = ""


@dataclass
class Preview:
    """What a file would add: items to store, things left out, and counts for the report."""

    items: list[Item] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    from_pack: int = 0
    by_markers: bool = False
    placed: int = 0
    paragraphs: int = 0
    refused: str | None = None  # "other_document", "nothing"


def fingerprint(*parts: object) -> str:
    """A stable hash of what identifies an imported comment: its paragraph, Word author and text.

    Ids, dates and the exact commented range are left out: Word and LibreOffice renumber and
    move them when a file is saved again, and the same comment must still be known.
    """
    text = "\x1f".join(_SPACE.sub(" ", str(part or "")).strip() for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- tracked changes


def split_changes(pieces: Sequence[Piece], version_text: str) -> set[str] | None:
    """The ids of the reviewer's changes among *pieces*, or None when no split gives the version's text.

    The version's text is the unchanged text plus the pack's insertions plus the reviewer's
    deletions, in order: find which optional pieces make it up (dynamic programming over
    positions in the text; the pack's reading is preferred when both fit). Whitespace is
    compared exactly first, then ignored.
    """
    for squeeze in (False, True):
        result = _split(pieces, version_text, squeeze)
        if result is not None:
            return result
    return None


def _split(pieces: Sequence[Piece], target: str, squeeze: bool) -> set[str] | None:
    def norm(text: str) -> str:
        text = text.replace("\u00a0", " ")
        return "".join(text.split()) if squeeze else text

    target = norm(target)
    # reach[k] maps a position in target to (previous position, piece included) after k pieces.
    reach: list[dict[int, tuple[int, bool]]] = [{0: (0, False)}]
    for piece in pieces:
        text = norm(piece.text)
        nxt: dict[int, tuple[int, bool]] = {}
        for pos in reach[-1]:
            fits = target.startswith(text, pos)
            if piece.state == SAME:
                if fits:
                    nxt.setdefault(pos + len(text), (pos, True))
                continue
            # The pack's reading first: its insertions are in the version, its deletions not.
            options = (True, False) if piece.state == INSERTED else (False, True)
            for include in options:
                if include and fits:
                    nxt.setdefault(pos + len(text), (pos, True))
                elif not include:
                    nxt.setdefault(pos, (pos, False))
        if not nxt:
            return None
        reach.append(nxt)
    if len(target) not in reach[-1]:
        return None
    reviewer: set[str] = set()
    pos = len(target)
    for k in range(len(pieces), 0, -1):
        previous, included = reach[k][pos]
        piece = pieces[k - 1]
        if piece.change is not None:
            pack = included if piece.state == INSERTED else not included
            if not pack:
                reviewer.add(piece.change)
        pos = previous
    # A change is the reviewer's only if all of its pieces read so.
    return reviewer


def reviewer_texts(
    pieces: Sequence[Piece], reviewer: set[str], own: set[str]
) -> tuple[str, str, int | None, int | None]:
    """(the version's text, the paragraph as the author of *own* left it, and the start and end in
    the version's text of what their changes touch, None when they touch nothing).

    The version's text is the pack's reading of the paragraph; the author's is that text with
    the changes *own* (a subset of *reviewer*) accepted and every other reviewer's rejected.
    """
    version: list[str] = []
    new: list[str] = []
    first = last = None
    for piece in pieces:
        in_version = piece.state == SAME or ((piece.state == INSERTED) != (piece.change in reviewer))
        mine = piece.change in own
        in_new = piece.state == SAME or (piece.state == INSERTED and (mine or piece.change not in reviewer))
        in_new = in_new or (piece.state == DELETED and piece.change in reviewer and not mine)
        position = sum(len(t) for t in version)
        if mine:
            end = position + (len(piece.text) if in_version else 0)
            first = position if first is None else min(first, position)
            last = end if last is None else max(last, end)
        if in_version:
            version.append(piece.text)
        if in_new:
            new.append(piece.text)
    return "".join(version), "".join(new), first, last


def suggestion_span(
    pieces: Sequence[Piece], reviewer: set[str], own: set[str]
) -> tuple[int, str, str] | None:
    """(start, quoted text, new wording) for the changes *own* (a subset of *reviewer*).

    The quote is the span of the version's text the changes touch (a pure insertion takes the
    neighbouring word, so the quote is never empty); the wording is that span with the
    changes accepted and every other reviewer's change rejected.
    """
    v, n, first, last = reviewer_texts(pieces, reviewer, own)
    if first is None or last is None:
        return None
    start, end = first, last
    if start == end:
        # Widen a pure insertion to the word before it (or after it, at the start).
        while start > 0 and not v[start - 1].isspace():
            start -= 1
        if start == end:
            while end < len(v) and not v[end].isspace():
                end += 1
        if start == end and start > 0:
            start -= 1
            while start > 0 and not v[start - 1].isspace():
                start -= 1
    tail = len(v) - end
    if not n[start : len(n) - tail].strip() and start > 0:
        # A pure deletion: quote the word before it too, so the wording is never empty.
        while start > 0 and v[start - 1].isspace():
            start -= 1
        while start > 0 and not v[start - 1].isspace():
            start -= 1
    return start, v[start:end], n[start : len(n) - tail]


_TOKEN = re.compile(r"\w+|[^\w\s]|\s+")
_PLAIN = (False, False, None)


def proposal(version_html: str, new_text: str) -> str:
    """The version's rich text edited to read *new_text* (plain): the proposal of a tracked change.

    Word by word, the text that stays keeps the version's bold, italics and links; words that
    replace others take the formatting those shared, and inserted words that of the words around
    them when both sides share it, else none.
    The result is sanitised rich text, as every suggestion is stored.
    """
    marks: list[tuple[bool, bool, str | None]] = []
    for run in segments(version_html):
        marks += [run.marks()] * len(run.text)
    old_text = "".join(run.text for run in segments(version_html))
    old_tokens, new_tokens = _TOKEN.findall(old_text), _TOKEN.findall(new_text)
    # Spacing is not content: any whitespace matches any other.
    old_keys = [" " if t[0].isspace() else t for t in old_tokens]
    new_keys = [" " if t[0].isspace() else t for t in new_tokens]
    old_at = [0]
    for token in old_tokens:
        old_at.append(old_at[-1] + len(token))
    # Indel gives deletions and insertions apart: a deletion next to an insertion is a rewrite.
    groups: list[list] = []
    for tag, i1, i2, j1, j2 in Indel.opcodes(old_keys, new_keys):
        changed = tag != "equal"
        if changed and groups and groups[-1][0] != "equal":
            groups[-1][2], groups[-1][4] = i2, j2
        else:
            groups.append(["equal" if not changed else "change", i1, i2, j1, j2])
    runs: list[Segment] = []
    for tag, i1, i2, j1, j2 in groups:
        text = "".join(new_tokens[j1:j2])
        if not text:
            continue
        if tag == "equal":
            for k in range(i2 - i1):
                at, token = old_at[i1 + k], new_tokens[j1 + k]
                runs.append(Segment(token, *(marks[at] if at < len(marks) else _PLAIN)))
            continue
        # Rewritten words keep the formatting the words they replace share; inserted ones take
        # that of their neighbours when both sides have it.
        replaced = {marks[k] for k in range(old_at[i1], old_at[i2]) if not old_text[k].isspace()}
        before = marks[old_at[i1] - 1] if old_at[i1] > 0 else None
        after = marks[old_at[i2]] if old_at[i2] < len(marks) else None
        if len(replaced) == 1:
            (mark,) = replaced
        else:
            mark = before if before is not None and before == after else _PLAIN
        runs.append(Segment(text, *mark))
    return sanitize_inline(from_segments(runs))


# --------------------------------------------------------------------------- placement


@dataclass
class _Place:
    uid: str | None
    certain: bool
    score: float


def _items_text(wf: WordFile) -> dict[int, str]:
    texts: dict[int, list[str]] = {}
    for para in wf.paragraphs:
        texts.setdefault(para.item, []).append(para.text)
    return {item: " ".join(t for t in parts if t.strip()) for item, parts in texts.items()}


def place(wf: WordFile, blocks: Sequence[OldBlock]) -> tuple[dict[int, _Place], bool]:
    """Where each item (top-level paragraph or table) of the file goes; and whether markers decided."""
    uids = {b.uid for b in blocks}
    places: dict[int, _Place] = {}
    if wf.has_markers:
        for para in wf.paragraphs:
            if para.marker and para.marker in uids and para.item not in places:
                places[para.item] = _Place(para.marker, True, 1.0)
        if places:
            return places, True
    texts = _items_text(wf)
    order = [item for item in sorted(texts) if texts[item].strip()]
    new = [OldBlock("", "paragraph", 1, html.escape(texts[item], quote=False)) for item in order]
    alignment = align(list(blocks), new)
    for item, match in zip(order, alignment.matches, strict=True):
        if match.uid is not None:
            places[item] = _Place(match.uid, not match.low_confidence, match.score)
    return places, False


class _Builder:
    def __init__(
        self, wf: WordFile, blocks: Sequence[OldBlock], document_id: int, known: dict[int, PackThread], labels
    ):
        self.wf = wf
        self.labels = labels
        self.document_id = document_id
        self.known = known
        self.text_of = {b.uid: plain(b.text) for b in blocks}
        self.html_of = {b.uid: b.text for b in blocks}
        self.kind_of = {b.uid: b.kind for b in blocks}
        self.preview = Preview()
        self.places, self.preview.by_markers = place(wf, blocks)
        self.keys: dict[str, int] = {}  # Word comment id -> item key

    def add(self, item: Item) -> Item:
        item.key = len(self.preview.items)
        self.preview.items.append(item)
        return item

    def leave(self, reason: str, text: str, author: str = "") -> None:
        self.preview.left_out.append(LeftOut(reason, _excerpt(text), author))

    def place_of(self, para: Paragraph) -> _Place | None:
        return self.places.get(para.item)

    # -- comments

    def comments(self) -> None:
        by_id = {c.id: c for c in self.wf.comments}

        def root(comment: WordComment) -> WordComment:
            seen = set()
            while comment.parent and comment.parent in by_id and comment.id not in seen:
                seen.add(comment.id)
                comment = by_id[comment.parent]
            return comment

        # Threads first, replies after their parents.
        ordered = [c for c in self.wf.comments if not c.parent] + [c for c in self.wf.comments if c.parent]
        # Where the pack's own threads are anchored: LibreOffice turns their replies into
        # comments of their own on the same range.
        pack_ranges = {
            (c.start, c.end): number
            for c in self.wf.comments
            if not c.parent and (number := self._pack_number(c)) is not None
        }
        for comment in ordered:
            top = root(comment)
            pack_number = self._pack_number(top)
            if pack_number is None and comment is top:
                number = pack_ranges.get((comment.start, comment.end))
                if number is not None and self._is_pack_reply(comment, number):
                    self.preview.from_pack += 1
                    continue
            if comment is top and pack_number is not None:
                self.preview.from_pack += 1
                continue
            if pack_number is not None and self._is_pack_reply(comment, pack_number):
                self.preview.from_pack += 1
                continue
            if not comment.text.strip():
                self.leave("empty", "", comment.author)
                continue
            if comment is not top:
                if pack_number is not None:
                    self._reply(comment, parent_number=pack_number, parent_key=None)
                    continue
                if top.id in self.keys:
                    self._reply(comment, parent_number=None, parent_key=self.keys[top.id])
                    continue
                # Its thread was left out: the reply stands on its own where it is anchored.
                if comment.start is None:
                    self.leave("orphan_reply", comment.text, comment.author)
                    continue
            self._comment(comment)

    def _pack_number(self, comment: WordComment) -> int | None:
        """The Remiss number of a comment the pack itself carries ("#12 Synpunkt · …" + its text)."""
        match = PACK_COMMENT.match(comment.text)
        if not match or int(match.group(1)) not in self.known:
            return None
        # A reviewer's own comment may start with "#12" too: the pack's copy holds comment 12's words.
        words = _WORDS.findall(self.known[int(match.group(1))].body.casefold())[:8]
        if " ".join(words) not in " ".join(_WORDS.findall(comment.text.casefold())):
            return None
        return int(match.group(1))

    def _is_pack_reply(self, comment: WordComment, number: int) -> bool:
        """Whether *comment* is a reply the pack wrote in the thread of #*number*: a member's
        reply already in Remiss, or the editors' decision (each dated to the second)."""
        thread = self.known[number]
        return bool(comment.date) and (comment.date == thread.decided or comment.date in thread.replies)

    def _reply(self, comment: WordComment, *, parent_number: int | None, parent_key: int | None) -> None:
        body = self._with_source(comment.text, comment.author, comment.date)
        if len(body) > BODY_MAX:
            self.leave("too_long", comment.text, comment.author)
            return
        parent = self.preview.items[parent_key] if parent_key is not None else None
        item = self.add(
            Item(
                key=0,
                source="reply",
                kind="comment",
                uid=parent.uid if parent else None,
                body=body,
                word_author=comment.author,
                word_date=comment.date,
                # The same identity as a comment on its thread's paragraph: a copy of the file
                # that lost the thread (LibreOffice) brings the reply back as such a comment.
                fingerprint=fingerprint(
                    self.document_id,
                    "comment",
                    self._anchor_uid(comment) or (parent.uid if parent else f"#{parent_number}"),
                    comment.author,
                    comment.text,
                ),
                parent_key=parent_key,
                parent_number=parent_number,
                uncertain=parent.uncertain if parent else False,
            )
        )
        self.keys[comment.id] = item.key

    def _anchor_uid(self, comment: WordComment) -> str | None:
        """The uid of the paragraph a Word comment is anchored in, if that paragraph was placed."""
        if comment.start is None:
            return None
        place = self.place_of(self.wf.paragraphs[comment.start.paragraph])
        return place.uid if place else None

    def _comment(self, comment: WordComment) -> None:
        if comment.start is None:
            self.leave("nowhere", comment.text, comment.author)
            return
        paragraphs = self.wf.paragraphs
        start, end = comment.start, comment.end or comment.start
        if end.paragraph < start.paragraph:
            end = start
        first = paragraphs[start.paragraph]
        place = self.place_of(first)
        if place is None:
            # A range that starts in an unplaced paragraph may still reach a placed one.
            for para in paragraphs[start.paragraph : end.paragraph + 1]:
                if self.place_of(para) is not None:
                    first, place = para, self.place_of(para)
                    start = type(start)(para.index, 0)
                    break
        if place is None:
            reason = "removed_text" if first.pieces and not first.text.strip() else "unplaced"
            self.leave(reason, f"{first.text or _deleted_text(first)} — {comment.text}", comment.author)
            return
        # The commented text, across paragraphs if need be.
        if start.paragraph == end.paragraph:
            commented = first.text[start.offset : end.offset]
        else:
            parts = [paragraphs[start.paragraph].text[start.offset :]]
            parts += [p.text for p in paragraphs[start.paragraph + 1 : end.paragraph]]
            parts.append(paragraphs[end.paragraph].text[: end.offset])
            commented = " ¶ ".join(p.strip() for p in parts if p.strip())
        commented = commented.strip()
        quote = quote_start = None
        body = comment.text
        version_text = self.text_of.get(place.uid, "")
        if (
            commented
            and start.paragraph == end.paragraph
            and first.table is None
            and len(commented) <= QUOTE_MAX
        ):
            quote, quote_start = _locate(version_text, first.text, start.offset, commented)
        if commented and quote is None:
            body += "\n\n" + self.labels["commented_text"] % {"text": commented}
        body = self._with_source(body, comment.author, comment.date)
        if len(body) > BODY_MAX:
            self.leave("too_long", comment.text, comment.author)
            return
        item = self.add(
            Item(
                key=0,
                source="comment",
                kind="comment",
                uid=place.uid,
                body=body,
                word_author=comment.author,
                word_date=comment.date,
                fingerprint=fingerprint(self.document_id, "comment", place.uid, comment.author, comment.text),
                quote=quote,
                quote_start=quote_start,
                uncertain=not place.certain,
                score=place.score,
                file_text=_excerpt(first.text),
            )
        )
        self.keys[comment.id] = item.key

    def _with_source(self, body: str, author: str, date: str) -> str:
        """*body* with the Word author and date kept in a last line, for the record."""
        who = author or self.labels["unknown_author"]
        line = self.labels["word_source"] % {"author": who, "date": _day(date)}
        return f"{body}\n\n*{_escape_md(line)}*"

    # -- tracked changes

    def changes(self) -> None:
        changes = self.wf.changes
        for para in self.wf.paragraphs:
            ids = para.changes
            if not ids:
                continue
            place = self.place_of(para)
            if para.table is not None:
                continue
            if place is None:
                self._unplaced_change(para)
                continue
            version_text = self.text_of.get(place.uid, "")
            reviewer = split_changes(para.pieces, version_text)
            if reviewer is None:
                self.leave("untracked", para.text, ", ".join(sorted({changes[c].author for c in ids})))
                continue
            authors: dict[str, set[str]] = {}
            for cid in ids:
                if cid in reviewer:
                    authors.setdefault(changes[cid].author, set()).add(cid)
            for author, own in authors.items():
                self._suggestion(para, place, reviewer, own, author)

    def table_changes(self) -> None:
        """Reviewers' changes in tables are listed, not stored: a table takes comments only."""
        changes = self.wf.changes
        tables: dict[int, list[Paragraph]] = {}
        for para in self.wf.paragraphs:
            if para.table is not None:
                tables.setdefault(para.table, []).append(para)
        for item, paras in tables.items():
            pieces: list[Piece] = []
            for para in paras:
                pieces += [*para.pieces, Piece(" ", SAME)]
            ids = [cid for para in paras for cid in para.changes]
            if not ids:
                continue
            place = self.places.get(item)
            reviewer = split_changes(pieces, self.text_of.get(place.uid, "")) if place else None
            if reviewer is None:
                # Without the version's table to compare with, every change is listed.
                reviewer = set(ids)
            for cid in dict.fromkeys(ids):
                if cid in reviewer:
                    text = "".join(p.text for p in pieces if p.change == cid)
                    self.leave("table_change", text, changes[cid].author)

    def _unplaced_change(self, para: Paragraph) -> None:
        changes = self.wf.changes
        inserted = [p for p in para.pieces if p.text.strip()]
        authors = sorted({changes[c].author for c in para.changes})
        if para.inserted_mark and inserted and all(p.state == INSERTED for p in inserted):
            # A new paragraph typed with tracking: a comment on the paragraph before it.
            before = next(
                (self.place_of(p) for p in reversed(self.wf.paragraphs[: para.index]) if self.place_of(p)),
                None,
            )
            if before is not None:
                change = changes[para.changes[0]]
                body = self.labels["new_paragraph"] % {"text": para.text.strip()}
                self.add(
                    Item(
                        key=0,
                        source="new_paragraph",
                        kind="comment",
                        uid=before.uid,
                        body=self._with_source(body, change.author, change.date),
                        word_author=change.author,
                        word_date=change.date,
                        fingerprint=fingerprint(
                            self.document_id, "new_paragraph", before.uid, change.author, para.text
                        ),
                        uncertain=not before.certain,
                        score=before.score,
                        file_text=_excerpt(para.text),
                    )
                )
                return
        if para.text.strip():
            self.leave("unplaced", para.text, ", ".join(authors))
        # A paragraph the pack shows as removed (all of it deleted) is not the reviewer's.

    def _suggestion(
        self, para: Paragraph, place: _Place, reviewer: set[str], own: set[str], author: str
    ) -> None:
        span = suggestion_span(para.pieces, reviewer, own)
        if span is None:
            return
        start, quote, wording = span
        start += len(quote) - len(quote.lstrip())
        _version, new_text, _first, _last = reviewer_texts(para.pieces, reviewer, own)
        version_html = self.html_of.get(place.uid, "")
        version_text = self.text_of.get(place.uid, "")
        changes = [self.wf.changes[c] for c in sorted(own)]
        date = max((c.date for c in changes), default="")
        suggestion = proposal(version_html, new_text)
        if suggestion == sanitize_inline(version_html):
            return  # the changes cancel out
        lines = [self.labels["change_intro"]]
        kind = "suggestion"
        if not suggestion:
            # The whole paragraph struck: a proposal cannot be empty, so it is said in words.
            kind = "comment"
            lines.append(self.labels["deleted"] % {"text": version_text.strip()})
        body = self._with_source("\n\n".join(_escape_md(x) for x in lines), author, date)
        identity = fingerprint(self.document_id, "change", place.uid, author, quote, wording)
        quote = quote.strip()
        quote_ok = (
            bool(quote)
            and version_text[start : start + len(quote)] == quote
            and len(quote) <= QUOTE_POINTER_MAX
            and quote.strip() != version_text.strip()
        )
        self.add(
            Item(
                key=0,
                source="change",
                kind=kind,
                uid=place.uid,
                body=body,
                word_author=author,
                word_date=date,
                # The changed span and its wording, as files taken in before this model identified
                # a change: the same file is still known when it comes again.
                fingerprint=identity,
                quote=quote if quote_ok else None,
                quote_start=start if quote_ok else None,
                suggestion=suggestion or None,
                uncertain=not place.certain,
                score=place.score,
                file_text=_excerpt(para.text),
            )
        )


def _locate(version_text: str, file_text: str, offset: int, commented: str) -> tuple[str | None, int | None]:
    """The quote and its start in the version's text, if the commented text still matches exactly."""
    raw = file_text[offset:]
    lead = len(raw) - len(raw.lstrip())
    start = offset + lead
    exact = " ".join(commented.split())
    if version_text[start : start + len(exact)] == exact:
        return exact, start
    if version_text.count(exact) == 1:
        return exact, version_text.index(exact)
    return None, None


def _deleted_text(para: Paragraph) -> str:
    return "".join(p.text for p in para.pieces if p.state == DELETED)


def _day(date: str) -> str:
    return date[:10] if date else "?"


def _escape_md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)


def build_preview(
    wf: WordFile,
    blocks: Sequence[OldBlock],
    *,
    document_id: int,
    known_numbers: dict[int, PackThread],
    labels: dict[str, str],
) -> Preview:
    """Everything *wf* would add to the version whose *blocks* are given; stores nothing."""
    builder = _Builder(wf, blocks, document_id, known_numbers, labels)
    preview = builder.preview
    preview.paragraphs = sum(1 for item in _items_text(wf).values() if item.strip())
    preview.placed = len(builder.places)
    certain = sum(1 for p in builder.places.values() if p.certain)
    if not preview.by_markers and preview.paragraphs and certain / preview.paragraphs < MIN_PLACED_SHARE:
        preview.refused = "other_document"
        return preview
    builder.comments()
    builder.changes()
    builder.table_changes()
    if not preview.items and not preview.left_out:
        preview.refused = "nothing"
    return preview
