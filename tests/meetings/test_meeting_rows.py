"""The rows meeting_rows writes in Python: the planning page's meetings and backlog, the agenda's
slots and the meeting view's slots keep their links, labels, forms and hidden texts."""

import re

import pytest
from django.urls import reverse

from cases.models import Referral, Status
from meetings.models import Meeting, MeetingStatus, Record
from meetings.views.plan import BACKLOG_PAGE_SIZE
from tests.factories import accepted_referral
from tests.meetings.run_support import draft, slot


def csrf_inputs(page):
    return len(re.findall(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">', page))


# --- the planning page ----------------------------------------------------------------


def test_a_backlog_row_links_the_case_and_places_it_with_a_labelled_select(
    client, case_worker, coordinator, meeting
):
    referral = accepted_referral(case_worker, coordinator, parties=["kommun", "region"])
    client.force_login(coordinator)
    page = client.get(reverse("meetings:planning")).content.decode()
    case = referral.case_number
    assert f'<a href="{referral.get_absolute_url()}">{case}</a>' in page
    assert f'action="{reverse("meetings:place_case", args=[referral.pk])}"' in page
    assert f'<label class="visually-hidden" for="place-{referral.pk}-meeting">Möte för {case}</label>' in page
    assert (
        f'<select name="meeting" id="place-{referral.pk}-meeting" class="form-select form-select-sm">' in page
    )
    assert f'<option value="{meeting.pk}">' in page
    assert f'Placera<span class="visually-hidden"> {case}</span></button>' in page
    assert '<td data-label="Parter">Kommun, Region</td>' in page
    assert '<td data-label="Syfte">Första mötet</td>' in page
    # The logout form's token and the row's: every form posts with one.
    assert csrf_inputs(page) >= 2


def test_every_row_has_its_own_form_and_a_follow_up_says_so(client, case_worker, coordinator, meeting):
    first = accepted_referral(case_worker, coordinator)
    second = accepted_referral(case_worker, coordinator)
    Referral.objects.filter(pk=second.pk).update(status=Status.FOLLOW_UP)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:planning")).content.decode()
    for referral in (first, second):
        assert page.count(f'id="place-{referral.pk}-meeting"') == 1
    assert '<td data-label="Syfte">Uppföljning</td>' in page
    assert page.count('<option value="">Välj ett möte</option>') == 2


def test_without_a_coming_meeting_a_row_says_so_and_has_no_form(client, case_worker, coordinator, council):
    referral = accepted_referral(case_worker, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:planning")).content.decode()
    assert referral.case_number in page
    assert '<span class="text-muted">Inget kommande möte</span>' in page
    assert "place_case" not in page and 'name="meeting"' not in page


def test_the_coming_meetings_link_their_agendas_and_escape_their_text(client, coordinator, meeting):
    Meeting.objects.filter(pk=meeting.pk).update(place='<b>Rum "3"</b>')
    client.force_login(coordinator)
    page = client.get(reverse("meetings:planning")).content.decode()
    assert f'<a href="{reverse("meetings:agenda", args=[meeting.pk])}">' in page
    assert "&lt;b&gt;Rum &quot;3&quot;&lt;/b&gt;" in page and "<b>Rum" not in page
    assert '<td data-label="Tid">09:00–12:00</td>' in page
    assert '<td data-label="Status">Planerad</td>' in page


def test_a_row_with_a_bad_choice_ties_its_message_to_its_select_and_keeps_the_others_plain(
    client, case_worker, coordinator, meeting
):
    bad = accepted_referral(case_worker, coordinator)
    other = accepted_referral(case_worker, coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("meetings:place_case", args=[bad.pk]), {"meeting": "abc"})
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(
        rf'id="place-{bad.pk}-meeting" class="[^"]*is-invalid" aria-invalid="true" '
        rf'aria-describedby="place-{bad.pk}-meeting_error"',
        page,
    )
    assert f'id="place-{bad.pk}-meeting_error"' in page
    assert f'<select name="meeting" id="place-{other.pk}-meeting" class="form-select form-select-sm">' in page


def test_the_backlog_comes_a_page_at_a_time_oldest_first(client, case_worker, coordinator, meeting):
    referrals = [accepted_referral(case_worker, coordinator) for _ in range(BACKLOG_PAGE_SIZE + 1)]
    client.force_login(coordinator)
    first = client.get(reverse("meetings:planning")).content.decode()
    second = client.get(reverse("meetings:planning"), {"page": 2}).content.decode()
    assert f"{BACKLOG_PAGE_SIZE + 1} ärenden väntar på ett möte" in first
    assert first.count('<form method="post" action="/meetings/plan/cases/') == BACKLOG_PAGE_SIZE
    assert f'id="place-{referrals[0].pk}-meeting"' in first
    assert f'id="place-{referrals[-1].pk}-meeting"' not in first
    assert f'id="place-{referrals[-1].pk}-meeting"' in second
    assert 'href="?page=2"' in first


# --- the agenda -----------------------------------------------------------------------


def test_the_agenda_slots_move_up_and_down_except_at_the_ends(
    client, case_worker, coordinator, meeting, later_meeting
):
    items = [
        meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator) for _ in range(3)
    ]
    client.force_login(coordinator)
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    first, middle, last = (page.split(f'id="slot-{item.pk}"')[1].split("</li>")[0] for item in items)
    assert 'value="up"' not in first and 'value="down"' in first
    assert 'value="up"' in middle and 'value="down"' in middle
    assert 'value="up"' in last and 'value="down"' not in last
    case = items[0].referral.case_number
    assert f'href="{reverse("meetings:slot_edit", args=[items[0].pk])}"' in first
    assert f'action="{reverse("meetings:slot_take_off", args=[items[0].pk])}"' in first
    assert (
        f'<label class="visually-hidden" for="move-{items[0].pk}-meeting">Flytta {case} till ett annat möte</label>'
        in first
    )
    assert f'<option value="{later_meeting.pk}">' in first
    assert '<dd class="col-sm-8">Behövs inte</dd>' in first
    # Each slot's four forms post with a token.
    assert csrf_inputs(page) >= 4 * 3 - 2


def test_an_agenda_with_no_other_meeting_offers_no_move_to_one(client, case_worker, coordinator, meeting):
    item = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert reverse("meetings:slot_take_off", args=[item.pk]) in page
    assert reverse("meetings:slot_move_to", args=[item.pk]) not in page


def test_the_agenda_names_the_representatives(client, case_worker, coordinator, meeting, members):
    item = meeting.place_case(
        accepted_referral(case_worker, coordinator, parties=["kommun", "region"]), by=coordinator
    )
    client.force_login(coordinator)
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    names = [f"{rep.member.user.get_full_name()} ({rep.party_label})" for rep in item.representatives.all()]
    assert names and all(name in page for name in names)


def test_a_held_meetings_agenda_has_no_forms(client, case_worker, coordinator, meeting):
    item = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert item.referral.case_number in page
    assert reverse("meetings:slot_take_off", args=[item.pk]) not in page
    assert reverse("meetings:slot_edit", args=[item.pk]) not in page


# --- the meeting view -----------------------------------------------------------------


@pytest.fixture
def three_slots(case_worker, coordinator):
    first = slot(case_worker, coordinator)
    return [
        first,
        slot(case_worker, coordinator, meeting=first.meeting),
        slot(case_worker, coordinator, meeting=first.meeting),
    ]


def test_each_slot_of_the_meeting_view_links_its_record_by_its_state(client, coordinator, three_slots):
    final, drafted, untouched = three_slots
    draft(final, coordinator)
    Record.objects.get(item=final).finalise(by=coordinator, outcome="held")
    draft(drafted, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:run", kwargs={"pk": final.meeting_id})).content.decode()
    rows = {
        item: page.split(f'<th scope="row">{item.referral.case_number}</th>')[1].split("</tr>")[0]
        for item in three_slots
    }
    assert "text-bg-success" in rows[final] and "Fastställt" in rows[final]
    assert (
        f'<a href="{reverse("meetings:record_view", kwargs={"item_id": final.pk})}">Läs protokollet'
        in rows[final]
    )
    assert "text-bg-warning" in rows[drafted] and "Utkast" in rows[drafted]
    assert "text-bg-light border" in rows[untouched] and "Inte påbörjat" in rows[untouched]
    for item in (drafted, untouched):
        assert (
            f'<a class="btn btn-sm btn-primary" href="{reverse("meetings:record", kwargs={"item_id": item.pk})}">'
            f'Öppna protokollet<span class="visually-hidden"> för {item.referral.case_number}</span></a>'
        ) in rows[item]
    for item in three_slots:
        assert f'href="{reverse("deviations:report")}?slot={item.pk}"' in rows[item]
        assert f"<td>{item.referral.participant.display_name}</td>" in rows[item]
