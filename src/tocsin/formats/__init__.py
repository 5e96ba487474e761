"""Pure mappings between Tocsin's records and the formats it speaks: STIX, MISP, CSAF, notices."""
