"""Comments from Word: a reviewed Word file's comments and tracked changes become comments."""
