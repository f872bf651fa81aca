"""Drafting's routes: editor.py (the working draft, block edits, publishing), importing.py (Word
files and pasted text), suggestions.py (a comment's wording applied from the review dashboard)."""
