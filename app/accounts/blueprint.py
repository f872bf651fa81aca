"""The accounts blueprint, and the template helpers every page uses for roles."""

from flask import Blueprint

from app.accounts.forms import ROLE_LABELS
from app.accounts.models import Role

bp = Blueprint("accounts", __name__)


@bp.app_template_global()
def role_label(role: Role) -> str:
    """A role's name in the reader's language."""
    return ROLE_LABELS[role]


@bp.app_context_processor
def _roles() -> dict:
    return {"Role": Role}
