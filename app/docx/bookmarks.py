"""The bookmarks by which Remiss finds its own text again in a Word file it wrote.

The meeting pack writes them (:mod:`app.meetings.pack`); the importer
(:mod:`app.drafting.docx_reader`) and the Word-comments reader (:mod:`app.wordcomments.reader`)
read them back from an edited or commented pack.
"""

from __future__ import annotations

import re

# The bookmark around the text of an exported pack: importing an edited pack reads only what
# it encloses (app.drafting.docx_reader), not the title page, history or compilation.
TEXT_BOOKMARK = "RemissText"

# One bookmark around each block of the presented version, named after the block's uid, so
# that an edited pack (or Word comments made in it) can be traced back to its blocks. A
# name starting with "_" is a hidden bookmark: Word keeps it but does not list it in the
# Bookmark dialog, so readers never see it. LibreOffice keeps these names through a DOCX
# round trip (tests/meetings/test_pack_validity.py::test_paragraph_markers_survive_libreoffice).
PARAGRAPH_BOOKMARK_PREFIX = "_Remiss_"
_UID = re.compile(r"[0-9a-f]{12}")


def paragraph_bookmark_name(uid: str) -> str:
    """The name of the bookmark around the block *uid* (12 hex characters) in a pack."""
    return f"{PARAGRAPH_BOOKMARK_PREFIX}{uid}"


def uid_from_bookmark_name(name: str) -> str | None:
    """The block uid a paragraph bookmark *name* stands for, or None for any other name."""
    if not name.startswith(PARAGRAPH_BOOKMARK_PREFIX):
        return None
    uid = name[len(PARAGRAPH_BOOKMARK_PREFIX) :]
    return uid if _UID.fullmatch(uid) else None
