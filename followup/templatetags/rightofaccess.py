"""Whether the user may produce a register extract: the case page shows its link only then."""

from __future__ import annotations

from typing import Any

from django import template

from followup import rightofaccess
from followup.rightofaccess import can_produce_register_extracts

register = template.Library()


@register.filter
def produces_register_extracts(user: Any) -> bool:
    return can_produce_register_extracts(user)


@register.filter
def version_texts(version: Any) -> list[tuple[str, str]]:
    """An earlier record version's texts, labelled as the record's fields are."""
    return rightofaccess.version_texts(version)
