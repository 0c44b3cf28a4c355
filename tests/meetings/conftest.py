"""A council with a coordinator and a member of each party, and meetings to plan."""

import pytest

from tests.factories import OrganisationFactory, UserFactory, make_council, make_meeting


@pytest.fixture
def members(council_member):
    """A council member per party: the standard cast's (region) and three more."""
    people = {"region": council_member}
    for party, name in [
        ("kommun", "Haninge kommun"),
        ("af", "Arbetsförmedlingen Haninge"),
        ("fk", "Försäkringskassan"),
    ]:
        people[party] = UserFactory(
            email=f"ledamot-{party}@test.resursrad.se",
            is_council_member=True,
            organisation=OrganisationFactory(name=name, party=party),
        )
    return people


@pytest.fixture
def council(coordinator, members):
    return make_council(
        coordinators=[coordinator], members=[(user, party) for party, user in members.items()]
    )


@pytest.fixture
def meeting(council):
    return make_meeting(council, days_ahead=7)


@pytest.fixture
def later_meeting(council):
    return make_meeting(council, days_ahead=21)


@pytest.fixture
def other_coordinator(db):
    """A coordinator of another council: none of this council's meetings are theirs."""
    user = UserFactory(email="sam@annat-forbund.test", is_coordinator=True)
    make_council(name="Resursrådet Norr", coordinators=[user])
    return user
