"""The compilation of comments ("Sammanställning av inkomna synpunkter"): a landscape table by section."""

from __future__ import annotations

from app.docx import wml as x
from app.meetings.pack.context import (
    COMPILATION_GRID,
    GROUP_FILL,
    STATUS_COLOURS_HEX,
    WITHDRAWN_FILL,
    PackContext,
    coloured,
)
from app.review.compilation import PackComment, by_section, comment_text, kind_label, status_label


def compilation(ctx: PackContext) -> str:
    """The compilation table: a group row per section, one row per comment."""
    s = ctx.strings
    heading = ctx.pack_heading(s["compilation"], "_RemissCompilation")
    if not ctx.pack.comments:
        return heading + x.paragraph(x.run(s["no_comments"], italic=True))
    grid = COMPILATION_GRID
    titles = [
        s["col_number"],
        s["col_ref"],
        s["col_organisation"],
        s["col_author"],
        s["col_comment"],
        s["col_suggestion"],
        s["col_status"],
        s["col_response"],
    ]
    rows = [ctx.header_row(titles, grid)]
    # Thousands of rows: the fixed parts of each cell are built once, and the loop
    # below only joins strings (about 3x faster than calling the helpers per cell).
    starts = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>' for w in grid]
    grey = f'<w:shd w:val="clear" w:color="auto" w:fill="{WITHDRAWN_FILL}"/>'
    withdrawn_starts = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{grey}</w:tcPr>' for w in grid]
    p_open = '<w:p><w:pPr><w:pStyle w:val="PackTableText"/></w:pPr>'
    p_close = "</w:p>"
    end = p_close + "</w:tc>"
    br = "<w:r><w:br/></w:r>"
    run, lines_run, redline = x.run, x.lines_run, ctx.inline.redline
    general = s["general_comment"]
    # The status cell in the palette the web uses, always with the word.
    status_starts = {
        status: f'<w:tc><w:tcPr><w:tcW w:w="{grid[6]}" w:type="dxa"/>'
        f'<w:shd w:val="clear" w:color="auto" w:fill="{colours[1]}"/></w:tcPr>'
        for status, colours in STATUS_COLOURS_HEX.items()
    }

    def status_runs(c: PackComment) -> str:
        colour = STATUS_COLOURS_HEX.get(c.decision, ("000000", ""))[0]
        out = coloured(status_label(c, s), colour)
        if c.decided_in_label:
            out += br + run(ctx.label("decided_in_version", c.decided_in_label), italic=True)
        return out

    for section, comments in by_section(ctx.pack.comments, s):
        rows.append(
            x.row(
                [
                    x.cell(
                        x.paragraph(x.run(section, bold=True), style="PackTableText", keep_next=True),
                        sum(grid),
                        span=len(grid),
                        fill=GROUP_FILL,
                    )
                ],
                cant_split=True,
            )
        )
        for c in comments:
            ref = run(c.ref or general)
            if c.version_label:
                ref += br + run(ctx.label("made_on_version", c.version_label), italic=True)
            body = lines_run(comment_text(c, s))
            if c.kind != "comment":
                body = run(kind_label(c, s), bold=True) + p_close + p_open + body
            if c.quote:
                body += p_close + p_open + run(f"”{c.quote}”", italic=True)
            response = lines_run(c.response) if c.response else ""
            if c.decided_by:
                response += br + run(f"– {c.decided_by}", italic=True)
            # The proposed paragraph against the text it was made on: struck and underlined words.
            suggestion = redline(ctx.suggestion(c)) if c.suggestion else ""
            cells = withdrawn_starts if c.withdrawn else starts
            rows.append(
                "".join(
                    (
                        "<w:tr>",
                        cells[0],
                        p_open,
                        run(str(c.number)),
                        end,
                        cells[1],
                        p_open,
                        ref,
                        end,
                        cells[2],
                        p_open,
                        run(c.organisation),
                        end,
                        cells[3],
                        p_open,
                        run(c.author),
                        end,
                        cells[4],
                        p_open,
                        body,
                        end,
                        cells[5],
                        p_open,
                        suggestion,
                        end,
                        status_starts[c.decision],
                        p_open,
                        status_runs(c),
                        end,
                        cells[7],
                        p_open,
                        response,
                        end,
                        "</w:tr>",
                    )
                )
            )
    return heading + x.table(grid, rows, fixed=True, caption=s["compilation"])
