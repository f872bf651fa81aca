"""The admin pages for organisations' identity providers: list, add, change, turn off."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.blueprint import bp
from app.accounts.models import Organisation, Role
from app.accounts.sso import admin
from app.accounts.sso.forms import KIND_LABELS, IdentityProviderForm
from app.accounts.sso.models import IdentityProvider, ProviderKind
from app.accounts.sso.protocols import check_for, start_for
from app.extensions import db
from app.web.forms import ConfirmForm


@bp.app_template_global()
def provider_kind_label(kind) -> str:
    """A protocol's name: OpenID Connect, SAML 2.0."""
    return KIND_LABELS.get(kind, "")


@bp.route("/admin/sign-in-services")
@role_required(Role.ADMIN)
def admin_identity_providers():
    """Every organisation's identity provider, with its domains and whether passwords still work."""
    providers = db.session.scalars(
        sa.select(IdentityProvider)
        .options(so.joinedload(IdentityProvider.organisation), so.selectinload(IdentityProvider.domains))
        .order_by(IdentityProvider.name)
    ).all()
    available = {kind for kind in ProviderKind if start_for(kind) is not None}
    return render_template("accounts/sso/admin_list.html", providers=providers, available=available)


def _settings(form: IdentityProviderForm) -> admin.ProviderSettings:
    return admin.ProviderSettings(
        kind=form.chosen_kind,
        name=form.name.data,
        organisation=db.session.get(Organisation, int(form.organisation.data)),
        domains=form.domain_list,
        issuer=form.issuer.data,
        password_sign_in=form.password_sign_in.data,
        client_id=form.client_id.data or "",
        client_secret=form.client_secret.data or "",
        metadata_url=form.metadata_url.data or "",
        metadata_xml=form.metadata_xml,
        metadata_signing_cert=form.metadata_signing_cert.data or "",
        level_of_assurance=form.level_of_assurance.data or "",
    )


def _checked(form: IdentityProviderForm, provider: IdentityProvider) -> bool:
    """Run the protocol's own check (fetching and verifying metadata, say); False with the
    message on the form, and nothing saved, if it fails."""
    check = check_for(provider.kind)
    message = check(provider) if check is not None else None
    if message:
        db.session.rollback()
        form.issuer.errors = [*form.issuer.errors, message]
        return False
    return True


def _save_refused(form: IdentityProviderForm) -> None:
    # Two admins saving the same domain at once: the primary key says no to the second.
    db.session.rollback()
    form.domains.errors = [_("Another sign-in service took one of these domains or this issuer. Try again.")]


def _organisation_valid(form: IdentityProviderForm) -> bool:
    if db.session.get(Organisation, int(form.organisation.data)) is None:
        form.organisation.errors = [_("Choose an organisation.")]
        return False
    return True


@bp.route("/admin/sign-in-services/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_identity_provider_new():
    """Add an organisation's identity provider."""
    form = IdentityProviderForm(data=None if request.method == "POST" else {"password_sign_in": True})
    if form.validate_on_submit() and _organisation_valid(form):
        try:
            provider = admin.create_provider(_settings(form), current_user)
            saved = _checked(form, provider)
            if saved:
                db.session.commit()
        except sa.exc.IntegrityError:
            _save_refused(form)
        else:
            if saved:
                flash(_("Sign-in service “%(name)s” added.", name=provider.name), "success")
                return redirect(url_for("accounts.admin_identity_providers"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sso/admin_edit.html", form=form, provider=None), status


@bp.route("/admin/sign-in-services/<int:provider_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def admin_identity_provider(provider_id: int):
    """Change an identity provider; the client secret is never shown, only replaced."""
    provider = db.get_or_404(IdentityProvider, provider_id)
    data = None
    if request.method != "POST":
        data = {
            "kind": provider.kind.value,
            "name": provider.name,
            "organisation": str(provider.organisation_id),
            "domains": "\n".join(d.domain for d in provider.domains),
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "metadata_url": provider.metadata_url,
            "metadata_signing_cert": provider.metadata_signing_cert,
            "level_of_assurance": provider.level_of_assurance,
            "password_sign_in": provider.password_sign_in,
        }
    form = IdentityProviderForm(data=data, provider=provider)
    if form.validate_on_submit() and _organisation_valid(form):
        try:
            admin.update_provider(provider, _settings(form), current_user)
            saved = _checked(form, provider)
            if saved:
                db.session.commit()
        except sa.exc.IntegrityError:
            _save_refused(form)
        else:
            if saved:
                flash(_("Saved."), "success")
                return redirect(url_for("accounts.admin_identity_providers"))
        provider = db.get_or_404(IdentityProvider, provider_id)
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sso/admin_edit.html", form=form, provider=provider), status


@bp.route("/admin/sign-in-services/<int:provider_id>/active", methods=["POST"])
@role_required(Role.ADMIN)
def admin_identity_provider_active(provider_id: int):
    """Turn sign-in through a provider off (or on again); its members may use passwords meanwhile."""
    provider = db.get_or_404(IdentityProvider, provider_id)
    wanted = request.form.get("active")
    if not ConfirmForm().validate_on_submit() or wanted not in {"0", "1"}:
        flash(_("Nothing was changed. Please try again."), "error")
        return redirect(url_for("accounts.admin_identity_providers"))
    admin.set_active(provider, wanted == "1", current_user)
    db.session.commit()
    if provider.active:
        flash(_("Sign-in through “%(name)s” is on.", name=provider.name), "success")
    else:
        flash(_("Sign-in through “%(name)s” is off.", name=provider.name), "success")
    return redirect(url_for("accounts.admin_identity_providers"))
