"""The outcome report as DOCX ("Remissammanställning"), built as WordprocessingML strings.

The skeleton (styles, settings, footer, core properties, the byte-stable zip) comes from
the Word core (:mod:`app.docx`), as the meeting pack's does; the body is written with its
escaping helpers (:mod:`app.docx.wml`), so every piece of user text is escaped once, in one
place. Deterministic: the same outcome gives the
same bytes (no clock inside the file).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import html as lxml_html

from app.docx import package, settings, styles
from app.docx import wml as x
from app.docx.footer import page_footer
from app.docx.properties import set_core_properties
from app.i18n import in_language
from app.responses.labels import POSITION_EN, POSITION_SV
from app.responses.outcome import POSITIONS, Outcome, ResponseRecord
from app.review.compilation import STATUSES, comment_text, status_label, suggestion_ops
from app.review.compilation import labels as pack_labels
from app.timeutil import STOCKHOLM

MARGIN = 1134
# A4 portrait text width with 2 cm margins, in twips.
WIDTH = 11906 - 2 * MARGIN

_SV = {
    "title": "Remissammanställning",
    "version": "Version {label} (nr {number})",
    "published": "Publicerad {date}",
    "deadline": "Sista dag för svar: {date}",
    "responses": "Inkomna remissvar",
    "col_org": "Organisation",
    "col_position": "Ställningstagande",
    "col_reference": "Diarienummer",
    "col_decided": "Beslutad av",
    "col_date": "Inkom",
    "no_answer": "Inget svar",
    "sections": "Ställningstaganden per avsnitt",
    "col_section": "Avsnitt",
    "removed_section": "{label} (avsnittet finns inte längre i texten)",
    "no_sections": "Inga ställningstaganden per avsnitt har lämnats.",
    "full": "Remissvaren i sin helhet",
    "officer": "Handläggare: {name}",
    "decided": "Beslut av {name}",
    "reference": "Diarienummer: {value}",
    "submitted": "Inkom {date}",
    "replaced": "Ett tidigare svar inkom {date} och ersattes {replaced}: {position}.",
    "counts": "Synpunkter per beslut och organisation",
    "total": "Totalt",
    "paragraphs": "Synpunkter per stycke med beslut",
    "col_number": "Nr",
    "col_ref": "Stycke",
    "col_comment": "Synpunkt",
    "col_status": "Beslut",
    "col_response": "Svar och motivering",
    "no_comments": "Inga synpunkter har lämnats på versionen.",
    "page": "Sida",
    "comments_hidden": "Synpunkterna visas bara för inloggade medlemmar av nätverket.",
}


_EN = {
    "title": "Consultation outcome",
    "version": "Version {label} (no. {number})",
    "published": "Published {date}",
    "deadline": "Deadline for responses: {date}",
    "responses": "Responses received",
    "col_org": "Organisation",
    "col_position": "Position",
    "col_reference": "Reference number",
    "col_decided": "Decided by",
    "col_date": "Received",
    "no_answer": "No response",
    "sections": "Positions per section",
    "col_section": "Section",
    "removed_section": "{label} (the section is no longer in the text)",
    "no_sections": "No positions per section were given.",
    "full": "The responses in full",
    "officer": "Prepared by: {name}",
    "decided": "Decided by {name}",
    "reference": "Reference number: {value}",
    "submitted": "Received {date}",
    "replaced": "An earlier response was received {date} and replaced {replaced}: {position}.",
    "counts": "Comments by decision and organisation",
    "total": "Total",
    "paragraphs": "Comments per paragraph with decisions",
    "col_number": "No.",
    "col_ref": "Paragraph",
    "col_comment": "Comment",
    "col_status": "Decision",
    "col_response": "Response and reason",
    "no_comments": "No comments were made on this version.",
    "page": "Page",
    "comments_hidden": "The comments are shown to signed-in members of the network only.",
}


@dataclass(frozen=True)
class Words:
    """The words of one language: the report's labels, the positions and the pack's shared labels."""

    L: dict[str, str]
    positions: dict
    pack: dict[str, str]
    locale: str


def words(language: str) -> Words:
    """The report's words in *language* ("sv" or "en"; anything else is Swedish)."""
    if language == "en":
        return Words(_EN, POSITION_EN, pack_labels("en"), "en-GB")
    return Words(_SV, POSITION_SV, pack_labels("sv"), "sv-SE")


