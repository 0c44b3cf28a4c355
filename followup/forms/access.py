"""The log reviewer's comment on one sampled row."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

COMMENT_LIMIT = 2000


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_LIMIT,
        help_text=_("What you checked and what you found, e.g. that the read was part of the person's work."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_LIMIT}),
        error_messages={
            "required": _("Write a comment on what you checked."),
            "max_length": _("Shorten the text to at most %(limit_value)d characters."),
        },
    )

    def clean_comment(self) -> str:
        comment: str = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(_("Write a comment on what you checked."), code="required")
        return comment
