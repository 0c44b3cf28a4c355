"""A notification kind about an organisation, for tests that need many rows without referrals; and the
check every app's declared kinds pass."""

from collections.abc import Iterable

import pytest
from django.utils.translation import override

from resursrad.notifications.kinds import ALLOWED_PLACEHOLDERS, PLACEHOLDER, Kind, registry

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


def assert_kinds_declared(kinds: Iterable[Kind]) -> None:
    """Each kind is in the registry, names an audience, uses only allowed placeholders and is in Swedish."""
    declared = {kind.name for kind in registry}
    for kind in kinds:
        assert kind.name in declared
        assert kind.audience
        for language in (None, "sv"):
            with override(language):
                for text in (kind.subject, kind.text, kind.label):
                    assert set(PLACEHOLDER.findall(str(text))) <= ALLOWED_PLACEHOLDERS
        with override("en"):
            english = [str(kind.label), str(kind.subject), str(kind.text)]
        with override("sv"):
            swedish = [str(kind.label), str(kind.subject), str(kind.text)]
        assert all(sv != en for sv, en in zip(swedish, english, strict=True)), kind.name
