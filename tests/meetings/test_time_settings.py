"""The reminder periods of the meetings: seven days unless set, never zero."""

import pytest

from tests.resursrad.test_security import PRODUCTION_ENV, _django


@pytest.mark.parametrize("name", ["PLAN_ITEM_REMINDER_DAYS", "FOLLOW_UP_REMINDER_DAYS"])
def test_the_reminder_period_is_seven_days_unless_set_and_never_zero(name):
    code = f"import django; django.setup(); from django.conf import settings as s; print(s.{name})"
    assert _django(code, PRODUCTION_ENV).stdout.strip().splitlines()[-1] == "7"
    assert _django(code, {**PRODUCTION_ENV, name: "14"}).stdout.strip().splitlines()[-1] == "14"
    refused = _django(code, {**PRODUCTION_ENV, name: "0"})
    assert refused.returncode != 0
    assert f"{name} must be at least 1" in refused.stderr
    not_a_number = _django(code, {**PRODUCTION_ENV, name: "en vecka"})
    assert not_a_number.returncode != 0
    assert name in not_a_number.stderr
