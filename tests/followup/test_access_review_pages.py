"""Who reaches the log review, and marking a sampled row reviewed."""

import pytest
from django.urls import reverse

from followup.models import LogReview
from resursrad.models import AccessAction, AccessLog, AdminEvent, AdminEventKind
from tests.factories import UserFactory, submitted_referral


@pytest.fixture
def log_reviewer(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="greta@forbund.test", is_log_reviewer=True)


@pytest.fixture
def planted(case_worker, other_case_worker):  # type: ignore[no-untyped-def]
    referral = submitted_referral(case_worker)
    return AccessLog.objects.create(
        user=other_case_worker,
        organisation_id=other_case_worker.organisation_id,
        referral_id=referral.pk,
        participant_id=referral.participant_id,
        case_number=referral.case_number,
        action=AccessAction.VIEW,
    )


def urls(entry, event):  # type: ignore[no-untyped-def]
    return [
        reverse("followup:log_samples"),
        reverse("followup:log_review_entry", args=[entry.pk]),
        reverse("followup:log_review_event", args=[event.pk]),
    ]


@pytest.fixture
def event(administrator, case_worker):  # type: ignore[no-untyped-def]
    return AdminEvent.objects.create(
        actor=administrator, subject=case_worker, kind=AdminEventKind.PASSWORD_RESET
    )


@pytest.mark.parametrize("role", ["administrator", "log_reviewer"])
def test_administrators_and_log_reviewers_reach_the_pages(client, cast, log_reviewer, planted, event, role):
    client.force_login(log_reviewer if role == "log_reviewer" else cast[role])
    for url in urls(planted, event):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "steering_member", "council_member"])
def test_other_roles_get_404(client, cast, planted, event, role):
    client.force_login(cast[role])
    for url in urls(planted, event):
        assert client.get(url).status_code == 404
    response = client.post(urls(planted, event)[1], {"comment": "Kontrollerad."})
    assert response.status_code == 404
    assert not LogReview.objects.exists()


def test_anonymous_is_sent_to_log_in(client, planted, event):
    for url in urls(planted, event):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_wrong_method_is_405(client, log_reviewer, planted, event):
    client.force_login(log_reviewer)
    samples, entry_url, event_url = urls(planted, event)
    assert client.post(samples).status_code == 405
    assert client.put(entry_url).status_code == 405
    assert client.delete(event_url).status_code == 405


def test_a_reviewer_marks_a_sampled_read_reviewed(client, log_reviewer, planted):
    client.force_login(log_reviewer)
    samples = reverse("followup:log_samples")
    assert planted in client.get(samples, {"sample": "other_organisation"}).context["rows"]
    url = reverse("followup:log_review_entry", args=[planted.pk]) + "?sample=other_organisation"
    response = client.post(url, {"comment": "  Läst utan uppdrag; frågat enhetschefen.  "})
    assert response.status_code == 302
    review = LogReview.objects.get()
    assert (review.entry, review.reviewer, review.sample) == (planted, log_reviewer, "other_organisation")
    assert review.comment == "Läst utan uppdrag; frågat enhetschefen."
    rows = client.get(samples, {"sample": "other_organisation"}).context["rows"]
    assert [row.reviewed for row in rows] == [True]
    page = client.get(url).content.decode()
    assert "frågat enhetschefen" in page
    # Kept: a review is never changed or deleted.
    with pytest.raises(PermissionError):
        review.save()
    with pytest.raises(PermissionError):
        LogReview.objects.all().delete()


@pytest.mark.parametrize("comment", ["", "   "])
def test_an_empty_comment_is_refused_beside_the_field(client, log_reviewer, planted, comment):
    client.force_login(log_reviewer)
    response = client.post(reverse("followup:log_review_entry", args=[planted.pk]), {"comment": comment})
    assert response.status_code == 200
    assert response.context["form"].errors["comment"] == ["Skriv en kommentar om vad du har kontrollerat."]
    assert "Skriv en kommentar om vad du har kontrollerat." in response.content.decode()
    assert not LogReview.objects.exists()


def test_a_too_long_comment_is_refused_and_kept(client, log_reviewer, planted):
    client.force_login(log_reviewer)
    text = "x" * 2001
    response = client.post(reverse("followup:log_review_entry", args=[planted.pk]), {"comment": text})
    assert response.status_code == 200
    assert "comment" in response.context["form"].errors
    assert text in response.content.decode()
    assert not LogReview.objects.exists()


def test_a_reviewer_cannot_review_their_own_reads(client, case_worker):
    reviewer = UserFactory(
        email="dubbel@haninge.test", is_log_reviewer=True, organisation=case_worker.organisation
    )
    own = AccessLog.objects.create(
        user=reviewer, organisation_id=reviewer.organisation_id, action=AccessAction.LIST
    )
    client.force_login(reviewer)
    url = reverse("followup:log_review_entry", args=[own.pk])
    page = client.get(url)
    assert "Du kan inte granska dina egna läsningar eller åtgärder." in page.content.decode()
    response = client.post(url, {"comment": "Allt i ordning."})
    assert response.status_code == 200
    assert "Du kan inte granska dina egna läsningar eller åtgärder." in response.content.decode()
    assert not LogReview.objects.exists()


def test_an_administrator_cannot_review_their_own_actions(client, administrator, event):
    client.force_login(administrator)
    response = client.post(
        reverse("followup:log_review_event", args=[event.pk]), {"comment": "Allt i ordning."}
    )
    assert response.status_code == 200
    assert not LogReview.objects.exists()


def test_another_reviewer_reviews_an_administrator_action(client, log_reviewer, event):
    client.force_login(log_reviewer)
    response = client.post(
        reverse("followup:log_review_event", args=[event.pk]), {"comment": "Begärt av chefen."}
    )
    assert response.status_code == 302
    assert LogReview.objects.get().event == event


def test_an_unknown_row_is_404(client, log_reviewer):
    client.force_login(log_reviewer)
    assert client.get(reverse("followup:log_review_entry", args=[999999])).status_code == 404


def test_a_log_reviewer_starts_on_the_access_log(client, log_reviewer):
    client.force_login(log_reviewer)
    response = client.get(reverse("home"))
    assert response.url == reverse("access_log")
    assert reverse("followup:log_samples") in client.get(response.url).content.decode()
