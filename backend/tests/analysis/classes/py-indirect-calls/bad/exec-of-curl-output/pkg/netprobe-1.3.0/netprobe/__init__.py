"""Network probes."""
