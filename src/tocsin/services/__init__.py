"""The service layer, split by topic: what the CLI and the web app call. No SQL, no HTTP here."""
