"""Lockout per user name and per address, and the client address behind trusted proxies."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import RequestFactory

from resursrad.backends import client_ip
from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"
ROOT = Path(__file__).resolve().parents[2]


def post_login(client, email, password=TEST_PASSWORD, address="192.0.2.1", **extra):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **extra)


def assert_locked_out_in_swedish(response):
    assert response.status_code == 429
    content = response.content.decode()
    assert "För många misslyckade inloggningsförsök" in content
    assert "Du kan försöka igen klockan" in content


def test_user_is_locked_out_after_failures_from_many_addresses(client, case_worker, settings):
    for number in range(1, settings.AXES_FAILURE_LIMIT):
        assert post_login(client, case_worker.email, "fel", address=f"198.51.100.{number}").status_code == 200
    response = post_login(client, case_worker.email, "fel", address="198.51.100.99")
    assert_locked_out_in_swedish(response)
    # The right password from yet another address is refused too.
    assert_locked_out_in_swedish(post_login(client, case_worker.email, address="203.0.113.50"))
    assert "_auth_user_id" not in client.session


def test_changing_the_case_of_the_email_does_not_escape_the_user_lockout(client, case_worker, settings):
    spellings = [case_worker.email.upper(), case_worker.email, case_worker.email.title()]
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, spellings[number % 3], "fel", address=f"198.51.100.{number + 1}")
    assert_locked_out_in_swedish(post_login(client, case_worker.email, address="203.0.113.50"))


def test_address_is_locked_out_after_failures_for_many_user_names(client, case_worker, settings):
    for number in range(1, settings.AXES_FAILURE_LIMIT):
        assert (
            post_login(client, f"gissning{number}@haninge.test", "fel", address="203.0.113.7").status_code
            == 200
        )
    assert_locked_out_in_swedish(post_login(client, "gissning99@haninge.test", "fel", address="203.0.113.7"))
    # A real user from that address is refused; from another address she logs in.
    assert_locked_out_in_swedish(post_login(client, case_worker.email, address="203.0.113.7"))
    assert post_login(client, case_worker.email, address="203.0.113.8").status_code == 302


def test_a_successful_log_in_does_not_clear_the_failures_of_its_address(
    client, case_worker, colleague, settings
):
    for number in range(1, settings.AXES_FAILURE_LIMIT):
        post_login(client, f"gissning{number}@haninge.test", "fel", address="203.0.113.7")
    assert post_login(client, colleague.email, address="203.0.113.7").status_code == 302
    client.logout()
    assert_locked_out_in_swedish(post_login(client, "gissning99@haninge.test", "fel", address="203.0.113.7"))


def test_a_successful_log_in_clears_the_users_own_failures(client, case_worker, settings):
    for number in range(1, settings.AXES_FAILURE_LIMIT):
        post_login(client, case_worker.email, "fel", address=f"198.51.100.{number}")
    assert post_login(client, case_worker.email, address="198.51.100.1").status_code == 302
    client.logout()
    assert post_login(client, case_worker.email, "fel", address="198.51.100.2").status_code == 200


def test_lockout_page_says_when_an_address_lock_ends(client, db, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    # 09:00 UTC is 10:00 in Stockholm in March.
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        for number in range(settings.AXES_FAILURE_LIMIT):
            response = post_login(client, f"gissning{number}@haninge.test", "fel", address="203.0.113.7")
    assert_locked_out_in_swedish(response)
    assert "10:15" in response.content.decode()


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(client, case_worker, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login(
            client,
            f"gissning{number}@haninge.test",
            "fel",
            address="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number + 1}",
        )
    # Every forged address counted against the connection's: it is locked.
    response = post_login(
        client, case_worker.email, address="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.200"
    )
    assert_locked_out_in_swedish(response)


def test_behind_one_trusted_proxy_the_address_it_appended_is_the_client(client, case_worker, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "172.18.0.2"
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login(
            client,
            f"gissning{number}@haninge.test",
            "fel",
            address=proxy,
            # The client forged the left part; the proxy appended the right-most address.
            HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, 203.0.113.7",
        )
    assert_locked_out_in_swedish(
        post_login(client, case_worker.email, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    )
    # Another client through the same proxy is not locked out with it.
    assert (
        post_login(client, case_worker.email, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code
        == 302
    )


@pytest.mark.parametrize(
    "count,forwarded_for,expected",
    [
        (0, "198.51.100.1", "172.18.0.2"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "10.0.0.1, 198.51.100.1", "198.51.100.1"),
        (2, "10.0.0.1, 198.51.100.1, 172.18.0.9", "198.51.100.1"),
        (1, "", "172.18.0.2"),
        (2, "198.51.100.1", "172.18.0.2"),
        (1, "not-an-address", "172.18.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


@pytest.mark.parametrize("value", ["one", "-1"])
def test_malformed_trusted_proxy_count_stops_start_up(value):
    env = {**os.environ, "TRUSTED_PROXY_COUNT": value, "DJANGO_SETTINGS_MODULE": "resursrad.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr.strip().splitlines()[-1]
