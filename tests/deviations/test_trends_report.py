"""The report to the styrgrupp: everything since its last meeting, and the page where it registers its meetings."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deviations.models import Deviation, SteeringMeeting
from tests.deviations.trends_data import at, reported_on

TODAY = timezone.localdate()


@pytest.fixture
def history(coordinator, fk_org, fk_contact, handler):
    """One deviation from long ago, one changed since the last meeting, one reported since, one the same day."""
    old = reported_on(coordinator, TODAY - timedelta(days=200), category="information")
    changed = reported_on(coordinator, TODAY - timedelta(days=100), category="waiting", parties=["fk"])
    changed.take(by=handler)
    [request] = changed.request_statements(
        by=handler, organisations=[fk_org], question="Hur ser rutinen ut?", due_on=TODAY + timedelta(days=10)
    )
    request.give_answer(by=fk_contact, answer="Rutinen ses över under hösten.")
    changed.decide(
        by=handler, decision="Parterna tar fram en gemensam rutin.", responsible_party="fk", due_on=TODAY
    )
    changed.give_feedback(by=handler, feedback="Tack, en rutin tas fram.")
    new = reported_on(coordinator, TODAY - timedelta(days=5), category="responsibility")
    SteeringMeeting.objects.create(date=TODAY - timedelta(days=30), registered_by=handler)
    SteeringMeeting.objects.create(date=TODAY - timedelta(days=60), registered_by=handler)
    # A meeting today or later is not "the last before today".
    SteeringMeeting.objects.create(date=TODAY, registered_by=handler)
    return {"old": old, "changed": changed, "new": new}


def report(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("deviations:steering_report"), params)
    assert response.status_code == 200
    return response


def listed(response):
    return [row["deviation"].number for row in response.context["rows"]]


def test_the_report_covers_what_happened_since_the_last_meeting_before_today(
    client, steering_member, history
):
    response = report(client, steering_member)
    assert response.context["since"] == TODAY - timedelta(days=30)
    assert listed(response) == [history["new"].number, history["changed"].number]
    assert response.context["total"] == 2
    assert dict(response.context["categories"])[history["new"].get_category_display()] == 1
    html = response.content.decode()
    assert "Parterna tar fram en gemensam rutin." in html
    assert "Rutinen ses över under hösten." in html
    assert "Tack, en rutin tas fram." in html
    assert "data-print" in html
    assert f"Styrgruppen möttes senast den {(TODAY - timedelta(days=30)).isoformat()}." in html


def nowrap(text):
    return f'<span class="text-nowrap">{text}</span>'


def _block(html, marker, end):
    start = html.index(marker)
    return html[start : html.index(end, start)]


def test_each_row_and_card_shows_its_labels_dates_and_link(client, steering_member, history, fk_org):
    changed = history["changed"]
    changed.refresh_from_db()
    html = report(client, steering_member).content.decode()
    row = _block(html, f'data-deviation="{changed.number}"', "</tr>")
    assert f">{changed.get_status_display()}<" in row
    assert f">{changed.get_category_display()}<" in row
    assert ">Försäkringskassan<" in row
    assert f'<a class="text-nowrap" href="{reverse("deviations:detail", args=[changed.pk])}"' in row
    assert nowrap(timezone.localdate(changed.reported_at).isoformat()) in row
    assert nowrap(changed.answer_due_on.isoformat()) in row
    assert 'data-label="Svar senast"' in row
    decision = _block(html, f'data-decision="{changed.number}"', "</p>\n")
    assert f"{nowrap(changed.number)}, {changed.get_category_display()} (Försäkringskassan)" in decision
    assert f"Ansvarig part: Försäkringskassan. Klart senast: {nowrap(TODAY.isoformat())}." in decision
    assert f"Beslutad: {nowrap(timezone.localdate(changed.decided_at).isoformat())}" in decision
    statement = _block(html, f'data-statement="{changed.number}"', "</h3>")
    assert f"{nowrap(changed.number)}: {fk_org.name}, {nowrap(TODAY.isoformat())}" in statement
    feedback = _block(html, f'data-feedback="{changed.number}"', "</h3>")
    assert (
        f"{nowrap(changed.number)}, {nowrap(timezone.localdate(changed.feedback_at).isoformat())}" in feedback
    )


def test_a_chosen_date_reaches_further_back(client, steering_member, history):
    response = report(client, steering_member, since=(TODAY - timedelta(days=365)).isoformat())
    assert listed(response) == [history[k].number for k in ("new", "changed", "old")]
    assert response.context["total"] == 3


def test_a_date_in_the_future_is_explained_and_the_last_meeting_used(client, steering_member, history):
    future = (TODAY + timedelta(days=3)).isoformat()
    response = report(client, steering_member, since=future)
    assert response.context["form"].errors["since"] == ["Välj ett datum som inte ligger i framtiden."]
    assert f'value="{future}"' in response.content.decode()
    assert response.context["since"] == TODAY - timedelta(days=30)


def test_without_a_meeting_the_report_covers_90_days(client, steering_member, coordinator):
    recent = reported_on(coordinator, TODAY - timedelta(days=80))
    reported_on(coordinator, TODAY - timedelta(days=100))
    response = report(client, steering_member)
    assert response.context["since"] == TODAY - timedelta(days=90)
    assert listed(response) == [recent.number]
    assert "Inget tidigare möte i styrgruppen är registrerat" in response.content.decode()


def test_a_deviation_counts_as_changed_by_its_history(client, steering_member, history, handler):
    old = history["old"]
    old.add_comment(by=handler, comment="Tas upp på nästa möte.")
    # The comment does not touch the row: the history entry alone brings it in.
    Deviation.objects.filter(pk=old.pk).update(updated_at=at(TODAY - timedelta(days=200)))
    assert old.number in listed(report(client, steering_member))


# --- the meeting dates ---------------------------------------------------------


def test_the_styrgrupp_registers_a_meeting_date(client, steering_member):
    client.force_login(steering_member)
    response = client.post(
        reverse("deviations:steering_meetings"), {"date": "2026-03-10", "note": "Kommunhuset"}
    )
    assert response.status_code == 302
    meeting = SteeringMeeting.objects.get()
    assert (meeting.date, meeting.note, meeting.registered_by) == (
        date(2026, 3, 10),
        "Kommunhuset",
        steering_member,
    )
    page = client.get(reverse("deviations:steering_meetings")).content.decode()
    assert 'data-meeting="2026-03-10"' in page


def test_a_date_registered_twice_is_refused_beside_the_field(client, steering_member):
    SteeringMeeting.objects.create(date=date(2026, 3, 10), registered_by=steering_member)
    client.force_login(steering_member)
    response = client.post(reverse("deviations:steering_meetings"), {"date": "2026-03-10", "note": "Igen"})
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Det här mötesdatumet är redan registrerat."]
    assert 'value="Igen"' in response.content.decode()
    assert SteeringMeeting.objects.count() == 1


@pytest.mark.parametrize(
    "data,field",
    [
        ({"date": ""}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-03-10", "note": "Anna har personnummer 19800101-1234"}, "note"),
        ({"date": "2099-01-01"}, "date"),
    ],
)
def test_bad_meeting_input_is_refused_and_nothing_saved(client, steering_member, data, field):
    client.force_login(steering_member)
    response = client.post(reverse("deviations:steering_meetings"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not SteeringMeeting.objects.exists()


def test_the_summary_tables_head_their_counts_antal_not_nummer(client, steering_member, history):
    html = report(client, steering_member).content.decode()
    assert html.count('<th scope="col" class="text-end">Antal</th>') == 2
    # "Nummer" heads only the column of deviation numbers.
    assert html.count(">Nummer</th>") == 1
