"""The web adapter: JSON API under /api/v1, pages for people. Handlers parse, call services, render."""
