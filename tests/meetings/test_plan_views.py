"""The planning pages: who may open them, what they show, bad input, double submits and query counts."""

import re
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Referral, Status
from cases.workflow import BACKLOG_STATES
from meetings.models import AgendaItem, ItemStatus, Meeting, MeetingStatus
from meetings.views.plan import BACKLOG_PAGE_SIZE
from resursrad.models import AccessLog
from tests.factories import accepted_referral

# --- the access matrix --------------------------------------------------------------

# (url name, which object, allowed methods)
OBJECT_URLS = [
    ("meetings:agenda", "meeting", ["GET"]),
    ("meetings:meeting_edit", "meeting", ["GET", "POST"]),
    ("meetings:meeting_cancel", "meeting", ["GET", "POST"]),
    ("meetings:agenda_send", "meeting", ["POST"]),
    ("meetings:slot_edit", "item", ["GET", "POST"]),
    ("meetings:slot_move", "item", ["POST"]),
    ("meetings:slot_move_to", "item", ["POST"]),
    ("meetings:slot_take_off", "item", ["POST"]),
]
ROLE_URLS = [
    ("meetings:planning", ["GET"]),
    ("meetings:meeting_create", ["GET", "POST"]),
    ("meetings:series_create", ["GET", "POST"]),
]


@pytest.fixture
def item(case_worker, coordinator, meeting):
    return meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)


def object_url(name, kind, meeting, item):
    return reverse(name, args=[meeting.pk if kind == "meeting" else item.pk])


@pytest.mark.parametrize("name,kind,methods", OBJECT_URLS)
def test_the_councils_coordinator_may_use_each_page(client, coordinator, meeting, item, name, kind, methods):
    client.force_login(coordinator)
    url = object_url(name, kind, meeting, item)
    response = client.get(url) if "GET" in methods else client.post(url, {})
    # An empty form is bad input (400), but never a refusal.
    assert response.status_code in (200, 302, 400)


@pytest.mark.parametrize("name,kind,methods", OBJECT_URLS)
@pytest.mark.parametrize(
    "role",
    [
        "other_coordinator",
        "case_worker",
        "other_case_worker",
        "council_member",
        "steering_member",
        "administrator",
    ],
)
def test_everyone_else_gets_404_on_every_meeting_and_slot(
    request, client, meeting, item, name, kind, methods, role
):
    client.force_login(request.getfixturevalue(role))
    url = object_url(name, kind, meeting, item)
    for method in methods:
        assert getattr(client, method.lower())(url).status_code == 404, (method, role)


def test_a_refused_slot_is_in_the_access_log(client, other_case_worker, item):
    client.force_login(other_case_worker)
    client.get(reverse("meetings:slot_edit", args=[item.pk]))
    assert AccessLog.objects.filter(
        user=other_case_worker, action="refused", referral_id=item.referral_id
    ).exists()


