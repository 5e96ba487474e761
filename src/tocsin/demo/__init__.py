"""Made-up sample data for `tocsin demo`: documentation ranges and invented organisations."""
