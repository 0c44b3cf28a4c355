"""Deviation texts describe what happened, never who: the check before a report is saved.

A deviation sent to the förbund can become a public record, so a text is
refused when it holds a personnummer or samordningsnummer in any common
format, a phone number, an e-mail address, a case number, or the name of a participant in
the reporter's own cases. The check errs on the side of refusing: a number
that looks like a personnummer is refused even when its check digit is wrong
(a mistyped number still points at a person).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

# 10 or 12 digits with the date first (the day may be a samordningsnummer's,
# birth day + 60), and "-", "+", a space or nothing before the last four.
PERSONAL_NUMBER = re.compile(
    r"(?<![\d])(?:19|20)?\d{2}\s?(?:0[1-9]|1[0-2])\s?(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    r"\s?[-+\u2010-\u2014\s]?\s?\d{4}(?![\d])"
)
# A Swedish or international phone number: 0 or +46/0046 (or another +country
# code) and at least seven more digits, with spaces, dashes or brackets.
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}|00\d{1,3}|0)[\s\-/]*\(?\d{1,4}\)?(?:[\s\-/]*\d){5,10}(?![\d])")
# A date such as 01-02-2026 or 01.02.2026 is not a phone number.
DATE_LIKE = re.compile(r"^\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}$")
# A case number (RR-2026-0042, "rr 2026 42"): it leads straight to the individual's referral.
CASE_NUMBER = re.compile(
    r"(?<![\w])RR\s?[-\u2010-\u2014]?\s?\d{4}\s?[-\u2010-\u2014]?\s?\d{1,6}(?![\d])", re.IGNORECASE
)
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
WORD = re.compile(r"[^\W\d_][\w\-']*", re.UNICODE)


def _phones(text: str) -> list[str]:
    return [match for match in PHONE.findall(text) if not DATE_LIKE.match(match.strip())]


def identifying_words(text: str, names: set[str]) -> list[str]:
    """The words of the text that are a known participant's first name, last name or pseudonym.

    Names are compared as written with a capital letter, so that "hans" (his)
    is not taken for the name Hans; a pseudonym of several words is found too.
    """
    found: list[str] = []
    words = WORD.findall(text)
    candidates = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    for candidate in sorted(candidates):
        if candidate in names and candidate not in found:
            found.append(candidate)
    return found


def problems(text: str, names: set[str]) -> list[str]:
    """Why the text cannot be saved in a deviation, one Swedish sentence per kind of finding."""
    if not text:
        return []
    messages = []
    if PERSONAL_NUMBER.search(text):
        messages.append(
            gettext(
                "The text contains what looks like a personal identity number or co-ordination number. "
                "Describe what happened without it."
            )
        )
    elif _phones(text):
        messages.append(gettext("The text contains a phone number. Remove it."))
    if CASE_NUMBER.search(text):
        messages.append(gettext("The text contains a case number. Describe what happened without it."))
    if EMAIL.search(text):
        messages.append(gettext("The text contains an e-mail address. Remove it."))
    found = identifying_words(text, names)
    if found:
        messages.append(
            gettext(
                "The text contains the name of a participant in your cases (%(names)s). "
                "Describe what happened, not who it happened to."
            )
            % {"names": ", ".join(f"“{name}”" for name in found)}
        )
    return messages


def candidate_names(texts: Iterable[str]) -> set[str]:
    """Every capitalised word and pair of words in the texts: what could be a name."""
    candidates: set[str] = set()
    for text in texts:
        words = [word for word in WORD.findall(text or "") if word[:1].isupper()]
        all_words = WORD.findall(text or "")
        candidates.update(words)
        candidates.update(f"{a} {b}" for a, b in zip(all_words, all_words[1:], strict=False))
    return candidates


def participant_names(user: Any, texts: Iterable[str]) -> set[str]:
    """The names, among the texts' words, of participants in the cases the user can see.

    One query, whatever the number of cases: only the texts' own words are
    looked up. Erased participants have no name left to find.
    """
    from cases.models import Participant, Referral

    candidates = candidate_names(texts)
    if not candidates:
        return set()
    rows = (
        Participant.objects.filter(
            referral__in=Referral.objects.visible_to(user).values("pk"),
            erased_at__isnull=True,
        )
        .filter(Q(first_name__in=candidates) | Q(last_name__in=candidates) | Q(pseudonym__in=candidates))
        .values_list("first_name", "last_name", "pseudonym")
    )
    names: set[str] = set()
    for row in rows:
        names.update(name for name in row if name and name in candidates)
    return names


def check_texts(user: Any, texts: dict[str, str]) -> dict[str, list[str]]:
    """{field: [messages]} for every text that would identify someone; empty when all are clean."""
    names = participant_names(user, texts.values())
    found = {name: problems(text, names) for name, text in texts.items()}
    return {name: messages for name, messages in found.items() if messages}
