"""Open data: each published version's text and comments as files, and Atom feeds of new versions."""
