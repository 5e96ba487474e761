"""Incident handling: cases, SLA clocks, evidence, the audit log."""
