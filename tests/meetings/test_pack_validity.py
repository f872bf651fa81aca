"""The pack is valid for Word, proven: schemas, Word's own rules, hostile text, stable bytes.

Issue 13, point 6 and "Bad input and edge cases": every part validates against the
ECMA-376 transitional schemas and passes the checks of what Word refuses that a schema
cannot see (:mod:`tests.meetings.ooxml`), on a generated pack with every block kind, every
decision and a deleted, a moved and an edited paragraph; hostile text anywhere in the
input never breaks the file; the same input gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import docx
import pytest
from lxml import etree

from app.meetings.pack import write_pack
from app.review.compilation import STATUSES, PackComment
from app.richtext import sanitize_inline
from app.worddiff import word_ops
from tests.browser.xss import XSS
from tests.meetings.ooxml import schema_problems, word_rule_problems
from tests.meetings.test_docx_writer import CHANGED, EDITOR, make_pack

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def every_decision_pack(**changes):
    """The writer's test pack plus a comment for every decision, a hidden one, and quotes
    that are found once, twice and not at all in their paragraph."""
    pack = make_pack()
    extra = []
    for n, status in enumerate(STATUSES, start=10):
        extra.append(
            PackComment(
                n, "p1", "1 ¶1", "1 Inledning", "SKR", f"Person {n}", f"Beslut {status}.", "0.1", CHANGED,
                status="open" if status == "withdrawn" else status,
                withdrawn=status == "withdrawn",
                response="" if status in ("open", "withdrawn") else f"Svar om {status}.",
                decided_by="" if status in ("open", "withdrawn") else EDITOR,
                decided_by_organisation="" if status in ("open", "withdrawn") else "PRV",
                decided_at=None if status in ("open", "withdrawn") else CHANGED,
                decided_in_label="" if status in ("open", "withdrawn") else "0.2",
                duplicate_of=1 if status == "duplicate" else None,
                quote={"open": "text med", "accepted": "e", "rejected": "finns inte"}.get(status),
            )
        )  # fmt: skip
    extra.append(
        PackComment(
            20, "q1", "1.1 ¶5", "1.1 Licenser", "SKR", "Dold Person", "", "0.2", CHANGED,
            hidden=True, hidden_reason="Personuppgifter.",
        )
    )  # fmt: skip
    return replace(pack, comments=[*pack.comments, *extra], agenda="1. Välkommen\n2. Synpunkter", **changes)


def test_the_checker_finds_what_word_refuses():
    """The checks can fail: each mutation of a valid pack is reported."""
    data = write_pack(every_decision_pack())
    assert schema_problems(data) == [] and word_rule_problems(data) == []

    def mutated(part: str, old: bytes, new: bytes, count: int = 1) -> bytes:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            entries = {n: source.read(n) for n in source.namelist()}
        assert old in entries[part], old
        entries[part] = entries[part].replace(old, new, count)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name, content in entries.items():
                target.writestr(name, content)
        return out.getvalue()

    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    first_end = re.search(rb'<w:commentRangeEnd w:id="\d+"/>', document).group()
    bookmark_end = re.search(rb'<w:bookmarkEnd w:id="\d+"/>', document).group()
    ins = re.search(rb'<w:ins w:id="(\d+)"', document)
    del_ = re.search(rb'<w:del w:id="(\d+)"', document)
    deleted_text = re.search(rb"<w:delText[^>]*>[^<]*</w:delText>", document).group()
    cases = {
        "comment range without end": mutated("word/document.xml", first_end, b""),
        "unpaired bookmark": mutated("word/document.xml", bookmark_end, b""),
        "duplicate revision id": mutated("word/document.xml", del_.group(), b'<w:del w:id="' + ins.group(1) + b'"'),
        "w:t inside w:del": mutated("word/document.xml", deleted_text, deleted_text.replace(b"w:delText", b"w:t")),
        "r:id without relationship": mutated("word/document.xml", b'r:id="rId', b'r:id="rIdX'),
        "thread parent missing": mutated("word/commentsExtended.xml", b'w15:paraIdParent="1', b'w15:paraIdParent="7'),
    }  # fmt: skip
    for name, broken in cases.items():
        assert word_rule_problems(broken), name
    out_of_order = mutated("word/settings.xml", b"<w:zoom ", b"<w:evenAndOddHeaders/><w:zoom ")
    assert any("settings.xml" in p for p in schema_problems(out_of_order))
    bad_element = mutated("word/document.xml", b"<w:body>", b"<w:body><w:bogus/>")
    assert any("bogus" in p for p in schema_problems(bad_element))


@pytest.mark.parametrize("tracked", [True, False])
def test_a_pack_with_every_kind_and_decision_is_valid(tracked):
    data = write_pack(every_decision_pack(), tracked=tracked)
    assert schema_problems(data) == []
    assert word_rule_problems(data) == []


def test_first_meeting_without_a_base_is_valid_and_lists_every_comment():
    pack = every_decision_pack(base_version_label=None)
    blocks = [
        replace(b, status="unchanged", ops=None, moved=False) for b in pack.blocks if b.status != "removed"
    ]
    data = write_pack(replace(pack, blocks=blocks))
    assert schema_problems(data) == [] and word_rule_problems(data) == []
    document = docx.Document(io.BytesIO(data))
    numbers = {row.cells[0].text for row in document.tables[-1].rows}
    assert {str(c.number) for c in pack.comments} <= numbers
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Ändrade stycken" not in text  # nothing to compare with
    assert f"{len(pack.comments)} synpunkter" in text


def _range_text(data: bytes, author: str) -> str:
    """The text a Word comment by *author* is anchored on."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        comments = etree.fromstring(z.read("word/comments.xml"))
        body = etree.fromstring(z.read("word/document.xml"))
    cid = next(
        c.get(f"{{{W}}}id") for c in comments.iter(f"{{{W}}}comment") if c.get(f"{{{W}}}author") == author
    )
    inside, on = [], False
    for element in body.iter():
        if element.tag == f"{{{W}}}commentRangeStart" and element.get(f"{{{W}}}id") == cid:
            on = True
        elif element.tag == f"{{{W}}}commentRangeEnd" and element.get(f"{{{W}}}id") == cid:
            return "".join(inside)
        elif on and element.tag in (f"{{{W}}}t", f"{{{W}}}delText"):
            inside.append(element.text or "")
    raise AssertionError("no range")


