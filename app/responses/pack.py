"""The table of responses in the meeting pack: plain rows for the pack's writer, and their labels.

The pack (``app.meetings.pack``) stays free of the database: ``build_pack`` asks
:func:`pack_responses` for the presented version's rows and the writer lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.responses.labels import POSITION_EN, POSITION_SV
from app.responses.outcome import load_outcome

LABELS = {
    "sv": {
        "heading": "Inkomna remissvar",
        "col_organisation": "Organisation",
        "col_position": "Ställningstagande",
        "col_reference": "Diarienummer",
        "col_decided_by": "Beslutat av",
        "col_submitted": "Inkom",
        "no_answer": "Inget svar",
        "replaced": "ersätter ett tidigare svar",
    },
    "en": {
        "heading": "Responses received",
        "col_organisation": "Organisation",
        "col_position": "Position",
        "col_reference": "Reference",
        "col_decided_by": "Decided by",
        "col_submitted": "Received",
        "no_answer": "No response",
        "replaced": "replaces an earlier response",
    },
}


@dataclass(frozen=True, slots=True)
class PackResponse:
    """One consulted organisation's standing response (``position`` "" when it has not answered)."""

    organisation: str
    position: str = ""
    reference: str = ""
    decided_by: str = ""
    submitted_at: datetime | None = None
    replaces_earlier: bool = False


def labels(language: str) -> dict[str, str]:
    """The table's labels in *language* (Swedish if unknown)."""
    return LABELS.get(language, LABELS["sv"])


def pack_responses(version, language: str = "sv") -> tuple[PackResponse, ...]:
    """Every consulted organisation with its standing response to *version*, by name.

    Empty while nobody has answered: the pack then has no responses section at all.
    """
    names = POSITION_EN if language == "en" else POSITION_SV
    outcome = load_outcome(version.document, version, comments_visible=False, names=False)
    if not outcome.answered:
        return ()
    return tuple(
        PackResponse(
            organisation=org.name,
            position=names[org.response.position] if org.response else "",
            reference=org.response.reference if org.response else "",
            decided_by=", ".join(
                v for v in (org.response.decision_maker, org.response.decision_maker_title) if v
            )
            if org.response
            else "",
            submitted_at=org.response.submitted_at if org.response else None,
            replaces_earlier=bool(org.history) and org.response is not None,
        )
        for org in outcome.organisations
    )
