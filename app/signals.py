"""What happened, announced from below: operations send these, features above subscribe.

A lower package (review, drafting, accounts) never imports what reacts to it (notifications,
caches); it sends a signal here and whoever cares connects to it at start-up. Receivers run in
the sender's transaction, before its commit, so what they add is saved, or rolled back, with it.
Flask ships blinker.
"""

from __future__ import annotations

from blinker import Namespace

remiss = Namespace()
