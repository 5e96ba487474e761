"""Placeholder until the spamhaus parsers land."""

from tocsin.pipeline.parsers.base import Parser

PARSERS: list[type[Parser]] = []
