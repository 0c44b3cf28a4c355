"""The deviations' demo data: de-identified deviations in every state over several quarters, loaded once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from deviations import deidentify
from deviations.demo import CONTACT, DEMOS, HANDLER
from deviations.models import Deviation, DeviationEvent, StatementRequest
from deviations.stats import Quarter
from deviations.workflow import Status
from resursrad.models import User


@pytest.fixture
def demo(db, settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_the_demo_has_a_handful_of_deviations_in_every_state(demo):
    deviations = Deviation.objects.all()
    assert 8 <= deviations.count() == len(DEMOS) <= 12
    assert set(deviations.values_list("status", flat=True)) == set(Status.values)
    assert deviations.values("category").distinct().count() >= 6
    assert deviations.filter(is_system_fault=True).count() == 2
    assert Deviation.objects.overdue().exists()


def test_the_demo_spreads_over_several_quarters(demo):
    quarters = {Quarter.of(timezone.localdate(d.reported_at)) for d in Deviation.objects.all()}
    assert len(quarters) >= 4
    for deviation in Deviation.objects.all():
        assert deviation.observed_on <= timezone.localdate(deviation.reported_at)
        for name in ("received_at", "decided_at", "feedback_at", "closed_at"):
            moment = getattr(deviation, name)
            assert moment is None or deviation.reported_at <= moment <= timezone.now()
        assert deviation.answer_due_on == timezone.localdate(deviation.reported_at) + timedelta(days=60)


def test_reported_by_demo_staff_and_handled_by_the_demo_styrgrupp(demo):
    reporters = set(Deviation.objects.values_list("reported_by__email", flat=True))
    assert reporters <= {d.reporter for d in DEMOS}
    assert {"samordnare@demo.resursrad.se", "handlaggare.kommun@demo.resursrad.se"} <= reporters
    handled = Deviation.objects.exclude(status=Status.REPORTED)
    assert set(handled.values_list("handler__email", flat=True)) == {HANDLER}
    assert not Deviation.objects.filter(status=Status.REPORTED, handler__isnull=False).exists()


def test_statements_decisions_and_feedback_are_there(demo):
    contact = User.objects.get(email=CONTACT)
    assert contact.is_deviation_contact and contact.organisation.party == "fk"
    assert StatementRequest.objects.filter(answered_by=contact).exists()
    assert StatementRequest.objects.waiting().exists()
    assert Deviation.objects.exclude(decision="").count() >= 4
    assert Deviation.objects.exclude(feedback="").count() >= 3
    assert DeviationEvent.objects.filter(kind=DeviationEvent.Kind.LINKED).exists()


def test_the_contact_login_is_printed(demo):
    assert CONTACT in demo
    assert "avvikelsekontakt" in demo


def test_every_demo_text_is_de_identified(demo):
    for deviation in Deviation.objects.select_related("reported_by"):
        texts = {"description": deviation.description, "consequence": deviation.consequence}
        assert deidentify.check_texts(deviation.reported_by, texts) == {}


def test_running_the_demo_twice_adds_nothing(demo, settings):
    before = list(Deviation.objects.values_list("number", "status", "version", "reported_at"))
    counts = (DeviationEvent.objects.count(), StatementRequest.objects.count())
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert list(Deviation.objects.values_list("number", "status", "version", "reported_at")) == before
    assert (DeviationEvent.objects.count(), StatementRequest.objects.count()) == counts
    assert "0 rows created" in out.getvalue()


def test_the_styrgrupp_sees_the_demo_on_its_pages(demo, client):
    client.force_login(User.objects.get(email=HANDLER))
    response = client.get(reverse("deviations:trends"))
    assert response.context["trends"].reported >= 6
    assert response.context["trends"].median_days is not None
    assert len(client.get(reverse("deviations:all")).context["rows"]) == len(DEMOS)


def test_due_dates_are_local_days_even_late_in_the_evening(db, settings):
    # 23:30 in Stockholm in winter is 22:30 UTC; moved back into summer time the
    # same moments are past midnight there, a day after their UTC date.
    import time_machine

    settings.DEBUG = True
    with time_machine.travel("2026-11-24T22:30:00+00:00", tick=False):
        call_command("load_demo_data", stdout=StringIO())
    for deviation in Deviation.objects.all():
        assert deviation.answer_due_on == timezone.localdate(deviation.reported_at) + timedelta(days=60)
        if deviation.action_due_on is not None:
            assert deviation.action_due_on == timezone.localdate(deviation.decided_at) + timedelta(days=60)
    for request in StatementRequest.objects.filter(deviation__in=Deviation.objects.all()):
        assert request.due_on in {
            timezone.localdate(request.requested_at) + timedelta(days=21),
            # Those still open were asked for today, with the demo's own deadline.
            timezone.localdate() + timedelta(days=21),
        }
