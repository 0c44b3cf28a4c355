"""Shared form fields."""

from cases.forms import ReferralFilterForm


def test_fixed_choices_are_shared_between_forms_and_still_checked(case_worker):
    first = ReferralFilterForm(user=case_worker)
    second = ReferralFilterForm({"status": "nonsense"}, user=case_worker)
    assert first.fields["target_group"].choices is second.fields["target_group"].choices
    assert not second.is_valid() and "status" in second.errors
    assert ReferralFilterForm({"status": "draft"}, user=case_worker).is_valid()
