"""Reading Word drafts: every feature of the import rules, and every kind of bad upload."""

from __future__ import annotations

import inspect
import io
import re
import struct
import tracemalloc
import zipfile

import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from app.docx import reading
from app.docx.reading import REJECTION_CODES, DocxRejected, check_docx
from app.drafting import docx_reader, docx_styles
from app.drafting.docx_reader import REPORT_CODES, ImportedBlock, read_docx
from tests.conftest import zip_of

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MB = 1024 * 1024


def blocks(data: bytes) -> list[tuple[str, int, str]]:
    return [(b.kind, b.level, b.text) for b in read_docx(data).blocks]


def report(data: bytes) -> dict[str, tuple[int, str]]:
    return {item.code: (item.count, item.detail) for item in read_docx(data).report}


def para(inner: str, ppr: str = "") -> str:
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{inner}</w:p>"


def run(text: str, rpr: str = "") -> str:
    props = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def cell(content: str, tcpr: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{tcpr}</w:tcPr>' if tcpr else ''}{content}</w:tc>"


# --------------------------------------------------------------------------- headings


def test_headings_come_from_heading_styles_levels_1_to_3(docx_kit):
    def fill(doc):
        doc.add_heading("Inledning", 1)
        doc.add_heading("Bakgrund", 2)
        doc.add_heading("Detaljer", 3)
        doc.add_paragraph("Brödtext.")

    assert blocks(docx_kit.build(fill)) == [
        ("heading", 1, "Inledning"),
        ("heading", 2, "Bakgrund"),
        ("heading", 3, "Detaljer"),
        ("paragraph", 1, "Brödtext."),
    ]


def test_localised_heading_style_is_found_by_name_not_id(docx_kit):
    """A Swedish Word writes styleId "Rubrik1" with the built-in name "heading 1"."""

    def fill(doc):
        styles = doc.styles.element
        for level in (1, 2):
            style = styles.find(f"{W}style[@{W}styleId='Heading{level}']")
            style.set(f"{W}styleId", f"Rubrik{level}")
            # Only the name may tell: no outline level to fall back on.
            ppr = style.find(f"{W}pPr")
            ppr.remove(ppr.find(f"{W}outlineLvl"))
        # A house style based on the localised heading, as authority templates have.
        custom = doc.styles.add_style("Rubrik utan nummer", WD_STYLE_TYPE.PARAGRAPH)
        custom.element.get_or_add_basedOn().set(f"{W}val", "Rubrik2")

    data = docx_kit.body(
        para(run("Syfte"), '<w:pStyle w:val="Rubrik1"/>'),
        para(run("Omfattning"), '<w:pStyle w:val="Rubrik2"/>'),
        para(run("Bilaga"), '<w:pStyle w:val="Rubrikutannummer"/>'),
        para(run("Text.")),
        fill=fill,
    )
    assert blocks(data) == [
        ("heading", 1, "Syfte"),
        ("heading", 2, "Omfattning"),
        ("heading", 2, "Bilaga"),
        ("paragraph", 1, "Text."),
    ]


def test_a_style_id_that_looks_like_a_heading_is_not_one(docx_kit):
    def fill(doc):
        style = doc.styles.element.find(f"{W}style[@{W}styleId='Heading1']")
        style.find(f"{W}name").set(f"{W}val", "Ingress")
        # Without the outline level either, nothing says "heading" any more.
        ppr = style.find(f"{W}pPr")
        ppr.remove(ppr.find(f"{W}outlineLvl"))

    data = docx_kit.body(para(run("Ingress."), '<w:pStyle w:val="Heading1"/>'), fill=fill)
    # A bold paragraph style on an ordinary paragraph is the text's own formatting.
    assert blocks(data) == [("paragraph", 1, "<strong>Ingress.</strong>")]


def test_outline_level_makes_a_heading_when_the_name_does_not(docx_kit):
    data = docx_kit.body(para(run("Kapitel"), '<w:outlineLvl w:val="1"/>'))
    assert blocks(data) == [("heading", 2, "Kapitel")]


def test_headings_deeper_than_3_become_level_3_and_are_reported(docx_kit):
    def fill(doc):
        doc.add_heading("Tre", 3)
        doc.add_heading("Fyra", 4)
        doc.add_heading("Fem", 5)

    data = docx_kit.build(fill)
    assert blocks(data) == [("heading", 3, "Tre"), ("heading", 3, "Fyra"), ("heading", 3, "Fem")]
    count, detail = report(data)["heading_level"]
    assert count == 2
    assert "4" in detail and "5" in detail


def test_title_is_imported_as_a_paragraph_and_reported(docx_kit):
    def fill(doc):
        doc.add_heading("Öppna licenser", 0)  # level 0 is the "Title" style
        doc.add_heading("Inledning", 1)

    data = docx_kit.build(fill)
    assert blocks(data) == [("paragraph", 1, "Öppna licenser"), ("heading", 1, "Inledning")]
    assert report(data)["title"] == (1, "Öppna licenser")


def test_heading_style_formatting_is_not_inline_formatting(docx_kit):
    def fill(doc):
        heading = doc.add_heading("Rubrik med ", 1)  # the Heading 1 style is bold
        heading.add_run("kursiv").italic = True

    assert blocks(docx_kit.build(fill)) == [("heading", 1, "Rubrik med <em>kursiv</em>")]


# --------------------------------------------------------------------------- lists


def test_list_styles_give_bullets_and_numbers_with_levels(docx_kit):
    def fill(doc):
        doc.add_paragraph("Punkt", style="List Bullet")
        doc.add_paragraph("Underpunkt", style="List Bullet 2")
        doc.add_paragraph("Steg", style="List Number")
        doc.add_paragraph("Delsteg", style="List Number 3")

    assert blocks(docx_kit.build(fill)) == [
        ("bullet", 1, "Punkt"),
        ("bullet", 2, "Underpunkt"),
        ("number", 1, "Steg"),
        ("number", 3, "Delsteg"),
    ]


def test_numbering_definitions_tell_bullet_from_number_per_level(docx_kit):
    ids = {}

    def fill(doc):
        ids["n"] = docx_kit.numbering(doc, ["bullet", "decimal", "lowerLetter", "bullet", "upperRoman"])
        for ilvl in range(5):
            docx_kit.append(
                doc,
                para(
                    run(f"Nivå {ilvl}"),
                    '<w:pStyle w:val="ListParagraph"/>'
                    f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{ids["n"]}"/></w:numPr>',
                ),
            )

    data = docx_kit.build(fill)
    assert blocks(data) == [
        ("bullet", 1, "Nivå 0"),
        ("number", 2, "Nivå 1"),
        ("number", 3, "Nivå 2"),
        ("bullet", 3, "Nivå 3"),
        ("number", 3, "Nivå 4"),
    ]
    count, detail = report(data)["list_level"]
    assert count == 2
    assert "4" in detail and "5" in detail


def test_list_bullet_2_with_its_own_one_level_list_keeps_level_2(docx_kit):
    """LibreOffice and Word give "List Bullet 2" a separate list at ilvl 0."""

    def fill(doc):
        num = docx_kit.numbering(doc, ["bullet"])
        docx_kit.append(
            doc,
            para(
                run("Djupare"),
                '<w:pStyle w:val="ListBullet2"/>'
                f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr>',
            ),
        )

    assert blocks(docx_kit.build(fill)) == [("bullet", 2, "Djupare")]


def test_numbering_removed_by_hand_makes_a_plain_paragraph(docx_kit):
    data = docx_kit.body(
        para(
            run("Inte längre en punkt"),
            '<w:pStyle w:val="ListBullet"/><w:numPr><w:numId w:val="0"/></w:numPr>',
        )
    )
    assert blocks(data) == [("paragraph", 1, "Inte längre en punkt")]


def test_numbering_level_override_is_used(docx_kit):
    def fill(doc):
        num = docx_kit.numbering(doc, ["bullet"])
        root = doc.part.numbering_part.element
        element = root.find(f"{W}num[@{W}numId='{num}']")
        override = (
            '<w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:lvlOverride>'
        )
        element.append(docx_kit.element(override))
        numbered = f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr>'
        docx_kit.append(doc, para(run("Numrerad"), numbered))

    assert blocks(docx_kit.build(fill)) == [("number", 1, "Numrerad")]


# --------------------------------------------------------------------------- quotes, tables


def test_quote_styles_give_quotes_without_their_italic(docx_kit):
    def fill(doc):
        doc.add_paragraph("Ett citat.", style="Quote")
        doc.add_paragraph("Ett viktigt citat.", style="Intense Quote")

    assert blocks(docx_kit.build(fill)) == [
        ("quote", 1, "Ett citat."),
        ("quote", 1, "Ett viktigt citat."),
    ]


def test_table_becomes_one_block_of_rich_text_cells(docx_kit):
    def fill(doc):
        doc.add_paragraph("Före.")
        table = doc.add_table(rows=2, cols=3)
        table.cell(0, 0).text = "Licens"
        table.cell(0, 1).text = "Villkor"
        table.cell(0, 2).text = "Not"
        table.cell(1, 0).paragraphs[0].add_run("CC BY").bold = True
        table.cell(1, 1).text = "Ange källa"
        table.cell(1, 1).add_paragraph("och licens")
        doc.add_paragraph("Efter.")

    assert blocks(docx_kit.build(fill)) == [
        ("paragraph", 1, "Före."),
        ("table", 1, "Licens\tVillkor\tNot\n<strong>CC BY</strong>\tAnge källa och licens\t"),
        ("paragraph", 1, "Efter."),
    ]


def test_table_rows_deleted_with_tracking_are_gone_and_merges_reported(docx_kit):
    deleted_row = '<w:trPr><w:del w:id="1" w:author="A" w:date="2025-01-01T00:00:00Z"/></w:trPr>'
    nested = "<w:tbl><w:tr>" + cell(para(run("inre"))) + "</w:tr></w:tbl>"
    rows = [
        cell(para(run("Rubrikrad")), '<w:gridSpan w:val="2"/>'),
        deleted_row + cell(para(run("Borttagen"))) + cell(para(run("rad"))),
        cell(para(run("Kvar"))) + cell(para(run("yttre")) + nested + "<w:p/>"),
    ]
    table = (
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        + "".join(f"<w:tr>{row}</w:tr>" for row in rows)
        + "</w:tbl>"
    )
    data = docx_kit.body(table)
    assert blocks(data) == [("table", 1, "Rubrikrad\nKvar\tyttre inre")]
    found = report(data)
    assert found["merged_cells"][0] == 1
    assert found["nested_table"][0] == 1


# --------------------------------------------------------------------------- inline


def test_bold_italic_from_runs_character_styles_and_paragraph_styles(docx_kit):
    def fill(doc):
        p = doc.add_paragraph("Vanlig ")
        p.add_run("fet").bold = True
        p.add_run(" ")
        p.add_run("kursiv").italic = True
        p.add_run(" ")
        p.add_run("stark", style="Strong")
        p.add_run(" ")
        p.add_run("betonad", style="Emphasis")
        bold_style = doc.styles.add_style("Fet brödtext", WD_STYLE_TYPE.PARAGRAPH)
        bold_style.font.bold = True
        bold_style.font.size = Pt(11)
        q = doc.add_paragraph("Helt fet ", style="Fet brödtext")
        q.add_run("utom här").bold = False

    assert blocks(docx_kit.build(fill)) == [
        (
            "paragraph",
            1,
            "Vanlig <strong>fet</strong> <em>kursiv</em> <strong>stark</strong> <em>betonad</em>",
        ),
        ("paragraph", 1, "<strong>Helt fet </strong>utom här"),
    ]


def test_links_keep_web_and_mail_targets_only(docx_kit):
    ids = {}

    def fill(doc):
        ids["web"] = docx_kit.link(doc, "https://www.digg.se/licenser")
        ids["mail"] = docx_kit.link(doc, "mailto:remiss@prv.se")
        ids["file"] = docx_kit.link(doc, "file:///C:/hemligt.docx")

    def link(rid: str, text: str) -> str:
        return f'<w:hyperlink r:id="{rid}">{run(text, "<w:b/>")}</w:hyperlink>'

    def build(doc):
        fill(doc)
        docx_kit.append(
            doc,
            para(
                run("Se ")
                + link(ids["web"], "vägledningen")
                + run(", skriv till ")
                + link(ids["mail"], "oss")
                + run(" eller öppna ")
                + link(ids["file"], "filen")
                + run(" och ")
                + f'<w:hyperlink w:anchor="bilaga">{run("bilagan")}</w:hyperlink>'
            ),
        )

    data = docx_kit.build(build)
    assert blocks(data) == [
        (
            "paragraph",
            1,
            'Se <a href="https://www.digg.se/licenser"><strong>vägledningen</strong></a>, '
            'skriv till <a href="mailto:remiss@prv.se"><strong>oss</strong></a> '
            "eller öppna <strong>filen</strong> och bilagan",
        )
    ]
    found = report(data)
    assert found["link_scheme"] == (1, "file")
    assert found["internal_link"][0] == 1


def test_hyperlink_fields_become_links_and_other_fields_keep_their_text(docx_kit):
    def field(instr: str, result: str) -> str:
        return (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + run(result)
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )

    data = docx_kit.body(
        para(
            run("Läs ")
            + field('HYPERLINK "https://prv.se/"', "PRV:s sida")
            + run(" (uppdaterad ")
            + field("DATE \\@ yyyy-MM-dd", "2025-03-01")
            + run(").")
        ),
        para(
            '<w:fldSimple w:instr=" SEQ Figur \\* ARABIC ">'
            + run("1")
            + "</w:fldSimple>"
            + run(" är en figur.")
        ),
    )
    assert blocks(data) == [
        ("paragraph", 1, 'Läs <a href="https://prv.se/">PRV:s sida</a> (uppdaterad 2025-03-01).'),
        ("paragraph", 1, "1 är en figur."),
    ]
    count, detail = report(data)["field"]
    assert count == 2
    assert "DATE" in detail and "SEQ" in detail


def test_tabs_breaks_and_hyphens_become_text(docx_kit):
    data = docx_kit.body(
        para(
            "<w:r><w:t>Ett</w:t><w:tab/><w:t>två</w:t><w:br/><w:t>tre</w:t>"
            "<w:noBreakHyphen/><w:t>fyra</w:t></w:r>"
        )
    )
    assert blocks(data) == [("paragraph", 1, "Ett två tre-fyra")]


def test_empty_paragraphs_are_skipped(docx_kit):
    def fill(doc):
        doc.add_paragraph("")
        doc.add_paragraph("Text.")
        doc.add_paragraph("   ")
        doc.add_heading("", 1)

    assert blocks(docx_kit.build(fill)) == [("paragraph", 1, "Text.")]


# --------------------------------------------------------------------------- tracked changes


TRACK = 'w:author="Redaktör" w:date="2025-02-01T10:00:00Z"'


def test_tracked_changes_read_as_accepted(docx_kit):
    data = docx_kit.body(
        para(
            run("Myndigheten ")
            + f'<w:ins w:id="1" {TRACK}>{run("ska")}</w:ins>'
            + f'<w:del w:id="2" {TRACK}><w:r><w:delText>bör</w:delText></w:r></w:del>'
            # Some writers put w:t (not w:delText) in deletions: still deleted.
            + f'<w:del w:id="9" {TRACK}><w:r><w:t>inte </w:t></w:r></w:del>'
            + run(" publicera ")
            + f'<w:moveFrom w:id="3" {TRACK}><w:r><w:t>gammal plats </w:t></w:r></w:moveFrom>'
            + f'<w:moveTo w:id="4" {TRACK}>{run("öppna ")}</w:moveTo>'
            + run("data.")
        )
    )
    assert blocks(data) == [("paragraph", 1, "Myndigheten ska publicera öppna data.")]


def test_deleted_paragraph_mark_joins_the_paragraphs(docx_kit):
    deleted_mark = f'<w:rPr><w:del w:id="5" {TRACK}/></w:rPr>'
    data = docx_kit.body(
        para(run("Första delen"), deleted_mark),
        para(run(" och andra delen."), '<w:pStyle w:val="Quote"/>'),
        para(
            f'<w:del w:id="6" {TRACK}><w:r><w:delText>Helt struket stycke.</w:delText></w:r></w:del>',
            deleted_mark,
        ),
        para(run("Sista.")),
    )
    # The joined paragraph keeps the surviving (second) paragraph mark's properties.
    assert blocks(data) == [
        ("quote", 1, "Första delen och andra delen."),
        ("paragraph", 1, "Sista."),
    ]


def test_inserted_paragraph_is_kept(docx_kit):
    data = docx_kit.body(
        para(
            f'<w:ins w:id="7" {TRACK}>{run("Ny mening.")}</w:ins>',
            f'<w:rPr><w:ins w:id="8" {TRACK}/></w:rPr>',
        )
    )
    assert blocks(data) == [("paragraph", 1, "Ny mening.")]


# --------------------------------------------------------------------------- content controls


def test_content_controls_are_read_not_skipped(docx_kit):
    sdt_block = (
        '<w:sdt><w:sdtPr><w:alias w:val="Avsnitt"/></w:sdtPr><w:sdtContent>'
        + para(run("Inuti en innehållskontroll."))
        + "<w:sdt><w:sdtContent>"
        + para(run("Kapslad kontroll."), '<w:pStyle w:val="ListBullet"/>')
        + "</w:sdtContent></w:sdt>"
        + "<w:tbl><w:tr><w:tc>"
        + para(run("Cell i kontroll"))
        + "</w:tc></w:tr><w:sdt><w:sdtContent><w:tr><w:tc>"
        + para(run("Upprepad rad"))
        + "</w:tc></w:tr></w:sdtContent></w:sdt></w:tbl>"
        + "</w:sdtContent></w:sdt>"
    )
    inline = para(
        run("Beslut: ")
        + f"<w:sdt><w:sdtPr/><w:sdtContent>{run('godkänt', '<w:b/>')}</w:sdtContent></w:sdt>"
        + run(".")
    )
    placeholder = para(
        run("Datum: ")
        + "<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        + run("Klicka här för att ange datum.")
        + "</w:sdtContent></w:sdt>"
    )
    data = docx_kit.body(sdt_block, inline, placeholder)
    assert blocks(data) == [
        ("paragraph", 1, "Inuti en innehållskontroll."),
        ("bullet", 1, "Kapslad kontroll."),
        ("table", 1, "Cell i kontroll\nUpprepad rad"),
        ("paragraph", 1, "Beslut: <strong>godkänt</strong>."),
        ("paragraph", 1, "Datum:"),
    ]
    assert report(data)["placeholder"] == (1, "Klicka här för att ange datum.")


def test_table_of_contents_is_skipped_and_reported(docx_kit):
    toc = (
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
        "</w:docPartObj></w:sdtPr><w:sdtContent>"
        + para(run("Innehåll"), '<w:pStyle w:val="TOCHeading"/>')
        + para(run("1 Inledning\t3"))
        + "</w:sdtContent></w:sdt>"
    )
    field_toc = para(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText> TOC \\o "1-3" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run("2 Bakgrund\t4")
    ) + para(run("3 Slutsats\t5") + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    data = docx_kit.body(toc, field_toc, para(run("Inledning"), '<w:pStyle w:val="Heading1"/>'))
    assert blocks(data) == [("heading", 1, "Inledning")]
    assert report(data)["table_of_contents"][0] == 2


# --------------------------------------------------------------------------- reported content


def test_images_are_reported_and_surrounding_text_kept(docx_kit):
    def fill(doc):
        doc.add_paragraph("Före bilden.")
        doc.add_picture(io.BytesIO(docx_kit.png()))
        p = doc.add_paragraph("Text med ")
        p.add_run().add_picture(io.BytesIO(docx_kit.png()))
        p.add_run(" bild i raden.")

    data = docx_kit.build(fill)
    assert blocks(data) == [
        ("paragraph", 1, "Före bilden."),
        ("paragraph", 1, "Text med bild i raden."),
    ]
    assert report(data)["image"][0] == 2


def test_footnotes_and_endnotes_are_reported_with_their_text(docx_kit):
    def fill(doc):
        docx_kit.footnotes(doc, {1: "Se lagen (1960:729)."})
        docx_kit.append(
            doc,
            para(
                run("Upphovsrätt") + '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                '<w:footnoteReference w:id="1"/></w:r>'
                + run(" gäller.")
                + '<w:r><w:endnoteReference w:id="2"/></w:r>'
            ),
        )

    data = docx_kit.build(fill)
    assert blocks(data) == [("paragraph", 1, "Upphovsrätt gäller.")]
    found = report(data)
    assert found["footnote"] == (1, "Se lagen (1960:729).")
    assert found["endnote"][0] == 1


def test_word_comments_are_reported(docx_kit):
    def fill(doc):
        p = doc.add_paragraph("Ett stycke med en kommentar.")
        doc.add_comment(p.runs, text="Ska vi ha med detta?", author="Anna")

    data = docx_kit.build(fill)
    assert blocks(data) == [("paragraph", 1, "Ett stycke med en kommentar.")]
    assert report(data)["comment"] == (1, "Ska vi ha med detta?")


def test_text_box_is_reported_once_and_not_mixed_into_the_text(docx_kit):
    box = "<w:txbxContent>" + para(run("Faktaruta: viktigt")) + "</w:txbxContent>"
    drawing = (
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        '<wp:docPr id="1" name="Textruta 1"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent>"
    )
    data = docx_kit.body(para(run("Brödtext ") + f"<w:r>{drawing}</w:r>" + run("fortsätter.")))
    assert blocks(data) == [("paragraph", 1, "Brödtext fortsätter.")]
    assert report(data)["text_box"] == (1, "Faktaruta: viktigt")


def test_equations_hidden_text_and_headers_are_reported(docx_kit):
    def fill(doc):
        doc.sections[0].header.paragraphs[0].text = "Utkast – ej för spridning"
        doc.sections[0].footer.paragraphs[0].text = "3"  # a page number is not content
        docx_kit.append(
            doc,
            para(
                run("Formeln ")
                + "<m:oMath><m:r><m:t>a=b+c</m:t></m:r></m:oMath>"
                + run(" gäller")
                + run(" (dold anteckning)", "<w:vanish/>")
                + run(".")
            ),
        )

    data = docx_kit.build(fill)
    assert blocks(data) == [("paragraph", 1, "Formeln gäller.")]
    found = report(data)
    assert found["equation"] == (1, "a=b+c")
    assert found["hidden_text"] == (1, "(dold anteckning)")
    assert found["header_footer"] == (1, "Utkast – ej för spridning")


def test_every_code_used_is_documented_and_every_documented_code_used():
    # The checks and the text walk live in the Word core (app.docx.reading), the rest in the importer.
    reading_source = inspect.getsource(reading)
    reader_source = inspect.getsource(docx_reader)
    code = (
        reading_source[reading_source.index("class DocxRejected") :]  # after the code table
        + reader_source[reader_source.index("@dataclass(frozen=True, slots=True)\nclass ImportedBlock") :]
        + inspect.getsource(docx_styles)
    )
    literals = set(re.findall(r'"(\w+)"', code))
    assert set(re.findall(r'report(?:\.add)?\(\s*"(\w+)"', code)) <= set(REPORT_CODES)
    assert set(REPORT_CODES) <= literals
    assert set(re.findall(r'DocxRejected\(\s*"(\w+)"', code)) == set(REJECTION_CODES)


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_written_files_read_the_same(docx_kit, soffice, tmp_path):
    def fill(doc):
        doc.add_heading("Inledning", 1)
        p = doc.add_paragraph("Detta är ")
        p.add_run("fet").bold = True
        p.add_run(" och ")
        p.add_run("kursiv").italic = True
        p.add_run(" text med ")
        rid = docx_kit.link(doc, "https://www.digg.se/")
        p._p.append(docx_kit.element(f'<w:hyperlink r:id="{rid}">{run("en länk")}</w:hyperlink>'))
        doc.add_heading("Underrubrik", 2)
        doc.add_paragraph("punkt", style="List Bullet")
        doc.add_paragraph("djupare punkt", style="List Bullet 2")
        doc.add_paragraph("steg", style="List Number")
        doc.add_paragraph("Ett citat.", style="Quote")
        table = doc.add_table(rows=2, cols=2)
        for (r, c), text in zip([(0, 0), (0, 1), (1, 0), (1, 1)], ["a", "b", "c", "d"], strict=True):
            table.cell(r, c).text = text

    source = tmp_path / "utkast.docx"
    source.write_bytes(docx_kit.build(fill))
    written = soffice(source, "docx:MS Word 2007 XML")
    assert written.read_bytes() != source.read_bytes()
    with zipfile.ZipFile(written) as archive:  # really LibreOffice's own writer
        assert b"LibreOffice" in archive.read("docProps/app.xml")
    assert blocks(written.read_bytes()) == blocks(source.read_bytes())
    assert ("bullet", 2, "djupare punkt") in blocks(written.read_bytes())

    # LibreOffice's own lists and quote style (not Word's "List Bullet"/"Quote").
    html = tmp_path / "webb.html"
    html.write_text(
        "<html><body><h1>Rubrik</h1><ul><li>ett<ul><li>djup</li></ul></li></ul>"
        "<ol><li>först</li></ol><blockquote>Citat.</blockquote></body></html>",
        encoding="utf-8",
    )
    from_html = soffice(html, "docx:MS Word 2007 XML", infilter="HTML (StarWriter)")
    assert blocks(from_html.read_bytes()) == [
        ("heading", 1, "Rubrik"),
        ("bullet", 1, "ett"),
        ("bullet", 2, "djup"),
        ("number", 1, "först"),
        ("quote", 1, "Citat."),
    ]


# --------------------------------------------------------------------------- bad uploads


def rejected(data: bytes, **limits) -> tuple[str, int]:
    """The rejection code for *data*, and the peak memory the rejection took."""
    tracemalloc.start()
    try:
        with pytest.raises(DocxRejected) as caught:
            if limits:
                check_docx(data, **limits)
            else:
                read_docx(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code in REJECTION_CODES
    return caught.value.code, peak


def test_bad_uploads_are_rejected_with_their_code_cheaply(docx_kit):
    good = docx_kit.build(lambda doc: doc.add_paragraph("Text."))
    assert [b.text for b in read_docx(good).blocks] == ["Text."]
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    encrypted = ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    encrypted += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512

    def docm(content_types: bytes) -> bytes:
        return content_types.replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml",
        )

    cases = {
        "empty": b"",
        "not_zip": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        "not_docx": zip_of({"hej.txt": b"inte ett dokument"}),
        "encrypted": encrypted,
        "legacy_doc": ole + "WordDocument".encode("utf-16-le") + b"\x00" * 512,
        "truncated": good[: len(good) // 2],
    }
    cases["macro"] = docx_kit.rewrite(good, replace={"[Content_Types].xml": docm})
    for expected, data in cases.items():
        code, peak = rejected(data)
        assert code == expected, expected
        assert peak < 100 * MB
    # "Strict Open XML" (another namespace) is a .docx python-docx cannot read.
    strict = docx_kit.rewrite(
        good,
        replace={
            "word/document.xml": lambda xml: xml.replace(
                b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
                b"http://purl.oclc.org/ooxml/wordprocessingml/main",
            )
        },
    )
    assert rejected(strict)[0] == "not_docx"
    # A zip with content types but no main document part.
    code, _ = rejected(docx_kit.rewrite(good, drop=("word/document.xml",)))
    assert code == "not_docx"
    # A macro project without the macro content type is still refused.
    code, _ = rejected(docx_kit.rewrite(good, add={"word/vbaProject.bin": b"\x00" * 100}))
    assert code == "macro"


def test_a_file_over_20_mb_is_refused_by_its_size():
    data = b"PK\x03\x04" + b"\x00" * (20 * MB)
    code, peak = rejected(data)
    assert code == "too_large"
    assert peak < MB  # refused before any copy or unpacking


def test_a_document_without_text_is_empty(docx_kit):
    def fill(doc):
        doc.add_paragraph("")
        doc.add_picture(io.BytesIO(docx_kit.png()))

    code, _ = rejected(docx_kit.build(fill))
    assert code == "empty"


def test_zip_bomb_of_100_mb_is_refused_without_unpacking(docx_kit):
    data = docx_kit.zip_bomb(100)
    assert len(data) < MB
    code, peak = rejected(data)
    assert code == "zip_bomb"
    assert peak < 10 * MB


def test_small_but_highly_compressed_parts_and_totals_are_refused(docx_kit):
    good = docx_kit.build(lambda doc: doc.add_paragraph("Text."))
    spaces = docx_kit.rewrite(good, add={"word/padding.xml": b" " * (5 * MB)})
    code, peak = rejected(spaces)
    assert code == "zip_bomb"  # 5 MB is under the part limit; the ratio is not
    assert peak < 100 * MB
    # Limits are parameters: total size and member count.
    with pytest.raises(DocxRejected) as caught:
        check_docx(good, max_total_bytes=10_000)
    assert caught.value.code == "zip_bomb"
    many = docx_kit.rewrite(good, add={f"customXml/item{i}.bin": b"x" for i in range(50)})
    with pytest.raises(DocxRejected) as caught:
        check_docx(many, max_members=40)
    assert caught.value.code == "zip_bomb"


def test_lying_sizes_cannot_make_the_reader_unpack_more(docx_kit):
    """A member whose header claims 2 KB but holds 30 MB is read only up to 2 KB."""
    good = docx_kit.build(lambda doc: doc.add_paragraph("Text."))
    data = bytearray(docx_kit.rewrite(good, replace={"word/styles.xml": b"<a>" + b" " * (30 * MB) + b"</a>"}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/styles.xml")
        start_dir = archive.start_dir
    struct.pack_into("<I", data, info.header_offset + 22, 2048)  # local header
    offset = start_dir
    while data[offset : offset + 4] == b"PK\x01\x02":  # central directory entries
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        if data[offset + 46 : offset + 46 + name_len] == b"word/styles.xml":
            struct.pack_into("<I", data, offset + 24, 2048)
        offset += 46 + name_len + extra_len + comment_len
    code, peak = rejected(bytes(data))
    assert code == "truncated"  # the CRC no longer matches: a damaged file
    assert peak < 20 * MB


@pytest.mark.parametrize(
    ("member", "xml"),
    [
        (
            "word/document.xml",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
        ),
        (
            "word/styles.xml",
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>'
            b"<l>&c;</l>",
        ),
        (
            "word/settings.xml",
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE s><s/>'.encode("utf-16"),
        ),
        ("[Content_Types].xml", b"<!DOCTYPE Types><Types/>"),
    ],
    ids=["xxe", "billion-laughs", "utf16", "content-types"],
)
def test_doctype_and_entities_are_refused_before_parsing(docx_kit, member, xml):
    good = docx_kit.build(lambda doc: doc.add_paragraph("Text."))
    code, peak = rejected(docx_kit.rewrite(good, replace={member: xml}))
    assert code == "doctype"
    assert peak < 100 * MB


def test_imported_block_is_the_shared_shape(docx_kit):
    result = read_docx(docx_kit.build(lambda doc: doc.add_paragraph("Text.")))
    assert result.blocks == [ImportedBlock("paragraph", 1, "Text.")]
    assert result.report == []
