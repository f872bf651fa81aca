"""Drafting's routes: editor.py (the working draft, block edits, publishing), importing.py (Word
files and pasted text), suggestions.py (a comment's wording applied from the review dashboard,
registered on the review blueprint so its endpoint stays review.apply).
Each module registers its routes when imported."""

from app.drafting.views import editor, importing, suggestions

__all__ = ["editor", "importing", "suggestions"]
