"""Notices to constituents: planned from events, rendered, signed, sent and followed up."""
