"""The coordinator's planning in Chromium: two cases from the backlog onto a meeting, reordered, sent."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from meetings.models import MeetingStatus
from resursrad.notifications.models import Notification
from tests.factories import accepted_referral, make_council, make_meeting


def test_the_coordinator_places_two_cases_reorders_them_and_sends_the_agenda(
    page, live_server, login, case_worker, coordinator, council_member, screenshot
):
    council = make_council(coordinators=[coordinator], members=[(council_member, "region")])
    meeting = make_meeting(council, days_ahead=7, starts_at="09:00", ends_at="11:00")
    first = accepted_referral(case_worker, coordinator)
    second = accepted_referral(case_worker, coordinator)

    login("eva@forbund.test")
    # The coordinator starts on the planning page: the backlog, oldest first, with no names.
    expect(page.get_by_role("heading", name="Planering", level=1)).to_be_visible()
    expect(page.get_by_text("Anna Andersson")).to_have_count(0)
    screenshot("planning-backlog")
    for referral, time in [(first, "09:00"), (second, "10:00")]:
        page.get_by_label(f"Möte för {referral.case_number}").select_option(str(meeting.pk))
        page.get_by_role("button", name=f"Placera {referral.case_number}").click()
        expect(
            page.get_by_text(re.compile(f"{referral.case_number} har fått en tid på mötet .* kl. {time}"))
        ).to_be_visible()
    screenshot("planning-two-placed")

    # By its address: a link named by the day's number alone also matches any other link
    # holding that digit (the notification count), depending on the date.
    page.locator(f'a[href="{reverse("meetings:agenda", args=[meeting.pk])}"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dagordning")
    slots = page.locator("[data-slot]")
    expect(slots.nth(0)).to_contain_text(f"09:00–09:45 · {first.case_number}")
    expect(slots.nth(1)).to_contain_text(f"10:00–10:45 · {second.case_number}")

    # Reordered without JavaScript: a button in a form; the times follow the order.
    page.get_by_role("button", name=f"Flytta upp {second.case_number}").click()
    expect(page.get_by_text("Ordningen är ändrad.")).to_be_visible()
    expect(slots.nth(0)).to_contain_text(f"09:00–09:45 · {second.case_number}")
    expect(slots.nth(1)).to_contain_text(f"10:00–10:45 · {first.case_number}")
    expect(page.locator("[data-overrun]")).to_have_count(0)
    screenshot("agenda-reordered")

    page.get_by_role("button", name="Skicka dagordningen").click()
    expect(page.get_by_text("Dagordningen är skickad till rådets ledamöter.")).to_be_visible()
    expect(page.locator("[data-meeting-status]")).to_contain_text("utskickad")
    screenshot("agenda-sent")

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_SENT
    assert Notification.objects.filter(kind="meetings.agenda_sent", recipient=council_member).exists()
    # Reordered before the e-mails went: the invitations waiting gave way to ones with the new times.
    invited = Notification.objects.filter(kind="meetings.invited", recipient=case_worker).exclude(
        status="cancelled"
    )
    assert {note.reference: note.context["time"] for note in invited} == {
        second.case_number: "09:00",
        first.case_number: "10:00",
    }
