"""ASGI entry point for the api role.

HTTP goes to Django's WSGI handler on a fixed thread pool (a2wsgi). Django's own ASGI
handler starts a thread per request for sync views and bounces between the event loop and
threads around sync-only middleware; measured here on POST /dispatch, the WSGI path is
about 2.5x faster (bench/results). The event loop keeps what needs it: the lifespan that
starts the job_updates subscriber, and the /ws/jobs relay.

Django Channels would route WebSockets too, but its channel layer adds a second Redis
fan-out hop that this one-channel, broadcast-only relay does not need.
"""

from __future__ import annotations

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packamal.settings")
django_wsgi = get_wsgi_application()

from django.conf import settings  # noqa: E402  (after Django is set up)

from package_analysis.realtime import RealtimeApp  # noqa: E402

application = RealtimeApp(WSGIMiddleware(django_wsgi, workers=settings.API_THREADS))  # type: ignore[arg-type]
