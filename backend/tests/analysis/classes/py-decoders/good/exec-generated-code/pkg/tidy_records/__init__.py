"""Record types.

Usage::

    import tidy_records
    tidy_records.make('Point', 'x y')
"""

_TEMPLATE = """
class {name}(tuple):
    __slots__ = ()
    def __new__(cls, {args}):
        return tuple.__new__(cls, ({args},))
"""


def make(name, fields):
    args = ', '.join(fields.split())
    ns = {}
    exec(_TEMPLATE.format(name=name, args=args), ns)
    return ns[name]


def helper():
    """Return the docstring of this module."""
    return __doc__


Point = make('Point', 'x y')
exec(compile('VERSION = "1.0"', '<version>', 'exec'))
