"""Pages composed from several features: the reading page and the profile page.

These sit above documents, review, accounts and the features they show, so the lower packages
never import what displays them. Routes here register on their feature's blueprint, so URLs and
endpoint names stay where readers and templates expect them.
"""
