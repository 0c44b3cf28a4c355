import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from bench import seed_load
from cases.models import Referral, Status
from resursrad import personnummer
from resursrad.models import Organisation

PASSWORD = "lasttest-losenord-2026"


@pytest.fixture
def accounts(db):
    return seed_load.seed(case_workers=5, coordinators=2, referrals=60, password=PASSWORD)


def test_users_of_all_four_parties_and_coordinators_are_made(accounts):
    assert len(accounts["case_workers"]) == 5
    assert len(accounts["coordinators"]) == 2
    assert {account["party"] for account in accounts["case_workers"]} == {"kommun", "region", "af", "fk"}
    assert set(Organisation.objects.values_list("party", flat=True)) == {"kommun", "region", "af", "fk"}
    assert accounts["password"] == PASSWORD


def test_every_account_logs_in_with_the_written_password(accounts):
    request = RequestFactory().post("/accounts/login/")
    for account in [*accounts["case_workers"], *accounts["coordinators"]]:
        assert authenticate(request, username=account["email"], password=PASSWORD) is not None


def test_referrals_are_in_the_states_both_roles_work_with(accounts):
    assert Referral.objects.count() == 60
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {Status.DRAFT, Status.SUBMITTED, Status.INFO_REQUESTED, Status.ACCEPTED} <= statuses
    assert sum(accounts["states"].values()) == 60
    # Spread over half a year, not all made this minute.
    dates = {referral.created_at.date() for referral in Referral.objects.all()}
    assert len(dates) > 10


def test_the_participants_numbers_are_valid_and_searchable(accounts):
    numbered = Referral.objects.exclude(participant__personal_number="").select_related("participant")
    assert numbered.exists()
    for referral in numbered:
        number = referral.participant.personal_number
        assert personnummer.parse(number).digits == number
        assert referral.participant.number_hash == personnummer.keyed_hash(number)


def test_it_refuses_a_database_that_already_holds_referrals(accounts):
    with pytest.raises(SystemExit, match="fresh load database"):
        seed_load.seed(case_workers=1, coordinators=1, referrals=1, password=PASSWORD)
