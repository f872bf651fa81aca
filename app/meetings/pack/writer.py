"""Assembles the meeting pack: the skeleton from the Word core, then the sections in order.

The sections (:mod:`~app.meetings.pack.cover`, :mod:`~app.meetings.pack.summary`,
:mod:`~app.meetings.pack.contents`, :mod:`~app.meetings.pack.history`,
:mod:`~app.meetings.pack.body`, :mod:`~app.meetings.pack.compilation`) each write their
WordprocessingML from a shared :class:`~app.meetings.pack.context.PackContext`; the Word
comments (:mod:`~app.meetings.pack.threads`) are anchored in the body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from docx.document import Document

from app.docx import package, settings, styles
from app.docx import wml as x
from app.docx.comments import comment_parts
from app.docx.footer import page_footer
from app.docx.numbering import NUM_HEADINGS, add_numbering
from app.docx.properties import set_core_properties
from app.meetings.pack import body, compilation, contents, cover, history, summary
from app.meetings.pack.context import MARGIN, PackContext
from app.meetings.pack.data import PackInput
from app.meetings.pack.threads import Threads
from app.review.compilation import fill

# The pack's own styles, between Word's Hyperlink and its TOC and comment styles.
_PACK_STYLES = """
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackHeading">
  <w:name w:val="{heading}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="240"/>
  <w:outlineLvl w:val="0"/></w:pPr>
  <w:rPr><w:rFonts w:asciiTheme="majorHAnsi" w:hAnsiTheme="majorHAnsi" w:cstheme="majorBidi"/>
  <w:b/><w:bCs/><w:color w:val="365F91"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackTableText">
  <w:name w:val="{table_text}"/><w:basedOn w:val="Normal"/><w:qFormat/>
  <w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackSubheading">
  <w:name w:val="{subheading}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/></w:pPr>
  <w:rPr><w:b/><w:bCs/></w:rPr></w:style>
<w:style w:type="paragraph" w:customStyle="1" w:styleId="PackAgenda">
  <w:name w:val="{agenda}"/><w:basedOn w:val="Normal"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="60"/><w:ind w:left="284"/></w:pPr></w:style>"""


def _pack_styles(strings: Mapping[str, str]) -> str:
    """The pack's styles, named in the pack's language (``style_*`` labels)."""
    names = {
        key: x.attr(strings[f"style_{key}"]) for key in ("heading", "table_text", "subheading", "agenda")
    }
    return styles.HYPERLINK + _PACK_STYLES.format(**names) + styles.TOC + styles.COMMENTS + styles.FOOTER


def _setup(document: Document, pack: PackInput, strings: Mapping[str, str]) -> str:
    """Styles, settings, core properties and the footer; returns the footer's relationship id."""
    locale = styles.locale(pack.language)
    styles.add_styles(document, _pack_styles(strings))
    if pack.language == "sv":
        styles.name_styles(document, styles.SWEDISH_NAMES)
    styles.set_language(document, locale)
    styles.number_headings(document, NUM_HEADINGS)
    settings.update_fields_on_open(document)
    settings.fix_zoom(document)
    settings.set_language(document, locale, swedish_numbers=pack.language == "sv")
    # Core properties from the data only: a pack made twice must not differ in a date.
    publisher = next((h.published_by for h in pack.history if h.number == pack.version_number), "")
    creator = ", ".join(pack.organisations)
    set_core_properties(
        document,
        title=pack.document_title,
        subject=pack.meeting_title,
        author=creator or publisher,
        last_modified_by=publisher or creator,
        moment=pack.version_date or pack.meeting_date or datetime(2000, 1, 1, tzinfo=UTC),
        revision=max(1, int(pack.version_number)),
        language=locale,
        version=pack.version_label,
        keywords=pack.document_slug,
        identifier=f"{pack.document_slug}/{pack.version_label}",
        category=strings["kicker"],
        content_status=strings.get(f"state_{pack.version_state}", pack.version_state),
    )
    # A footer "title · version · Page N", on one line (a long title is shortened).
    return page_footer(
        document,
        pack.document_title,
        f" · {fill(strings['version'], label=pack.version_label)} · {strings['page']} ",
    )


def write_pack(pack: PackInput, tracked: bool = True) -> bytes:
    """The meeting pack as DOCX bytes; *tracked* False gives the clean variant.

    Deterministic: the same *pack* gives the same bytes (no clock, no random ids).
    """
    document = package.new_document()
    ctx = PackContext(document, pack, tracked)
    footer_rid = _setup(document, pack, ctx.strings)
    threads = Threads(ctx)

    # The pack's sections in order (adding a section is one line here). The portrait ones
    # first; the compilation gets landscape pages.
    portrait: dict[str, Callable[[], str]] = {
        "cover": lambda: cover.title_page(ctx),
        "summary": lambda: summary.summary(ctx),
        "responses": lambda: summary.responses(ctx),
        "contents": lambda: contents.contents(ctx),
        "history": lambda: history.history(ctx),
        "text": lambda: body.text(ctx, threads),
    }
    landscape: dict[str, Callable[[], str]] = {"compilation": lambda: compilation.compilation(ctx)}
    # The contents are written last, once every heading is known.
    written = {name: write() for name, write in (*portrait.items(), *landscape.items()) if name != "contents"}
    written["contents"] = portrait["contents"]()
    page_body = "".join(
        (
            *(written[name] for name in portrait),
            # The text ends the portrait section; the compilation gets landscape pages.
            x.paragraph(
                "",
                sect_pr=x.sect_pr(landscape=False, margins=MARGIN, footer_rid=footer_rid, title_page=True),
            ),
            *(written[name] for name in landscape),
            x.sect_pr(landscape=True, margins=MARGIN),
        )
    )
    add_numbering(document, ctx.list_nums)
    # The body and the comments are written as whole parts (app.docx.package).
    parts = {"docProps/app.xml": package.APP_XML, "word/document.xml": package.body_part(page_body)}
    if threads.comments:
        parts.update(comment_parts(document, threads.comments, threads.comments_ex))
    return package.save(document, parts)
