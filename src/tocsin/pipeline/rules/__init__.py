"""Rule files shipped with Tocsin."""
