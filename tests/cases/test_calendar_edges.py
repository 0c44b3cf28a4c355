"""Days that break date code: 29 February, New Year's Eve, the change to summer time."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Referral, Status
from tests.factories import give_consent, make_referral, submitted_referral

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2028, 2, 29, 9, 0, tzinfo=STOCKHOLM),  # leap day
        datetime(2027, 3, 28, 2, 30, tzinfo=STOCKHOLM),  # the hour that does not exist
        datetime(2026, 12, 31, 23, 59, tzinfo=STOCKHOLM),
    ],
)
def test_a_referral_is_submitted_and_decided_on_awkward_days(moment, case_worker, coordinator):
    with time_machine.travel(moment, tick=False):
        referral = submitted_referral(case_worker)
        consent = referral.consents.get()
        assert consent.given_on == timezone.localdate()
        assert consent.in_force(timezone.localdate())
        referral.accept(by=coordinator)
        assert referral.status == Status.ACCEPTED


def test_case_numbers_start_again_in_the_new_year(case_worker):
    with time_machine.travel(datetime(2026, 12, 31, 23, 59, 30, tzinfo=STOCKHOLM), tick=False):
        last = make_referral(case_worker)
    # Just after midnight in Stockholm, while it is still the old year in UTC.
    with time_machine.travel(datetime(2027, 1, 1, 0, 0, 30, tzinfo=STOCKHOLM), tick=False):
        first = make_referral(case_worker)
    assert last.case_number == "RR-2026-0001"
    assert first.case_number == "RR-2027-0001"


def test_consent_given_on_leap_day_for_a_year_is_valid_the_day_before_it_ends(client, case_worker):
    with time_machine.travel(datetime(2028, 2, 29, 9, 0, tzinfo=STOCKHOLM), tick=False):
        referral = make_referral(case_worker)
        client.force_login(case_worker)
        response = client.post(
            reverse("cases:consent_create", args=[referral.pk]),
            {
                "c-TOTAL_FORMS": "1",
                "c-INITIAL_FORMS": "0",
                "c-kommun-include": "on",
                "c-kommun-categories": ["health"],
                "c-kommun-given_on": "2028-02-29",
                "c-kommun-method": "signed",
                "c-kommun-record_reference": "Pappersakt",
                "c-kommun-valid_until": "2029-02-28",
            },
        )
        assert response.status_code == 302
    with time_machine.travel(datetime(2029, 2, 28, 12, 0, tzinfo=STOCKHOLM), tick=False):
        assert Referral.objects.get(pk=referral.pk).uncovered_parties(timezone.localdate()) == []
    with time_machine.travel(datetime(2029, 3, 1, 0, 30, tzinfo=STOCKHOLM), tick=False):
        assert Referral.objects.get(pk=referral.pk).uncovered_parties(timezone.localdate()) == ["kommun"]


def test_an_expired_consent_is_caught_after_midnight_stockholm_time(case_worker):
    from cases.services import end_referrals_with_lapsed_consent

    with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=STOCKHOLM), tick=False):
        referral = make_referral(case_worker)
        give_consent(referral, case_worker, "kommun", valid_until=timezone.localdate() + timedelta(days=9))
        referral.submit(by=case_worker)
    # 00:30 in Stockholm is still the day before in UTC: the consent has ended here.
    with time_machine.travel(datetime(2026, 6, 11, 0, 30, tzinfo=STOCKHOLM), tick=False):
        assert end_referrals_with_lapsed_consent() == 1
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
