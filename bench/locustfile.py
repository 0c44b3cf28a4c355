"""Locust users for `make load`: case workers (handläggare) and coordinators (samordnare).

Each simulated user logs in once, with a real POST of the log-in form and its
CSRF token, as one of the accounts bench/seed_load.py wrote to LOAD_ACCOUNTS,
and then works: reads dominate, as in real use, and now and then a case worker
saves a new draft and a coordinator records a decision through the real forms.

The server runs with production settings, which expect TLS in front (secure
cookies, HTTPS redirect). Like Caddy in docker compose, every request says
`X-Forwarded-Proto: https`, a POST carries the browser's `Origin`, and the
secure cookies go over the plain connection to gunicorn.

Requests are named by URL pattern (/cases/[id]/) so that the statistics group.
Anything but the expected status is an error, and so is a redirect to the
log-in page or the log-in page itself: the session was lost.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import re
import sys
from http.cookiejar import Cookie, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from urllib.request import Request

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fake_people, load_report  # noqa: E402

LOGIN_PATH = "/accounts/login/"
LOGIN_FORM = f'action="{LOGIN_PATH}"'
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
CASE_LOCATION = re.compile(r"^/cases/(\d+)/$")

ACCOUNTS = json.loads(Path(os.environ.get("LOAD_ACCOUNTS", "var/load/accounts.json")).read_text())
# Simulated users take the accounts in turn; more users than accounts share them.
_next_account = {
    "case_workers": itertools.cycle(ACCOUNTS["case_workers"]),
    "coordinators": itertools.cycle(ACCOUNTS["coordinators"]),
}
WAIT_MIN = float(os.environ.get("LOAD_WAIT_MIN", "1"))
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "3"))
rng = random.Random()
# Every request, one by one, for bench/load_report.py's exact percentiles.
RECORDS = Path(os.environ.get("LOAD_RECORDS", "var/load/requests.csv"))
_records: list[tuple[float, str, str, float, str]] = []


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None = None,
    start_time: float | None = None,
    **kwargs: Any,
) -> None:
    error = "" if exception is None else str(exception) or type(exception).__name__
    _records.append((start_time or 0.0, request_type, name, response_time, error))


@events.quitting.add_listener
def _write_records(**kwargs: Any) -> None:
    RECORDS.parent.mkdir(parents=True, exist_ok=True)
    with RECORDS.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(load_report.FIELDS)
        writer.writerows(_records)


class BehindProxyCookiePolicy(DefaultCookiePolicy):
    """Send the secure cookies over the plain connection: the TLS proxy in front is simulated."""

    def return_ok_secure(self, cookie: Cookie, request: Request) -> bool:
        return True


class ResursradUser(FastHttpUser):
    abstract = True
    wait_time = between(WAIT_MIN, WAIT_MAX)
    accounts = ""

    def on_start(self) -> None:
        self.account = next(_next_account[self.accounts])
        self.client.cookiejar.set_policy(BehindProxyCookiePolicy())
        # What the TLS proxy adds; and the Origin a browser sends with a form.
        self.get_headers = {"X-Forwarded-Proto": "https"}
        self.post_headers = {
            **self.get_headers,
            "Origin": f"https://{self._host_port()}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.case_ids: list[str] = []
        self.log_in()

    def _host_port(self) -> str:
        return re.sub(r"^https?://", "", (self.host or "").rstrip("/"))

    def log_in(self) -> None:
        page = self.page(LOGIN_PATH, LOGIN_PATH, login_page=True)
        location = self.post(
            LOGIN_PATH,
            LOGIN_PATH,
            {
                "csrfmiddlewaretoken": _csrf(page),
                "username": self.account["email"],
                "password": ACCOUNTS["password"],
                "next": "",
            },
        )
        if location is None:
            # Without a session every later request would fail the same way: stop this user.
            raise StopUser()

    def page(self, url: str, name: str, *, login_page: bool = False) -> str:
        """GET a page that must answer 200 with content, not the log-in page; '' on failure."""
        with self.client.get(
            url, name=name, headers=self.get_headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "") if response.headers else ""
                lost = " (the session was lost)" if where.startswith(LOGIN_PATH) else ""
                response.failure(f"{response.status_code} {where}{lost}".strip())
                return ""
            body = response.text or ""
            if LOGIN_FORM in body and not login_page:
                response.failure("the log-in page instead (the session was lost)")
                return ""
            response.success()
            return body

    def post(
        self,
        url: str,
        name: str,
        data: dict[str, Any],
        *,
        expect: int = 302,
        location: re.Pattern[str] | None = None,
    ) -> str | None:
        """POST a form; the answer must be `expect` (a redirect, not to the log-in page).

        Returns the redirect's target (or the page for a 200), None on failure.
        """
        with self.client.post(
            url,
            data=urlencode(data, doseq=True),
            name=name,
            headers=self.post_headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            where = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != expect:
                response.failure(f"{response.status_code} instead of {expect} {where}".strip())
                return None
            if expect == 200:
                body = response.text or ""
                if LOGIN_FORM in body:
                    response.failure("the log-in page instead (the session was lost)")
                    return None
                response.success()
                return body
            if where.startswith(LOGIN_PATH):
                response.failure(f"redirected to {where} (the session was lost or the log-in failed)")
                return None
            if location is not None and not location.match(where):
                response.failure(f"redirected to {where!r}, not to {location.pattern}")
                return None
            response.success()
            return where

    def remember_cases(self, text: str) -> None:
        found = CASE_LINK.findall(text)
        if found:
            self.case_ids = found

    def open_case(self, case_id: str) -> str:
        return self.page(f"/cases/{case_id}/", "/cases/[id]/")

    def some_case(self) -> str | None:
        if not self.case_ids:
            self.list_page()
        return rng.choice(self.case_ids) if self.case_ids else None

    def list_page(self) -> str:
        raise NotImplementedError


class CaseWorker(ResursradUser):
    """A handläggare: Mina ärenden, search, a case, its print view, now and then a new draft."""

    weight = 4
    accounts = "case_workers"

    def list_page(self) -> str:
        text = self.page("/cases/", "/cases/")
        self.remember_cases(text)
        return text

    @task(5)
    def my_cases(self) -> None:
        self.list_page()

    @task(1)
    def my_cases_further_back(self) -> None:
        text = self.page(f"/cases/?page={rng.randint(2, 4)}", "/cases/?page=[n]")
        self.remember_cases(text)

    @task(2)
    def search_by_name(self) -> None:
        # The search is a POST from the list page (no name in any URL).
        text = self.list_page()
        if not text:
            return
        data = {"csrfmiddlewaretoken": _csrf(text), "q": rng.choice(ACCOUNTS["search_names"])}
        answer = self.post("/cases/", "/cases/", data, expect=200)
        if answer:
            self.remember_cases(answer)

    @task(8)
    def read_case(self) -> None:
        case_id = self.some_case()
        if case_id:
            self.open_case(case_id)

    @task(1)
    def print_case(self) -> None:
        case_id = self.some_case()
        if case_id:
            self.page(f"/cases/{case_id}/print/", "/cases/[id]/print/")

    @task(1)
    def create_draft(self) -> None:
        form = self.page("/cases/new/", "/cases/new/")
        if not form:
            return
        token = FORM_TOKEN.search(form)
        first_name, last_name = fake_people.name(rng)
        number = fake_people.personal_number(rng)
        own = self.account["party"]
        others = [party for party in ("kommun", "region", "af", "fk") if party != own]
        data = {
            "csrfmiddlewaretoken": _csrf(form),
            "form_token": token.group(1) if token else "",
            "p-first_name": first_name,
            "p-last_name": last_name,
            "p-personal_number": f"{number[:8]}-{number[8:]}",
            "p-sex": "man" if int(number[10]) % 2 else "kvinna",
            "p-phone": "070-123 45 67",
            "p-language": "svenska",
            "r-target_groups": ["long_term_sick"],
            "r-reason": "no_progress",
            "r-current_situation": "Sjukskriven sedan två år. Vill pröva arbetsträning men behöver stöd.",
            "r-question_to_council": "Hur kan parterna stödja en gradvis återgång i arbete?",
            "r-requested_parties": [own, rng.choice(others)],
            "r-participation": "either",
        }
        where = self.post("/cases/new/", "/cases/new/", data, location=CASE_LOCATION)
        if where:
            # The browser follows the redirect to the new draft.
            self.page(where, "/cases/[id]/")


class Coordinator(ResursradUser):
    """A samordnare: the inbox, the list by status, a case, now and then a decision."""

    weight = 1
    accounts = "coordinators"
    STATUSES = ["submitted", "info_requested", "accepted", "declined"]

    def list_page(self) -> str:
        text = self.page("/cases/inbox/", "/cases/inbox/")
        self.remember_cases(text)
        return text

    @task(5)
    def inbox(self) -> None:
        self.list_page()

    @task(3)
    def list_by_status(self) -> None:
        status = rng.choice(self.STATUSES)
        text = self.page(f"/cases/?status={status}", "/cases/?status=[status]")
        self.remember_cases(text)

    @task(6)
    def read_case(self) -> None:
        case_id = self.some_case()
        if case_id:
            self.open_case(case_id)

    @task(1)
    def decide(self) -> None:
        # From the inbox: the oldest-waiting referrals, read, then decided.
        self.list_page()
        case_id = self.some_case()
        if not case_id:
            return
        page = self.open_case(case_id)
        if f'action="/cases/{case_id}/decide/"' not in page:
            return  # no longer waiting (another coordinator decided): nothing to decide here
        decision = rng.choice(["accept", "request_info"])
        data = {
            "csrfmiddlewaretoken": _csrf(page),
            "decision-decision": decision,
            "decision-text": "Finns det en aktuell plan hos Arbetsförmedlingen?"
            if decision == "request_info"
            else "",
        }
        where = self.post(
            f"/cases/{case_id}/decide/",
            "/cases/[id]/decide/",
            data,
            location=re.compile(rf"^/cases/{case_id}/$"),
        )
        if where:
            self.page(where, "/cases/[id]/")


def _csrf(page: str) -> str:
    match = CSRF_TOKEN.search(page)
    return match.group(1) if match else ""
