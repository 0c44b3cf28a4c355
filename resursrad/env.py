"""Strict parsing of configuration from environment variables.

A malformed value stops start-up with ImproperlyConfigured naming the variable.
Any variable may instead be read from a file named by ``<NAME>_FILE`` (for
secrets mounted by the container platform).
"""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, *, empty_is_unset: bool = True) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r}: {exc}") from exc
    value = os.environ.get(name)
    if value is None:
        return None
    if value.strip() == "":
        if not empty_is_unset:
            # An empty value is most often a template variable that was never
            # filled in (DEBUG=${DEBUG}): refuse it rather than guess.
            raise ImproperlyConfigured(f"{name} is set but empty: set it to true or false, or unset it.")
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    value = _raw(name)
    if value is None:
        if required:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default or ""
    return value


def env_bool(name: str, default: bool) -> bool:
    """A yes/no switch; present but empty is refused, so a blank never turns a switch off or on."""
    value = _raw(name, empty_is_unset=False)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}.")
    return value


def env_time(name: str, default: str) -> time:
    """A time of day written HH:MM (24-hour clock), e.g. 07:00."""
    value = _raw(name) or default
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", value)
    if match is None:
        raise ImproperlyConfigured(
            f"{name} must be a time of day written HH:MM (00:00 to 23:59), not {value!r}."
        )
    return time(int(match[1]), int(match[2]))
