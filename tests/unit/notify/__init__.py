"""Tests of the notices: their recipients, formats, signing and sending."""
