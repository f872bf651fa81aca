"""Accounts: sign-in, profiles, and the admin pages for organisations, users and invitations."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from app.accounts import views  # noqa: E402,F401
