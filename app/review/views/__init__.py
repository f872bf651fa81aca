"""Review's routes: comments.py (commenting, replies, endorsements, a block's discussion),
decisions.py (the editors' dashboard and decisions), moderation.py (hiding and showing),
mentions.py (the people an @mention may name).
Each module registers its routes on the review blueprint when imported."""

from app.review.views import comments, decisions, mentions, moderation

__all__ = ["comments", "decisions", "mentions", "moderation"]
