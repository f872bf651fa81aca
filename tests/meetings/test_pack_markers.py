"""The paragraph markers of a meeting pack: one hidden bookmark per block of the presented version."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from app.docx import bookmarks as x
from app.meetings.pack import PackInput, write_pack
from tests.meetings.test_docx_writer import make_pack

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def hex_pack() -> PackInput:
    """The test pack with real 12-hex uids (the writer's tests use short ones)."""
    pack = make_pack()
    uids = {b.uid: f"{i + 1:012x}" for i, b in enumerate(pack.blocks)}
    return replace(
        pack,
        blocks=[replace(b, uid=uids[b.uid]) for b in pack.blocks],
        comments=[
            replace(c, block_uid=uids.get(c.block_uid) if c.block_uid else None) for c in pack.comments
        ],
    )


def bookmarks(data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """(id, name) of every bookmark start, and the ids of every bookmark end, in document.xml."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    starts = [(e.get(f"{{{W}}}id"), e.get(f"{{{W}}}name")) for e in root.iterfind(".//w:bookmarkStart", NS)]
    ends = [e.get(f"{{{W}}}id") for e in root.iterfind(".//w:bookmarkEnd", NS)]
    return starts, ends


def marked_uids(data: bytes) -> list[str]:
    starts, _ = bookmarks(data)
    return [uid for _, name in starts if (uid := x.uid_from_bookmark_name(name)) is not None]


def test_bookmark_names_round_trip_and_reject_other_names():
    name = x.paragraph_bookmark_name("0123456789ab")
    assert name.startswith("_")  # hidden from readers in Word's Bookmark dialog
    assert name.startswith(x.PARAGRAPH_BOOKMARK_PREFIX)
    assert x.uid_from_bookmark_name(name) == "0123456789ab"
    for other in (x.TEXT_BOOKMARK, "_GoBack", "_Toc12345", x.PARAGRAPH_BOOKMARK_PREFIX + "xyz", ""):
        assert x.uid_from_bookmark_name(other) is None
    assert x.uid_from_bookmark_name(x.PARAGRAPH_BOOKMARK_PREFIX + "0123456789abc") is None


@pytest.mark.parametrize("tracked", [True, False])
def test_every_block_of_the_presented_version_has_one_paired_marker(tracked):
    pack = hex_pack()
    data = write_pack(pack, tracked=tracked)
    presented = [b.uid for b in pack.blocks if b.status != "removed"]
    assert marked_uids(data) == presented
    starts, ends = bookmarks(data)
    ids = [i for i, _ in starts]
    assert len(ids) == len(set(ids)), "bookmark ids must be unique"
    assert sorted(ids) == sorted(ends), "every bookmark start has its end"
    assert any(name == x.TEXT_BOOKMARK for _, name in starts)


def test_the_marker_encloses_the_block_paragraph():
    pack = hex_pack()
    with zipfile.ZipFile(io.BytesIO(write_pack(pack))) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    for block in pack.blocks:
        if block.status == "removed" or block.kind == "table":
            continue
        start = root.find(f".//w:bookmarkStart[@w:name='{x.paragraph_bookmark_name(block.uid)}']", NS)
        paragraph = start.getparent()
        assert paragraph.tag == f"{{{W}}}p"
        assert paragraph.find(f".//w:bookmarkEnd[@w:id='{start.get(f'{{{W}}}id')}']", NS) is not None


@pytest.mark.libreoffice
@pytest.mark.parametrize("tracked", [True, False])
def test_paragraph_markers_survive_libreoffice(soffice, tmp_path: Path, tracked):
    pack = hex_pack()
    path = tmp_path / "pack.docx"
    path.write_bytes(write_pack(pack, tracked=tracked))
    saved = soffice(path, "docx:MS Word 2007 XML").read_bytes()
    presented = [b.uid for b in pack.blocks if b.status != "removed"]
    # LibreOffice splits a bookmark that spans table cells into two of the same name.
    kept = list(dict.fromkeys(marked_uids(saved)))
    assert kept == presented
