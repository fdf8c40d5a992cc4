"""`manage.py worker`: run the Pack-A-Mal worker (package_analysis/worker.py)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand

from ...worker import Worker, arguments


class Command(BaseCommand):
    help = "Take job messages from Redis, run them, record the outcome (until SIGTERM)."
    requires_system_checks: list[str] = []  # a worker starts as fast as the seed's did

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        worker = Worker(name=options["name"], burst=options["burst"], max_jobs=options["max_jobs"])
        raise SystemExit(worker.work())
