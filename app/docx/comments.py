"""Word comments and their threads: writing comments.xml and commentsExtended.xml, reading them back.

A comment is anchored in the body by a range (:func:`comment_start`, :func:`comment_end`)
and written to comments.xml (:func:`comment`); a reply and the "done" state of a thread
live in commentsExtended.xml (Word 2013 and later), keyed by the ``w14:paraId`` of the
comment's paragraph. :func:`comment_parts` adds both parts to a package;
:func:`read_comments` and :func:`read_thread_parents` read them from an uploaded file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

from app.docx.package import whole_part
from app.docx.reading import part_root, related_parts
from app.docx.wml import COMMENTS_EX_NSDECLS, COMMENTS_NSDECLS, W14_NS, W15_NS, W_NS, attr, qname, text

COMMENT_REFERENCE = '<w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr>'


def comment_start(comment_id: int) -> str:
    """Where a comment's range starts (before the first run it covers)."""
    return f'<w:commentRangeStart w:id="{comment_id}"/>'


def comment_end(comment_id: int) -> str:
    """Where a comment's range ends, followed by the run holding its reference mark."""
    return (
        f'<w:commentRangeEnd w:id="{comment_id}"/>'
        f'{COMMENT_REFERENCE}<w:commentReference w:id="{comment_id}"/></w:r>'
    )


def comment_run(value: str, bold: bool = False, italic: bool = False) -> str:
    """A run for comments.xml, with no more elements than it needs (see :func:`comment`)."""
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    value = value.replace("\t", " ")
    space = ' xml:space="preserve"' if value != value.strip() or "  " in value else ""
    return f"<w:r>{rpr}<w:t{space}>{text(value)}</w:t></w:r>"


# Between the lines of a comment: one paragraph with breaks rather than one per line.
COMMENT_BREAK = "<w:r><w:br/></w:r>"


def comment(
    comment_id: int,
    author: str,
    initials: str,
    date: str,
    paragraphs: Sequence[str],
    *,
    para_id: str | None = None,
) -> str:
    """A ``w:comment`` for comments.xml; *paragraphs* are run strings, one per line.

    The lines share one paragraph, separated by breaks, opened by the ``w:annotationRef``
    run Word puts in every comment. LibreOffice (7.4) parses the whole of comments.xml
    again for every comment reference in the document, creating a context for every
    element, so its import time grows with comments × elements: a comment here has about
    half the elements of one paragraph per line (benchmarks/README.md, LibreOffice curve).
    *para_id* is the paragraph's ``w14:paraId``, by which commentsExtended.xml threads and
    resolves comments.
    """
    date_attr = f' w:date="{date}"' if date else ""
    ids = f' w14:paraId="{para_id}" w14:textId="77777777"' if para_id else ""
    body = COMMENT_BREAK.join(paragraphs)
    return (
        f'<w:comment w:id="{comment_id}" w:author="{attr(author)}"{date_attr}'
        f' w:initials="{attr(initials)}"><w:p{ids}><w:pPr><w:pStyle w:val="CommentText"/></w:pPr>'
        f"<w:r><w:annotationRef/></w:r>{body}</w:p></w:comment>"
    )


def initials(name: str) -> str:
    """A Word comment's initials: the first letter of each part of *name* ("Maja Medlem" → "MM").

    Parts are split at spaces and hyphens ("Anna-Karin Öberg" → "AKÖ"), at most nine letters
    (Word's own limit). Word shows them in the comment mark; the author field keeps the
    whole "Name (Organisation)".
    """
    parts = name.replace("-", " ").split()
    return "".join(part[0].upper() for part in parts if part[0].isalnum())[:9]


def para_id(comment_id: int) -> str:
    """A ``w14:paraId`` for a comment's paragraph: eight hex digits below 0x80000000, stable."""
    return f"{0x10000000 + comment_id:08X}"


