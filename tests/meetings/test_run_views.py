"""The pages of running a meeting: the meeting view, the record, its versions, the summary, the responses."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases.models import Referral, Status
from meetings.models import Meeting, Record, Response
from resursrad.models import AccessLog
from tests.factories import UserFactory, make_council, make_meeting
from tests.meetings.run_support import draft, slot

pytestmark = pytest.mark.django_db


def record_data(item, *, version=0, rows=(), **fields):
    """What the record page posts: the fields, and the plan formset's rows."""
    data = {
        "version": str(version),
        "individual_attended": "yes",
        "individual_participation": "on_site",
        "own_account": "Jag vill börja arbeta igen, men i min takt.",
        "recommendation": "Arbetsträning med stöd från kommunen.",
        "follow_up_on": (item.meeting.date + timedelta(days=61)).isoformat(),
        "gap_note": "",
        "outcome": "",
        "closing_comment": "",
        "plan-TOTAL_FORMS": "3",
        "plan-INITIAL_FORMS": "0",
        "plan-MIN_NUM_FORMS": "0",
        "plan-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"plan-{index}-{name}"] = value
    data.update(fields)
    return data


def a_row(**fields):
    row = {
        "activity": "Arbetsträning 25 %",
        "goal": "Pröva arbetsförmåga",
        "responsible_party": "kommun",
        "responsible_user": "",
        "responsible_note": "Handläggaren",
        "due_on": "2099-01-15",
    }
    row.update(fields)
    return row


@pytest.fixture
def item(case_worker, coordinator, council_member):
    return slot(case_worker, coordinator, council_member)


def record_url(item):
    return reverse("meetings:record", kwargs={"item_id": item.pk})


def finalised(item, coordinator):
    draft(item, coordinator)
    record = Record.objects.get(item=item)
    record.finalise(by=coordinator, outcome="held")
    return record


# --- the meeting view ---------------------------------------------------------


def test_coordinator_sees_the_slots_in_order_with_times_and_record_status(
    client, case_worker, colleague, coordinator, item
):
    second = slot(colleague, coordinator, meeting=item.meeting)
    draft(second, coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("meetings:run", kwargs={"pk": item.meeting_id}))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index(item.referral.case_number) < content.index(second.referral.case_number)
    assert "09:00–09:45" in content and "10:00–10:45" in content
    assert "Inte påbörjat" in content and "Utkast" in content
    # The page names both individuals: both reads are logged.
    assert AccessLog.objects.filter(user=coordinator, action="list").count() == 2


def test_meeting_view_queries_do_not_grow_with_slots_or_meetings(
    client, case_worker, coordinator, django_assert_max_num_queries
):
    council = make_council(coordinators=[coordinator])
    meeting = make_meeting(council, days_ahead=0, starts_at="08:00", ends_at="20:00")
    items = [slot(case_worker, coordinator, meeting=meeting) for _ in range(12)]
    for index, one in enumerate(items[:6]):
        draft(one, coordinator, gap_note=f"Glapp {index}.")
    Meeting.objects.bulk_create(
        [
            Meeting(
                council=council,
                date=meeting.date + timedelta(days=7 * week),
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                place="Rum 3",
            )
            for week in range(1, 101)
        ]
    )
    client.force_login(coordinator)
    url = reverse("meetings:run", kwargs={"pk": meeting.pk})
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('/record/"') == 12


# --- the record page ----------------------------------------------------------


def test_coordinator_saves_a_draft_with_a_plan(client, coordinator, item, case_worker):
    client.force_login(coordinator)
    page = client.get(record_url(item))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Rekommendationen är inte ett beslut" in content
    # The follow-up is suggested two calendar months after the meeting.
    from cases.models import add_months

    assert add_months(item.meeting.date, 2).isoformat() in content
    data = record_data(
        item,
        rows=[a_row(responsible_user=str(case_worker.pk), responsible_note="")],
        **{f"present_{case_worker.pk}": "on", "perspective_region": "Vården utreder."},
    )
    response = client.post(record_url(item), data)
    assert response.status_code == 302
    record = Record.objects.get(item=item)
    assert record.version == 1
    assert record.plan_items.get().responsible_user == case_worker
    assert record.attendance.get(user=case_worker).present
    assert record.perspectives.get(party="region").note == "Vården utreder."
    assert AccessLog.objects.filter(user=coordinator, action="update", referral_id=item.referral_id).exists()


def test_saving_again_keeps_the_saved_plan_rows_and_drops_emptied_or_deleted_ones(client, coordinator, item):
    client.force_login(coordinator)
    rows = [a_row(), a_row(activity="Läkarbesök"), a_row(activity="Studiebesök")]
    assert client.post(record_url(item), record_data(item, rows=rows)).status_code == 302
    # The page shows the three saved rows and empty ones; posted back as they are, they stay.
    data = record_data(item, version=1, rows=rows, **{"plan-INITIAL_FORMS": "3", "plan-TOTAL_FORMS": "6"})
    assert client.post(record_url(item), data).status_code == 302
    assert list(Record.objects.get().plan_items.values_list("activity", flat=True)) == [
        "Arbetsträning 25 %",
        "Läkarbesök",
        "Studiebesök",
    ]
    emptied = dict.fromkeys(a_row(), "")
    data = record_data(
        item,
        version=2,
        rows=[a_row(DELETE="on"), emptied, rows[2]],
        **{"plan-INITIAL_FORMS": "3", "plan-TOTAL_FORMS": "6"},
    )
    assert client.post(record_url(item), data).status_code == 302
    assert list(Record.objects.get().plan_items.values_list("activity", flat=True)) == ["Studiebesök"]


def test_the_recommendation_before_the_own_account_is_refused_beside_the_field(client, coordinator, item):
    client.force_login(coordinator)
    response = client.post(record_url(item), record_data(item, own_account=""))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Mötet börjar med individens egen berättelse. Skriv den först" in content
    # What was typed is kept.
    assert "Arbetsträning med stöd från kommunen." in content
    assert not Record.objects.exists()


def test_declining_the_own_account_lets_the_recommendation_be_saved(client, coordinator, item):
    client.force_login(coordinator)
    response = client.post(record_url(item), record_data(item, own_account="", own_account_declined="on"))
    assert response.status_code == 302
    assert Record.objects.get().own_account_declined


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"follow_up_on": "2026-02-30"}, "Ange ett riktigt datum"),
        ({"follow_up_on": "2000-01-01"}, "Välj ett datum för uppföljningen som ligger efter mötet."),
        ({"individual_attended": "kanske"}, "Välj ett giltigt alternativ"),
        ({"version": "-1"}, ""),
    ],
)
def test_bad_fields_are_explained_and_nothing_is_saved(client, coordinator, item, fields, message):
    client.force_login(coordinator)
    response = client.post(record_url(item), record_data(item, **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Record.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"activity": ""}, "Skriv aktiviteten, eller töm hela raden."),
        ({"due_on": "2026-13-01"}, "Ange ett riktigt datum"),
        ({"due_on": ""}, "Ange datum då det ska vara klart."),
        ({"due_on": "2000-01-01"}, "Datumet får inte ligga före mötet."),
        ({"responsible_party": ""}, "Välj ansvarig part."),
        ({"responsible_note": ""}, "Välj en ansvarig person eller skriv vem det är."),
        ({"responsible_user": "999999999"}, "Välj ett giltigt alternativ"),
    ],
)
def test_a_half_filled_plan_row_is_explained(client, coordinator, item, row, message):
    client.force_login(coordinator)
    response = client.post(record_url(item), record_data(item, rows=[a_row(**row)]))
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert "Planpunkt 1" in content
    assert not Record.objects.exists()


