"""The privacy notice: what is stored, why, for how long (as configured), who sees it, and how to ask."""

from django.urls import reverse


def notice(client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("privacy_notice"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_notice_names_the_controller_from_the_settings(client, db, settings):
    settings.CONTROLLER_NAME = "Nynäshamns kommun"
    settings.FEDERATION_NAME = "Samordningsförbundet Nynäs"
    page = notice(client)
    assert "Personuppgiftsansvarig för personuppgifterna i Resursråd är Nynäshamns kommun." in page
    assert "Resursråd används av Samordningsförbundet Nynäs" in page
    assert "Du kan klaga hos Nynäshamns kommun" in page


def test_the_erasure_periods_follow_the_settings(client, db, settings):
    before = notice(client)
    assert f"{settings.ERASURE_AFTER_CLOSED_DAYS} dagar efter att en ansökan" in before
    settings.ERASURE_AFTER_CLOSED_DAYS = 999
    settings.ERASURE_AFTER_CONSENT_ENDED_DAYS = 12
    after = notice(client)
    assert after != before
    assert "999 dagar efter att en ansökan" in after
    assert "12 dagar efter att samtycket" in after


def test_the_notice_says_what_why_who_and_how_to_ask(client, db):
    page = notice(client)
    for heading in ["Vad som sparas", "Varför", "Hur länge", "Vem som kan se vad", "Din rätt att få veta"]:
        assert f">{heading}</h2>" in page, heading
    assert "registerutdrag" in page
    assert "åtkomsthistorik" in page
    assert "Styrgruppen ser bara siffror" in page


def test_the_notice_is_open_to_everyone_and_read_only(client, db, case_worker):
    assert client.post(reverse("privacy_notice")).status_code == 405
    client.force_login(case_worker)
    assert "Vem som kan se vad" in notice(client)


def test_the_notice_says_the_meeting_records_texts_go_and_their_facts_stay(client, db):
    # The promise is kept by meetings.erasure (tests/meetings/test_erasure.py).
    page = notice(client)
    assert "fritexter gallras" in page
    assert (
        "om deltagaren kom till mötena, om planens steg blev gjorda och varje parts svar, utan några texter"
        in page
    )
