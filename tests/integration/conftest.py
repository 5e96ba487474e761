"""Fixtures shared across the integration tests: the reports of the portal, with distinctive
identities, are also what the sharing tests search every output for."""

from tests.integration.test_reports import portal, sent

__all__ = ["portal", "sent"]
