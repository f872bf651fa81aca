"""Search across documents, versions and comments, in Swedish (issue 19); see README.md here."""
