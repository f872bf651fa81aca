"""The pack's title page: title, version and state, date, meeting, place, agenda, organisations, licence."""

from __future__ import annotations

from app.docx import wml as x
from app.meetings.pack.context import PackContext, safe_url
from app.meetings.pack.data import PackAgendaItem
from app.review.compilation import fill
from app.richtext import Segment


def title_page(ctx: PackContext) -> str:
    """Title, version and state, date, meeting, organisations and licence."""
    s, p = ctx.strings, ctx.pack
    state = s.get(f"state_{p.version_state}", p.version_state)
    version = fill(s["version"], label=p.version_label)
    out = [
        x.paragraph(x.run(s["kicker"]), style="Subtitle"),
        x.paragraph(x.run(p.document_title), style="Title"),
        x.paragraph(x.run(f"{version} – {state}"), style="Subtitle"),
    ]
    if p.version_date:
        out.append(x.paragraph(x.run(f"{s['date']}: ", bold=True) + x.run(ctx.clock.date(p.version_date))))
    out.append(x.paragraph(x.run(f"{s['meeting']}: ", bold=True) + x.run(p.meeting_title)))
    if p.meeting_date:
        when = f"{ctx.clock.date_time(p.meeting_date)} ({s['time_zone']})"
        out.append(x.paragraph(x.run(f"{s['time']}: ", bold=True) + x.run(when)))
    if p.place.strip():
        place = p.place.strip()
        target = ctx.inline.runs([Segment(place, href=place)]) if safe_url(place) else x.run(place)
        out.append(x.paragraph(x.run(f"{s['place']}: ", bold=True) + target))
    items = [line.strip() for line in p.agenda.splitlines() if line.strip()]
    if items or p.agenda_items:
        out.append(x.paragraph(x.run(s["agenda"]), style="PackSubheading"))
        out += [_agenda_item(ctx, item) for item in p.agenda_items]
        out += [x.paragraph(x.run(item), style="PackAgenda") for item in items]
        out.append(x.paragraph(""))
    if p.open_actions:
        out.append(x.paragraph(x.run(p.open_actions_heading), style="PackSubheading"))
        out += [x.paragraph(x.run(line), style="PackAgenda") for line in p.open_actions]
        out.append(x.paragraph(""))
    if p.base_version_label:
        key = "compared_with" if ctx.tracked else "clean_compared_with"
        out.append(x.paragraph(x.run(fill(s[key], label=p.base_version_label))))
    if p.organisations:
        out.append(
            x.paragraph(x.run(f"{s['organisations']}: ", bold=True) + x.run(", ".join(p.organisations)))
        )
    licence = x.run(fill(s["licence"], name=p.licence_name) + " ")
    if p.licence_url:
        licence += ctx.inline.runs([Segment(p.licence_url, href=p.licence_url)])
    out.append(x.paragraph(licence))
    return "".join(out)


def _agenda_item(ctx: PackContext, item: PackAgendaItem) -> str:
    """ "13:00–13:30  Title – Presenter" (Swedish time), or "30 min  Title – Presenter"."""
    when = ""
    if item.starts_at is not None:
        when = ctx.clock.time(item.starts_at)
        if item.ends_at is not None:
            when += "–" + ctx.clock.time(item.ends_at)
    elif item.duration_minutes:
        when = f"{item.duration_minutes} min"
    runs = x.run(f"{when} ", bold=True) if when else ""
    runs += x.run(item.title)
    if item.presenter:
        runs += x.run(f" – {item.presenter}")
    return x.paragraph(runs, style="PackAgenda")
