"""Tocsin: the 24/7 desk of a national CSIRT."""

__version__ = "0.1.0"
