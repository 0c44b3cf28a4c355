"""The meeting flow end to end in Chromium, as the issue's "done when" walks it.

The coordinator places two cases from the backlog, reorders them, sees the
times and sends the agenda; the handläggare finds the invitation in the
notification centre and the e-mail, with its .ics; on the day the coordinator
runs the meeting (own account first, then recommendation and plan), finalises
and opens the summary; a council member reads the agenda; a handläggare of
another organisation gets 404 on every meeting and case address; and the
follow-up returns to the backlog when its date comes.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Referral, Status
from meetings import tasks as meeting_tasks
from meetings.models import AgendaItem, Meeting
from resursrad.notifications import services, tasks
from tests.factories import accepted_referral, make_council, make_meeting


@pytest.fixture
def delivered_at_once(monkeypatch):
    """The kick after commit sweeps at once, and the sweep's messages are sent at once."""
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    monkeypatch.setattr(
        tasks.sweep_due_notifications, "apply_async", lambda **kw: tasks.sweep_due_notifications.run()
    )
    for task in (tasks.send_notifications, tasks.send_digest):
        monkeypatch.setattr(task, "apply_async", lambda args, task=task, **kw: task.run(*args))


def test_a_case_goes_from_the_backlog_through_the_meeting_to_its_follow_up(
    page,
    live_server,
    login,
    case_worker,
    other_case_worker,
    coordinator,
    council_member,
    delivered_at_once,
    screenshot,
):
    council = make_council(coordinators=[coordinator], members=[(council_member, "region")])
    meeting = make_meeting(council, days_ahead=7, starts_at="09:00", ends_at="11:00")
    first = accepted_referral(case_worker, coordinator, parties=["kommun", "region"])
    second = accepted_referral(case_worker, coordinator, parties=["kommun", "region"])
    mail.outbox.clear()

    # --- planning: two cases onto the meeting, reordered, the agenda sent ---
    login("eva@forbund.test")
    expect(page.get_by_role("heading", name="Planering", level=1)).to_be_visible()
    for referral in (first, second):
        page.get_by_label(f"Möte för {referral.case_number}").select_option(str(meeting.pk))
        page.get_by_role("button", name=f"Placera {referral.case_number}").click()
        expect(page.get_by_text(re.compile(f"{referral.case_number} har fått en tid"))).to_be_visible()
    page.goto(live_server.url + reverse("meetings:agenda", args=[meeting.pk]))
    slots = page.locator("[data-slot]")
    page.get_by_role("button", name=f"Flytta upp {second.case_number}").click()
    expect(slots.nth(0)).to_contain_text(f"09:00–09:45 · {second.case_number}")
    expect(slots.nth(1)).to_contain_text(f"10:00–10:45 · {first.case_number}")
    page.get_by_role("button", name="Skicka dagordningen").click()
    expect(page.get_by_text("Dagordningen är skickad till rådets ledamöter.")).to_be_visible()
    screenshot("flow-agenda-sent")

    # --- the handläggare's invitation: in the centre, and by e-mail with its .ics ---
    page.context.clear_cookies()
    login("karin@haninge.test")
    page.goto(live_server.url + reverse("notifications:list"))
    expect(page.get_by_text(re.compile(f"{first.case_number}")).first).to_be_visible()
    screenshot("flow-invitation-in-centre")
    invitations = [m for m in mail.outbox if first.case_number in m.subject and m.to == [case_worker.email]]
    assert invitations, [m.subject for m in mail.outbox]
    [(filename, content, mimetype)] = invitations[0].attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    ics = content.decode() if isinstance(content, bytes) else content
    assert first.case_number in ics and "BEGIN:VEVENT" in ics
    assert "Anna" not in ics and "Andersson" not in ics

    # --- a council member reads the sent agenda: case numbers, no names ---
    page.context.clear_cookies()
    login("lena@region.test")
    page.goto(live_server.url + reverse("meetings:agenda_view", args=[meeting.pk]))
    expect(page.get_by_text(first.case_number).first).to_be_visible()
    expect(page.get_by_text("Anna Andersson")).to_have_count(0)
    screenshot("flow-member-agenda")

    # --- another organisation's handläggare: 404 on every meeting and case address ---
    page.context.clear_cookies()
    login("omar@af.test")
    item = AgendaItem.objects.get(referral=first, meeting=meeting)
    for url in [
        reverse("meetings:agenda", args=[meeting.pk]),
        reverse("meetings:agenda_view", args=[meeting.pk]),
        reverse("meetings:run", args=[meeting.pk]),
        reverse("meetings:meeting_ics", args=[meeting.pk]),
        reverse("meetings:slot_view", args=[item.pk]),
        reverse("meetings:record", args=[item.pk]),
        reverse("meetings:record_view", args=[item.pk]),
        reverse("meetings:summary", args=[item.pk]),
        reverse("cases:detail", args=[first.pk]),
        reverse("cases:print", args=[first.pk]),
    ]:
        assert page.goto(live_server.url + url).status == 404, url

    # --- the day of the meeting: own account first, then recommendation and plan ---
    Meeting.objects.filter(pk=meeting.pk).update(date=timezone.localdate())
    page.context.clear_cookies()
    login("eva@forbund.test")
    page.goto(live_server.url + reverse("meetings:record", args=[item.pk]))
    page.get_by_label("Ja, individen deltog").check()
    page.get_by_label("Gruppens rekommendation").fill("Arbetsträning med stöd.")
    page.get_by_role("button", name="Spara utkast").click()
    expect(
        page.get_by_text("Mötet börjar med individens egen berättelse. Skriv den först").first
    ).to_be_visible()
    page.get_by_label("Individens egen berättelse").fill("Jag vill arbeta igen, men orkar inte heltid än.")
    page.locator("#id_plan-0-activity").fill("Arbetsträning 25 %")
    page.locator("#id_plan-0-responsible_party").select_option("kommun")
    page.locator("#id_plan-0-responsible_note").fill("Handläggaren på kommunen")
    page.locator("#id_plan-0-due_on").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Protokollet är sparat som utkast.")).to_be_visible()
    page.get_by_label("Planen följs upp vid ett senare möte").check()
    page.get_by_role("button", name="Spara och fastställ").click()
    expect(page.get_by_text("Protokollet är fastställt.")).to_be_visible()
    page.get_by_role("link", name="Sammanfattning för individen").click()
    expect(page.get_by_text("Rekommendationen är inte ett beslut.")).to_be_visible()
    screenshot("flow-summary")
    first.refresh_from_db()
    assert first.status == Status.HELD and first.follow_up_on is not None

    # --- the follow-up date comes (frozen clock): the case is back in the backlog ---
    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(first.follow_up_on, timezone.datetime.min.time()))
        + timedelta(hours=9),
        tick=False,
    ):
        meeting_tasks.return_follow_ups_to_backlog.apply().get()
    assert Referral.objects.get(pk=first.pk).status == Status.FOLLOW_UP
    page.goto(live_server.url + reverse("meetings:planning"))
    expect(page.get_by_role("row", name=re.compile(first.case_number))).to_contain_text("Uppföljning")
    screenshot("flow-follow-up-in-backlog")
