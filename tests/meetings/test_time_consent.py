"""Consent withdrawn: the party leaves the coming slots, or the case leaves every coming agenda."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases.models import Status
from meetings import notifications
from meetings.models import AgendaItem, ItemStatus, Representative
from resursrad.notifications.kinds import Kind
from resursrad.notifications.models import Delivery, Notification
from resursrad.notifications.services import notify
from tests.factories import UserFactory, accepted_referral, make_council, make_meeting


@pytest.fixture
def members(db):  # type: ignore[no-untyped-def]
    return {party: UserFactory(is_council_member=True) for party in ["kommun", "region", "af", "fk"]}


@pytest.fixture
def council(coordinator, members):  # type: ignore[no-untyped-def]
    return make_council(
        coordinators=[coordinator], members=[(user, party) for party, user in members.items()]
    )


def _placed(case_worker, coordinator, council, parties, days_ahead=7):  # type: ignore[no-untyped-def]
    referral = accepted_referral(case_worker, coordinator, parties=parties)
    item = make_meeting(council, days_ahead=days_ahead).place_case(referral, by=coordinator)
    return referral, item


def _invited(item):  # type: ignore[no-untyped-def]
    return set(Representative.objects.filter(item=item).values_list("member__party", flat=True))


def test_a_party_whose_consent_is_withdrawn_leaves_the_coming_slot(case_worker, coordinator, council):
    referral, item = _placed(case_worker, coordinator, council, ["kommun", "af", "fk"])
    assert _invited(item) == {"kommun", "af", "fk"}
    referral.consents.get(party="af").withdraw(by=case_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.SCHEDULED
    assert _invited(item) == {"kommun", "fk"}
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.PLANNED


def test_the_leaving_partys_representative_no_longer_sees_the_slot(
    case_worker, coordinator, council, members
):
    referral, item = _placed(case_worker, coordinator, council, ["kommun", "af", "fk"])
    assert AgendaItem.objects.visible_to(members["af"]).filter(pk=item.pk).exists()
    referral.consents.get(party="af").withdraw(by=case_worker, on=timezone.localdate())
    assert not AgendaItem.objects.visible_to(members["af"]).filter(pk=item.pk).exists()
    assert AgendaItem.objects.visible_to(members["fk"]).filter(pk=item.pk).exists()


def test_what_waits_for_the_leaving_representative_about_the_slot_is_cancelled(
    case_worker, coordinator, council, members
):
    referral, item = _placed(case_worker, coordinator, council, ["kommun", "af", "fk"])
    later = timezone.now() + timedelta(days=3)
    notify([members["af"], members["fk"]], notifications.RECORD_NOT_FINALISED, item, due_at=later)
    referral.consents.get(party="af").withdraw(by=case_worker, on=timezone.localdate())
    statuses = dict(
        Notification.objects.filter(kind__startswith="meetings.").values_list("recipient", "status")
    )
    assert statuses[members["af"].pk] == Delivery.CANCELLED
    assert statuses[members["fk"].pk] != Delivery.CANCELLED


def test_consent_that_ends_the_case_takes_it_off_every_coming_agenda(case_worker, coordinator, council):
    referral, item = _placed(case_worker, coordinator, council, ["kommun", "af"])
    referral.consents.get(party="kommun").withdraw(by=case_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.REMOVED
    assert not Representative.objects.filter(item=item).exists()
    assert not AgendaItem.objects.filter(referral=referral).planned().exists()


def test_the_coordinator_is_told_when_consent_ends_the_case(case_worker, coordinator, council):
    referral, _item = _placed(case_worker, coordinator, council, ["kommun", "af"])
    referral.consents.get(party="kommun").withdraw(by=case_worker, on=timezone.localdate())
    row = Notification.objects.get(kind="cases.consent_ended", recipient=coordinator)
    assert row.reference == referral.case_number
    with override("sv"):
        assert referral.participant.last_name not in row.subject + row.text


def test_consent_that_ends_the_case_cancels_what_waits_about_its_slots(
    case_worker, coordinator, council, members
):
    referral, item = _placed(case_worker, coordinator, council, ["kommun", "af"])
    # Another part of the meetings tells about the slot (an invitation, say).
    invitation = Kind(
        name="meetings.test_invitation",
        label="Invitation",
        subject="%(case_number)s",
        text="%(case_number)s",
        context=lambda item: {"case_number": item.referral.case_number},
        url=lambda item: "/",
        reference=lambda item: item.referral.case_number,
    )
    from resursrad.notifications.kinds import registry

    with registry.declared(invitation):
        notify([case_worker, members["af"]], invitation, item, due_at=timezone.now() + timedelta(days=2))
        notifications.notify_record_not_finalised(item)
        referral.consents.get(party="kommun").withdraw(by=case_worker, on=timezone.localdate())
        about_slot = Notification.objects.about(item)
        # The invitation sent on placing, the other kind's two, and the reminder.
        assert about_slot.count() == 4
        assert set(about_slot.values_list("status", flat=True)) == {Delivery.CANCELLED}


def test_withdrawing_every_consent_at_once_frees_the_slot_too(case_worker, coordinator, council):
    referral, item = _placed(case_worker, coordinator, council, ["kommun", "af"])
    referral.withdraw_all_consents(by=case_worker, on=timezone.localdate())
    assert referral.status == Status.CONSENT_ENDED
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.REMOVED


def test_a_lapsed_consent_found_by_the_hourly_task_frees_the_slot(case_worker, coordinator, council):
    from cases.services import end_referrals_with_lapsed_consent

    referral, item = _placed(case_worker, coordinator, council, ["kommun", "af"])
    referral.consents.filter(party="kommun").update(valid_until=timezone.localdate() + timedelta(days=1))
    assert end_referrals_with_lapsed_consent(timezone.localdate() + timedelta(days=2)) == 1
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.REMOVED
    assert Notification.objects.filter(kind="cases.consent_ended", recipient=coordinator).exists()
