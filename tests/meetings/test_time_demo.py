"""The meetings' demo data: a council of all four parties, a series, a coming agenda and a held meeting."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import Status
from meetings.demo import COUNCIL, next_tuesday, term_end
from meetings.models import (
    AgendaItem,
    Council,
    ItemStatus,
    Meeting,
    MeetingStatus,
    PlanItem,
    Record,
    Representative,
)
from resursrad.demo import DEMO_PASSWORD, USERS
from resursrad.models import Party


@pytest.fixture
def demo(db, settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_the_council_has_the_demo_coordinator_and_members_of_all_four_parties(demo):
    council = Council.objects.get(name=COUNCIL)
    assert list(council.coordinators.values_list("email", flat=True)) == ["samordnare@demo.resursrad.se"]
    assert set(council.members.values_list("party", flat=True)) == set(Party.values)
    assert all(member.user.is_council_member for member in council.members.all())


def test_every_council_members_login_is_printed(demo):
    emails = set(Council.objects.get(name=COUNCIL).members.values_list("user__email", flat=True))
    assert emails <= {user.email for user in USERS}
    for email in emails:
        assert email in demo
    assert DEMO_PASSWORD in demo


def test_the_council_meets_every_other_tuesday_for_the_term(demo):
    meetings = list(Meeting.objects.filter(council__name=COUNCIL, series__isnull=False).order_by("date"))
    assert len(meetings) >= 5
    # The follow-up demo's earlier meetings (followup/demo.py) are all past and closed.
    earlier = Meeting.objects.filter(council__name=COUNCIL, series__isnull=True)
    assert not earlier.exclude(status=MeetingStatus.CLOSED).exists()
    assert not earlier.filter(date__gte=timezone.localdate()).exists()
    assert len({meeting.series for meeting in meetings}) == 1
    assert all(meeting.date.weekday() == 1 for meeting in meetings)
    assert all(b.date - a.date == timedelta(weeks=2) for a, b in zip(meetings, meetings[1:], strict=False))


def test_the_coming_agenda_has_two_slots_with_their_parties_invited(demo):
    upcoming = Meeting.objects.filter(council__name=COUNCIL).upcoming(timezone.localdate()).first()
    items = list(upcoming.items.planned().order_by("position"))
    assert [item.position for item in items] == [1, 2]
    assert {item.referral.status for item in items} == {Status.SCHEDULED}
    # Sent: a council member finds it among their agendas.
    assert upcoming.status == MeetingStatus.AGENDA_SENT
    for item in items:
        invited = set(Representative.objects.filter(item=item).values_list("member__party", flat=True))
        assert invited == set(item.referral.requested_parties)
    assert not upcoming.overruns(len(items))


def test_the_meeting_already_held_has_its_finalised_record_plan_and_follow_up(demo):
    held = Meeting.objects.get(council__name=COUNCIL, status=MeetingStatus.HELD)
    assert held.date < timezone.localdate()
    item = AgendaItem.objects.get(meeting=held)
    record = Record.objects.get(item=item)
    assert item.status == ItemStatus.DONE
    assert record.own_account and record.recommendation and record.is_final
    assert PlanItem.objects.filter(record=record, responsible_user__isnull=False).exists()
    referral = item.referral
    assert referral.status == Status.HELD
    assert referral.follow_up_on == record.follow_up_on > timezone.localdate()
    assert set(record.attendance.values_list("party", flat=True)) == set(referral.requested_parties)


def test_a_backlog_case_is_left_for_the_coordinator_to_place(demo):
    from cases.models import Referral

    assert Referral.objects.backlog().exists()


def test_loading_the_demo_twice_adds_nothing(demo, settings):
    counts = [
        Model.objects.count() for Model in (Council, Meeting, AgendaItem, Record, PlanItem, Representative)
    ]
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert [
        Model.objects.count() for Model in (Council, Meeting, AgendaItem, Record, PlanItem, Representative)
    ] == counts
    assert "0 rows created" in out.getvalue()


@pytest.mark.parametrize(
    "today,first,end",
    [
        (date(2026, 3, 2), date(2026, 3, 3), date(2026, 6, 15)),
        (date(2026, 5, 5), date(2026, 5, 12), date(2026, 12, 15)),
        (date(2026, 9, 1), date(2026, 9, 8), date(2026, 12, 15)),
        (date(2026, 11, 30), date(2026, 12, 1), date(2027, 6, 15)),
    ],
)
def test_the_series_starts_next_tuesday_and_runs_to_the_end_of_a_term(today, first, end):
    assert next_tuesday(today) == first
    assert term_end(today) == end
