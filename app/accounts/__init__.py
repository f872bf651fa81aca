"""Accounts: sign-in, profiles, and the admin pages for organisations, users and invitations."""
