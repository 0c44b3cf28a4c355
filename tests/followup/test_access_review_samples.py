"""The log-review samples find what they are for, and only that, in a constant number of queries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models_review import (
    admin_actions,
    council_off_agenda_reads,
    off_hours_reads,
    other_organisation_reads,
    random_reads,
)
from resursrad.models import AccessAction, AccessLog, AdminEvent, AdminEventKind
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    make_council,
    scheduled_referral,
    submitted_referral,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def plant(user, referral=None, *, at=None, action=AccessAction.VIEW):
    """A row as the cases views write it, for ``user`` reading ``referral``."""
    return AccessLog.objects.create(
        at=at or timezone.now(),
        user=user,
        organisation_id=user.organisation_id,
        referral_id=referral.pk if referral else None,
        participant_id=referral.participant_id if referral else None,
        case_number=referral.case_number if referral else "",
        action=action,
    )


def test_a_read_by_a_non_participating_organisation_is_found(case_worker, other_case_worker):
    # The case is Haninge kommun's, asking the municipality only: the employment service takes no part.
    referral = submitted_referral(case_worker)
    own = plant(case_worker, referral)
    planted = plant(other_case_worker, referral)
    found = list(other_organisation_reads())
    assert [entry.pk for entry in found] == [planted.pk]
    assert own.pk not in {entry.pk for entry in found}


def test_a_read_by_a_requested_party_is_not_sampled(case_worker, other_case_worker, coordinator):
    referral = submitted_referral(case_worker, parties=["kommun", "af"])
    plant(other_case_worker, referral)
    # Nor a read by the förbund's own staff, who belong to no organisation.
    plant(coordinator, referral)
    assert list(other_organisation_reads()) == []


def test_a_refused_attempt_is_not_a_read(case_worker, other_case_worker):
    referral = submitted_referral(case_worker)
    plant(other_case_worker, referral, action=AccessAction.REFUSED)
    assert list(other_organisation_reads()) == []


def test_council_members_reads_of_cases_off_their_agenda(case_worker, coordinator, council_member):
    council = make_council(coordinators=[coordinator], members=[(council_member, "region")])
    on_agenda = scheduled_referral(case_worker, coordinator)
    elsewhere = submitted_referral(case_worker)
    plant(council_member, on_agenda)
    planted = plant(council_member, elsewhere)
    # A member of no council is not in this sample.
    plant(case_worker, elsewhere)
    assert council.members.filter(user=council_member).exists()
    assert [entry.pk for entry in council_off_agenda_reads()] == [planted.pk]


def test_reads_outside_office_hours(case_worker):
    referral = submitted_referral(case_worker)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)

    def local(day_offset, hour, minute=0):
        day = monday + timedelta(days=day_offset)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)

    early = plant(case_worker, referral, at=local(0, 6, 59))
    evening = plant(case_worker, referral, at=local(1, 18, 0))
    saturday = plant(case_worker, referral, at=local(5, 10))
    plant(case_worker, referral, at=local(2, 7, 0))
    plant(case_worker, referral, at=local(3, 17, 59))
    assert {entry.pk for entry in off_hours_reads()} == {early.pk, evening.pk, saturday.pk}


def test_random_reads_are_of_the_last_period_and_limited(case_worker):
    referral = submitted_referral(case_worker)
    plant(case_worker, referral, at=timezone.now() - timedelta(days=31))
    recent = [plant(case_worker, referral) for _ in range(5)]
    found = list(random_reads(size=3))
    assert len(found) == 3
    assert {entry.pk for entry in found} <= {entry.pk for entry in recent}


def test_administrator_actions_are_role_changes_and_password_resets(administrator, case_worker):
    changed = AdminEvent.objects.create(
        actor=administrator,
        subject=case_worker,
        kind=AdminEventKind.ROLE_CHANGED,
        roles_after=["is_coordinator"],
    )
    reset = AdminEvent.objects.create(
        actor=administrator, subject=case_worker, kind=AdminEventKind.PASSWORD_RESET
    )
    AdminEvent.objects.create(actor=administrator, subject=administrator, kind=AdminEventKind.ADMIN_LOGIN)
    assert {event.pk for event in admin_actions()} == {changed.pk, reset.pk}


@pytest.mark.parametrize(
    "sample", ["random", "other_organisation", "council_off_agenda", "off_hours", "admin"]
)
def test_each_sample_page_takes_a_constant_number_of_queries(
    client, django_assert_max_num_queries, case_worker, other_case_worker, administrator, sample
):
    reviewer = UserFactory(email="granskare@forbund.test", is_log_reviewer=True)
    referral = submitted_referral(case_worker)
    client.force_login(reviewer)
    url = reverse("followup:log_samples")
    with django_assert_max_num_queries(8) as few:
        client.get(url, {"sample": sample})
    region = OrganisationFactory(name="Region Sörmland", party="region")
    yesterday = timezone.localdate() - timedelta(days=1)
    night = datetime(yesterday.year, yesterday.month, yesterday.day, 3, tzinfo=STOCKHOLM)
    for index in range(15):
        plant(other_case_worker, referral)
        member = UserFactory(email=f"r{index}@region.test", organisation=region, is_council_member=True)
        make_council(members=[(member, "region")])
        plant(member, referral, at=night)
        AdminEvent.objects.create(
            actor=administrator, subject=case_worker, kind=AdminEventKind.PASSWORD_RESET
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"sample": sample})
    assert response.status_code == 200
    assert response.context["rows"]
