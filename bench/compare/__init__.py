"""The same no-op job for Celery, RQ and Dramatiq, so their workers can be measured beside ours."""
