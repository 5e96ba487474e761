"""The pipeline: parse → normalise → dedupe → enrich → classify → store, over batches."""
