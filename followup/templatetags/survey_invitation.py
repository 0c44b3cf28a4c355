"""The survey invitation printed on the individual's meeting summary: a fresh link and its QR code."""

from __future__ import annotations

from typing import Any

import segno
from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from followup.models_survey import SurveyLink

register = template.Library()


@register.inclusion_tag("followup/survey/invitation.html")
def survey_invitation(meeting: Any) -> dict[str, Any]:
    """A new link per printed summary, knowing only the council and the meeting's month, never the case."""
    token = SurveyLink.issue(meeting.council, meeting.date)
    address = settings.SITE_URL + reverse("followup:survey_answer", args=[token])
    qr = segno.make(address, error="m", micro=False)
    svg = qr.svg_inline(scale=3, title=_("QR code for the survey"), svgclass="survey-qr", lineclass=None)
    return {"address": address, "qr_svg": mark_safe(svg)}  # noqa: S308 - segno's own markup, from our address
