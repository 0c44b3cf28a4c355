from django.urls import reverse

from tests.factories import TEST_PASSWORD

LOGIN = "/accounts/login/"


def post_login(client, email, password=TEST_PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def test_login_page_is_swedish(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="sv">' in content
    assert "Logga in" in content
    assert "E-postadress" in content


def test_case_worker_logs_in_and_lands_on_start_page(client, case_worker):
    response = post_login(client, "karin@haninge.test")
    assert response.status_code == 302
    assert response.url == reverse("home")
    response = client.get(response.url)
    assert response.url == reverse("cases:list")


def test_login_ignores_case_of_email(client, case_worker):
    response = post_login(client, "Karin@Haninge.TEST")
    assert response.status_code == 302


def test_wrong_password_gives_swedish_message_and_keeps_email(client, case_worker):
    response = post_login(client, "karin@haninge.test", "fel-losenord")
    assert response.status_code == 200
    content = response.content.decode()
    assert "E-postadressen eller lösenordet är fel" in content
    assert 'value="karin@haninge.test"' in content
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_answer_as_wrong_password(client, case_worker):
    wrong_password = post_login(client, "karin@haninge.test", "fel-losenord")
    unknown = post_login(client, "ingen@haninge.test", "fel-losenord")
    assert unknown.status_code == wrong_password.status_code == 200
    strip = lambda r: r.content.decode().replace("ingen@haninge.test", "X").replace("karin@haninge.test", "X")  # noqa: E731
    assert _errors(strip(unknown)) == _errors(strip(wrong_password))


def _errors(html):
    import re

    return re.findall(r'class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S)


def test_empty_login_form_names_each_field(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    content = response.content.decode()
    assert "Ange din e-postadress." in content
    assert "Ange ditt lösenord." in content


def test_inactive_user_cannot_log_in(client, case_worker):
    case_worker.is_active = False
    case_worker.save()
    response = post_login(client, "karin@haninge.test")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_out_and_say_when_to_try_again(client, case_worker, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "karin@haninge.test", "fel").status_code == 200
    response = post_login(client, "karin@haninge.test", "fel")
    assert response.status_code == 429
    content = response.content.decode()
    assert "För många misslyckade inloggningsförsök" in content
    assert "Du kan försöka igen klockan" in content
    # Even the right password is refused while locked out.
    assert post_login(client, "karin@haninge.test").status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_user_does_not_lock_another(client, case_worker, colleague, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "karin@haninge.test", "fel")
    # That address is locked too now; a colleague at another address is not.
    response = client.post(
        LOGIN, {"username": "kollega@haninge.test", "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )
    assert response.status_code == 302


def test_logout_requires_post(client, case_worker):
    client.force_login(case_worker)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Du är utloggad." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change(client, case_worker):
    client.force_login(case_worker)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "ett-nytt-langt-losenord-7",
            "new_password2": "ett-nytt-langt-losenord-7",
        },
        follow=True,
    )
    assert "Ditt lösenord är ändrat." in response.content.decode()
    case_worker.refresh_from_db()
    assert case_worker.check_password("ett-nytt-langt-losenord-7")


def test_password_change_with_wrong_old_password_is_refused(client, case_worker):
    client.force_login(case_worker)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "fel",
            "new_password1": "ett-nytt-langt-losenord-7",
            "new_password2": "ett-nytt-langt-losenord-7",
        },
    )
    assert response.status_code == 200
    case_worker.refresh_from_db()
    assert case_worker.check_password(TEST_PASSWORD)


def test_password_change_requires_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_passwords_are_hashed_with_argon2_in_the_application():
    # The tests use a fast hasher; the application's own settings are read in a fresh process.
    from tests.resursrad.test_security import PRODUCTION_ENV, _django

    result = _django(
        "import django; django.setup(); from django.conf import settings;"
        "from django.contrib.auth.hashers import make_password;"
        "print(settings.PASSWORD_HASHERS[0]); print(make_password('x').split('$')[0])",
        PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2"]


def test_session_expires_after_idle_time(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert settings.SESSION_RENEW_SECONDS == 60


def test_the_idle_timeout_is_renewed_at_most_once_a_minute(client, case_worker, settings):
    from datetime import timedelta

    import time_machine
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(case_worker)
    key = client.session.session_key
    client.get(reverse("cases:list"))  # the first page renews
    first = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        client.get(reverse("cases:list"))
        assert Session.objects.get(session_key=key).expire_date == first  # no write within the minute
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        client.get(reverse("cases:list"))
        renewed = Session.objects.get(session_key=key).expire_date
    assert renewed >= first + timedelta(minutes=4)
    # Idle past the timeout: logged out.
    with time_machine.travel(timezone.now() + timedelta(minutes=5 + settings.SESSION_IDLE_MINUTES + 2)):
        assert client.get(reverse("cases:list")).url.startswith(reverse("login"))


def test_the_health_check_never_touches_the_session(client, case_worker, django_assert_num_queries):
    client.force_login(case_worker)
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


def test_an_expired_session_is_sent_to_login(client, case_worker):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(case_worker)
    Session.objects.update(expire_date=timezone.now())
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
