"""Per-process caches for what pages show over and over: immutable layouts and rendered HTML.

A key names *every* input of what it stores, so an entry never goes stale: a changed comment,
viewer, language or count is simply a different key, and the old entry ages out of the LRU.
Nothing here is invalidated and nothing is shared between processes or apps (each Flask app
holds its own caches, so tests with fresh databases never see each other's entries).

Why this is safe with several workers and app servers on one database: no entry is ever
*used* on the strength of what this process last wrote. Each request first reads from the
database the values the key is made of (counts, comment ids and row versions, a version's id
and publication time, the data stamp of app.pagecache), so a change committed by any other
process gives a different key on the very next request here. What is cached under a key is
derived from that key alone: ``layouts`` hold a *published* version's blocks, which never
change (``(version id, published_at)``: a version id reused after a restore has another
publication time); ``blocks`` and ``threads`` hold HTML rendered from exactly what their keys
name; ``labels`` hold translated strings per language; ``pages`` are keyed by the database-wide
data stamp. The ``functools`` caches elsewhere hold no data from the database: SQL statements
built once with bound parameters (``_*_statement``), WTForms' catalogue per language
(app.i18n), and ``review.labels.text_diff``, a pure function of the two texts it is given.
``tests/test_several_servers.py`` checks that two servers show identical pages through changes
made on either.

The CSRF token is the one per-session value inside cached HTML: fragments are rendered with
``CSRF_PLACEHOLDER`` and the page swaps in the session's own token after assembly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, current_app
from markupsafe import Markup

T = TypeVar("T")

CSRF_PLACEHOLDER = "\x00csrf\x00"


class LRU:
    """A bounded mapping that forgets the least recently used entry first."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value stored under *key*, made (outside the lock) and stored on a miss."""
        if self.maxsize <= 0:
            return make()
        with self._lock:
            try:
                self._data.move_to_end(key)
            except KeyError:
                self.misses += 1
            else:
                self.hits += 1
                return self._data[key]
        value = make()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def lookup(self, key: Hashable):
        """The value stored under *key*, or None."""
        if self.maxsize <= 0:
            return None
        with self._lock:
            try:
                self._data.move_to_end(key)
            except KeyError:
                self.misses += 1
                return None
            self.hits += 1
            return self._data[key]

    def store(self, key: Hashable, value) -> None:
        """Keep *value* under *key*, forgetting the least recently used beyond the bound."""
        if self.maxsize <= 0:
            return
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        """Forget everything (after a restore, say)."""
        with self._lock:
            self._data.clear()


def init_app(app: Flask) -> None:
    """Give *app* its caches; FRAGMENT_CACHE_SIZE=0 turns caching off."""
    size = int(app.config["FRAGMENT_CACHE_SIZE"])
    app.extensions["remiss.cache"] = {
        # A published version's blocks never change: one entry per version.
        "layouts": LRU(64 if size else 0),
        "blocks": LRU(size),
        "threads": LRU(size),
        # "Answered in this version" below a paragraph, keyed by what it lists.
        "answered": LRU(size),
        # Open suggestions shown inside their paragraph (app.pages.reading), keyed by what they show.
        "inline-suggestions": LRU(size),
        # A meeting's VEVENT as iCalendar bytes (app.meetings.calendar), keyed by all it shows.
        "ics-events": LRU(size),
        # Per-language label sets (review.labels.thread_labels).
        "labels": LRU(8 if size else 0),
        # Whole reading pages for visitors (app.pagecache), keyed by the database's data stamp.
        "pages": LRU(int(app.config.get("PAGE_CACHE_SIZE", 0))),
    }


def clear(app: Flask) -> None:
    """Forget every cached layout and fragment of *app* (its database was replaced)."""
    for lru in app.extensions["remiss.cache"].values():
        lru.clear()


def cache(name: str) -> LRU:
    """The current app's cache called *name*."""
    return current_app.extensions["remiss.cache"][name]


def fill_csrf(html: str, csrf_field: str) -> Markup:
    """*html* with the session's CSRF field where fragments left the placeholder."""
    return Markup(html.replace(CSRF_PLACEHOLDER, csrf_field))  # noqa: S704  (both rendered by us)