@pytest.mark.parametrize("name,kind,methods", OBJECT_URLS)
def test_anonymous_is_sent_to_login(client, meeting, item, name, kind, methods):
    url = object_url(name, kind, meeting, item)
    response = client.get(url) if "GET" in methods else client.post(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name,kind,methods", OBJECT_URLS)
def test_a_wrong_method_is_405(client, coordinator, meeting, item, name, kind, methods):
    client.force_login(coordinator)
    url = object_url(name, kind, meeting, item)
    wrong = client.put(url) if "POST" in methods else client.post(url)
    assert wrong.status_code == 405
    if "GET" not in methods:
        assert client.get(url).status_code == 405


@pytest.mark.parametrize("name,methods", ROLE_URLS)
@pytest.mark.parametrize("role", ["case_worker", "council_member", "steering_member", "administrator"])
def test_the_planning_pages_are_the_coordinators_and_404_to_others(
    request, client, council, name, methods, role
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name,methods", ROLE_URLS)
def test_the_planning_pages_need_login_and_their_methods(client, coordinator, name, methods):
    url = reverse(name)
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(coordinator)
    assert client.put(url).status_code == 405


def test_placing_is_a_coordinators_post(client, case_worker, coordinator, meeting):
    referral = accepted_referral(case_worker, coordinator)
    url = reverse("meetings:place_case", args=[referral.pk])
    client.force_login(case_worker)
    assert client.post(url, {"meeting": meeting.pk}).status_code == 404
    client.force_login(coordinator)
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url).url.startswith(reverse("login"))


def test_a_huge_id_is_not_found(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/meetings/plan/99999999999999999999999/").status_code == 404
    assert client.get("/meetings/plan/slots/99999999999999999999999/").status_code == 404


# --- the planning page ---------------------------------------------------------------


def test_the_coordinator_starts_on_the_planning_page(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("home"))
    assert response.url == reverse("meetings:planning")


def test_the_backlog_lists_cases_oldest_first_without_names(client, case_worker, coordinator, meeting):
    older = accepted_referral(case_worker, coordinator)
    newer = accepted_referral(case_worker, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:planning")).content.decode()
    assert page.index(older.case_number) < page.index(newer.case_number)
    assert "Anna Andersson" not in page and "850312" not in page
    assert "Första mötet" in page


def test_the_coordinator_places_a_case_and_is_told_its_time(client, case_worker, coordinator, meeting):
    referral = accepted_referral(case_worker, coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("meetings:place_case", args=[referral.pk]), {"meeting": meeting.pk}, follow=True
    )
    referral.refresh_from_db()
    assert referral.status == Status.SCHEDULED
    assert "09:00" in response.content.decode()
    # A double submit changes nothing and says so calmly.
    again = client.post(
        reverse("meetings:place_case", args=[referral.pk]), {"meeting": meeting.pk}, follow=True
    )
    assert again.status_code == 200
    assert AgendaItem.objects.filter(referral=referral).count() == 1


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_placing_without_a_meeting_of_ones_own_says_so_beside_the_row(
    client, case_worker, coordinator, meeting, other_coordinator, value
):
    referral = accepted_referral(case_worker, coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("meetings:place_case", args=[referral.pk]), {"meeting": value})
    assert response.status_code == 400
    assert f'id="place-{referral.pk}-meeting_error"' in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_another_councils_meeting_is_no_choice(client, case_worker, coordinator, meeting, other_coordinator):
    referral = accepted_referral(case_worker, coordinator)
    client.force_login(other_coordinator)
    response = client.post(reverse("meetings:place_case", args=[referral.pk]), {"meeting": meeting.pk})
    assert response.status_code == 400
    assert not AgendaItem.objects.exists()


# --- creating, editing and cancelling meetings -----------------------------------------


def meeting_data(the_council, **overrides):
    data = {
        "council": the_council.pk,
        "date": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "starts_at": "13:00",
        "ends_at": "16:00",
        "place": "Kommunhuset, rum 3",
        "remote_link": "",
        "slot_minutes": "45",
        "break_minutes": "15",
    }
    data.update(overrides)
    return data


def test_the_new_meeting_form_starts_from_the_councils_defaults(client, coordinator, council):
    council.default_place = "Stadshuset, sal 2"
    council.slot_minutes = 60
    council.save()
    client.force_login(coordinator)
    form = client.get(reverse("meetings:meeting_create")).context["form"]
    assert (form.initial["place"], form.initial["slot_minutes"], form.initial["break_minutes"]) == (
        "Stadshuset, sal 2",
        60,
        15,
    )


def test_a_meeting_created_twice_is_one_meeting(client, coordinator, council):
    client.force_login(coordinator)
    first = client.post(reverse("meetings:meeting_create"), meeting_data(council))
    second = client.post(reverse("meetings:meeting_create"), meeting_data(council))
    meeting = Meeting.objects.get()
    assert first.url == second.url == reverse("meetings:agenda", args=[meeting.pk])


@pytest.mark.parametrize(
    "field,overrides,message",
    [
        ("ends_at", {"ends_at": "12:00"}, "Mötet måste sluta efter att det börjar"),
        ("date", {"date": "2026-02-30"}, "Ange ett riktigt datum"),
        ("date", {"date": "2020-01-01"}, "Datumet har passerat"),
        ("starts_at", {"starts_at": "25:61"}, "Ange en tid"),
        ("slot_minutes", {"slot_minutes": "5"}, "minuter"),
        ("remote_link", {"remote_link": "inte en länk"}, "https://"),
        ("council", {"council": "999999"}, "Välj ett av dina råd"),
    ],
)
def test_bad_meeting_input_is_explained_beside_the_field(
    client, coordinator, council, field, overrides, message
):
    client.force_login(coordinator)
    response = client.post(reverse("meetings:meeting_create"), meeting_data(council, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "data-error-summary" in response.content.decode()
    assert not Meeting.objects.exists()


def test_an_overlapping_meeting_is_refused_with_a_message(client, coordinator, council):
    client.force_login(coordinator)
    client.post(reverse("meetings:meeting_create"), meeting_data(council))
    response = client.post(
        reverse("meetings:meeting_create"), meeting_data(council, starts_at="15:00", ends_at="17:00")
    )
    assert response.status_code == 200
    assert "Rådet har redan ett möte" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_a_series_is_created_from_the_form(client, coordinator, council):
    client.force_login(coordinator)
    first = timezone.localdate() + timedelta(days=7)
    data = {
        "council": council.pk,
        "first": first.isoformat(),
        "last": (first + timedelta(weeks=8)).isoformat(),
        "every_weeks": "2",
        "starts_at": "09:00",
        "ends_at": "12:00",
        "place": "",
        "remote_link": "",
    }
    assert client.post(reverse("meetings:series_create"), data).status_code == 302
    assert client.post(reverse("meetings:series_create"), data).status_code == 302
    assert Meeting.objects.count() == 5
    bad = client.post(
        reverse("meetings:series_create"), {**data, "last": (first - timedelta(days=1)).isoformat()}
    )
    assert "Sista datum kan inte vara före första datum" in " ".join(bad.context["form"].errors["last"])


def test_the_second_editor_of_a_meeting_is_told_and_sees_the_saved_details(client, coordinator, meeting):
    client.force_login(coordinator)
    data = meeting_data(meeting.council, date=meeting.date.isoformat(), version=meeting.version)
    data.pop("council")
    assert (
        client.post(
            reverse("meetings:meeting_edit", args=[meeting.pk]), {**data, "place": "Rum 4"}
        ).status_code
        == 302
    )
    conflict = client.post(reverse("meetings:meeting_edit", args=[meeting.pk]), {**data, "place": "Rum 5"})
    assert conflict.status_code == 409
    assert "Rum 4" in conflict.content.decode() and "Rum 5" in conflict.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).place == "Rum 4"


def test_cancelling_needs_a_reason_and_returns_the_cases(client, coordinator, meeting, item):
    client.force_login(coordinator)
    url = reverse("meetings:meeting_cancel", args=[meeting.pk])
    response = client.post(url, {"cancel_reason": ""})
    assert "Skriv varför mötet ställs in" in " ".join(response.context["form"].errors["cancel_reason"])
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED
    assert client.post(url, {"cancel_reason": "Sjukdom."}).url == reverse("meetings:planning")
    assert client.post(url, {"cancel_reason": "Sjukdom."}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.CANCELLED
    assert Referral.objects.get(pk=item.referral_id).status == Status.ACCEPTED


# --- the agenda ------------------------------------------------------------------------


def test_the_agenda_shows_times_in_order_and_moves_without_javascript(
    client, case_worker, coordinator, meeting
):
    first = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    second = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert page.index(first.referral.case_number) < page.index(second.referral.case_number)
    assert "09:00–09:45" in page and "10:00–10:45" in page
    assert "Anna Andersson" not in page
    client.post(
        reverse("meetings:slot_move", args=[second.pk]), {"direction": "up", "position": second.position}
    )
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert page.index(second.referral.case_number) < page.index(first.referral.case_number)
    # Reading the agenda is a read of each case on it.
    assert AccessLog.objects.filter(user=coordinator, action="view", referral_id=first.referral_id).exists()


def test_a_bad_move_changes_nothing(client, coordinator, meeting, item):
    client.force_login(coordinator)
    response = client.post(
        reverse("meetings:slot_move", args=[item.pk]), {"direction": "sideways"}, follow=True
    )
    assert response.status_code == 200
    assert AgendaItem.objects.get(pk=item.pk).position == item.position


def test_moving_to_another_meeting_and_taking_off(client, coordinator, meeting, later_meeting, item):
    client.force_login(coordinator)
    bad = client.post(reverse("meetings:slot_move_to", args=[item.pk]), {"meeting": meeting.pk})
    assert bad.status_code == 400
    assert f'id="move-{item.pk}-meeting_error"' in bad.content.decode()
    client.post(reverse("meetings:slot_move_to", args=[item.pk]), {"meeting": later_meeting.pk})
    moved = AgendaItem.objects.get(meeting=later_meeting)
    client.post(reverse("meetings:slot_take_off", args=[moved.pk]))
    assert AgendaItem.objects.get(pk=moved.pk).status == ItemStatus.REMOVED
    assert Referral.objects.get(pk=item.referral_id).status == Status.ACCEPTED
    # Twice: harmless.
    assert client.post(reverse("meetings:slot_take_off", args=[moved.pk])).status_code == 302


def test_the_slot_form_offers_only_members_of_parties_with_consent(
    client, case_worker, coordinator, meeting, council
):
    referral = accepted_referral(case_worker, coordinator, parties=["kommun", "region"])
    item = meeting.place_case(referral, by=coordinator)
    client.force_login(coordinator)
    url = reverse("meetings:slot_edit", args=[item.pk])
    form = client.get(url).context["form"]
    assert {m.party for m in form.fields["representatives"].queryset} == {"kommun", "region"}
    af = council.members.get(party="af")
    region = council.members.get(party="region")
    refused = client.post(url, {"representatives": [af.pk], "participation": "on_site", "case_worker": ""})
    assert refused.status_code == 200
    assert "Bara ledamöter" in " ".join(refused.context["form"].errors["representatives"])
    assert set(item.representatives.values_list("member__party", flat=True)) == {"kommun", "region"}
    saved = client.post(
        url,
        {
            "representatives": [region.pk],
            "participation": "remote",
            "case_worker": case_worker.pk,
            "interpreter_language": "tigrinja",
        },
    )
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.participation, item.case_worker, item.interpreter_language) == (
        "remote",
        case_worker,
        "tigrinja",
    )
    assert list(item.representatives.values_list("member__party", flat=True)) == ["region"]


def test_sending_the_agenda_twice_is_harmless(client, coordinator, meeting, item):
    client.force_login(coordinator)
    url = reverse("meetings:agenda_send", args=[meeting.pk])
    client.post(url)
    client.post(url)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_SENT


# --- query counts ----------------------------------------------------------------------


@pytest.fixture
def hundred_meetings(council):
    start = timezone.localdate() + timedelta(days=30)
    Meeting.objects.bulk_create(
        [
            Meeting(
                council=council,
                date=start + timedelta(days=n),
                starts_at=time(9),
                ends_at=time(12),
                place="Rum 3",
            )
            for n in range(110)
        ]
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_planning_page_takes_as_many_queries_for_many_rows_as_for_few(
    client, case_worker, coordinator, meeting, hundred_meetings, django_assert_max_num_queries
):
    accepted_referral(case_worker, coordinator)
    client.force_login(coordinator)
    url = reverse("meetings:planning")
    few = count_queries(client, url)
    for _ in range(14):
        referral = accepted_referral(case_worker, coordinator)
    meeting.place_case(referral, by=coordinator)
    with django_assert_max_num_queries(few):
        client.get(url)
    assert few <= 10


def test_the_agenda_takes_as_many_queries_for_twelve_slots_as_for_one(
    client, case_worker, coordinator, meeting, hundred_meetings, django_assert_max_num_queries
):
    # The twelfth slot starts at 20:00, before the end, and runs past it.
    meeting.ends_at = time(20, 30)
    meeting.save(update_fields=["ends_at"])
    meeting.place_case(
        accepted_referral(case_worker, coordinator, parties=["kommun", "region"]), by=coordinator
    )
    client.force_login(coordinator)
    url = reverse("meetings:agenda", args=[meeting.pk])
    one = count_queries(client, url)
    for _ in range(11):
        meeting.place_case(
            accepted_referral(case_worker, coordinator, parties=["kommun", "region"]), by=coordinator
        )
    with django_assert_max_num_queries(one):
        response = client.get(url)
    assert meeting.items.planned().count() == 12
    # Twelve slots of 45 minutes do not fit 09:00–20:30: the page says so.
    assert "data-overrun" in response.content.decode()
    assert one <= 12


# --- a full meeting -------------------------------------------------------------------


def test_placing_in_a_full_meeting_says_so_and_the_case_keeps_waiting(
    client, case_worker, coordinator, meeting, later_meeting
):
    for _ in range(3):
        meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    referral = accepted_referral(case_worker, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:planning")).content.decode()
    # The full meeting is marked, and cannot be chosen in the rows' lists.
    assert "Fullt" in page
    assert f'<option value="{meeting.pk}" disabled>' in page
    assert f'<option value="{later_meeting.pk}">' in page
    # A stale page (or a crafted post) still names the full meeting: the model refuses it.
    response = client.post(
        reverse("meetings:place_case", args=[referral.pk]), {"meeting": meeting.pk}, follow=True
    )
    assert response.status_code == 200
    assert "Mötet är fullt: det finns ingen tid kvar före mötets slut" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED
    assert not AgendaItem.objects.filter(referral=referral).exists()
    assert meeting.items.planned().count() == 3


def test_moving_to_a_full_meeting_says_so_and_the_slot_stays(
    client, case_worker, coordinator, meeting, later_meeting, item
):
    for _ in range(3):
        later_meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert f'<option value="{later_meeting.pk}" disabled>' in page
    response = client.post(
        reverse("meetings:slot_move_to", args=[item.pk]), {"meeting": later_meeting.pk}, follow=True
    )
    assert response.status_code == 200
    assert "Mötet är fullt" in response.content.decode()
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.PLANNED
    assert later_meeting.items.planned().count() == 3


def test_shortening_a_meeting_below_its_slots_is_explained_beside_the_end(
    client, case_worker, coordinator, meeting, item
):
    meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    client.force_login(coordinator)
    data = meeting_data(
        meeting.council,
        date=meeting.date.isoformat(),
        starts_at="09:00",
        ends_at="09:30",
        place="Rum 9",
        version=meeting.version,
    )
    data.pop("council")
    response = client.post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["ends_at"])
    assert "det sista av de 2 ärendena" in errors
    content = response.content.decode()
    assert 'value="Rum 9"' in content and 'value="09:30"' in content
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.ends_at, fresh.place) == (time(12, 0), meeting.place)


def test_the_backlogs_order_comes_from_its_own_index(coordinator):
    """The planning page's oldest are read from referral_backlog_order, not sorted from all
    waiting cases (cases migration 0011); its condition names exactly the backlog's states."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'referral_backlog_order'")
        (definition,) = cursor.fetchone()
    assert set(re.findall(r"'(\w+)'", definition)) == set(BACKLOG_STATES)
    backlog = Referral.objects.visible_to(coordinator).backlog()[:BACKLOG_PAGE_SIZE]
    sql, params = backlog.query.sql_with_params()
    with connection.cursor() as cursor:
        # Few rows in a test database: without these the planner would rightly scan the table.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "referral_backlog_order" in plan and "Sort" not in plan
