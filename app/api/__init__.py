"""The read-only JSON API at /api/v1/, its OpenAPI description and personal API tokens."""
