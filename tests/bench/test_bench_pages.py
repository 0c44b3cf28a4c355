"""The page benchmark: PostgreSQL only, its admin changelist stays its own, pages asked for over HTTP."""

import http.client
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.contrib import admin

from bench import bench_pages
from cases.models import Referral
from tests.factories import make_referral

ROOT = Path(__file__).resolve().parents[2]


def test_the_bench_refuses_a_database_other_than_postgresql(tmp_path):
    result = subprocess.run(
        [sys.executable, "bench/bench_pages.py"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr and "postgres://" in result.stderr


def test_the_bench_registers_referrals_on_its_own_admin_site_only():
    import bench.urls

    assert Referral in bench.urls.case_worker_site._registry
    assert Referral in bench.urls.coordinator_site._registry
    assert Referral not in admin.site._registry


def test_only_the_bench_s_settings_serve_the_bench_s_urls():
    import bench.settings

    assert bench.settings.ROOT_URLCONF == "bench.urls"
    assert settings.ROOT_URLCONF == "resursrad.urls"


def test_the_server_s_changelist_shows_the_rows_of_the_user_named_in_the_environment(
    monkeypatch, rf, case_worker, other_case_worker, administrator
):
    import bench.urls

    own = make_referral(case_worker)
    make_referral(other_case_worker)
    changelist = bench.urls.case_worker_site._registry[Referral]
    monkeypatch.setattr(changelist, "rows_of", None)
    monkeypatch.setenv("BENCH_MIRROR_CASE_WORKER_ID", str(case_worker.pk))
    request = rf.get("/")
    request.user = administrator

    assert list(changelist.get_queryset(request)) == [own]
    assert changelist.rows_of == case_worker


def test_the_bench_s_server_databases_are_named_on_database_url_s_server(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:secret@db.local:5432/resursrad")

    assert (
        bench_pages.database_url("resursrad_bench_1x")
        == "postgres://app:secret@db.local:5432/resursrad_bench_1x"
    )


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, dict[str, str], str]]] = []
    status = 200

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        self.seen.append((self.command, self.path, dict(self.headers), body))
        self.send_response(self.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder():
    _Recorder.seen = []
    _Recorder.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in = SimpleNamespace(
        size=1,
        port=server.server_port,
        connection=http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5),
    )
    yield stand_in
    stand_in.connection.close()
    server.shutdown()
    server.server_close()


def test_a_page_is_asked_for_over_http_as_behind_the_proxy_with_the_role_s_session(recorder):
    page = bench_pages.Page("List", "case_worker", "get", "/arenden/")
    cookies = {"csrftoken": "secret", "sessionid": "abc"}

    elapsed = bench_pages.request(recorder, page, cookies, "token")

    method, path, headers, body = _Recorder.seen[0]
    assert (method, path, body) == ("GET", "/arenden/", "")
    assert headers["X-Forwarded-Proto"] == "https"
    assert headers["Cookie"] == "csrftoken=secret; sessionid=abc"
    assert elapsed > 0


def test_a_form_is_posted_with_its_csrf_token_and_origin(recorder):
    page = bench_pages.Page("Search", "case_worker", "post", "/arenden/", {"q": "Anna Berg"})

    bench_pages.request(recorder, page, {"csrftoken": "secret", "sessionid": "abc"}, "token")

    method, _, headers, body = _Recorder.seen[0]
    assert method == "POST"
    assert parse_qs(body) == {"q": ["Anna Berg"], "csrfmiddlewaretoken": ["token"]}
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Origin"] == f"https://127.0.0.1:{recorder.port}"


def test_an_answer_other_than_200_stops_the_bench(recorder):
    _Recorder.status = 302
    page = bench_pages.Page("List", "case_worker", "get", "/arenden/")

    with pytest.raises(SystemExit, match="answered 302"):
        bench_pages.request(recorder, page, {}, "")


def _sample_pages():
    page = bench_pages.Page
    return [
        page("/healthz", "anonymous", "get", "/healthz", ours=False),
        page("Case worker: list", "case_worker", "get", "/cases/"),
        page("Coordinator: list", "coordinator", "get", "/cases/"),
        page("Access log", "administrator", "get", "/system/access-log/"),
        page(bench_pages.ADMIN_CASE_WORKER, "administrator", "get", "/a/", ours=False),
        page(bench_pages.ADMIN_COORDINATOR, "administrator", "get", "/b/", ours=False),
    ]


def test_pages_measures_the_named_pages_with_healthz_and_their_admin_changelist(monkeypatch):
    monkeypatch.setattr(bench_pages, "PAGES", ["Case worker: list"])
    chosen = [page.label for page in bench_pages.chosen_pages(_sample_pages())]
    assert chosen == ["/healthz", "Case worker: list", bench_pages.ADMIN_CASE_WORKER]
    monkeypatch.setattr(bench_pages, "PAGES", [])
    assert len(bench_pages.chosen_pages(_sample_pages())) == 6


def test_pages_refuses_a_page_it_does_not_know(monkeypatch):
    monkeypatch.setattr(bench_pages, "PAGES", ["Case worker: lsit"])
    with pytest.raises(SystemExit, match="Case worker: lsit"):
        bench_pages.chosen_pages(_sample_pages())


def test_the_report_leaves_out_the_list_target_when_no_list_is_measured(capsys):
    pages = [page for page in _sample_pages() if page.label in {"/healthz", "Access log"}]
    times = {(page.label, size): [0.001, 0.002] for page in pages for size in (1, 100)}
    queries = {(page.label, size): 2 for page in pages for size in (1, 100)}
    assert bench_pages.report(pages, times, queries, seeded_in=1.0) == 0
    assert "admin changelist" not in capsys.readouterr().out


def test_a_page_reported_only_is_printed_but_held_to_no_target(capsys):
    page = bench_pages.Page
    pages = [
        page("/healthz", "anonymous", "get", "/healthz", ours=False),
        page("Access log", "administrator", "get", "/system/access-log/"),
        page("Statistics", "coordinator", "get", "/statistics/", held=False),
    ]
    times = {(page.label, size): [0.001] for page in pages for size in (1, 100)}
    # Statistics: 60x /healthz, four times slower at 100x, nine queries; none of it fails the run.
    times[("Statistics", 1)], times[("Statistics", 100)] = [0.06], [0.24]
    queries = {
        (page.label, size): 9 if page.label == "Statistics" else 2 for page in pages for size in (1, 100)
    }
    assert bench_pages.report(pages, times, queries, seeded_in=1.0) == 0
    out = capsys.readouterr().out
    assert "Statistics" in out and "Reported, not held to the targets below: Statistics" in out
    assert "FAIL" not in out
    # Held, the same page fails.
    pages[2] = page("Statistics", "coordinator", "get", "/statistics/")
    assert bench_pages.report(pages, times, queries, seeded_in=1.0) == 1
