from .tests import support  # noqa: F401
