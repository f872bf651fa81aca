"""E-mail notifications: preferences, following documents, the outbox and its delivery."""