def test_a_responsible_person_must_belong_to_the_responsible_party(client, coordinator, item, council_member):
    client.force_login(coordinator)
    row = a_row(responsible_party="kommun", responsible_user=str(council_member.pk), responsible_note="")
    response = client.post(record_url(item), record_data(item, rows=[row]))
    assert response.status_code == 400
    assert "Välj en person från den ansvariga parten" in response.content.decode()


def test_a_missing_management_form_is_an_error_not_a_500(client, coordinator, item):
    client.force_login(coordinator)
    data = record_data(item)
    del data["plan-TOTAL_FORMS"]
    response = client.post(record_url(item), data)
    assert response.status_code == 400
    assert not Record.objects.exists()


def test_a_second_editor_with_a_stale_version_is_told_and_keeps_their_text(client, coordinator, item):
    client.force_login(coordinator)
    assert (
        client.post(record_url(item), record_data(item, own_account="Den första texten.")).status_code == 302
    )
    response = client.post(record_url(item), record_data(item, version=0, own_account="Min egen text."))
    assert response.status_code == 409
    content = response.content.decode()
    assert "Någon annan sparade protokollet medan du skrev." in content
    assert "Min egen text." in content
    assert "Den första texten." in content
    # The next save is a deliberate choice to replace the other version.
    assert 'name="version" value="1"' in content
    assert Record.objects.get().own_account == "Den första texten."
    assert AccessLog.objects.filter(user=coordinator, action="conflict").count() == 1


