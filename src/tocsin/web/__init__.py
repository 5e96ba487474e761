"""The web adapter: JSON API under /api/v1 and pages. Handlers parse, call services, render."""
