"""The one door to object permissions.

Two kinds of question are answered here: "may this user do X to this object?" (``can_*``) and
"which objects may this user see or act on?" (querysets). Rights are rows written by
``membership.rights`` from memberships and appointments; nothing else calls django-guardian.

Guardian is called with the user, the permission and the object named explicitly, and rights
are read straight from the direct foreign-key tables: a superuser flag, a group or a model-level
permission never stands in for a right a membership gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Model, QuerySet, Value
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from partnership.models import (
    Body,
    BodyUserObjectPermission,
    Partnership,
    PartnershipUserObjectPermission,
)

MANAGE_PARTNERSHIP = "manage_partnership"
LEAD_GOVERNANCE = "lead_governance"
MANAGE_BODY = "manage_body"
CHAIR_BODY = "chair_body"
VIEW_PRIVATE_BODY = "view_private_body"

PARTNERSHIP_PERMS = frozenset({MANAGE_PARTNERSHIP, LEAD_GOVERNANCE})
BODY_PERMS = frozenset({MANAGE_BODY, CHAIR_BODY, VIEW_PRIVATE_BODY})


@dataclass(frozen=True, order=True)
class Grant:
    """One object permission: ``perm`` on the object of ``model`` with primary key ``pk``."""

    model: str  # "partnership" or "body"
    pk: int
    perm: str


# --- writing (only membership.rights calls these) ------------------------------------------


def grants_held(user: Any) -> set[Grant]:
    """Every object permission the user holds now, read straight from the direct tables in
    one query (every signed-in page asks, so one query rather than two)."""

    def rows(table, model: str):
        return (
            table.objects.filter(user=user)
            .annotate(model=Value(model, output_field=CharField()))
            .values_list("model", "content_object_id", "permission__codename")
        )

    both = rows(PartnershipUserObjectPermission, "partnership").union(
        rows(BodyUserObjectPermission, "body"), all=True
    )
    return {Grant(model, pk, codename) for model, pk, codename in both}


def _object_for(grant: Grant) -> Model:
    model = Partnership if grant.model == "partnership" else Body
    return model.objects.get(pk=grant.pk)


def grant_add(*, user: Any, grant: Grant) -> None:
    assign_perm(f"partnership.{grant.perm}", user, _object_for(grant))


def grant_remove(*, user: Any, grant: Grant) -> None:
    remove_perm(f"partnership.{grant.perm}", user, _object_for(grant))


# --- reading ------------------------------------------------------------------------------


def _held(user: Any) -> dict[tuple[str, int], frozenset[str]]:
    """All of the user's object permissions, loaded once per request (one small query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached = user.__dict__.get("_partnership_grants")
    if cached is None:
        by_object: dict[tuple[str, int], set[str]] = {}
        for grant in grants_held(user):
            by_object.setdefault((grant.model, grant.pk), set()).add(grant.perm)
        cached = {key: frozenset(perms) for key, perms in by_object.items()}
        user.__dict__["_partnership_grants"] = cached
    return cached


def rights_of(user: Any) -> dict[tuple[str, int], frozenset[str]]:
    """Every right the user holds, by (model, pk): loaded once per request and shared with
    every ``can_*`` question, for a page that must find the objects behind them."""
    return _held(user)


def ids_with(user: Any, model: str, *perms: str) -> set[int]:
    """The pks of the ``model`` ("body", "partnership") objects on which the user holds any of
    ``perms``, from the rights already loaded for the request: no query of its own."""
    wanted = set(perms)
    return {pk for (kind, pk), held in _held(user).items() if kind == model and held & wanted}


def forget_cached_grants(user: Any) -> None:
    user.__dict__.pop("_partnership_grants", None)


def _parents(partnership_id: int, user: Any) -> dict[int, int | None]:
    """Body id to parent id for one partnership: one query, kept for the request."""
    cache = user.__dict__.setdefault("_partnership_trees", {})
    if partnership_id not in cache:
        cache[partnership_id] = dict(
            Body.objects.filter(partnership_id=partnership_id).values_list("id", "parent_id")
        )
    return cache[partnership_id]


def _perms(user: Any, model: str, pk: int) -> frozenset[str]:
    return _held(user).get((model, pk), frozenset())


def can_manage_partnership(user: Any, partnership: Partnership) -> bool:
    return MANAGE_PARTNERSHIP in _perms(user, "partnership", partnership.pk)


def can_lead_governance(user: Any, partnership: Partnership) -> bool:
    return LEAD_GOVERNANCE in _perms(user, "partnership", partnership.pk)


def can_manage_body(user: Any, body: Body) -> bool:
    """Coordinating a body includes every body below it in the tree."""
    held = _held(user)
    if not held:
        return False
    if MANAGE_PARTNERSHIP in held.get(("partnership", body.partnership_id), ()):
        return True
    parents = _parents(body.partnership_id, user)
    seen: set[int] = set()
    current: int | None = body.pk
    while current is not None and current not in seen:
        if MANAGE_BODY in held.get(("body", current), ()):
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def can_chair_body(user: Any, body: Body) -> bool:
    return CHAIR_BODY in _perms(user, "body", body.pk)


def can_view_private_body(user: Any, body: Body) -> bool:
    return VIEW_PRIVATE_BODY in _perms(user, "body", body.pk) or can_manage_body(user, body)


def bodies_managed_by(user: Any, partnership: Partnership) -> QuerySet[Body]:
    """The bodies of ``partnership`` that ``user`` coordinates, sub-trees included."""
    bodies = Body.objects.filter(partnership=partnership)
    if can_manage_partnership(user, partnership):
        return bodies
    held = _held(user)
    roots = {pk for (model, pk), perms in held.items() if model == "body" and MANAGE_BODY in perms}
    if not roots:
        return bodies.none()
    children: dict[int | None, list[int]] = {}
    for pk, parent in _parents(partnership.pk, user).items():
        children.setdefault(parent, []).append(pk)
    managed, stack = set(), [pk for pk in roots if pk in _parents(partnership.pk, user)]
    while stack:
        pk = stack.pop()
        if pk not in managed:
            managed.add(pk)
            stack.extend(children.get(pk, []))
    return bodies.filter(pk__in=managed)


def manages_anything(user: Any, partnership: Partnership) -> bool:
    return (
        can_manage_partnership(user, partnership) or bodies_managed_by(user, partnership).exists()
    )


# --- fetch and authorise, for views ----------------------------------------------------------


def get_partnership_or_404(slug: str) -> Partnership:
    try:
        return Partnership.objects.get(slug=slug)
    except Partnership.DoesNotExist as exc:
        raise Http404("No such partnership") from exc


def get_body_or_404(partnership_slug: str, body_slug: str) -> Body:
    """A body is public, so any visitor can find it; what they may do with it is checked next."""
    try:
        return Body.objects.select_related("partnership", "parent").get(
            partnership__slug=partnership_slug, slug=body_slug
        )
    except Body.DoesNotExist as exc:
        raise Http404("No such body") from exc


def require(allowed: bool) -> None:
    """403 for an object the user can see but may not act on."""
    if not allowed:
        raise PermissionDenied
