"""The preference page: each user chooses per kind that can reach them; urgent kinds stay e-mail."""

from datetime import time

import pytest
from django.test import override_settings
from django.urls import reverse

from resursrad.notifications.kinds import registry
from resursrad.notifications.models import Channel, Delivery, Notification, NotificationPreference
from tests.factories import UserFactory, submitted_referral

URL = "/notifications/preferences/"

CASE_WORKER_KINDS = {
    "cases.info_requested",
    "cases.accepted",
    "cases.declined",
    "cases.taken_over",
    "cases.consent_expiring",
    "cases.party_removed",
    "cases.consent_ended",
    "meetings.plan_item_due_soon",
    "meetings.plan_item_overdue",
    "meetings.invited",
    "deviations.feedback_given",
    "meetings.time_changed",
    "meetings.meeting_cancelled",
}
COORDINATOR_KINDS = {
    "cases.submitted",
    "cases.answered",
    "cases.long_wait",
    "cases.party_removed",
    "cases.consent_ended",
    "meetings.record_not_finalised",
    "meetings.plan_item_due_soon",
    "meetings.plan_item_overdue",
    "meetings.follow_up_due_soon",
    "deviations.feedback_given",
}


def _field(name):
    return f"kind-{name}"


def _all_email(user):
    """The form as the page sends it unchanged: every choosable kind by e-mail at once."""
    return {
        _field(kind.name): Channel.EMAIL
        for kind, _channel in NotificationPreference.objects.for_user(user)
        if not kind.urgent
    }


def _chosen(user):
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))


def test_the_url_is_the_named_one():
    assert reverse("notifications:preferences") == URL


# --- which kinds ----------------------------------------------------------------------


def test_each_role_is_offered_only_the_kinds_that_can_reach_it(client, case_worker, coordinator):
    client.force_login(case_worker)
    assert set(client.get(URL).context["form"].fields) == CASE_WORKER_KINDS
    client.force_login(coordinator)
    assert set(client.get(URL).context["form"].fields) == COORDINATOR_KINDS


def test_someone_holding_both_roles_is_offered_both(client, case_worker):
    case_worker.is_coordinator = True
    case_worker.save()
    client.force_login(case_worker)
    assert set(client.get(URL).context["form"].fields) == CASE_WORKER_KINDS | COORDINATOR_KINDS


def test_a_role_that_no_kind_reaches_is_told_so(client, administrator):
    client.force_login(administrator)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Ingen sorts notis går till din roll" in response.content.decode()


def test_every_declared_kind_names_who_it_reaches():
    assert all(kind.audience for kind in registry)


# --- the page --------------------------------------------------------------------------


@override_settings(NOTIFICATION_DIGEST_TIME=time(6, 30))
def test_the_page_shows_the_four_channels_and_the_digest_time(client, case_worker):
    client.force_login(case_worker)
    content = client.get(URL).content.decode()
    assert "Samordnaren ställer en fråga" in content
    assert "E-post direkt" in content
    assert "En daglig sammanfattning per e-post kl. 06:30" in content
    assert "En veckosammanfattning per e-post på måndagar kl. 06:30" in content
    assert "Bara här i Resursråd" in content
    assert "en sammanfattning om dagen kl. 06:30" in content


def test_an_urgent_kind_is_shown_as_email_disabled_with_a_reason(client, case_worker):
    client.force_login(case_worker)
    response = client.get(URL)
    html = str(response.context["form"]["cases.party_removed"])
    assert html.count("disabled") == 4
    assert html.count("checked") == 1 and 'value="email"' in html.split("checked")[0].rsplit("<input", 1)[1]
    content = response.content.decode()
    assert "Brådskande notiser" in content
    assert "kommer alltid också med e-post direkt" in content


