"""A kind may carry files for its e-mail, made from the object when the e-mail is built."""

from dataclasses import replace

import pytest

from resursrad.models import Organisation
from resursrad.notifications.kinds import registry
from resursrad.notifications.models import Notification
from resursrad.notifications.services import build_message, notify
from tests.factories import CaseWorkerFactory
from tests.resursrad.notification_kinds import NOTE


def _file(organisation):
    return [(f"org-{organisation.pk}.txt", organisation.name.encode(), "application/octet-stream")]


# The shared test note, once with a file and once (under its own name) without.
WITH_FILE = replace(NOTE, name="test.with_file", label="A test note with a file", attachments=_file)
WITHOUT_FILE = replace(NOTE, name="test.without_file")


@pytest.fixture(autouse=True)
def kinds():
    with registry.declared(WITH_FILE, WITHOUT_FILE):
        yield


def test_the_email_carries_the_kinds_file_made_from_the_object_as_it_is_when_sent(org_a):
    person = CaseWorkerFactory(organisation=org_a)
    notify([person], WITH_FILE, org_a)
    Organisation.objects.filter(pk=org_a.pk).update(name="Haninge kommun, socialtjänsten")
    message = build_message(list(Notification.objects.filter(recipient=person)))
    assert message.attachments == [
        (f"org-{org_a.pk}.txt", "Haninge kommun, socialtjänsten".encode(), "application/octet-stream")
    ]


def test_a_kind_without_files_sends_none(org_a):
    person = CaseWorkerFactory(organisation=org_a)
    notify([person], WITHOUT_FILE, org_a)
    assert build_message(list(Notification.objects.filter(recipient=person))).attachments == []


def test_an_object_that_is_gone_sends_the_text_without_the_file(org_a, org_b):
    person = CaseWorkerFactory(organisation=org_a)
    notify([person], WITH_FILE, org_b)
    Organisation.objects.filter(pk=org_b.pk).delete()
    message = build_message(list(Notification.objects.filter(recipient=person)))
    assert message.attachments == []
    assert f"RR-2026-{org_b.pk:04d}" in message.body


def test_a_digest_carries_the_files_of_each_of_its_notifications(org_a, org_b):
    person = CaseWorkerFactory(organisation=org_a)
    notify([person], WITH_FILE, org_a)
    notify([person], WITH_FILE, org_b)
    message = build_message(list(Notification.objects.filter(recipient=person).order_by("pk")))
    assert [name for name, _content, _type in message.attachments] == [
        f"org-{org_a.pk}.txt",
        f"org-{org_b.pk}.txt",
    ]