def test_save_and_finalise_holds_the_case(client, coordinator, item):
    client.force_login(coordinator)
    response = client.post(record_url(item), record_data(item, rows=[a_row()], outcome="held", finalise="1"))
    assert response.status_code == 302
    assert response.url == reverse("meetings:record_view", kwargs={"item_id": item.pk})
    record = Record.objects.get()
    assert record.is_final
    assert Referral.objects.get(pk=item.referral_id).status == Status.HELD


def test_finalising_an_incomplete_record_is_explained_beside_the_fields(client, coordinator, item):
    client.force_login(coordinator)
    response = client.post(
        record_url(item), record_data(item, recommendation="", follow_up_on="", finalise="1", outcome="held")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Skriv gruppens rekommendation." in content
    assert "Välj ett datum för uppföljningen." in content
    assert not Record.objects.exists()


def test_a_no_show_cannot_be_held(client, coordinator, item):
    client.force_login(coordinator)
    data = record_data(item, individual_attended="no", outcome="held", finalise="1")
    response = client.post(record_url(item), data)
    assert response.status_code == 400
    assert "Individen kom inte: ärendet går tillbaka" in response.content.decode()


def test_a_refused_finalise_keeps_the_draft_and_says_why(client, case_worker, coordinator):
    coming = slot(case_worker, coordinator, days_ahead=5)
    client.force_login(coordinator)
    response = client.post(record_url(coming), record_data(coming, outcome="held", finalise="1"), follow=True)
    assert "Protokollet sparades som utkast men fastställdes inte: Mötet har inte ägt rum än." in (
        response.content.decode()
    )
    assert not Record.objects.get().is_final


def test_a_finalised_record_opens_read_only_and_refuses_a_post(client, coordinator, item):
    finalised(item, coordinator)
    client.force_login(coordinator)
    response = client.get(record_url(item))
    assert response.status_code == 302
    assert response.url == reverse("meetings:record_view", kwargs={"item_id": item.pk})
    response = client.post(record_url(item), record_data(item, version=2, own_account="Ändrat i efterhand."))
    assert response.status_code == 409
    content = response.content.decode()
    assert "Protokollet är fastställt och kan inte längre ändras." in content
    assert "Ändrat i efterhand." in content
    assert Record.objects.get().own_account.startswith("Jag vill")


def test_earlier_versions_are_listed_with_their_content(client, coordinator, item):
    draft(item, coordinator, own_account="Första berättelsen.")
    draft(item, coordinator, own_account="Andra berättelsen.")
    client.force_login(coordinator)
    response = client.get(reverse("meetings:record_versions", kwargs={"item_id": item.pk}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Version 1, sparad" in content
    assert "Första berättelsen." in content
    assert "Den aktuella versionen är 2" in content


# --- after the meeting: reading, the summary, responses ------------------------


def test_referring_case_worker_reads_the_finalised_record_only(client, case_worker, coordinator, item):
    view = reverse("meetings:record_view", kwargs={"item_id": item.pk})
    draft(item, coordinator)
    client.force_login(case_worker)
    assert client.get(view).status_code == 404
    Record.objects.get().finalise(by=coordinator, outcome="held")
    response = client.get(view)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Rekommendationen är inte ett beslut" in content
    assert "Redigera" not in content
    assert (
        AccessLog.objects.filter(user=case_worker, action="view", referral_id=item.referral_id).count() == 1
    )


def test_council_member_reads_the_record_while_their_partys_consent_is_in_force(
    client, case_worker, coordinator, council_member, item
):
    finalised(item, coordinator)
    view = reverse("meetings:record_view", kwargs={"item_id": item.pk})
    client.force_login(council_member)
    response = client.get(view)
    assert response.status_code == 200
    # Members read the record, not the individual's name.
    assert "Anna Andersson" not in response.content.decode()
    referral = Referral.objects.get(pk=item.referral_id)
    referral.consents.get(party="region").withdraw(by=case_worker, on=referral.consents.first().given_on)
    assert client.get(view).status_code == 404


def test_the_summary_is_for_the_individual_in_plain_swedish(client, case_worker, coordinator, item):
    case_worker.phone = "08-123 456"
    case_worker.save()
    finalised(item, coordinator)
    client.force_login(case_worker)
    response = client.get(reverse("meetings:summary", kwargs={"item_id": item.pk}))
    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "Sammanfattning av ditt möte med resursrådet",
        "Det här berättade du",
        "Jag vill tillbaka till arbete",
        "Rekommendationen är inte ett beslut.",
        "Arbetsträning 25 %",
        "08-123 456",
        case_worker.email,
        coordinator.email,
        "data-print",
    ]:
        assert text in content, text
    assert AccessLog.objects.filter(user=case_worker, action="print").count() == 1


def test_council_members_do_not_get_the_summary(client, coordinator, council_member, item):
    finalised(item, coordinator)
    client.force_login(council_member)
    assert client.get(reverse("meetings:summary", kwargs={"item_id": item.pk})).status_code == 404


def test_each_party_records_its_response_once(client, case_worker, coordinator, council_member, item):
    finalised(item, coordinator)
    url = reverse("meetings:response", kwargs={"item_id": item.pk})
    client.force_login(case_worker)
    response = client.post(url, {"party": "kommun", "answer": "partly", "comment": "Delvis, ej heltid."})
    assert response.status_code == 302
    assert Response.objects.get(party="kommun").by == case_worker
    # A second response from the same party is refused, and says why.
    again = client.post(url, {"party": "kommun", "answer": "follows"}, follow=True)
    assert "Kommun har redan svarat" in again.content.decode()
    assert Response.objects.get(party="kommun").answer == "partly"
    # The council member answers for their own party, not for another.
    client.force_login(council_member)
    assert client.post(url, {"party": "kommun", "answer": "follows"}).status_code == 400
    assert client.post(url, {"party": "region", "answer": "follows"}).status_code == 302
    assert set(Response.objects.values_list("party", flat=True)) == {"kommun", "region"}


def test_a_response_needs_an_answer(client, case_worker, coordinator, item):
    finalised(item, coordinator)
    client.force_login(case_worker)
    response = client.post(reverse("meetings:response", kwargs={"item_id": item.pk}), {"party": "kommun"})
    assert response.status_code == 400
    assert "Välj partens svar." in response.content.decode()
    assert not Response.objects.exists()


def test_a_coordinator_cannot_respond_for_a_party(client, coordinator, item):
    finalised(item, coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("meetings:response", kwargs={"item_id": item.pk}), {"party": "kommun", "answer": "follows"}
    )
    assert response.status_code == 302
    assert not Response.objects.exists()


# --- who may open what ----------------------------------------------------------


def run_urls(item):
    return [
        ("get", reverse("meetings:run", kwargs={"pk": item.meeting_id})),
        ("get", record_url(item)),
        ("post", record_url(item)),
        ("get", reverse("meetings:record_versions", kwargs={"item_id": item.pk})),
        ("get", reverse("meetings:record_view", kwargs={"item_id": item.pk})),
        ("get", reverse("meetings:summary", kwargs={"item_id": item.pk})),
        ("post", reverse("meetings:response", kwargs={"item_id": item.pk})),
    ]


@pytest.mark.parametrize(
    "role", ["other_case_worker", "steering_member", "administrator", "other_coordinator"]
)
def test_everyone_else_gets_404_on_every_url(client, cast, coordinator, item, role):
    finalised(item, coordinator)
    other = UserFactory(email="stina@annat-forbund.test", is_coordinator=True)
    make_council(name="Resursrådet Norr", coordinators=[other])
    user = other if role == "other_coordinator" else cast[role]
    client.force_login(user)
    for method, url in run_urls(item):
        assert getattr(client, method)(url).status_code == 404, url
    assert set(AccessLog.objects.filter(user=user).values_list("action", flat=True)) <= {"refused"}


def test_case_workers_and_members_cannot_edit_or_run(client, case_worker, council_member, coordinator, item):
    finalised(item, coordinator)
    for user in (case_worker, council_member):
        client.force_login(user)
        for url in [
            reverse("meetings:run", kwargs={"pk": item.meeting_id}),
            record_url(item),
            reverse("meetings:record_versions", kwargs={"item_id": item.pk}),
        ]:
            assert client.get(url).status_code == 404, (user, url)


def test_anonymous_is_sent_to_login_from_every_url(client, coordinator, item):
    for method, url in run_urls(item):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("meetings:run", "post"),
        ("meetings:record", "put"),
        ("meetings:record_versions", "post"),
        ("meetings:record_view", "post"),
        ("meetings:summary", "post"),
        ("meetings:response", "get"),
    ],
)
def test_wrong_method_is_refused(client, coordinator, item, name, method):
    client.force_login(coordinator)
    kwargs = {"pk": item.meeting_id} if name == "meetings:run" else {"item_id": item.pk}
    assert getattr(client, method)(reverse(name, kwargs=kwargs)).status_code == 405


def test_absurd_ids_are_404_not_500(client, coordinator, item):
    client.force_login(coordinator)
    for url in ["/meetings/99999999999999999999/run/", "/meetings/slots/99999999999999999999/record/view/"]:
        assert client.get(url).status_code == 404
