"""Rule files shipped with Tocsin for the desk."""