def test_a_quote_found_once_is_the_anchor_else_the_whole_paragraph():
    data = write_pack(every_decision_pack())
    assert _range_text(data, "Person 10 (SKR)") == "text med"  # once: the span
    whole = "Detta är gammalfet text med länk."
    assert _range_text(data, "Person 11 (SKR)") == whole  # "e" occurs many times
    assert _range_text(data, "Person 13 (SKR)") == whole  # not there any more
    docx_comments = {c.author: c.text for c in docx.Document(io.BytesIO(data)).comments}
    assert "”text med”" not in docx_comments["Person 10 (SKR)"]  # the range is the quote
    assert "Citat: ”finns inte”" in docx_comments["Person 13 (SKR)"]  # the range is not


def test_the_clean_variant_has_no_comments_at_all():
    data = write_pack(every_decision_pack(), tracked=False)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        body = z.read("word/document.xml")
    assert "word/comments.xml" not in names and "word/commentsExtended.xml" not in names
    assert b"commentRangeStart" not in body and b"commentReference" not in body


def test_exporting_twice_gives_identical_bytes():
    assert write_pack(every_decision_pack()) == write_pack(every_decision_pack())
    assert write_pack(every_decision_pack(), tracked=False) == write_pack(
        every_decision_pack(), tracked=False
    )


def _corpus() -> list[str]:
    if not XSS.exists():
        pytest.skip(f"the XSS corpus is not at {XSS}")
    return [line for line in XSS.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]


@pytest.mark.parametrize("tracked", [True, False])
def test_the_xss_corpus_through_the_pack_is_escaped_and_never_breaks_the_file(tracked):
    lines = _corpus()
    pack = every_decision_pack()
    hostile = []
    for n, line in enumerate(lines, start=100):
        # A suggestion whose hostile text is struck (odd) or underlined (even) in its word diff.
        base, proposal = (f"gammal {line} text", "ny text") if n % 2 else ("gammal text", f"ny {line} text")
        hostile.append(
            PackComment(
                n, "p1", line, line, line, line, line, line, CHANGED, kind="suggestion",
                quote=line, suggestion=sanitize_inline(proposal), suggestion_base=sanitize_inline(base),
                status="rejected" if n % 2 else "open",
                response=line, decided_by=line, decided_by_organisation=line,
                decided_at=CHANGED, decided_in_label=line, hidden_reason=line,
            )
        )  # fmt: skip
    pack = replace(
        pack,
        comments=[*pack.comments, *hostile],
        agenda="\n".join(lines),
        place=lines[0],
        meeting_title=lines[1],
        document_title=lines[2],
        organisations=lines[:5],
        meeting_date=datetime(2025, 3, 10, 12, 0, tzinfo=UTC),
    )
    data = write_pack(pack, tracked=tracked)
    assert schema_problems(data) == []
    assert word_rule_problems(data) == []
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    rows = "\n".join(cell.text for row in document.tables[-1].rows for cell in row.cells)
    for line in lines:
        assert " ".join(line.split()) in " ".join(text.split()), line  # the agenda, as typed
        assert line.replace("\t", " ").split("\n")[0] in rows.replace("\t", " "), line
    cells = {row.cells[0].text: row.cells[5].text for row in document.tables[-1].rows}
    for c in hostile:
        # Both sides of each suggestion's diff are in its cell, as text.
        ops = word_ops(c.suggestion_base, c.suggestion)
        assert cells[str(c.number)] == "".join(run.text for _tag, runs in ops for run in runs)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
        xml = z.read("word/document.xml").decode() + (z.read("word/comments.xml").decode() if tracked else "")
    assert "javascript:" not in rels.lower()
    # Markup typed into a suggestion is text in the file, escaped: never an element.
    assert "<script" not in xml.lower() and "&lt;script" in xml.lower()
    assert (
        xml.count("<w:strike/>") >= len(lines) // 2 and xml.count('<w:u w:val="single"/>') >= len(lines) // 2
    )
    if tracked:
        authors = {c.author for c in document.comments}
        assert f"{lines[0]} ({lines[0]})" in authors
