"""The administrators' overview: counts by kind and status, a filtered list, and retry for failed rows."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from resursrad.notifications import services, tasks
from resursrad.notifications.models import NOTE_NO_ADDRESS, Delivery, Notification
from resursrad.notifications.services import notify
from tests.factories import OrganisationFactory, UserFactory, submitted_referral
from tests.resursrad.notification_kinds import NOTE, test_kind  # noqa: F401 (the fixture is autouse)

URL = "/system/notifications/"


@pytest.fixture
def published(monkeypatch):
    """What the sweep publishes, kept here instead of reaching a broker."""
    messages = []
    for task in (tasks.send_notifications, tasks.send_digest):
        monkeypatch.setattr(task, "apply_async", lambda args, task=task, **kw: messages.append((task, args)))
    monkeypatch.setattr(tasks.sweep_due_notifications, "apply_async", lambda **kw: None)
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    return messages


def _sweep_and_send(published, django_capture_on_commit_callbacks):
    """One sweep as the worker runs it, then every message it published, once."""
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep()
    return sum(task.run(*args) for task, args in published)


@pytest.fixture
def asked(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Finns läkarintyg?")
    return referral


def _fail(row, note="SMTP 550 mailbox unavailable", attempts=8):
    Notification.objects.filter(pk=row.pk).update(status=Delivery.FAILED, attempts=attempts, note=note)


# --- what it shows ---------------------------------------------------------------------


def test_the_overview_counts_by_kind_and_status_and_lists_rows_without_names(
    client, administrator, case_worker, coordinator, asked
):
    referral = asked
    referral.resubmit(by=case_worker, answer="Ja.")
    question = Notification.objects.get(kind="cases.info_requested")
    Notification.objects.filter(pk=question.pk).update(
        status=Delivery.SENT, sent_at=timezone.now(), attempts=1
    )
    _fail(Notification.objects.get(kind="cases.answered"))
    client.force_login(administrator)
    response = client.get(URL)
    assert response.status_code == 200
    counts = {
        row["kind"]: {status: count for status, _, count in row["counts"]}
        for row in response.context["counts"]
    }
    assert counts["cases.info_requested"]["sent"] == 1
    assert counts["cases.answered"]["failed"] == 1
    content = response.content.decode()
    assert "Samordnaren ställer en fråga" in content
    assert referral.case_number in content
    # (The full name and the number: a staff member may share a surname with the individual.)
    full_name = f"{referral.participant.first_name} {referral.participant.last_name}"
    assert full_name not in content and referral.participant.personal_number not in content
    # Staff are named: the recipient, with their address.
    assert case_worker.get_full_name() in content and case_worker.email in content
    assert "SMTP 550 mailbox unavailable" in content
    assert "Skicka igen" in content
    assert "Misslyckades" in content and "Skickad" in content


def test_a_recipient_without_an_address_is_noted_in_the_counts_and_on_the_row(client, administrator, org_a):
    nobody = UserFactory(email="")
    notify([nobody], NOTE, org_a)
    row = Notification.objects.get()
    assert row.note == NOTE_NO_ADDRESS
    client.force_login(administrator)
    response = client.get(URL)
    counts = {status: count for status, _, count in response.context["counts"][0]["counts"]}
    assert counts["no_address"] == 1 and counts["not_emailed"] == 0
    content = response.content.decode()
    assert "Inte skickad: mottagaren saknar e-postadress" in content
    assert "ingen e-postadress" in content
    assert "Mottagaren saknar e-postadress" in content  # the column and the filter


def test_the_list_is_filtered_by_kind_status_and_dates(client, administrator, case_worker, asked):
    organisations = OrganisationFactory.create_batch(3)
    now = timezone.now()
    for days, organisation in enumerate(organisations):
        notify([case_worker], NOTE, organisation, due_at=now - timedelta(days=10 * days))
    _fail(Notification.objects.get(kind=NOTE.name, object_id=organisations[1].pk))
    client.force_login(administrator)

    def shown(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        assert not response.context["form"].errors
        return {(row.kind, row.reference) for row in response.context["rows"]}

    assert len(shown()) == 5  # with the question, and the coordinator's news of the referral
    assert shown(kind="cases.info_requested") == {("cases.info_requested", asked.case_number)}
    assert shown(status="failed") == {(NOTE.name, f"RR-2026-{organisations[1].pk:04d}")}
    local_today = timezone.localdate(now)
    eleven_days_ago = (local_today - timedelta(days=11)).isoformat()
    nine_days_ago = (local_today - timedelta(days=9)).isoformat()
    assert shown(due_from=eleven_days_ago, due_to=nine_days_ago) == {
        (NOTE.name, f"RR-2026-{organisations[1].pk:04d}")
    }
    assert len(shown(due_from=nine_days_ago)) == 3
    # The counts follow the period.
    response = client.get(URL, {"due_to": eleven_days_ago})
    assert [row["kind"] for row in response.context["counts"]] == [NOTE.name]


@pytest.mark.parametrize(
    "params,field,message",
    [
        ({"kind": "cases.nothing"}, "kind", "Välj ett av alternativen i listan."),
        ({"status": "lost"}, "status", "Välj ett av alternativen i listan."),
        ({"due_from": "2026-02-31"}, "due_from", "Ange ett riktigt datum"),
        ({"due_from": "2026-03-10", "due_to": "2026-03-01"}, "due_to", "Periodens slut får inte ligga före"),
        ({"after": "yesterday"}, "after", "Sidans adress är inte giltig"),
        ({"after": "9" * 18 + "-1"}, "after", "Sidans adress är inte giltig"),
        ({"after": "1-" + "9" * 19}, "after", "Sidans adress är inte giltig"),
    ],
)
def test_bad_filters_are_explained_and_never_a_500(client, administrator, asked, params, field, message):
    client.force_login(administrator)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode()
    # The rest of the page still works: the list is shown without the bad filter.
    assert len(response.context["rows"]) == Notification.objects.count() == 2


def test_the_list_pages_by_keyset_with_a_constant_number_of_queries(
    client, administrator, django_assert_max_num_queries
):
    people = UserFactory.create_batch(6)
    organisations = OrganisationFactory.create_batch(20)
    now = timezone.now()
    for index, organisation in enumerate(organisations):
        # Some share a due time, so the id decides their order.
        notify(people, NOTE, organisation, due_at=now - timedelta(minutes=index // 2))
    Notification.objects.filter(recipient=people[0]).update(status=Delivery.FAILED, note="SMTP 451")
    client.force_login(administrator)
    client.get(URL)  # renews the session
    seen = []
    url = URL
    pages = 0
    while url:
        with django_assert_max_num_queries(8):
            response = client.get(url if url.startswith("/") else URL + url)
        seen += [row.pk for row in response.context["rows"]]
        url = response.context["next_url"]
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 120
    expected = list(Notification.objects.order_by("-due_at", "-pk").values_list("pk", flat=True))
    assert seen == expected
    # A later page links back to the latest.
    assert response.context["first_url"] == "?"


def test_the_next_page_keeps_the_filters(client, administrator, case_worker):
    for organisation in OrganisationFactory.create_batch(55):
        notify([case_worker], NOTE, organisation)
    Notification.objects.update(status=Delivery.FAILED)
    client.force_login(administrator)
    response = client.get(URL, {"status": "failed", "kind": NOTE.name})
    assert len(response.context["rows"]) == 50
    next_url = response.context["next_url"]
    assert "status=failed" in next_url and "kind=test.note" in next_url
    assert len(client.get(URL + next_url).context["rows"]) == 5


# --- retry ---------------------------------------------------------------------------------


def test_retry_makes_a_failed_row_due_and_the_sweep_sends_it_exactly_once(
    client, administrator, case_worker, asked, published, django_capture_on_commit_callbacks
):
    row = Notification.objects.get(recipient=case_worker)
    _fail(row)
    # The coordinator's news of the referral went long ago.
    Notification.objects.exclude(pk=row.pk).update(status=Delivery.SENT, sent_at=timezone.now())
    client.force_login(administrator)
    back = URL + "?status=failed"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:retry", args=[row.pk]), {"next": back}, follow=True)
    assert response.redirect_chain == [(back, 302)]
    assert f"Notisen om {asked.case_number} skickas igen inom en minut." in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.note) == (Delivery.PENDING, 0, "")
    assert row.send_after <= timezone.now()
    mail.outbox.clear()
    assert _sweep_and_send(published, django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [case_worker.email]
    assert asked.case_number in mail.outbox[0].subject
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.SENT, 1)
    # Nothing more: another sweep, and the same messages delivered again, send nothing.
    messages = list(published)
    assert _sweep_and_send(published, django_capture_on_commit_callbacks) == 0
    assert sum(task.run(*args) for task, args in messages) == 0
    assert len(mail.outbox) == 1


def test_retry_of_a_row_that_had_not_failed_changes_nothing(client, administrator, case_worker, asked):
    row = Notification.objects.get(recipient=case_worker)
    Notification.objects.filter(pk=row.pk).update(status=Delivery.SENT, sent_at=timezone.now(), attempts=1)
    client.force_login(administrator)
    response = client.post(reverse("notifications:retry", args=[row.pk]), follow=True)
    assert "Den notisen hade inte misslyckats, så inget ändrades." in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.SENT, 1)


@pytest.mark.parametrize("back", ["https://example.com/", "//example.com/", "/cases/", ""])
def test_retry_goes_back_only_to_the_overview(client, administrator, case_worker, asked, back):
    row = Notification.objects.get(recipient=case_worker)
    _fail(row)
    client.force_login(administrator)
    response = client.post(reverse("notifications:retry", args=[row.pk]), {"next": back})
    assert response.url == URL


def test_only_failed_rows_have_a_retry_button(client, administrator, case_worker, asked, org_a):
    notify([case_worker], NOTE, org_a)
    _fail(Notification.objects.get(kind=NOTE.name))
    client.force_login(administrator)
    content = client.get(URL).content.decode()
    assert content.count('action="/system/notifications/') == 1


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["case_worker", "other_case_worker", "coordinator", "council_member", "steering_member"]
)
def test_only_administrators_reach_the_overview(client, cast, case_worker, asked, role):
    row = Notification.objects.get(recipient=case_worker)
    _fail(row)
    client.force_login(cast[role])
    assert client.get(URL).status_code == 403
    assert client.post(reverse("notifications:retry", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.status == Delivery.FAILED


@pytest.mark.parametrize("pk", [0, 999999, 2**63])
def test_retry_of_a_row_that_does_not_exist_is_a_404(client, administrator, pk):
    client.force_login(administrator)
    assert client.post(f"/system/notifications/{pk}/retry/").status_code == 404


def test_anonymous_is_sent_to_login(client, case_worker, asked):
    row = Notification.objects.get(recipient=case_worker)
    _fail(row)
    for response in (client.get(URL), client.post(reverse("notifications:retry", args=[row.pk]))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    row.refresh_from_db()
    assert row.status == Delivery.FAILED


def test_wrong_methods_are_405(client, administrator, case_worker, asked):
    row = Notification.objects.get(recipient=case_worker)
    _fail(row)
    client.force_login(administrator)
    assert client.post(URL).status_code == 405
    assert client.get(reverse("notifications:retry", args=[row.pk])).status_code == 405
    row.refresh_from_db()
    assert row.status == Delivery.FAILED


def test_retry_needs_the_csrf_token(administrator, case_worker, asked):
    from django.test import Client

    row = Notification.objects.get(recipient=case_worker)
    _fail(row)
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.post(reverse("notifications:retry", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.status == Delivery.FAILED


def test_the_overview_is_in_the_administrators_navigation_and_start_page(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("start_admin"))
    assert "Notisöversikt" in [str(item["label"]) for item in response.context["nav_items"]]
    assert f'href="{URL}"' in response.content.decode()


def test_a_full_last_page_has_no_link_to_an_empty_one(client, administrator, case_worker):
    for organisation in OrganisationFactory.create_batch(50):
        notify([case_worker], NOTE, organisation)
    client.force_login(administrator)
    response = client.get(URL)
    assert len(response.context["rows"]) == 50
    assert response.context["next_url"] is None and response.context["first_url"] is None
