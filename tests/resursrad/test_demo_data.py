from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.models import Referral
from resursrad.demo import DEMO_PASSWORD, USERS
from resursrad.models import Organisation, Party, User


def test_demo_data_creates_all_parties_and_every_role(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert set(Organisation.objects.values_list("party", flat=True)) == set(Party.values)
    for flag in [
        "is_case_worker",
        "is_coordinator",
        "is_council_member",
        "is_steering_member",
        "is_administrator",
        "is_log_reviewer",
    ]:
        assert User.objects.filter(**{flag: True}).exists(), flag
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for demo in USERS:
        assert demo.email in printed


def test_demo_data_twice_changes_nothing(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    before = (
        list(User.objects.values_list("email", "password")),
        Organisation.objects.count(),
        list(Referral.objects.values_list("case_number", "status", "version")),
    )
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    after = (
        list(User.objects.values_list("email", "password")),
        Organisation.objects.count(),
        list(Referral.objects.values_list("case_number", "status", "version")),
    )
    assert before == after
    assert "0 rows created" in out.getvalue()


def test_demo_data_is_refused_outside_development(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_data", stdout=StringIO())
    assert not User.objects.exists()


def test_demo_users_can_log_in(client, db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    response = client.post("/accounts/login/", {"username": USERS[0].email, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_referrals_cover_the_states(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    assert set(Referral.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "info_requested",
        "accepted",
        # The meetings' demo: two cases on the coming agenda, one already met.
        "scheduled",
        "held",
        # The follow-up demo: cases followed up and closed, some whose consent was withdrawn.
        "closed",
        "consent_ended",
    }
    protected = Referral.objects.get(participant__protected_identity=True).participant
    assert protected.first_name == protected.personal_number == ""


def test_demo_history_names_only_consents_that_exist(db, settings):
    from cases.models import Consent, ReferralEvent

    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    registered = ReferralEvent.objects.filter(kind="consent_registered")
    assert registered.count() == Consent.objects.count()
    # Erasure empties the history's comments; the rest name their party.
    for event in registered.filter(referral__participant__erased_at__isnull=True):
        party = Consent.objects.filter(referral=event.referral).values_list("party", flat=True)
        assert any(str(Party(code).label) in event.comment for code in party)
