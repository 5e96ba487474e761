"""The domain: harmonized event fields, the RSIT taxonomy, TLP 2.0, constituents."""
