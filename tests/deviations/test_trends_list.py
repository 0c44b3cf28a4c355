"""The styrgrupp's list of every deviation: filters, overdue rows, pages, and its CSV file."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from deviations.models import Deviation
from deviations.workflow import Status
from tests.deviations.trends_data import bulk_deviations, reported_on


@pytest.fixture
def listed(coordinator, case_worker):
    return {
        "old": reported_on(coordinator, date(2026, 1, 10), category="information", parties=["fk", "region"]),
        "waiting": reported_on(
            case_worker, date(2026, 2, 20), category="waiting", parties=["kommun"], status=Status.RECEIVED
        ),
        "spring": reported_on(coordinator, date(2026, 4, 5), category="waiting", parties=["af", "fk"]),
    }


def numbers(response):
    return [row["deviation"].number for row in response.context["rows"]]


def get_list(client, user, **params):
    client.force_login(user)
    return client.get(reverse("deviations:all"), params)


def test_the_list_shows_every_deviation_newest_first(client, steering_member, listed):
    response = get_list(client, steering_member)
    assert numbers(response) == [listed[k].number for k in ("spring", "waiting", "old")]
    html = response.content.decode()
    assert "Försäkringskassan, Region" in html
    assert reverse("deviations:detail", args=[listed["old"].pk]) in html


def test_filter_by_status_category_and_party(client, steering_member, listed):
    assert numbers(get_list(client, steering_member, status="received")) == [listed["waiting"].number]
    assert numbers(get_list(client, steering_member, category="waiting")) == [
        listed["spring"].number,
        listed["waiting"].number,
    ]
    assert numbers(get_list(client, steering_member, party="fk")) == [
        listed["spring"].number,
        listed["old"].number,
    ]
    assert numbers(get_list(client, steering_member, party="fk", category="information")) == [
        listed["old"].number
    ]


def test_filter_by_period_includes_both_ends(client, steering_member, listed):
    response = get_list(client, steering_member, reported_from="2026-02-20", reported_to="2026-04-05")
    assert numbers(response) == [listed["spring"].number, listed["waiting"].number]
    assert numbers(get_list(client, steering_member, reported_to="2026-01-10")) == [listed["old"].number]


def test_an_end_before_the_start_is_explained_beside_the_field(client, steering_member, listed):
    response = get_list(
        client, steering_member, reported_from="2026-04-01", reported_to="2026-01-01", category="waiting"
    )
    assert response.status_code == 200
    assert response.context["filters"].errors["reported_to"] == [
        "Periodens slut får inte ligga före dess början."
    ]
    html = response.content.decode()
    assert 'value="2026-01-01"' in html  # kept as typed
    assert '<details class="filter-fold" open>' in html
    # The valid filters still apply; the end that is wrong is left out.
    assert numbers(response) == [listed["spring"].number]


def test_an_unknown_choice_or_date_is_explained_not_500(client, steering_member, listed):
    response = get_list(client, steering_member, status="nonsense", reported_from="2026-13-45")
    assert response.status_code == 200
    assert set(response.context["filters"].errors) == {"status", "reported_from"}
    assert len(numbers(response)) == 3


def test_overdue_rows_stand_out_in_words_and_colour(client, steering_member, listed):
    today_due = reported_on(
        steering_member_reporter := listed["old"].reported_by, date.today(), parties=["af"]
    )
    html = get_list(client, steering_member).content.decode()
    assert (
        html.count("data-overdue") == 3
    )  # the three reported in the first half of 2026 are past their 60 days
    overdue_row = html.split(f'data-deviation="{listed["old"].number}"')[0].rsplit("<tr", 1)[1]
    assert 'class="table-danger"' in overdue_row
    fresh_row = html.split(f'data-deviation="{today_due.number}"')[0].rsplit("<tr", 1)[1]
    assert "table-danger" not in fresh_row
    assert steering_member_reporter.get_full_name() not in html


def test_the_list_is_paged_without_counting(client, steering_member, coordinator):
    bulk_deviations(coordinator, 30, first_day=date(2026, 1, 1))
    first = get_list(client, steering_member)
    assert len(first.context["rows"]) == 25 and first.context["page"].has_next
    second = get_list(client, steering_member, page=2, category="")
    assert len(second.context["rows"]) == 5 and not second.context["page"].has_next
    assert "Sida 2" in second.content.decode()


def test_the_filters_fold_behind_a_button(client, steering_member, listed):
    html = get_list(client, steering_member).content.decode()
    assert '<details class="filter-fold">' in html
    assert '<summary class="btn btn-outline-primary">Filter</summary>' in html


# --- the CSV file ------------------------------------------------------------


def get_csv(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("deviations:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_has_the_filtered_rows_and_the_filters_in_its_name(client, steering_member, listed):
    response, rows = get_csv(
        client,
        steering_member,
        status="received",
        category="waiting",
        reported_from="2026-01-01",
        reported_to="2026-03-31",
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="avvikelser_status-received_kategori-waiting_2026-01-01_2026-03-31.csv"'
    )
    header, *data = rows
    assert header[:4] == ["Nummer", "Status", "Kategori", "Berörda parter"]
    assert [row[0] for row in data] == [listed["waiting"].number]
    row = dict(zip(header, data[0], strict=True))
    assert row["Status"] == str(Status.RECEIVED.label)
    assert row["Berörda parter"] == "Kommun"
    assert row["Rapporterad"] == "2026-02-20"


def test_the_csv_without_filters_holds_every_deviation(client, steering_member, listed):
    response, rows = get_csv(client, steering_member)
    assert response["Content-Disposition"] == 'attachment; filename="avvikelser.csv"'
    assert len(rows) == 1 + 3
    _, rows = get_csv(client, steering_member, party="fk", reported_from="2026-03-01")
    assert [row[0] for row in rows[1:]] == [listed["spring"].number]


def test_the_csv_names_only_the_reporters_party_never_the_reporter(
    client, steering_member, case_worker, coordinator, listed
):
    response, rows = get_csv(client, steering_member)
    header, *data = rows
    text = "\n".join(",".join(row) for row in rows)
    for person in (case_worker, coordinator):
        assert person.get_full_name() not in text
        assert person.email not in text
        assert person.last_name not in text
    column = header.index("Rapportörens part")
    by_number = {row[0]: row[column] for row in data}
    assert by_number[listed["waiting"].number] == "Kommun"  # the case worker's organisation is a municipality
    assert by_number[listed["old"].number] == ""  # the coordinator belongs to no party


def test_a_formula_in_a_text_is_written_as_text(client, steering_member, coordinator):
    deviation = reported_on(coordinator, date(2026, 3, 1))
    Deviation.objects.filter(pk=deviation.pk).update(suggestion='=HYPERLINK("x")')
    _, rows = get_csv(client, steering_member)
    header, row = rows
    assert row[header.index("Förslag till förbättring")] == '\'=HYPERLINK("x")'


def test_the_csv_with_a_wrong_filter_shows_the_list_with_the_message(client, steering_member, listed):
    client.force_login(steering_member)
    response = client.get(
        reverse("deviations:export"), {"reported_from": "2026-04-01", "reported_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Periodens slut får inte ligga före dess början." in response.content.decode()


def test_the_list_links_to_the_csv_of_its_filters(client, steering_member, listed):
    html = get_list(client, steering_member, category="waiting", party="kommun").content.decode()
    assert reverse("deviations:export") + "?category=waiting&amp;party=kommun" in html


def test_the_csv_file_name_for_one_end_and_a_party(client, steering_member, listed):
    response, _ = get_csv(client, steering_member, party="fk", reported_from="2026-03-01")
    assert response["Content-Disposition"] == 'attachment; filename="avvikelser_part-fk_fran-2026-03-01.csv"'
