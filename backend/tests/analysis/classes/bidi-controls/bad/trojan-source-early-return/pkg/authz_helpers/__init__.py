from .check import is_admin
