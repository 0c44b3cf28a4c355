"""The case worker's list ("Mina ärenden"): its worklist and its unfiltered pages, compiled once per shape.

Every case worker's list sends the same two queries on every visit: the
worklist ("Att göra") and the page's rows. They carry the visibility rule,
the to-do conditions and the consent annotation, and Django took about three
times longer to build and compile them than PostgreSQL took to answer. Here
they are built by the same QuerySet methods as always (visible_to,
worklist_rows, with_list_data, action_first_rows), once per shape and
process, and run with each request's values (resursrad.compiled).

The shape is the user's roles (a user without an organisation, who sees no
list, goes through the ORM), whether
the organisation column is shown, the page's plan (how many rows with work,
how many others, how many skipped) and whether the database takes a LIMIT in
a union; the values are the user's and the organisation's ids, today, the
consent warning's last day and the ids with work. A filtered or searched list is built by the ORM each time (cases.views).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.db import connections
from django.db.models import QuerySet

from cases.models import ActionFirstPage, Referral, ReferralQuerySet, Worklist, consent_warning_end
from resursrad.compiled import USING, QueryShapes, Value
from resursrad.pagination import PageWithoutCount


@dataclass(frozen=True)
class Viewer:
    """What visible_to and the to-do conditions read of a user: roles (the shape) and ids (values).

    No id for a query that does not use it, and no organisation where the rule
    does not read it (the case page's, for a coordinator): a value must reach the SQL.
    """

    pk: int | None
    organisation_id: int | None
    is_case_worker: bool
    is_coordinator: bool
    is_authenticated: bool = True
    is_active: bool = True


def _compiled(user: Any) -> bool:
    """A user whose list runs from compiled shapes: one who may see a list, with an organisation."""
    return bool(user.is_authenticated and user.is_active and user.organisation_id)


def roles(user: Any) -> tuple[bool, bool]:
    """(case worker, coordinator): what of a user changes the visibility rule's SQL."""
    return (bool(user.is_case_worker), bool(user.is_coordinator))


def _values(of: Any, today: date, **more: Value) -> dict[str, Value]:
    return {
        "organisation": of.organisation_id,
        "today": today,
        "last_day": consent_warning_end(today),
        **more,
    }


def _visible(roles: tuple[bool, bool], values: Mapping[str, Any]) -> tuple[Viewer, ReferralQuerySet]:
    case_worker, coordinator = roles
    viewer = Viewer(
        pk=values.get("user"),
        organisation_id=values["organisation"],
        is_case_worker=case_worker,
        is_coordinator=coordinator,
    )
    return viewer, Referral.objects.visible_to(viewer)


def _build_worklist(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Referral, Any]:
    viewer, visible = _visible(cast(tuple[bool, bool], key), values)
    return visible.worklist_rows(viewer, values["today"], values["last_day"])


def _build_page(key: Hashable, values: Mapping[str, Any]) -> ReferralQuerySet:
    roles, organisation, size, skip, rest, _ = cast(tuple[tuple[bool, bool], bool, int, int, int, bool], key)
    _, visible = _visible(roles, values)
    plan = ActionFirstPage(1, size, values["leading"], values["excluded"], skip, rest)
    return visible.with_list_data(organisation=organisation).action_first_rows(
        plan, values["today"], values["last_day"]
    )


_WORKLISTS = QueryShapes(_build_worklist)
_PAGES = QueryShapes(_build_page)


def worklist(user: Any, today: date) -> Worklist:
    """Referral.objects.visible_to(user).worklist(user, today), from its compiled shape."""
    if not _compiled(user):
        return Referral.objects.visible_to(user).worklist(user, today)
    values = _values(user, today, user=user.pk)
    return Worklist.of(_WORKLISTS.get(roles(user), values, USING).rows(values))


def page_action_first(
    user: Any, worklist: Worklist, *, today: date, number: Any, size: int, organisation: bool
) -> PageWithoutCount:
    """The unfiltered list's page: Referral.objects.visible_to(user).with_list_data(organisation=...)
    .page_action_first(worklist, ..., narrowed=False), from its compiled shape."""
    plan = ActionFirstPage.plan(worklist.order, worklist.order, number=number, size=size)
    if not _compiled(user):
        visible = Referral.objects.visible_to(user).with_list_data(organisation=organisation)
        return plan.page(visible.action_first_rows(plan, today))
    values = _values(user, today, leading=plan.leading, excluded=plan.excluded)
    # Whether the database takes a LIMIT in a half of a union changes the SQL (action_first_rows).
    union_limit = connections[USING].features.supports_slicing_ordering_in_compound
    key = (roles(user), organisation, plan.size, plan.skip, plan.rest, union_limit)
    return plan.page(_PAGES.get(key, values, USING).objects(values))
