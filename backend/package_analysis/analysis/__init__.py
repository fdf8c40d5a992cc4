"""Static analysis of one package version: fetch → unpack → rules → report.

Nothing here imports Django, Redis or PostgreSQL: the worker's `analyze` task and the
`scan` role both drive `pipeline.analyze`. Nothing from a package is ever installed,
imported, built or executed.
"""
