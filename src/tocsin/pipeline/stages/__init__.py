"""The pipeline's stages: pure functions over batches, so they can later run as separate workers."""
