"""A JIT compiler."""
