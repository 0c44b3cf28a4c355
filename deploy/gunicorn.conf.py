"""Gunicorn settings for the web container (`gunicorn -c deploy/gunicorn.conf.py`)."""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers behind a buffering proxy; GUNICORN_WORKERS overrides the usual 2 x cores + 1.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# Longer than the database's statement timeout (15 s by default), so a slow
# query ends as an error page, not as a killed worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, against slow leaks.
max_requests = 2000
max_requests_jitter = 200
# Only the proxy talks to gunicorn; it sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = "-"
# The application's own request id is in its log lines; here the proxy's view.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'

# A personal calendar feed's address is its secret (meetings:feed): keep it out of the log.
SECRET_PATHS = re.compile(r"(/meetings/calendar/)[^/?\s]+(\.ics)")


class RedactingLogger(Logger):
    """Gunicorn's access log, with the secret part of feed addresses replaced."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = SECRET_PATHS.sub(r"\1[redacted]\2", atoms[key])
        return atoms


logger_class = RedactingLogger


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Once the worker has loaded Django: its modules, URLs and templates live as long as the worker.

    Frozen, the collector no longer walks them on every full collection, which
    otherwise stops a request now and then for tens of milliseconds.
    """
    import gc

    gc.collect()
    gc.freeze()
