"""A styrgrupp handler, a party organisation with its deviation contact, and a reported deviation."""

import pytest

from tests.factories import OrganisationFactory, UserFactory, report_deviation


@pytest.fixture
def fk_org(db):
    return OrganisationFactory(name="Försäkringskassan Södertörn", party="fk")


@pytest.fixture
def fk_contact(fk_org):
    return UserFactory(email="kontakt@fk.test", organisation=fk_org, is_deviation_contact=True)


@pytest.fixture
def handler(steering_member):
    return steering_member


@pytest.fixture
def deviation(coordinator):
    return report_deviation(coordinator)


@pytest.fixture
def taken(deviation, handler):
    deviation.take(by=handler)
    return deviation
