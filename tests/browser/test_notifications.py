"""Notifications as their readers meet them, in Chromium: a question reaches the case worker's
notification centre and e-mail at once, and the answer reaches the coordinator the same way.

Delivery runs in-process: the sweep the web request asks for, and the sends it
publishes, run at once instead of through a broker and a worker (tests/faults/
runs them against a real Redis and worker).
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from resursrad.notifications import services, tasks
from resursrad.notifications.models import Delivery, Notification
from tests.factories import UserFactory, submitted_referral

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def delivered_at_once(monkeypatch):
    """The kick after commit sweeps at once, and the sweep's messages are sent at once."""
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    monkeypatch.setattr(
        tasks.sweep_due_notifications, "apply_async", lambda **kw: tasks.sweep_due_notifications.run()
    )
    for task in (tasks.send_notifications, tasks.send_digest):
        monkeypatch.setattr(task, "apply_async", lambda args, task=task, **kw: task.run(*args))


def logout(page):
    page.context.clear_cookies()


def nav_link(page):
    return page.get_by_role("navigation", name="Huvudmeny").locator("a.notification-link:visible")


def test_a_question_and_its_answer_reach_the_centre_and_the_email_at_once(
    page, live_server, login, case_worker, coordinator, delivered_at_once, screenshot
):
    referral = submitted_referral(case_worker)
    # What submitting told the coordinator is old news here.
    Notification.objects.update(read_at=referral.submitted_at)
    mail.outbox.clear()

    # The coordinator asks the case worker a question.
    page.set_viewport_size(DESKTOP)
    login("eva@forbund.test")
    # The coordinator starts on the planning page; the inbox is in the menu.
    page.get_by_role("link", name="Samordning").click()
    page.get_by_role("link", name=referral.case_number).click()
    page.get_by_label("Begär komplettering").check()
    page.get_by_label("Text till handläggaren").fill("Finns ett aktuellt läkarintyg?")
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.get_by_text("Din fråga är skickad till handläggaren.")).to_be_visible()

    # The e-mail went at once, naming the case number and not the person.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["karin@haninge.test"]
    assert referral.case_number in email.subject
    full_name = f"{referral.participant.first_name} {referral.participant.last_name}"
    assert full_name not in email.subject + email.body
    assert f"/cases/{referral.pk}/" in email.body

    # The case worker sees the unread count in the navigation, in words for a screen reader.
    logout(page)
    login("karin@haninge.test")
    link = nav_link(page)
    expect(link.locator(".notification-badge")).to_have_text("1")
    expect(link).to_contain_text("1 oläst notis")
    link.click()
    expect(page.get_by_role("heading", name="Notiser", level=1)).to_be_visible()
    entry = page.locator(".notification-item").first
    expect(entry).to_contain_text("Oläst")
    expect(entry).to_contain_text(f"En fråga om {referral.case_number}")
    expect(page.get_by_text("Du har 1 oläst notis.")).to_be_visible()
    screenshot("notifications-centre-1280")
    page.set_viewport_size(PHONE)
    screenshot("notifications-centre-375")
    page.set_viewport_size(DESKTOP)

    # Following the entry opens the case and marks it read.
    entry.get_by_role("link", name=f"En fråga om {referral.case_number}").click()
    expect(page).to_have_url(re.compile(rf"/cases/{referral.pk}/$"))
    expect(page.get_by_text("Finns ett aktuellt läkarintyg?").first).to_be_visible()
    expect(nav_link(page).locator(".notification-badge")).to_have_count(0)

    # The answer reaches the coordinator the same way.
    page.get_by_label("Ditt svar till samordnaren").fill("Ja, från mars.")
    page.get_by_role("button", name="Svara och skicka in igen").click()
    expect(page.get_by_text("Ditt svar är skickat")).to_be_visible()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["eva@forbund.test"]
    assert f"Svar om {referral.case_number}" in mail.outbox[1].subject
    logout(page)
    login("eva@forbund.test")
    expect(nav_link(page).locator(".notification-badge")).to_have_text("1")
    nav_link(page).click()
    expect(page.locator(".notification-unread")).to_contain_text(f"Svar om {referral.case_number}")
    # Mark all as read, without JavaScript's help: a form and a message.
    page.get_by_role("button", name="Markera alla som lästa").click()
    expect(page.get_by_text("1 notis är markerad som läst.")).to_be_visible()
    expect(page.locator(".notification-unread")).to_have_count(0)
    both = Notification.objects.filter(kind__in=["cases.info_requested", "cases.answered"])
    assert [row.status for row in both] == [Delivery.SENT, Delivery.SENT]


def test_preferences_and_the_overview_at_both_widths(
    page, live_server, login, case_worker, coordinator, administrator, screenshot
):
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Läkarintyg?")
    nobody = UserFactory(email="", is_coordinator=True)
    Notification.objects.filter(recipient=case_worker).update(
        status=Delivery.FAILED, attempts=8, note="SMTP 550 mailbox unavailable"
    )
    submitted_referral(case_worker)  # the coordinators hear of it, one of them only in the app
    assert Notification.objects.filter(recipient=nobody).exists()

    login("karin@haninge.test")
    page.goto(f"{live_server.url}/notifications/preferences/")
    expect(page.get_by_role("heading", name="Val för notiser", level=1)).to_be_visible()
    urgent = page.get_by_role("group", name="En part har tagits bort ur ett ärende")
    expect(urgent.get_by_label("E-post direkt")).to_be_disabled()
    expect(urgent.get_by_label("E-post direkt")).to_be_checked()
    question = page.get_by_role("group", name="Samordnaren ställer en fråga")
    question.get_by_label("Bara här i Resursråd").check()
    screenshot("notifications-preferences-1280")
    page.set_viewport_size(PHONE)
    screenshot("notifications-preferences-375")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Spara val").click()
    expect(page.get_by_text("Dina val för notiser är sparade.")).to_be_visible()
    expect(
        page.get_by_role("group", name="Samordnaren ställer en fråga").get_by_label("Bara här i Resursråd")
    ).to_be_checked()

    logout(page)
    login("ali@forbund.test")
    page.get_by_role("link", name="Notisöversikt").first.click()
    expect(page.get_by_role("heading", name="Notisöversikt", level=1)).to_be_visible()
    expect(page.get_by_text("Inte skickad: mottagaren saknar e-postadress").first).to_be_visible()
    screenshot("notifications-overview-1280")
    page.set_viewport_size(PHONE)
    screenshot("notifications-overview-375")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name=re.compile("^Skicka igen")).click()
    expect(page.get_by_text(f"Notisen om {referral.case_number} skickas igen inom en minut.")).to_be_visible()
    assert (
        Notification.objects.get(recipient=case_worker, kind="cases.info_requested").status
        == Delivery.PENDING
    )