def comment_ex(para_id: str, *, parent: str | None = None, done: bool = False) -> str:
    """A ``w15:commentEx``: threads a reply to its *parent* and marks a thread done."""
    parent_attr = f' w15:paraIdParent="{parent}"' if parent else ""
    return f'<w15:commentEx w15:paraId="{para_id}"{parent_attr} w15:done="{1 if done else 0}"/>'


_COMMENTS_EX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
_COMMENTS_EX_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"


def comment_parts(document, comments: Sequence[str], comments_ex: Sequence[str]) -> dict[str, bytes]:
    """Add the comments parts to *document*; returns the content of comments.xml to store.

    Reading ``.comments`` makes python-docx add the part, its content type and its
    relationship; its content is then replaced like the body's (see
    :func:`app.docx.package.save`). Threads (replies) and "done" live in
    commentsExtended.xml, added here as a part of its own.
    """
    document.comments  # noqa: B018
    extended = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f"<w15:commentsEx {COMMENTS_EX_NSDECLS}>{''.join(comments_ex)}</w15:commentsEx>"
    ).encode()
    document.part.relate_to(
        Part(PackURI("/word/commentsExtended.xml"), _COMMENTS_EX_TYPE, extended, document.part.package),
        _COMMENTS_EX_REL,
    )
    return {"word/comments.xml": whole_part("comments", "".join(comments), nsdecls=COMMENTS_NSDECLS)}


# --------------------------------------------------------------------------- reading

_NS = {"w": W_NS, "w14": W14_NS, "w15": W15_NS}
_PARAGRAPHS = etree.XPath(".//w:p", namespaces=_NS)
_KEPT_TEXT = etree.XPath(
    ".//*[(self::w:t or self::w:tab or self::w:br or self::w:cr)"
    " and not(ancestor::w:del) and not(ancestor::w:moveFrom)]",
    namespaces=_NS,
)
_W_T, _W_ID = qname("t"), qname("id")
_PARA_ID = f"{{{W14_NS}}}paraId"
_COMMENT_EX = f"{{{W15_NS}}}commentEx"


@dataclass(frozen=True, slots=True)
class StoredComment:
    """A comment as comments.xml holds it: id, who and when, its text, its paragraphs' paraIds."""

    id: str
    author: str
    initials: str
    date: str
    text: str
    para_ids: list[str]


def _comment_text(comment: etree._Element) -> tuple[str, list[str]]:
    """The comment's paragraphs (accepted view) joined by blank lines, and their w14 paraIds."""
    paragraphs, ids = [], []
    for p in _PARAGRAPHS(comment):
        value = "".join((t.text or "") if t.tag == _W_T else " " for t in _KEPT_TEXT(p))
        paragraphs.append(" ".join(value.split()))
        pid = p.get(_PARA_ID)
        if pid:
            ids.append(pid.upper())
    return "\n\n".join(t for t in paragraphs if t), ids


def read_comments(document) -> Iterator[StoredComment]:
    """The comments of an opened document (python-docx), in file order."""
    root = part_root(related_parts(document).get("comments"))
    if root is None:
        return
    for el in root.iterfind(qname("comment")):
        value, para_ids = _comment_text(el)
        yield StoredComment(
            id=el.get(_W_ID, ""),
            author=(el.get(qname("author")) or "").strip(),
            initials=(el.get(qname("initials")) or "").strip(),
            date=el.get(qname("date")) or "",
            text=value,
            para_ids=para_ids,
        )


def read_thread_parents(document) -> Iterator[tuple[str, str]]:
    """(paraId, parent paraId) of every comment of commentsExtended.xml, upper case ("" when none)."""
    root = part_root(related_parts(document).get("commentsExtended"))
    if root is None:
        return
    for ex in root.iter(_COMMENT_EX):
        yield (
            (ex.get(f"{{{W15_NS}}}paraId") or "").upper(),
            (ex.get(f"{{{W15_NS}}}paraIdParent") or "").upper(),
        )
