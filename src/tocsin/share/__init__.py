"""Sharing with partner teams: Tocsin's events and incidents as STIX 2.1."""
