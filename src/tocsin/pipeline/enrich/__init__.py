"""Offline enrichment: constituency, ASN and country, public suffix. Never a network call."""
