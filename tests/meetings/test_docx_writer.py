"""The DOCX meeting pack: tracked changes, comments, compilation, structure, determinism."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from lxml import etree

from app.compare.diff import diff_versions
from app.meetings.pack import (
    HistoryRow,
    PackBlock,
    PackInput,
    blocks_from_diff,
    write_pack,
)
from app.review.compilation import PackComment
from app.review.models import STATUS_COLOURS, CommentStatus
from app.richtext import Segment as S
from tests import office

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
CHANGED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
CHANGED_W = "2025-03-01T09:30:00Z"
EDITOR = "Eva Redaktör"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def make_pack(**changes) -> PackInput:
    """A small pack with one block of every kind and status, and five comments."""
    blocks = [
        PackBlock("h1", "heading", 1, "Inledning", old_index=0),
        PackBlock(
            "p1",
            "paragraph",
            1,
            'Detta är <strong>fet</strong> text med <a href="https://example.org/a b">länk</a>.',
            status="modified",
            old_index=1,
            author=EDITOR,
            changed_at=CHANGED,
            ops=[
                ("equal", [S("Detta är ")]),
                ("delete", [S("gammal")]),
                ("insert", [S("fet", bold=True)]),
                ("equal", [S(" text med "), S("länk", href="https://example.org/a b"), S(".")]),
            ],
        ),
        PackBlock(
            "p2",
            "paragraph",
            1,
            "Ett helt nytt stycke.",
            status="added",
            author=EDITOR,
            changed_at=CHANGED,
        ),
        PackBlock(
            "p3",
            "paragraph",
            1,
            "Ett borttaget stycke.",
            status="removed",
            old_index=2,
            author=EDITOR,
            changed_at=CHANGED,
        ),
        PackBlock("h2", "heading", 2, "Licenser", old_index=4),
        PackBlock("b1", "bullet", 1, "Punkt ett", old_index=5),
        PackBlock("b2", "bullet", 2, "Underpunkt", old_index=6),
        PackBlock("n1", "number", 1, "Nummer ett", old_index=7),
        PackBlock("n2", "number", 1, "Nummer två", old_index=8),
        PackBlock("q1", "quote", 1, "Ett citat.", old_index=9),
        PackBlock(
            "mv",
            "paragraph",
            1,
            "Flyttat stycke som ändrats.",
            status="modified",
            moved=True,
            old_index=3,
            author="Per Flytt",
            changed_at=CHANGED,
            ops=[
                ("equal", [S("Flyttat stycke som ")]),
                ("delete", [S("var")]),
                ("insert", [S("ändrats")]),
                ("equal", [S(".")]),
            ],
        ),
        PackBlock("t1", "table", 1, "Kolumn A\tKolumn B\n1\t<strong>2</strong>", old_index=10),
        PackBlock("h3", "heading", 3, "Tillagd rubrik", status="added", author=EDITOR, changed_at=CHANGED),
        PackBlock(
            "h4",
            "heading",
            1,
            "Borttagen rubrik",
            status="removed",
            old_index=11,
            author=EDITOR,
            changed_at=CHANGED,
        ),
        PackBlock("n3", "number", 1, "Ny lista ett", old_index=12),
    ]
    comments = [
        PackComment(
            1,
            "p1",
            "1 ¶1",
            "1 Inledning",
            "PRV",
            "Anna Andersson",
            "Bra formulering.\nMen kort.",
            "0.1",
            CHANGED,
            kind="suggestion",
            quote="fet",
            suggestion='Detta är <strong>ny</strong> text med <a href="https://example.org/a b">länk</a> i dag.',
            suggestion_base='Detta är gammal text med <a href="https://example.org/a b">länk</a>.',
        ),
        PackComment(
            2,
            None,
            "",
            "",
            "DIGG",
            "Bo Berg",
            "Allmänt om utkastet.",
            "0.1",
            CHANGED,
            kind="question",
        ),
        PackComment(
            3,
            "p3",
            "1 ¶3",
            "1 Inledning",
            "Lunds kommun",
            "Cia Ceder",
            "Stryk stycket.",
            "0.1",
            CHANGED,
            status="accepted",
            response="Stycket är struket.",
            decided_by=EDITOR,
        ),
        PackComment(
            4,
            "b1",
            "1.1 ¶1",
            "1.1 Licenser",
            "Lunds kommun",
            "Dan Dahl",
            "Återkallad synpunkt.",
            "0.2",
            CHANGED,
            withdrawn=True,
        ),
        PackComment(
            5,
            "mv",
            "1.1 ¶6",
            "1.1 Licenser",
            "Umeå universitet",
            "Eli Ek",
            "Om flytten.",
            "0.2",
            CHANGED,
        ),
        PackComment(
            6,
            "q1",
            "1.1 ¶5",
            "1.1 Licenser",
            "PRV",
            "Fia Fors",
            "Dubblett.",
            "0.2",
            CHANGED,
            status="duplicate",
            duplicate_of=1,
            response="Se #1.",
            decided_by=EDITOR,
        ),
    ]
    pack = PackInput(
        document_title="Öppna licenser för myndigheter",
        document_slug="oppna-licenser",
        version_number=2,
        version_label="0.2",
        version_state="open",
        version_date=CHANGED,
        meeting_title="Nätverksträff 3",
        meeting_date=datetime(2025, 3, 10, 12, 0, tzinfo=UTC),
        blocks=blocks,
        comments=comments,
        history=[
            HistoryRow(1, "0.1", datetime(2025, 1, 15, tzinfo=UTC), EDITOR, "Första utkastet"),
            HistoryRow(2, "0.2", CHANGED, EDITOR, "Synpunkter inarbetade"),
        ],
        organisations=["PRV", "DIGG"],
        base_version_label="0.1",
    )
    return replace(pack, **changes)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.namelist()


def para_text(p: etree._Element) -> str:
    """All text of a paragraph, deleted text included."""
    return "".join(t.text or "" for t in p.iter(w("t"), w("delText")))


def is_contents(p: etree._Element) -> bool:
    """Whether *p* is an entry of the table of contents (which repeats every heading)."""
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    return style is not None and style.get(w("val")) in ("TOC1", "TOC2", "TOC3")


def paragraph_with(body: etree._Element, text: str, last: bool = False) -> etree._Element:
    """The first (or last) paragraph holding *text*, entries of the contents left out."""
    found = [p for p in body.iter(w("p")) if text in para_text(p) and not is_contents(p)]
    assert found, f"no paragraph contains {text!r}"
    return found[-1] if last else found[0]


@pytest.fixture(scope="module")
def tracked() -> bytes:
    return write_pack(make_pack())


@pytest.fixture(scope="module")
def clean() -> bytes:
    return write_pack(make_pack(), tracked=False)


@pytest.fixture(scope="module")
def body(tracked: bytes) -> etree._Element:
    return part(tracked, "word/document.xml").find(w("body"))


# --------------------------------------------------------------------------- structure


def test_pack_opens_in_python_docx_with_all_sections_in_order(tracked):
    document = docx.Document(io.BytesIO(tracked))
    texts = [p.text for p in document.paragraphs]
    order = [
        "Öppna licenser för myndigheter",
        "Innehåll",
        "Versionshistorik",
        "Ändringar sedan version 0.1 visas som spårade ändringar.",
        "Sammanställning av inkomna synpunkter",
    ]
    positions = []
    for text in order:  # each after the one before it
        positions.append(texts.index(text, positions[-1] + 1 if positions else 0))
    title_page = " ".join(texts[: positions[1]])
    for expected in (
        "Version 0.2 – öppen för synpunkter",
        "2025-03-01",
        "Nätverksträff 3",
        "2025-03-10 13:00",
        "PRV, DIGG",
        "CC BY 4.0",
    ):
        assert expected in title_page
    # Title page, TOC and history each start a page; the compilation its own section.
    assert document.sections[-1].orientation == 1  # landscape
    assert len(document.sections) == 2


def table_starting(document, text: str, last: bool = False):
    """The first (or last) table whose first cell reads *text*."""
    found = [t for t in document.tables if t.rows[0].cells[0].text == text]
    assert found, f"no table starts with {text!r}"
    return found[-1] if last else found[0]


def test_version_history_lists_every_version_with_a_repeating_header(tracked):
    document = docx.Document(io.BytesIO(tracked))
    history = table_starting(document, "Nr")
    rows = [[c.text for c in row.cells] for row in history.rows]
    assert rows[0] == ["Nr", "Version", "Datum", "Publicerad av", "Sammanfattning av ändringar"]
    assert rows[1] == ["1", "0.1", "2025-01-15", EDITOR, "Första utkastet"]
    assert rows[2][:2] == ["2", "0.2"]
    assert history._tbl.tr_lst[0].find(f"{w('trPr')}/{w('tblHeader')}") is not None


def test_toc_is_a_field_and_word_is_asked_to_update_fields(tracked, body):
    instr = body.xpath(".//w:instrText/text()", namespaces=NS)
    assert any('TOC \\o "1-3" \\h \\z \\u' in text for text in instr)
    paragraphs = list(body.iter(w("p")))
    first = next(i for i, p in enumerate(paragraphs) if "TOC" in "".join(p.itertext()))
    kinds = [f.get(w("fldCharType")) for f in paragraphs[first].iter(w("fldChar"))]
    assert kinds == ["begin", "separate"]
    last = next(i for i, p in enumerate(paragraphs) if i > first and p.find(f".//{w('fldChar')}") is not None)
    assert [f.get(w("fldCharType")) for f in paragraphs[last].iter(w("fldChar"))] == ["end"]
    settings = part(tracked, "word/settings.xml")
    update = settings.find(w("updateFields"))
    assert update is not None and update.get(w("val")) == "true"


def test_toc_result_lists_every_heading_linked_to_it(body):
    """A file printed or converted without updating fields still shows the contents."""
    entries = [p for p in body.iter(w("p")) if is_contents(p)]
    texts = ["".join(t.text or "" for t in p.iter(w("t"))) for p in entries]
    assert texts == [
        "Sammanfattning: vi frågade – ni svarade – vi gjorde",
        "Versionshistorik",
        "1 Inledning",
        "1.1 Licenser",
        "1.1.1 Tillagd rubrik",
        "Sammanställning av inkomna synpunkter",
    ]
    names = {b.get(w("name")) for b in body.iter(w("bookmarkStart"))}
    for entry in entries:
        anchor = entry.find(w("hyperlink")).get(w("anchor"))
        assert anchor in names, anchor
    levels = [p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) for p in entries]
    assert levels == ["TOC1", "TOC1", "TOC1", "TOC2", "TOC3", "TOC1"]


# The order of w:settings children in the schema (CT_Settings, ECMA-376 part 1 §17.15.1.78).
SETTINGS_ORDER = [
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
    "embedTrueTypeFonts",
    "embedSystemFonts",
    "saveSubsetFonts",
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    "trackRevisions",
    "doNotTrackMoves",
    "doNotTrackFormatting",
    "documentProtection",
    "autoFormatOverride",
    "styleLockTheme",
    "styleLockQFSet",
    "defaultTabStop",
    "autoHyphenation",
    "consecutiveHyphenLimit",
    "hyphenationZone",
    "doNotHyphenateCaps",
    "showEnvelope",
    "summaryLength",
    "clickAndTypeStyle",
    "defaultTableStyle",
    "evenAndOddHeaders",
    "bookFoldRevPrinting",
    "bookFoldPrinting",
    "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing",
    "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery",
    "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin",
    "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin",
    "doNotShadeFormData",
    "noPunctuationKerning",
    "characterSpacingControl",
    "printTwoOnOne",
    "strictFirstAndLastChars",
    "noLineBreaksAfter",
    "noLineBreaksBefore",
    "savePreviewPicture",
    "doNotValidateAgainstSchema",
    "saveInvalidXml",
    "ignoreMixedContent",
    "alwaysShowPlaceholderText",
    "doNotDemarcateInvalidXml",
    "saveXmlDataOnly",
    "useXSLTWhenSaving",
    "saveThroughXslt",
    "showXMLTags",
    "alwaysMergeEmptyNamespace",
    "updateFields",
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
]


def test_settings_children_follow_the_schema_order(tracked):
    settings = part(tracked, "word/settings.xml")
    local = [
        etree.QName(child).localname
        for child in settings
        if etree.QName(child).namespace in (W, "http://schemas.openxmlformats.org/officeDocument/2006/math")
    ]
    known = [name for name in local if name in SETTINGS_ORDER or name == "mathPr"]
    assert known.index("updateFields") < known.index("compat")
    ranks = [SETTINGS_ORDER.index(name) for name in known]
    assert ranks == sorted(ranks), known


def test_headings_use_word_heading_styles_with_outline_numbering(tracked):
    document = docx.Document(io.BytesIO(tracked))
    # para_text, not python-docx's p.text: that drops text inside w:ins.
    styles = {para_text(p._p): p.style.name for p in document.paragraphs}
    assert styles["Inledning"] == "Heading 1"
    assert styles["Licenser"] == "Heading 2"
    assert styles["Tillagd rubrik"] == "Heading 3"
    numbering = part(tracked, "word/numbering.xml")
    style_xml = part(tracked, "word/styles.xml")
    for level in (1, 2, 3):
        style = style_xml.find(f"{w('style')}[@{w('styleId')}='Heading{level}']")
        num_id = style.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}").get(w("val"))
        ilvl = style.find(f"{w('pPr')}/{w('numPr')}/{w('ilvl')}").get(w("val"))
        assert ilvl == str(level - 1)
        abstract_id = numbering.find(f"{w('num')}[@{w('numId')}='{num_id}']/{w('abstractNumId')}")
        abstract = numbering.find(f"{w('abstractNum')}[@{w('abstractNumId')}='{abstract_id.get(w('val'))}']")
        lvl = abstract.find(f"{w('lvl')}[@{w('ilvl')}='{level - 1}']")
        assert lvl.find(w("numFmt")).get(w("val")) == "decimal"
        assert lvl.find(w("lvlText")).get(w("val")) == ["%1", "%1.%2", "%1.%2.%3"][level - 1]
        assert lvl.find(w("pStyle")).get(w("val")) == f"Heading{level}"


def test_removed_heading_takes_no_number(body):
    # Otherwise Word would number the headings after it one higher than their references.
    removed = paragraph_with(body, "Borttagen rubrik")
    assert removed.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}").get(w("val")) == "0"
    added = paragraph_with(body, "Tillagd rubrik")
    assert added.find(f"{w('pPr')}/{w('numPr')}") is None  # numbered through its style


def _list_format(numbering, p) -> tuple[str, str, str]:
    num_pr = p.find(f"{w('pPr')}/{w('numPr')}")
    num_id = num_pr.find(w("numId")).get(w("val"))
    ilvl = num_pr.find(w("ilvl")).get(w("val"))
    abstract_id = numbering.find(f"{w('num')}[@{w('numId')}='{num_id}']/{w('abstractNumId')}").get(w("val"))
    lvl = numbering.find(
        f"{w('abstractNum')}[@{w('abstractNumId')}='{abstract_id}']/{w('lvl')}[@{w('ilvl')}='{ilvl}']"
    )
    return num_id, ilvl, lvl.find(w("numFmt")).get(w("val"))


def test_lists_are_real_word_numbering_and_each_numbered_list_restarts(tracked, body):
    numbering = part(tracked, "word/numbering.xml")
    assert _list_format(numbering, paragraph_with(body, "Punkt ett"))[1:] == ("0", "bullet")
    assert _list_format(numbering, paragraph_with(body, "Underpunkt"))[1:] == ("1", "bullet")
    first = _list_format(numbering, paragraph_with(body, "Nummer ett"))
    second = _list_format(numbering, paragraph_with(body, "Nummer två"))
    other = _list_format(numbering, paragraph_with(body, "Ny lista ett"))
    assert first == second and first[2] == "decimal"
    assert other[0] != first[0] and other[2] == "decimal"
    num = numbering.find(f"{w('num')}[@{w('numId')}='{other[0]}']")
    assert num.find(f"{w('lvlOverride')}/{w('startOverride')}").get(w("val")) == "1"


def test_quotes_tables_and_inline_formatting(tracked, body):
    document = docx.Document(io.BytesIO(tracked))
    assert next(p for p in document.paragraphs if p.text == "Ett citat.").style.name == "Quote"
    table = table_starting(document, "Kolumn A")
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Kolumn A", "Kolumn B"],
        ["1", "2"],
    ]
    assert table.rows[1].cells[1].paragraphs[0].runs[0].bold
    fet = paragraph_with(body, "Detta är")
    bold = [r for r in fet.iter(w("r")) if r.find(f"{w('rPr')}/{w('b')}") is not None]
    assert ["".join(r.itertext()) for r in bold] == ["fet"]


def test_hyperlinks_are_external_relationships_with_valid_targets(tracked, body):
    link = paragraph_with(body, "Detta är").find(f".//{w('hyperlink')}")
    rid = link.get(f"{{{R}}}id")
    rels = part(tracked, "word/_rels/document.xml.rels")
    rel = next(r for r in rels if r.get("Id") == rid)
    assert rel.get("TargetMode") == "External"
    assert rel.get("Target") == "https://example.org/a%20b"
    assert "".join(link.itertext()) == "länk"


# --------------------------------------------------------------------------- tracked changes


def _marks(body, tag):
    """Run-level revision marks (not the paragraph-mark ones inside w:rPr)."""
    return [m for m in body.iter(w(tag)) if etree.QName(m.getparent()).localname != "rPr"]


def test_tracked_changes_follow_the_ops(body):
    ins, dels = _marks(body, "ins"), _marks(body, "del")
    # p1: one insert op, one delete op; p2 and h3 added; p3 and h4 removed; the moved
    # block's insert op (its delete op is shown only in the moveFrom copy).
    assert sorted("".join(m.itertext()) for m in ins) == sorted(
        ["fet", "Ett helt nytt stycke.", "Tillagd rubrik", "ändrats"]
    )
    assert sorted("".join(m.itertext()) for m in dels) == sorted(
        ["gammal", "Ett borttaget stycke.", "Borttagen rubrik"]
    )
    for mark in ins + dels:
        assert mark.get(w("date")) == CHANGED_W
    authors = {"".join(m.itertext()): m.get(w("author")) for m in ins}
    assert authors["fet"] == EDITOR and authors["ändrats"] == "Per Flytt"
    for mark in dels:
        assert mark.findall(f".//{w('t')}") == []
        assert mark.findall(f".//{w('delText')}")


def revision_ids(body) -> list[str]:
    tags = ("ins", "del", "moveFrom", "moveTo", "moveFromRangeStart", "moveToRangeStart")
    return [m.get(w("id")) for tag in tags for m in body.iter(w(tag))]


def test_revision_ids_are_unique(body):
    ids = revision_ids(body)
    assert len(ids) == len(set(ids)) > 10


def test_wholly_added_and_removed_blocks_mark_the_paragraph_mark(body):
    added = paragraph_with(body, "Ett helt nytt stycke.")
    mark = added.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}")
    assert mark is not None and mark.get(w("author")) == EDITOR
    assert mark.get(w("date")) == CHANGED_W
    removed = paragraph_with(body, "Ett borttaget stycke.")
    assert removed.find(f"{w('pPr')}/{w('rPr')}/{w('del')}") is not None
    assert removed.xpath(".//w:t", namespaces=NS) == []
    edited = paragraph_with(body, "Detta är")
    assert edited.find(f"{w('pPr')}/{w('rPr')}") is None


def test_moved_block_is_a_word_move_from_its_old_place(body):
    paragraphs = list(body.iter(w("p")))
    source = paragraph_with(body, "Flyttat stycke som var.")
    target = paragraph_with(body, "Flyttat stycke som ändrats.")
    licenser = paragraph_with(body, "Licenser")
    # The old copy stands where the block was in the base version (before "Licenser").
    assert paragraphs.index(source) < paragraphs.index(licenser) < paragraphs.index(target)
    start_from = source.find(w("moveFromRangeStart"))
    start_to = target.find(w("moveToRangeStart"))
    assert start_from.get(w("name")) == start_to.get(w("name"))
    assert source.find(w("moveFromRangeEnd")).get(w("id")) == start_from.get(w("id"))
    assert source.find(f"{w('pPr')}/{w('rPr')}/{w('moveFrom')}") is not None
    assert target.find(f"{w('pPr')}/{w('rPr')}/{w('moveTo')}") is not None
    moved_to = "".join("".join(m.itertext()) for m in target.iter(w("moveTo")))
    assert moved_to == "Flyttat stycke som ."
    assert "var" not in para_text(target)


def test_ops_are_derived_from_text_when_missing():
    blocks = [
        PackBlock(
            "a",
            "paragraph",
            1,
            "Nytt <em>stycke</em>.",
            status="added",
            author="A",
            changed_at=CHANGED,
        ),
        PackBlock("t", "table", 1, "x\ty", status="removed", author="B", changed_at=CHANGED),
    ]
    data = write_pack(make_pack(blocks=blocks, comments=[]))
    body = part(data, "word/document.xml").find(w("body"))
    assert "".join(_marks(body, "ins")[0].itertext()) == "Nytt stycke."
    rows = [
        tr
        for tbl in body.iter(w("tbl"))
        for tr in tbl.iter(w("tr"))
        if tr.find(f"{w('trPr')}/{w('del')}") is not None
    ]
    assert len(rows) == 1 and para_text(rows[0]) == "xy"
    # Row, cell paragraph marks and runs each carry a mark of their own.
    ids = revision_ids(body)
    assert len(ids) == len(set(ids)) == 2 + 1 + 2 + 2


def test_blocks_from_a_version_diff_become_tracked_changes_and_a_move():
    old = [
        {"uid": "a", "kind": "heading", "level": 1, "text": "Rubrik"},
        {"uid": "b", "kind": "paragraph", "level": 1, "text": "Första stycket flyttas."},
        {"uid": "c", "kind": "paragraph", "level": 1, "text": "Andra stycket ändras lite."},
        {"uid": "d", "kind": "paragraph", "level": 1, "text": "Tredje stycket stryks."},
        {"uid": "t", "kind": "table", "level": 1, "text": "x\ty"},
    ]
    new = [
        {"uid": "a", "kind": "heading", "level": 1, "text": "Rubrik"},
        {"uid": "c", "kind": "paragraph", "level": 1, "text": "Andra stycket ändras mycket."},
        {"uid": "b", "kind": "paragraph", "level": 1, "text": "Första stycket flyttas."},
        {"uid": "t", "kind": "paragraph", "level": 1, "text": "Inte längre en tabell."},
    ]
    changes = diff_versions(old, new).changes
    blocks = blocks_from_diff(changes, lambda change: ("Eva", CHANGED))
    data = write_pack(make_pack(blocks=blocks, comments=[]))
    body = part(data, "word/document.xml").find(w("body"))
    assert "".join(_marks(body, "ins")[0].itertext()) == "mycket"
    deleted = ["".join(m.itertext()) for m in _marks(body, "del")]
    assert "Tredje stycket stryks." in deleted
    # "c" moved before "b" (the longest common order keeps a, b, t) and was edited: its
    # old wording is the move's source, the new one its destination.
    names_from = {e.get(w("name")) for e in body.iter(w("moveFromRangeStart"))}
    names_to = {e.get(w("name")) for e in body.iter(w("moveToRangeStart"))}
    assert len(names_from) == 1 and names_from == names_to
    moved_from = "".join("".join(m.itertext()) for m in _marks(body, "moveFrom"))
    assert moved_from == "Andra stycket ändras lite."
    # The table that became a paragraph: old table deleted, new paragraph inserted.
    assert [tr for tr in body.iter(w("tr")) if tr.find(f"{w('trPr')}/{w('del')}") is not None]
    assert (
        paragraph_with(body, "Inte längre en tabell.").find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None
    )
    assert {m.get(w("author")) for m in _marks(body, "ins")} == {"Eva"}


# --------------------------------------------------------------------------- comments


def test_every_comment_on_the_text_is_a_word_comment_with_the_decision_as_reply(tracked, body):
    comments = part(tracked, "word/comments.xml")
    entries = {c.get(w("id")): c for c in comments.iter(w("comment"))}
    by_author: dict[str, list[str]] = {}
    for c in entries.values():
        by_author.setdefault(c.get(w("author")), []).append("".join(c.itertext()))
    # Open, decided, withdrawn: every comment of the compilation whose paragraph the file
    # holds (#3 sits on the deleted paragraph); the decisions are replies by the editor.
    assert sorted(by_author) == sorted(
        [
            "Anna Andersson (PRV)",
            "Bo Berg (DIGG)",
            "Cia Ceder (Lunds kommun)",
            "Dan Dahl (Lunds kommun)",
            "Eli Ek (Umeå universitet)",
            "Fia Fors (PRV)",
            EDITOR,
        ]
    )
    # The author says "Name (Organisation)"; the initials are initials (issue 23).
    assert {c.get(w("author")): c.get(w("initials")) for c in entries.values()}[
        "Anna Andersson (PRV)"
    ] == "AA"
    assert {c.get(w("initials")) for c in entries.values() if c.get(w("author")) == EDITOR} == {"ER"}
    assert by_author["Anna Andersson (PRV)"][0].startswith("#1 ")
    # Anchored on the quoted word itself, the comment does not repeat the quote.
    assert "”fet”" not in by_author["Anna Andersson (PRV)"][0]
    assert "Bra formulering.Men kort." in by_author["Anna Andersson (PRV)"][0]
    replies = sorted(by_author[EDITOR])
    assert replies == ["Beslut: Beaktad" + "Stycket är struket.", "Beslut: Dubblett av #1" + "Se #1."]
    assert "Återkallad" in by_author["Dan Dahl (Lunds kommun)"][0]
    starts = {e.get(w("id")) for e in body.iter(w("commentRangeStart"))}
    ends = {e.get(w("id")) for e in body.iter(w("commentRangeEnd"))}
    refs = {e.get(w("id")) for e in body.iter(w("commentReference"))}
    assert starts == ends == refs == set(entries)


def test_replies_are_threaded_and_decided_threads_done(tracked):
    comments = part(tracked, "word/comments.xml")
    w14 = "{http://schemas.microsoft.com/office/word/2010/wordml}paraId"
    w15 = "http://schemas.microsoft.com/office/word/2012/wordml"
    para_of = {}
    for c in comments.iter(w("comment")):
        para_of[c.get(w("id"))] = (c.get(w("author")), c.findall(w("p"))[-1].get(w14))
    extended = part(tracked, "word/commentsExtended.xml")
    ex = {e.get(f"{{{w15}}}paraId"): e for e in extended}
    assert set(ex) == {pid for _a, pid in para_of.values()}
    author_of_para = {pid: author for author, pid in para_of.values()}
    threads = {
        author_of_para[pid]: (author_of_para.get(e.get(f"{{{w15}}}paraIdParent")), e.get(f"{{{w15}}}done"))
        for pid, e in ex.items()
    }
    assert threads["Anna Andersson (PRV)"] == (None, "0")  # open
    assert threads["Cia Ceder (Lunds kommun)"] == (None, "1")  # accepted: done
    assert threads["Dan Dahl (Lunds kommun)"] == (None, "1")  # withdrawn: done, no reply
    replies = [parent for pid, (parent, _done) in threads.items() if pid == EDITOR]
    parents = sorted(
        author_of_para[e.get(f"{{{w15}}}paraIdParent")]
        for e in ex.values()
        if e.get(f"{{{w15}}}paraIdParent")
    )
    assert parents == ["Cia Ceder (Lunds kommun)", "Fia Fors (PRV)"]
    assert replies  # the editor's replies exist
    rels = part(tracked, "word/_rels/document.xml.rels")
    assert any(r.get("Target") == "commentsExtended.xml" for r in rels)
    types = part(tracked, "[Content_Types].xml")
    assert any(o.get("PartName") == "/word/commentsExtended.xml" for o in types)


def test_comments_sit_on_their_paragraphs(tracked, body):
    comments = part(tracked, "word/comments.xml")
    id_of = {c.get(w("author")): c.get(w("id")) for c in comments.iter(w("comment"))}

    def anchored(text, last=False):
        paragraph = paragraph_with(body, text, last)
        return {e.get(w("id")) for e in paragraph.iter(w("commentRangeStart"))}

    assert anchored("Detta är") == {id_of["Anna Andersson (PRV)"]}
    # On the quoted word, which the paragraph still has once.
    paragraph = paragraph_with(body, "Detta är")
    cid = id_of["Anna Andersson (PRV)"]
    inside, on = [], False
    for element in paragraph.iter():
        if element.tag == w("commentRangeStart") and element.get(w("id")) == cid:
            on = True
        elif element.tag == w("commentRangeEnd") and element.get(w("id")) == cid:
            on = False
        elif on and element.tag == w("t"):
            inside.append(element.text)
    assert "".join(inside) == "fet"
    # A comment on a deleted paragraph sits on the deleted text.
    assert anchored("Ett borttaget stycke.") >= {id_of["Cia Ceder (Lunds kommun)"]}
    # On the moved block's new place, not on its old copy.
    assert anchored("Flyttat stycke som ändrats.") == {id_of["Eli Ek (Umeå universitet)"]}
    # A general comment sits on the note that opens the text.
    # (The title page says the same; the note is the sentence's second, last use.)
    assert anchored("Ändringar sedan version 0.1", last=True) == {id_of["Bo Berg (DIGG)"]}


def test_links_in_comments_are_plain_text():
    # A r:id in comments.xml would point into that part's own (absent) relationships.
    linked = PackComment(
        1,
        "p1",
        "1 ¶1",
        "1 Inledning",
        "PRV",
        "Anna",
        "Se länken.",
        "0.1",
        CHANGED,
        suggestion='Se <a href="https://example.org">källan</a>',
    )
    comments = part(write_pack(make_pack(comments=[linked])), "word/comments.xml")
    assert list(comments.iter(w("hyperlink"))) == []
    assert "Se källan" in "".join(comments.itertext())


def _redline(element) -> list[tuple[str, str]]:
    """The runs of *element* as (mark, text): "-" struck, "+" underlined, "=" neither."""
    out: list[tuple[str, str]] = []
    for r in element.iter(w("r")):
        text = "".join(t.text or "" for t in r.iter(w("t")))
        if not text:
            continue
        rpr = r.find(w("rPr"))
        struck = rpr is not None and rpr.find(w("strike")) is not None
        underlined = rpr is not None and rpr.find(w("u")) is not None and rpr.find(w("rStyle")) is None
        mark = "-" if struck else "+" if underlined else "="
        if out and out[-1][0] == mark:
            out[-1] = (mark, out[-1][1] + text)
        else:
            out.append((mark, text))
    return out


SUGGESTION_REDLINE = [
    ("=", "Detta är "),
    ("-", "gammal"),
    ("+", "ny"),
    ("=", " text med länk"),
    ("+", " i dag"),
    ("=", "."),
]


def test_a_suggestion_reads_as_its_word_diff_in_its_word_comment_and_the_compilation(tracked):
    comments = part(tracked, "word/comments.xml")
    first = next(c for c in comments.iter(w("comment")) if "#1 " in "".join(c.itertext()))
    runs = _redline(first)
    assert runs[-5:] == SUGGESTION_REDLINE[1:]
    assert runs[-6][1].endswith("Ändringsförslag: Detta är ")
    cell = part(tracked, "word/document.xml").findall(f".//{w('tbl')}")[-1].findall(f"{w('tr')}")
    row = next(r for r in cell if "".join(r.find(w("tc")).itertext()) == "1")
    assert _redline(row.findall(w("tc"))[5]) == SUGGESTION_REDLINE
    # Struck and underlined, and coloured for the eye that can tell; the inserted word keeps its bold.
    struck = next(r for r in row.iter(w("r")) if "".join(r.itertext()) == "gammal")
    assert struck.find(f"{w('rPr')}/{w('color')}").get(w("val")) == "8A1414"
    new = next(r for r in row.iter(w("r")) if "".join(r.itertext()) == "ny")
    assert new.find(f"{w('rPr')}/{w('b')}") is not None
    assert new.find(f"{w('rPr')}/{w('u')}").get(w("val")) == "single"


def test_python_docx_reads_the_comments(tracked):
    document = docx.Document(io.BytesIO(tracked))
    assert sorted(c.author for c in document.comments) == [
        "Anna Andersson (PRV)",
        "Bo Berg (DIGG)",
        "Cia Ceder (Lunds kommun)",
        "Dan Dahl (Lunds kommun)",
        "Eli Ek (Umeå universitet)",
        EDITOR,
        EDITOR,
        "Fia Fors (PRV)",
    ]


# --------------------------------------------------------------------------- compilation


def test_compilation_lists_every_comment_grouped_with_status(tracked):
    document = docx.Document(io.BytesIO(tracked))
    table = document.tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == [
        "Nr",
        "Stycke",
        "Organisation",
        "Författare",
        "Synpunkt",
        "Ändringsförslag",
        "Status",
        "Svar och motivering",
    ]
    assert table._tbl.tr_lst[0].find(f"{w('trPr')}/{w('tblHeader')}") is not None
    groups = [r[0] for r in rows if len(set(r)) == 1]
    assert groups == ["Allmänna synpunkter", "1 Inledning", "1.1 Licenser"]
    by_number = {r[0]: r for r in rows[1:] if len(set(r)) > 1}
    assert sorted(by_number, key=int) == ["1", "2", "3", "4", "5", "6"]
    assert by_number["1"][4] == "Ändringsförslag\nBra formulering.\nMen kort.\n”fet”"
    # The whole proposed paragraph with its changes marked: both words are there, one struck.
    assert by_number["1"][5] == "Detta är gammalny text med länk i dag."
    assert by_number["2"][4].startswith("Fråga")
    assert by_number["3"][6] == "Beaktad"
    assert by_number["3"][7] == f"Stycket är struket.\n– {EDITOR}"
    assert by_number["4"][6] == "Återkallad"
    assert by_number["6"][6] == "Dubblett av #1"
    assert by_number["5"][1] == "1.1 ¶6\nVersion 0.2"


def test_withdrawn_comment_row_is_shaded(tracked):
    document = docx.Document(io.BytesIO(tracked))
    row = next(r for r in document.tables[-1].rows if r.cells[0].text == "4")
    fills = [tc.find(f"{w('tcPr')}/{w('shd')}").get(w("fill")) for tc in row._tr.tc_lst]
    # The whole row greyed, the status cell in the status palette (with the word).
    assert len(set(fills[:6] + fills[7:])) == 1 and fills[0] is not None
    assert fills[6] == STATUS_COLOURS[CommentStatus.WITHDRAWN][1]


def test_status_cells_use_the_status_palette_with_the_word(tracked):
    document = docx.Document(io.BytesIO(tracked))
    table = document.tables[-1]
    for number, status in (
        ("1", CommentStatus.OPEN),
        ("3", CommentStatus.ACCEPTED),
        ("6", CommentStatus.DUPLICATE),
    ):
        row = next(r for r in table.rows if r.cells[0].text == number)
        tc = row._tr.tc_lst[6]
        text, background = STATUS_COLOURS[status]
        assert tc.find(f"{w('tcPr')}/{w('shd')}").get(w("fill")) == background
        colours = {c.get(w("val")) for c in tc.iter(w("color"))}
        assert colours == {text}
        assert row.cells[6].text.strip()


def test_english_labels():
    data = write_pack(make_pack(language="en"))
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert "Compilation of comments" in texts
    assert "Version history" in texts
    assert "Changes since version 0.1 are shown as tracked changes." in texts


def test_empty_compilation_says_so():
    data = write_pack(make_pack(comments=[]))
    assert "word/comments.xml" not in names(data)
    texts = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "Inga synpunkter har lämnats." in texts


# --------------------------------------------------------------------------- clean variant


def test_clean_variant_has_no_revisions_and_no_comments(clean):
    document_xml = part(clean, "word/document.xml")
    for tag in (
        "ins",
        "del",
        "moveFrom",
        "moveTo",
        "delText",
        "commentRangeStart",
        "commentReference",
    ):
        assert list(document_xml.iter(w(tag))) == [], tag
    assert "word/comments.xml" not in names(clean)
    rels = part(clean, "word/_rels/document.xml.rels")
    assert not [r for r in rels if r.get("Type").endswith("/comments")]


def test_clean_variant_shows_the_presented_text(clean):
    document = docx.Document(io.BytesIO(clean))
    texts = [p.text for p in document.paragraphs]
    assert "Detta är fet text med länk." in texts
    assert "Ett helt nytt stycke." in texts
    assert "Flyttat stycke som ändrats." in texts
    assert not [t for t in texts if "borttaget" in t or "Borttagen" in t or "som var" in t]
    # The compilation is part of the clean variant too.
    assert "Sammanställning av inkomna synpunkter" in texts
    assert len(document.tables[-1].rows) == 1 + 6 + 3


# --------------------------------------------------------------------------- safety, bytes


def test_same_input_gives_the_same_bytes(tracked):
    again = write_pack(make_pack())
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(tracked).hexdigest()
    with zipfile.ZipFile(io.BytesIO(tracked)) as package:
        infos = package.infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert infos[0].filename == "[Content_Types].xml"
    core = part(tracked, "docProps/core.xml")
    dates = {e.text for e in core if etree.QName(e).localname in ("created", "modified")}
    assert dates == {CHANGED_W}
    app = part(tracked, "docProps/app.xml")
    assert "Remiss" in "".join(app.itertext())


def test_bytes_do_not_depend_on_the_process(tracked):
    # Another interpreter with another hash seed: no set order or id() may leak in.
    code = (
        "import hashlib, runpy, sys; sys.path.insert(0, '.');"
        f"make = runpy.run_path({str(Path(__file__))!r})['make_pack'];"
        "from app.meetings.pack import write_pack;"
        "print(hashlib.sha256(write_pack(make())).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == hashlib.sha256(tracked).hexdigest()


def test_core_properties_come_from_the_data(tracked):
    props = docx.Document(io.BytesIO(tracked)).core_properties
    assert props.title == "Öppna licenser för myndigheter"
    assert props.author == "PRV, DIGG"
    assert props.last_modified_by == EDITOR
    assert props.revision == 2
    assert props.comments == ""


def test_template_leftovers_are_gone(tracked):
    entries = names(tracked)
    assert "docProps/thumbnail.jpeg" not in entries
    assert "word/stylesWithEffects.xml" not in entries


HOSTILE = "A <script>alert(\"x\")</script> & 'q' \x0b\x00\x1f end"


def test_hostile_text_is_escaped_and_illegal_characters_dropped():
    blocks = [
        PackBlock(
            "x",
            "paragraph",
            1,
            "Text <strong>&amp;</strong> &lt;script&gt;",
            status="modified",
            author=HOSTILE,
            changed_at=CHANGED,
            ops=[
                ("equal", [S("Text ")]),
                ("insert", [S(HOSTILE)]),
                ("delete", [S("<b>&\x0b")]),
                ("equal", [S("klick", href="javascript:alert(1)")]),
            ],
        ),
        PackBlock(
            "y",
            "table",
            1,
            "<em>a</em>\t" + "&lt;td&gt;",
        ),
    ]
    comment = PackComment(
        1,
        "x",
        HOSTILE,
        HOSTILE,
        HOSTILE,
        HOSTILE,
        HOSTILE,
        "0.1",
        CHANGED,
        quote=HOSTILE,
        response=HOSTILE,
        decided_by=HOSTILE,
    )
    pack = make_pack(
        document_title=HOSTILE,
        meeting_title=HOSTILE,
        organisations=[HOSTILE],
        blocks=blocks,
        comments=[comment],
    )
    for tracked in (True, False):
        data = write_pack(pack, tracked=tracked)
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for name in package.namelist():
                if name.endswith(".xml") or name.endswith(".rels"):
                    raw = package.read(name)
                    etree.fromstring(raw)  # well-formed
                    assert b"<script>" not in raw and b"\x0b" not in raw
        document = docx.Document(io.BytesIO(data))
        texts = "\n".join(p.text for p in document.paragraphs)
        assert "A <script>alert(\"x\")</script> & 'q'  end" in texts
        rels = part(data, "word/_rels/document.xml.rels")
        assert not [r for r in rels if "javascript" in r.get("Target")]
    comments = part(write_pack(pack), "word/comments.xml")
    assert comments.find(w("comment")).get(w("author")).startswith('A <script>alert("x")')


# --------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def pdf_texts(tmp_path_factory, tracked, clean) -> dict[str, str]:
    """Both variants converted to PDF by one headless LibreOffice run, as text."""
    office.require("soffice", "pdftotext")
    tmp = tmp_path_factory.mktemp("pack-pdf")
    sources = []
    for name, data in (("tracked", tracked), ("clean", clean)):
        path = tmp / f"{name}.docx"
        path.write_bytes(data)
        sources.append(path)
    pdfs = office.convert_all(sources, "pdf", tmp)
    return {source.stem: office.pdf_text(pdf) for source, pdf in zip(sources, pdfs, strict=True)}


@pytest.mark.libreoffice
def test_libreoffice_renders_the_tracked_pack(pdf_texts):
    text = pdf_texts["tracked"]
    for expected in (
        "Ett helt nytt stycke.",
        "Tillagd rubrik",
        "Ett borttaget stycke.",
        "Sammanställning av inkomna synpunkter",
        "Versionshistorik",
        "1.1.1 Tillagd rubrik",
        "Beaktad",
    ):
        assert expected in text, expected


@pytest.mark.libreoffice
def test_libreoffice_renders_the_clean_pack(pdf_texts):
    text = pdf_texts["clean"]
    assert "Ett helt nytt stycke." in text
    assert "Sammanställning av inkomna synpunkter" in text
    assert "Ett borttaget stycke." not in text
    assert "1.1 Licenser" in text
