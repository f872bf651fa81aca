"""Translatable labels of positions and response states."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.responses.models import Position, ResponseState

POSITION_LABELS = {
    Position.SUPPORTS: _l("Supports"),
    Position.SUPPORTS_WITH_COMMENTS: _l("Supports with comments"),
    Position.OPPOSES: _l("Opposes"),
    Position.ABSTAINS: _l("Abstains from commenting"),
}

STATE_LABELS = {
    ResponseState.DRAFT: _l("Draft"),
    ResponseState.SUBMITTED: _l("Submitted"),
    ResponseState.REPLACED: _l("Replaced"),
}

# The Swedish terms of a remiss, used in the DOCX and the open data whatever the reader's language.
POSITION_SV = {
    Position.SUPPORTS: "Tillstyrker",
    Position.SUPPORTS_WITH_COMMENTS: "Tillstyrker med synpunkter",
    Position.OPPOSES: "Avstyrker",
    Position.ABSTAINS: "Avstår från att yttra sig",
}
POSITION_EN = {
    Position.SUPPORTS: "Supports",
    Position.SUPPORTS_WITH_COMMENTS: "Supports with comments",
    Position.OPPOSES: "Opposes",
    Position.ABSTAINS: "Abstains from commenting",
}
