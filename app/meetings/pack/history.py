"""The version history table."""

from __future__ import annotations

from app.docx import wml as x
from app.meetings.pack.context import HISTORY_GRID, PackContext


def history(ctx: PackContext) -> str:
    """The version history table."""
    s, clock = ctx.strings, ctx.clock
    head = [
        s["col_number"],
        s["col_version"],
        s["col_date"],
        s["col_published_by"],
        s["col_summary"],
    ]
    rows = [ctx.header_row(head, HISTORY_GRID)]
    for item in ctx.pack.history:
        values = [
            str(item.number),
            item.label,
            clock.date(item.published_at),
            item.published_by,
        ]
        cells = [
            x.cell(x.paragraph(x.run(v), style="PackTableText"), w)
            for v, w in zip(values, HISTORY_GRID, strict=False)
        ]
        cells.append(x.cell(x.paragraph(x.lines_run(item.summary), style="PackTableText"), HISTORY_GRID[-1]))
        rows.append(x.row(cells, cant_split=True))
    return ctx.pack_heading(s["history"], "_RemissHistory", page_break=True) + x.table(
        HISTORY_GRID, rows, fixed=True, caption=s["history"]
    )
