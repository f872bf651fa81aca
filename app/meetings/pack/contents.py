"""The table of contents: a TOC field Word updates on open, already listing every heading."""

from __future__ import annotations

from app.docx import wml as x
from app.meetings.pack.context import PackContext


def contents(ctx: PackContext) -> str:
    """The table of contents: a TOC field whose result already lists every heading.

    Word updates the field on open (``w:updateFields``) and adds page numbers; a file
    printed or converted without updating fields still shows each heading, numbered
    and linked to its bookmark.
    """
    s = ctx.strings
    instruction = (
        '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )
    out = [x.paragraph(x.run(s["contents"]), style="TOCHeading", page_break_before=True)]
    entries = ctx.headings or [(1, s["toc_placeholder"], "")]
    for i, (level, title, anchor) in enumerate(entries):
        body = x.run(title)
        if anchor:
            body = f'<w:hyperlink w:anchor="{x.attr(anchor)}" w:history="1">{body}</w:hyperlink>'
        out.append(x.paragraph((instruction if i == 0 else "") + body, style=f"TOC{level}"))
    out.append(x.paragraph('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
    return "".join(out)
