"""Review's routes: comments.py (commenting, replies, endorsements, a block's discussion),
decisions.py (the editors' dashboard and decisions), moderation.py (hiding and showing).
Each module registers its routes on the review blueprint when imported."""

from app.review.views import comments, decisions, moderation

__all__ = ["comments", "decisions", "moderation"]
