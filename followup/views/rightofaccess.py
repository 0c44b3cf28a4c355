"""The register extract (registerutdrag): by case number, or from the case page, as a printable page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cases.access import get_referral_for_user, record_refusal
from cases.models import Referral
from followup.forms.rightofaccess import CaseNumberForm
from followup.rightofaccess import can_produce_register_extracts, find_case, gather
from resursrad.models import AccessAction
from resursrad.types import AuthenticatedHttpRequest


def _producers_only(request: AuthenticatedHttpRequest) -> None:
    # The extract tells others nothing, not even that it exists.
    if not can_produce_register_extracts(request.user):
        raise Http404


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The case number, by POST (no number in an address); then the extract of that case."""
    _producers_only(request)
    form = CaseNumberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["case_number"]
        referral = find_case(Referral.objects.visible_to(request.user), number)
        if referral is not None:
            return redirect("followup:register_extract", pk=referral.pk)
        # The same words whether the case does not exist or is not the user's: nothing is revealed.
        target = find_case(Referral.objects.all(), number)
        if target is not None:
            record_refusal(request, target.pk)
        form.add_error("case_number", _("You have no case with this number. Check the number and try again."))
    return render(
        request, "followup/rightofaccess/start.html", {"form": form}, status=400 if form.errors else 200
    )


@require_safe
@login_required
def extract(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The printable extract; producing it is logged as such (the read is the extract)."""
    _producers_only(request)
    referral = get_referral_for_user(request, pk, action=AccessAction.RIGHT_OF_ACCESS)
    return render(
        request,
        "followup/rightofaccess/extract.html",
        {
            "extract": gather(referral),
            "referral": referral,
            "participant": referral.participant,
            # The extract is the individual's own: their name and number belong in it.
            "show_identity": True,
            "controller_name": settings.CONTROLLER_NAME,
        },
    )
