"""The accounts pages: signing in, user administration and the audit log (the profile page is
app.pages.profile). Each module registers its routes on the accounts blueprint when imported."""

from app.accounts.views import admin, audit, sign_in, sso, sso_admin, sso_email, sso_oidc, sso_saml

__all__ = ["admin", "audit", "sign_in", "sso", "sso_admin", "sso_email", "sso_oidc", "sso_saml"]
