"""Erasure (gallring): what is erased, what stays, and that a second run erases nothing."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from cases.models import ErasureRun, Referral, Status
from cases.services import erase_due_personal_data
from cases.tasks import erase_due_personal_data as erase_task
from resursrad.models import AccessLog
from tests.factories import make_participant, make_referral, submitted_referral

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DAY = datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM)


def _read(client, user, referral):
    client.force_login(user)
    assert client.get(reverse("cases:detail", args=[referral.pk])).status_code == 200


@pytest.fixture
def frozen():
    with time_machine.travel(DAY, tick=False) as traveller:
        yield traveller


def test_consent_ended_case_is_erased_after_its_period_and_keeps_its_statistics(
    client, frozen, case_worker, coordinator, administrator, settings
):
    referral = submitted_referral(case_worker, tried_so_far="Arbetsträning 2025.")
    referral.request_info(by=coordinator, question="Hur mår hon nu?")
    _read(client, coordinator, referral)
    referral.consents.get().withdraw(by=case_worker, on=DAY.date())
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
    assert referral.erasure_due_on == date(2026, 4, 1)  # 30 days

    # Not due yet: nothing happens, but the run is recorded.
    assert erase_due_personal_data() == {}
    frozen.move_to(datetime(2026, 4, 1, 3, 0, tzinfo=STOCKHOLM))
    assert erase_due_personal_data() == {"consent_ended": 1}

    referral = Referral.objects.select_related("participant").get(pk=referral.pk)
    person = referral.participant
    assert (person.first_name, person.last_name, person.personal_number, person.number_hash) == (
        "",
        "",
        "",
        "",
    )
    assert person.is_erased and person.phone == person.email == person.address == ""
    assert referral.current_situation == referral.question_to_council == referral.tried_so_far == ""
    assert not referral.events.exclude(comment="").exists()
    # What statistics need stays.
    assert referral.case_number.startswith("RR-2026-")
    assert (person.sex, person.birth_year) == ("kvinna", 1985)
    assert referral.requested_parties == ["kommun"] and referral.tg_long_term_sick
    assert referral.status == Status.CONSENT_ENDED and referral.submitted_at is not None
    assert referral.events.filter(kind="erased").count() == 1

    # The access history is still found from the personal identity number.
    client.force_login(administrator)
    response = client.post(reverse("cases:access_history"), {"personal_number": "850312-2387"})
    assert coordinator in {entry.user for entry in response.context["entries"]}

    # A second run erases nothing and changes nothing.
    before = list(Referral.objects.values_list("pk", "updated_at", "version"))
    assert erase_due_personal_data() == {}
    assert list(Referral.objects.values_list("pk", "updated_at", "version")) == before
    assert referral.events.filter(kind="erased").count() == 1
    assert list(ErasureRun.objects.order_by("at").values_list("total", flat=True)) == [0, 1, 0]


def test_declined_and_closed_cases_are_erased_after_the_closed_period(
    frozen, case_worker, coordinator, settings
):
    settings.ERASURE_AFTER_CLOSED_DAYS = 365
    declined = submitted_referral(case_worker)
    declined.decline(by=coordinator, reason="Hör hemma i ordinarie samverkan.")
    closed = make_referral(case_worker, participant=make_participant(personal_number=""))
    closed.close(by=case_worker, reason="Dubblett.")
    still_open = submitted_referral(case_worker)
    assert declined.erasure_due_on == closed.erasure_due_on == date(2027, 3, 2)

    frozen.move_to(datetime(2027, 3, 1, 12, 0, tzinfo=STOCKHOLM))
    assert erase_due_personal_data() == {}
    frozen.move_to(datetime(2027, 3, 2, 2, 30, tzinfo=STOCKHOLM))
    assert erase_due_personal_data(dry_run=True) == {"declined": 1, "closed": 1}
    assert not Referral.objects.filter(participant__erased_at__isnull=False).exists()
    assert erase_task.apply().get() == {"declined": 1, "closed": 1}
    assert set(
        Referral.objects.filter(participant__erased_at__isnull=False).values_list("pk", flat=True)
    ) == {
        declined.pk,
        closed.pk,
    }
    still_open.refresh_from_db()
    assert still_open.participant.first_name == "Anna"
    run = ErasureRun.objects.latest("at")
    assert run.counts == {"declined": 1, "closed": 1} and run.total == 2


def test_closing_a_consent_ended_case_does_not_postpone_its_erasure(frozen, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.consents.get().withdraw(by=case_worker, on=DAY.date())
    referral.refresh_from_db()
    referral.close(by=coordinator, reason="Avslutas.")
    assert referral.erasure_due_on == DAY.date() + timedelta(days=30)


def test_the_command_has_a_dry_run(frozen, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.decline(by=coordinator, reason="Nej.")
    frozen.move_to(DAY + timedelta(days=400))
    out = StringIO()
    call_command("erase_personal_data", "--dry-run", stdout=out)
    assert "1 case(s) due for erasure (declined: 1)" in out.getvalue()
    assert not ErasureRun.objects.exists()
    referral.refresh_from_db()
    assert not referral.is_erased
    call_command("erase_personal_data", stdout=out)
    assert "1 case(s) erased (declined: 1)" in out.getvalue()
    # The run's record says how many, never who.
    run = ErasureRun.objects.get()
    assert referral.case_number not in str(run.counts)


def test_erased_case_page_says_so_and_logs_no_name(client, frozen, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.decline(by=coordinator, reason="Nej.")
    frozen.move_to(DAY + timedelta(days=400))
    erase_due_personal_data()
    client.force_login(case_worker)
    content = client.get(reverse("cases:detail", args=[referral.pk])).content.decode()
    assert "Personuppgifterna är gallrade" in content
    # The participant's name and number are gone (a user may be called Andersson too).
    assert "Anna Andersson" not in content and "19850312" not in content
    listed = client.get(reverse("cases:list")).content.decode()
    assert "Gallrad" in listed and "Anna Andersson" not in listed
    assert AccessLog.objects.filter(referral_id=referral.pk, action="view").exists()


def test_expired_sessions_are_removed(client, case_worker):
    from django.contrib.sessions.models import Session

    from resursrad.tasks import clear_expired_sessions

    client.force_login(case_worker)
    assert clear_expired_sessions.apply().get() == 0
    with time_machine.travel(datetime.now(tz=STOCKHOLM) + timedelta(days=2)):
        assert clear_expired_sessions.apply().get() == 1
    assert not Session.objects.exists()


def test_the_privacy_notice_states_the_configured_erasure_periods(client, db, settings):
    settings.ERASURE_AFTER_CONSENT_ENDED_DAYS = 45
    settings.ERASURE_AFTER_CLOSED_DAYS = 700
    content = client.get(reverse("privacy_notice")).content.decode()
    assert "45 dagar efter att samtycket" in content
    assert "700 dagar efter att en ansökan" in content
