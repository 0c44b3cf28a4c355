import pytest
from django.urls import reverse

START_PAGES = {
    "case_worker": "cases:list",
    "coordinator": "meetings:planning",
    "council_member": "meetings:agendas",
    "steering_member": "deviations:inbox",
    "administrator": "start_admin",
}


@pytest.mark.parametrize("role,url_name", START_PAGES.items())
def test_each_role_is_sent_from_home_to_its_start_page(client, cast, role, url_name):
    client.force_login(cast[role])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(url_name)
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("page_role,url_name", START_PAGES.items())
@pytest.mark.parametrize("user_role", START_PAGES.keys())
def test_start_page_is_refused_to_other_roles(client, cast, page_role, url_name, user_role):
    client.force_login(cast[user_role])
    # The referral list is also the coordinator's list of all referrals.
    allowed = {page_role, "coordinator"} if url_name == "cases:list" else {page_role}
    # A meetings or deviations page tells outsiders nothing: 404 (tests/meetings/test_cal_access.py).
    refused = 404 if url_name.startswith(("meetings:", "deviations:")) else 403
    expected = 200 if user_role in allowed else refused
    assert client.get(reverse(url_name)).status_code == expected


@pytest.mark.parametrize("url_name", [*START_PAGES.values(), "home", "system_status"])
def test_anonymous_is_sent_to_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse(url_name)}"


# The referral list takes its search by POST (tests/cases/test_lists.py).
@pytest.mark.parametrize(
    "url_name", [u for u in [*START_PAGES.values(), "home", "system_status"] if u != "cases:list"]
)
def test_start_pages_refuse_post(client, administrator, case_worker, url_name):
    administrator.is_case_worker = True
    administrator.organisation = case_worker.organisation
    administrator.is_coordinator = administrator.is_council_member = administrator.is_steering_member = True
    administrator.save()
    client.force_login(administrator)
    assert client.post(reverse(url_name)).status_code == 405


def nav_labels(response):
    return [str(item["label"]) for item in response.context["nav_items"]]


def test_navigation_shows_each_role_only_its_own_pages(client, cast):
    expected = {
        "case_worker": [
            "Mina ärenden",
            "Ny ansökan",
            "Kalender",
            "Registerutdrag",
            "Rapportera avvikelse",
            "Mina avvikelser",
        ],
        "coordinator": [
            "Planering",
            "Samordning",
            "Statistik",
            "Kalender",
            "Alla ansökningar",
            "Enkätresultat",
            "Registerutdrag",
            "Rapportera avvikelse",
            "Mina avvikelser",
        ],
        "council_member": ["Mina dagordningar", "Kalender", "Rapportera avvikelse", "Mina avvikelser"],
        "steering_member": [
            "Avvikelser att hantera",
            "Alla avvikelser",
            "Trender",
            "Rapport till styrgruppen",
            "Statistik",
            "Enkätresultat",
        ],
        "administrator": ["Administration", "Åtkomstlogg", "Loggkontroll", "Notisöversikt"],
    }
    for role, labels in expected.items():
        client.force_login(cast[role])
        response = client.get(reverse(START_PAGES[role]))
        assert nav_labels(response) == labels, role


def test_user_with_two_roles_sees_both(client, coordinator):
    coordinator.is_steering_member = True
    coordinator.save()
    client.force_login(coordinator)
    response = client.get(reverse("cases:inbox"))
    assert nav_labels(response) == [
        "Planering",
        "Avvikelser att hantera",
        "Samordning",
        "Alla avvikelser",
        "Trender",
        "Rapport till styrgruppen",
        "Statistik",
        "Kalender",
        "Alla ansökningar",
        "Enkätresultat",
        "Registerutdrag",
        "Rapportera avvikelse",
        "Mina avvikelser",
    ]
    assert client.get(reverse("deviations:inbox")).status_code == 200


def test_user_without_role_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "har ingen roll" in response.content.decode()


def test_case_worker_without_organisation_cannot_be_stored(db):
    from django.db import IntegrityError, transaction

    from tests.factories import UserFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(is_case_worker=True, organisation=None)


def test_administrator_reaches_the_admin_in_swedish(client, administrator):
    client.force_login(administrator)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Administration" in response.content.decode()
    response = client.get("/admin/resursrad/user/")
    assert response.status_code == 200
    assert "Välj användare att ändra" in response.content.decode()


def test_non_administrators_do_not_reach_the_admin(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_admin_login_goes_through_the_application_login(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_system_status_shows_the_heartbeat(client, administrator):
    from resursrad.models import Heartbeat

    client.force_login(administrator)
    assert "Inte igång" in client.get(reverse("system_status")).content.decode()
    Heartbeat.beat("celery")
    assert "Igång" in client.get(reverse("system_status")).content.decode()


def test_privacy_notice_names_the_controller(client, db, settings):
    settings.CONTROLLER_NAME = "Haninge kommun"
    response = client.get(reverse("privacy_notice"))
    assert (
        "Personuppgiftsansvarig för personuppgifterna i Resursråd är Haninge kommun."
        in response.content.decode()
    )


def test_admin_sections_have_swedish_names(client, administrator):
    client.force_login(administrator)
    content = client.get("/admin/").content.decode()
    assert "Användare och organisationer" in content
    assert "Inloggningsspärr" in content
    assert "Access attempts" not in content


def test_log_reviewer_starts_on_the_log_and_finds_the_review_in_the_menu(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_log_reviewer=True))
    response = client.get(reverse("access_log"))
    assert nav_labels(response) == ["Åtkomstlogg", "Loggkontroll"]
