"""The summary, "we asked – you answered – we did", and the organisations' formal responses."""

from __future__ import annotations

from collections.abc import Sequence

from app.docx import wml as x
from app.i18n import in_language
from app.meetings.pack.context import STATUS_COLOURS_HEX, TEXT_WIDTH, PackContext, coloured
from app.responses.pack import labels as response_labels
from app.review.compilation import CHANGES, summarise


def summary_intro(
    language: str, comments: int, organisations: int, base: str | None, changes: dict[str, int]
) -> str:
    """ "1 synpunkt från 1 organisation. Sedan version 0.1: 2 stycken ändrade, 1 tillagt …".

    Every count takes its own plural form, in the pack's language (the app's catalogues).
    """
    t = in_language(language)
    text = t.gettext(
        "%(comments)s from %(organisations)s.",
        comments=t.ngettext("%(num)d comment", "%(num)d comments", comments),
        organisations=t.ngettext("%(num)d organisation", "%(num)d organisations", organisations),
    )
    if base is None:
        return text
    parts = [
        t.ngettext("%(num)d paragraph changed", "%(num)d paragraphs changed", changes["changed"]),
        # After "N paragraphs changed" the noun is understood: "1 added", "2 removed".
        t.ngettext("%(num)d added", "%(num)d added", changes["added"]),
        t.ngettext("%(num)d removed", "%(num)d removed", changes["removed"]),
        t.ngettext("%(num)d moved", "%(num)d moved", changes["moved"]),
    ]
    listed = t.gettext("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])
    return text + " " + t.gettext("Since version %(label)s: %(changes)s.", label=base, changes=listed)


def summary(ctx: PackContext) -> str:
    """ "We asked – you answered – we did": comments by decision and organisation, changes."""
    s, p = ctx.strings, ctx.pack
    figures = summarise(p.comments, p.blocks)
    by_decision: dict[str, int] = figures["by_decision"]  # type: ignore[assignment]
    by_org: list[dict] = figures["by_organisation"]  # type: ignore[assignment]
    changes: dict[str, int] = figures["paragraphs"]  # type: ignore[assignment]
    intro = summary_intro(p.language, figures["comments"], len(by_org), p.base_version_label, changes)
    out = [ctx.pack_heading(s["summary"], "_RemissSummary", page_break=True), x.paragraph(x.run(intro))]

    def cells(values: Sequence[str], grid: Sequence[int], bold: bool = False) -> list[str]:
        return [
            x.cell(x.paragraph(x.run(v, bold=bold), style="PackTableText"), w)
            for v, w in zip(values, grid, strict=True)
        ]

    grid = (TEXT_WIDTH - 1700, 1700)
    rows = [ctx.header_row([s["col_decision"], s["col_count"]], grid)]
    for status, count in by_decision.items():
        text_colour, fill_colour = STATUS_COLOURS_HEX.get(status, ("000000", "FFFFFF"))
        label = s.get(f"status_{status}", status)
        rows.append(
            x.row(
                [
                    x.cell(
                        x.paragraph(coloured(label, text_colour), style="PackTableText"),
                        grid[0],
                        fill=fill_colour,
                    ),
                    x.cell(x.paragraph(x.run(str(count)), style="PackTableText"), grid[1]),
                ],
                cant_split=True,
            )
        )
    rows.append(x.row(cells([s["total"], str(figures["comments"])], grid, bold=True), cant_split=True))
    out.append(x.paragraph(x.run(s["summary_by_decision"]), style="PackSubheading"))
    out.append(x.table(grid, rows, fixed=True, caption=s["summary_by_decision"]))

    if by_org:
        grid3 = (TEXT_WIDTH - 3400, 1700, 1700)
        rows = [ctx.header_row([s["col_organisation"], s["col_comments"], s["col_decided"]], grid3)]
        rows += [
            x.row(cells([o["organisation"], str(o["comments"]), str(o["decided"])], grid3), cant_split=True)
            for o in by_org
        ]
        out.append(x.paragraph(x.run(s["summary_by_organisation"]), style="PackSubheading"))
        out.append(x.table(grid3, rows, fixed=True, caption=s["summary_by_organisation"]))

    if p.base_version_label:
        rows = [ctx.header_row([s["col_change"], s["col_count"]], grid)]
        rows += [
            x.row(cells([s[f"change_{key}"], str(changes[key])], grid), cant_split=True) for key in CHANGES
        ]
        out.append(x.paragraph(x.run(s["summary_paragraphs"]), style="PackSubheading"))
        out.append(x.table(grid, rows, fixed=True, caption=s["summary_paragraphs"]))
    return "".join(out)


def responses(ctx: PackContext) -> str:
    """The organisations' formal responses (remissvar) to the presented version, and who did not."""
    rows_in = ctx.pack.responses
    if not rows_in:
        return ""
    s = response_labels(ctx.pack.language)
    answered = sum(1 for r in rows_in if r.position)
    intro = in_language(ctx.pack.language).ngettext(
        "%(answered)d of %(num)d consulted organisation answered version %(label)s.",
        "%(answered)d of %(num)d consulted organisations answered version %(label)s.",
        len(rows_in),
        answered=answered,
        label=ctx.pack.version_label,
    )
    grid = (2000, 1900, 1500, TEXT_WIDTH - 2000 - 1900 - 1500 - 1300, 1300)
    head = [
        s["col_organisation"],
        s["col_position"],
        s["col_reference"],
        s["col_decided_by"],
        s["col_submitted"],
    ]
    rows = [ctx.header_row(head, grid)]
    for r in rows_in:
        position = r.position or s["no_answer"]
        if r.replaces_earlier:
            position += f" ({s['replaced']})"
        values = (r.organisation, position, r.reference, r.decided_by, ctx.clock.date(r.submitted_at))
        cells = [
            x.cell(x.paragraph(x.run(v), style="PackTableText"), w) for v, w in zip(values, grid, strict=True)
        ]
        rows.append(x.row(cells, cant_split=True))
    return (
        ctx.pack_heading(s["heading"], "_RemissResponses")
        + x.paragraph(x.run(intro))
        + x.table(grid, rows, fixed=True, caption=s["heading"])
    )
