"""Sign-in with one's own organisation's identity provider: OpenID Connect and SAML 2.0 (issue 26).

Every piece of a sign-in in flight (state, nonce, PKCE verifier, SAML request id) and the ids of
assertions already used live in the database, so any app server can finish a sign-in that another
began, and a replay is refused on all of them.
"""
