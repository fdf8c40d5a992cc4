"""RPC runtime."""
