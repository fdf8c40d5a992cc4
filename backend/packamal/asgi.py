"""ASGI entry point: Django for HTTP, plus the two things Django's handler lacks here —
a lifespan that starts the job_updates subscriber, and the `/ws/jobs` WebSocket relay.

Django Channels would route WebSockets too, but its channel layer adds a second Redis
fan-out hop that this one-channel, broadcast-only relay does not need.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "packamal.settings")
django_app = get_asgi_application()

from package_analysis.realtime import RealtimeApp  # noqa: E402  (needs Django set up)

application = RealtimeApp(django_app)  # type: ignore[arg-type]
