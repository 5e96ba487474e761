"""Made-up sample data for `tocsin demo`: documentation address ranges and invented organisations."""
