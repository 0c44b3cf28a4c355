"""The Celery app: configured from Django settings (namespace CELERY)."""

import os
from typing import Any

from celery import Celery
from kombu.transport import filesystem

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resursrad.settings")

app = Celery("resursrad")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class FileSystemTransport(filesystem.Transport):
    """The development broker (``filesystem://``), quick to stop.

    Celery drives a transport without an event loop, like this one, with a
    loop that waits up to two seconds for messages, and once more after a
    shutdown request: Ctrl+C in `make run` took four to five seconds and raced
    honcho's kill after five. Waiting half a second at a time, the worker
    stops in about two.
    """

    drain_timeout = 0.5

    def drain_events(self, connection: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        timeout = min(timeout or self.drain_timeout, self.drain_timeout)
        return super().drain_events(connection, timeout=timeout, **kwargs)
