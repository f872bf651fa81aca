"""The API's routes: the JSON API (resources.py, blueprint "api") and its pages for people (pages.py,
blueprint "api_pages"). Each module registers its routes on its blueprint when imported."""

from app.api.views import pages, resources

__all__ = ["pages", "resources"]
