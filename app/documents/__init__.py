"""Documents: the document list, the reading view, versions and block numbering."""
