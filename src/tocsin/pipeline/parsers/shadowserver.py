"""Placeholder until the shadowserver parsers land."""

from tocsin.pipeline.parsers.base import Parser

PARSERS: list[type[Parser]] = []