def test_a_choice_is_saved_and_what_is_waiting_follows_it(client, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Läkarintyg?")
    row = Notification.objects.get(recipient=case_worker)
    assert row.status == Delivery.PENDING
    client.force_login(case_worker)
    data = {**_all_email(case_worker), _field("cases.info_requested"): Channel.IN_APP}
    data[_field("cases.accepted")] = Channel.DIGEST
    response = client.post(URL, data, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Dina val för notiser är sparade." in response.content.decode()
    assert _chosen(case_worker) == {"cases.info_requested": Channel.IN_APP, "cases.accepted": Channel.DIGEST}
    row.refresh_from_db()
    assert row.status == Delivery.NOT_EMAILED
    # The page shows the saved choices.
    form = client.get(URL).context["form"]
    assert form["cases.info_requested"].value() == Channel.IN_APP


def test_saving_the_same_choices_again_changes_nothing(client, case_worker):
    client.force_login(case_worker)
    response = client.post(URL, _all_email(case_worker), follow=True)
    assert "Inget ändrades." in response.content.decode()
    assert _chosen(case_worker) == {}


def test_a_user_without_an_address_is_told_everything_stays_in_the_app(client, db):
    nobody = UserFactory(email="", is_case_worker=False, is_coordinator=True)
    client.force_login(nobody)
    content = client.get(URL).content.decode()
    assert "Du har ingen e-postadress i Resursråd, så alla notiser finns bara här" in content


def test_a_user_with_an_address_is_not_told_so(client, case_worker):
    client.force_login(case_worker)
    assert "Du har ingen e-postadress" not in client.get(URL).content.decode()


# --- bad input ---------------------------------------------------------------------------


def test_an_unknown_channel_is_explained_beside_its_field_and_nothing_is_saved(client, case_worker):
    client.force_login(case_worker)
    data = {**_all_email(case_worker), _field("cases.accepted"): "pigeon"}
    data[_field("cases.declined")] = Channel.IN_APP
    response = client.post(URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    message = "Välj e-post direkt, en daglig eller veckovis sammanfattning, eller bara i Resursråd."
    assert form.errors[_field("cases.accepted").removeprefix("kind-")] == [message]
    content = response.content.decode()
    assert "Några fält behöver rättas" in content
    assert message in content
    assert _chosen(case_worker) == {}


def test_a_missing_choice_is_explained(client, case_worker):
    client.force_login(case_worker)
    data = _all_email(case_worker)
    del data[_field("cases.accepted")]
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "cases.accepted" in response.context["form"].errors


@pytest.mark.parametrize("kind", ["cases.nothing_like_it", "cases.submitted"])
def test_a_kind_that_is_unknown_or_not_for_the_user_is_refused_with_a_message(client, case_worker, kind):
    client.force_login(case_worker)
    response = client.post(URL, {**_all_email(case_worker), _field(kind): Channel.IN_APP})
    assert response.status_code == 200
    assert "Formuläret innehöll en sorts notis som du inte kan välja." in response.content.decode()
    assert _chosen(case_worker) == {}


def test_an_urgent_kind_posted_as_anything_but_email_is_refused_beside_it(client, case_worker):
    client.force_login(case_worker)
    response = client.post(URL, {**_all_email(case_worker), _field("cases.party_removed"): Channel.DIGEST})
    assert response.status_code == 200
    assert response.context["form"].errors["cases.party_removed"] == [
        "Den här notisen är brådskande och kommer alltid med e-post direkt."
    ]
    assert _chosen(case_worker) == {}
    # Sent as e-mail (or not at all, as a browser does for a disabled field) it is fine.
    response = client.post(URL, {**_all_email(case_worker), _field("cases.party_removed"): Channel.EMAIL})
    assert response.status_code == 302


def test_choose_all_refuses_a_kind_that_does_not_reach_the_user(case_worker):
    with pytest.raises(ValueError, match="cases.submitted"):
        NotificationPreference.choose_all(case_worker, {"cases.submitted": Channel.IN_APP})
    assert _chosen(case_worker) == {}


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["case_worker", "coordinator", "council_member", "steering_member", "administrator"]
)
def test_every_role_has_a_preference_page(client, cast, role):
    client.force_login(cast[role])
    assert client.get(URL).status_code == 200


def test_one_users_choices_never_touch_anothers(client, case_worker, colleague):
    client.force_login(case_worker)
    client.post(URL, {**_all_email(case_worker), _field("cases.accepted"): Channel.IN_APP})
    assert _chosen(colleague) == {}
    assert _chosen(case_worker) == {"cases.accepted": Channel.IN_APP}


def test_anonymous_is_sent_to_login(client, db):
    for response in (client.get(URL), client.post(URL, {_field("cases.accepted"): Channel.IN_APP})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not NotificationPreference.objects.exists()


def test_wrong_methods_are_405(client, case_worker):
    client.force_login(case_worker)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_the_post_needs_the_csrf_token(case_worker):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(case_worker)
    assert client.post(URL, {_field("cases.accepted"): Channel.IN_APP}).status_code == 403
    assert _chosen(case_worker) == {}


# --- the e-mail links here ----------------------------------------------------------------------


def test_the_email_links_to_the_preference_page(case_worker, coordinator, settings):
    from resursrad.notifications.services import build_message

    settings.SITE_URL = "https://resursrad.example.se"
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Läkarintyg?")
    message = build_message([Notification.objects.get(recipient=case_worker)])
    assert "Dina val: https://resursrad.example.se/notifications/preferences/" in message.body
