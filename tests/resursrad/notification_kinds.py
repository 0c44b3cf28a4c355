"""A notification kind about an organisation, for tests that need many rows without referrals."""

import pytest

from resursrad.notifications.kinds import Kind, registry

NOTE = Kind(
    name="test.note",
    label="A test note",
    subject="Note about %(case_number)s",
    text="Something happened in %(case_number)s.",
    context=lambda obj: {"case_number": f"RR-2026-{obj.pk:04d}"},
    url=lambda obj: "/privacy/",
    reference=lambda obj: f"RR-2026-{obj.pk:04d}",
)


@pytest.fixture(autouse=True)
def test_kind():  # type: ignore[no-untyped-def]
    """Declared for the test module that imports this fixture."""
    with registry.declared(NOTE):
        yield
