"""Coordinated vulnerability disclosure: cases, their fields, their advisories."""
