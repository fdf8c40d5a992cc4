"""Build commands for projects that compile C and Fortran extensions."""