def _fill(template: str, **values: object) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def _date(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d")


def _p(value: str, style: str | None = None, bold: bool = False) -> str:
    return x.paragraph(x.lines_run(value, bold=bold), style=style)


_SMALL = '<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'
_SMALL_BOLD = '<w:rPr><w:b/><w:bCs/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'


def _texts(value: str) -> str:
    """``w:t`` elements for *value*, its lines joined by ``w:br`` (every piece escaped)."""
    if "\n" not in value and "\r" not in value and "\t" not in value:
        return f'<w:t xml:space="preserve">{x.text(value)}</w:t>'
    lines = value.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<w:br/>".join(f'<w:t xml:space="preserve">{x.text(line)}</w:t>' for line in lines)


def _small(value: str, bold: bool = False) -> str:
    """A table cell's paragraph: 9 pt, lines kept."""
    props = "<w:rPr><w:b/><w:bCs/>" + _SMALL[7:] if bold else _SMALL
    return x.paragraph(f"<w:r>{props}{_texts(value)}</w:r>")


def _header(header: list[str], grid: list[int]) -> str:
    cells = [x.cell(_small(h, bold=True), w, fill="F1EFE9") for h, w in zip(header, grid, strict=True)]
    return x.row(cells, header=True)


def _table(grid: list[int], header: list[str], rows: list[list[str]], caption: str) -> str:
    body = [
        x.row([x.cell(_small(v), w) for v, w in zip(values, grid, strict=True)], cant_split=True)
        for values in rows
    ]
    return x.table(grid, [_header(header, grid), *body], fixed=True, caption=caption)


_INLINE = {"strong": (True, False), "b": (True, False), "em": (False, True), "i": (False, True)}


def _runs(element, bold: bool = False, italic: bool = False) -> str:
    """Runs for the inline content of a sanitised HTML element (emphasis kept, links as text and URL)."""
    out = [x.run(element.text, bold, italic)] if element.text else []
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            out.append("<w:r><w:br/></w:r>")
        elif tag not in ("ul", "ol"):
            b, i = _INLINE.get(tag, (False, False))
            out.append(_runs(child, bold or b, italic or i))
            if tag == "a" and child.get("href") and child.get("href") != (child.text or ""):
                out.append(x.run(f" ({child.get('href')})", bold, italic))
        if child.tail:
            out.append(x.run(child.tail, bold, italic))
    return "".join(out)


def summary_paragraphs(summary_html: str) -> list[str]:
    """The stored (sanitised) summary HTML as Word paragraphs: paragraphs and list items, emphasis kept."""
    if not summary_html.strip():
        return []
    root = lxml_html.fragment_fromstring(summary_html, create_parent="div")
    out = [x.paragraph(x.run(root.text))] if root.text and root.text.strip() else []
    for element in root:
        if element.tag in ("ul", "ol"):
            for n, item in enumerate(element.findall("li"), start=1):
                mark = "• " if element.tag == "ul" else f"{n}. "
                out.append(x.paragraph(x.run(mark) + _runs(item)))
        else:
            out.append(x.paragraph(_runs(element)))
    return out


def _decided(record: ResponseRecord) -> str:
    return ", ".join(v for v in (record.decision_maker, record.decision_maker_title) if v)


def title_page(outcome: Outcome, w: Words) -> str:
    """Title, document, version, dates."""
    parts = [
        _p(w.L["title"], "Title"),
        _p(outcome.document_title, "Subtitle"),
        _p(_fill(w.L["version"], label=outcome.version_label, number=outcome.version_number)),
        _p(_fill(w.L["published"], date=_date(outcome.published_at))),
    ]
    if outcome.deadline is not None:
        parts.append(_p(_fill(w.L["deadline"], date=_date(outcome.deadline))))
    return "".join(parts)


def responses_table(outcome: Outcome, w: Words) -> str:
    """Who answered with which position, and who did not."""
    rows = []
    for org in outcome.organisations:
        r = org.response
        if r is None:
            rows.append([org.name, w.L["no_answer"], "", "", ""])
        else:
            rows.append([org.name, w.positions[r.position], r.reference, _decided(r), _date(r.submitted_at)])
    grid = [2300, 2100, 1700, 2138, 1400]
    header = [w.L["col_org"], w.L["col_position"], w.L["col_reference"], w.L["col_decided"], w.L["col_date"]]
    summary = in_language(w.locale[:2]).ngettext(
        "%(answered)d of %(num)d organisation has responded.",
        "%(answered)d of %(num)d organisations have responded.",
        len(outcome.organisations),
        answered=len(outcome.answered),
    )
    return _p(w.L["responses"], "Heading1") + _p(summary) + _table(grid, header, rows, w.L["responses"])


def sections_table(outcome: Outcome, w: Words) -> str:
    """Counts of positions per top-level section."""
    out = _p(w.L["sections"], "Heading1")
    answered = [s for s in outcome.sections if s.positions]
    if not answered:
        return out + _p(w.L["no_sections"])
    grid = [3238, 1650, 1650, 1650, 1450]
    header = [w.L["col_section"], *[w.positions[p] for p in POSITIONS]]
    rows = [
        [
            s.label if s.exists else _fill(w.L["removed_section"], label=s.label),
            *[str(s.count(p)) for p in POSITIONS],
        ]
        for s in answered
    ]
    return out + _table(grid, header, rows, w.L["sections"])


def full_responses(outcome: Outcome, w: Words) -> str:
    """Each answer in full: position, reference, decision-maker, officer, summary, replaced answers."""
    out = [_p(w.L["full"], "Heading1")]
    for org in outcome.answered:
        r = org.response
        out.append(_p(org.name, "Heading2"))
        out.append(_p(w.positions[r.position], bold=True))
        facts = [_fill(w.L["submitted"], date=_date(r.submitted_at))]
        if r.reference:
            facts.append(_fill(w.L["reference"], value=r.reference))
        if _decided(r):
            facts.append(_fill(w.L["decided"], name=_decided(r)))
        if r.officer:
            facts.append(_fill(w.L["officer"], name=r.officer))
        out.append(_p(" · ".join(facts)))
        out.extend(summary_paragraphs(r.summary_html))
        for answer in r.sections:
            out.append(_p(f"{answer.heading} – {w.positions[answer.position]}"))
        for old in org.history:
            out.append(
                _p(
                    _fill(
                        w.L["replaced"],
                        date=_date(old.submitted_at),
                        replaced=_date(old.replaced_at),
                        position=w.positions[old.position],
                    )
                )
            )
    return "".join(out)


def counts_table(outcome: Outcome, w: Words) -> str:
    """Comments per organisation and decision."""
    out = _p(w.L["counts"], "Heading1")
    if not outcome.comments_visible:
        return out + _p(w.L["comments_hidden"])
    rows, totals = outcome.decision_table()
    if not rows:
        return out + _p(w.L["no_comments"])
    strings = w.pack
    grid = [2570] + [1500] * len(STATUSES) + [1500]
    header = [w.L["col_org"], *[strings[f"status_{s}"] for s in STATUSES], w.L["total"]]
    body = [[org, *[str(counts[s]) for s in STATUSES], str(total)] for org, counts, total in rows]
    body.append([w.L["total"], *[str(totals[s]) for s in STATUSES], str(sum(totals.values()))])
    return out + _table(grid, header, body, w.L["counts"])


def paragraphs_table(outcome: Outcome, w: Words) -> str:
    """Every visible comment by section and paragraph, with its decision and the editors' response."""
    out = _p(w.L["paragraphs"], "Heading1")
    if not outcome.comments_visible:
        return out + _p(w.L["comments_hidden"])
    if not outcome.comments:
        return out + _p(w.L["no_comments"])
    strings = w.pack
    grid = [700, 1300, 2400, 5070, 1600, 3500]
    header = [
        w.L["col_number"],
        w.L["col_ref"],
        w.L["col_org"],
        w.L["col_comment"],
        w.L["col_status"],
        w.L["col_response"],
    ]
    rows = [_header(header, grid)]
    # Thousands of rows: each cell's fixed markup is made once, only the text is escaped per row.
    starts = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr><w:p><w:r>{_SMALL}' for w in grid]
    end = "</w:r></w:p></w:tc>"
    # A suggestion follows its comment in the cell, as its word diff: struck and underlined words.
    # The report has no hyperlink relationships: a link in a suggestion shows its text.
    inline = x.Inline(lambda href: None, x.Ids())
    label = strings["col_suggestion"] + ": "
    diff_of = {}
    for section, paragraphs in outcome.by_paragraph(strings["general_comments"]):
        rows.append(x.row([x.cell(_small(section, bold=True), sum(grid), span=len(grid), fill="FAFAF7")]))
        for ref, comments in paragraphs:
            for c in comments:
                who = f"{c.organisation}\n{c.author}" if c.author else c.organisation
                values = (
                    f"#{c.number}",
                    ref,
                    who,
                    comment_text(c, strings),
                    status_label(c, strings),
                    c.response,
                )
                cells = [start + _texts(v) + end for start, v in zip(starts, values, strict=True)]
                if c.suggestion:
                    key = (c.suggestion_base, c.suggestion)
                    if key not in diff_of:
                        diff_of[key] = inline.redline(suggestion_ops(c), size=18)
                    cells[3] = cells[3][: -len("</w:tc>")] + (
                        f"<w:p><w:r>{_SMALL_BOLD}{_texts(label)}</w:r>{diff_of[key]}</w:p></w:tc>"
                    )
                rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    return out + x.table(grid, rows, fixed=True, caption=w.L["paragraphs"])


def write_outcome(outcome: Outcome, language: str = "sv") -> bytes:
    """The outcome report as DOCX bytes, in *language* (the reader's: "sv" or "en")."""
    w = words(language)
    document = package.new_document()
    settings.fix_zoom(document)
    styles.add_styles(document, styles.FOOTER)
    if language == "sv":
        styles.name_styles(document, styles.SWEDISH_NAMES)
    styles.set_language(document, w.locale)
    moment = outcome.published_at or datetime(2000, 1, 1, tzinfo=UTC)
    set_core_properties(
        document,
        title=f"{w.L['title']}: {outcome.document_title}",
        subject=outcome.version_label,
        author="Remiss",
        last_modified_by="Remiss",
        moment=moment.astimezone(UTC),
        revision=1,
        language=w.locale,
    )
    # A footer "Remissammanställning · title · version · page N", on one line.
    footer = page_footer(
        document,
        f"{w.L['title']} · {outcome.document_title}",
        f" · {outcome.version_label} · {w.L['page']} ",
    )
    body = "".join(
        (
            title_page(outcome, w),
            responses_table(outcome, w),
            sections_table(outcome, w),
            full_responses(outcome, w),
            # The portrait part ends here; the comment tables get landscape pages.
            x.paragraph("", sect_pr=x.sect_pr(landscape=False, margins=MARGIN, footer_rid=footer)),
            counts_table(outcome, w),
            paragraphs_table(outcome, w),
            x.sect_pr(landscape=True, margins=MARGIN, footer_rid=footer),
        )
    )
    return package.save(document, {"word/document.xml": package.body_part(body)})
