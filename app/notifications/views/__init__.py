"""The notifications pages: following documents and unsubscribing, and the administrators' list of
undelivered mail, the inbox (the e-mail settings are on app.pages.profile). Each module registers its routes
on the notifications blueprint when imported."""

from app.notifications.views import admin, inbox, subscriptions

__all__ = ["admin", "inbox", "subscriptions"]
