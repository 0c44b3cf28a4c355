"""Gunicorn's access log keeps a personal calendar feed's secret address out."""

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def access_line(path: str) -> str:
    settings = runpy.run_path(str(CONF))
    logger = settings["RedactingLogger"](Config())
    response = SimpleNamespace(status="404 Not Found", headers=[], sent=0, response_length=0)
    request = SimpleNamespace(headers=[], method="GET", uri=path, path=path, query="", version=(1, 1))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=3))
    return settings["access_log_format"] % logger.atoms_wrapper_class(atoms)


def test_a_feed_address_is_logged_without_its_token():
    line = access_line("/meetings/calendar/Zm9vYmFyLXNlY3JldC10b2tlbg.ics")
    assert "Zm9vYmFyLXNlY3JldC10b2tlbg" not in line
    assert "/meetings/calendar/[redacted].ics" in line


def test_other_addresses_are_logged_as_they_are():
    assert "/cases/12/" in access_line("/cases/12/")
