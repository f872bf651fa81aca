"""Formal responses (remissvar) from each organisation and the public outcome report of a version."""
