"""What every risk page shares: the risk fetched and authorised (a risk the user may not see is
a 404: to them it does not exist; a step they may not take is a 403) and what the user may do
with it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import Http404, HttpRequest

from membership.selectors import body_office_holders
from partnership import permissions as perms
from partnership.models import Partnership
from performance import permissions
from performance.models import Risk

__all__: list[str] = []  # imported by name by the other risk views

PAGE_SIZE = 50


@dataclass
class RiskPage:
    """One risk and what the user may do with it."""

    risk: Risk
    user: Any

    @cached_property
    def can_edit(self) -> bool:
        return permissions.can_manage_risks(self.user, self.risk.body)

    @cached_property
    def can_review(self) -> bool:
        return permissions.can_review_risk(self.user, self.risk)

    @property
    def can_close(self) -> bool:
        return self.can_edit and self.risk.is_open

    @property
    def can_add_control(self) -> bool:
        return self.can_edit and self.risk.is_open

    @cached_property
    def can_accept(self) -> bool:
        """The chair or deputy chair of the body the risk is escalated to (risk_accept's
        rule): asked only for an open, escalated risk, so other pages ask nothing."""
        risk = self.risk
        if not risk.is_open or risk.escalated_to_id is None:
            return False
        holders = body_office_holders(body=risk.escalated_to)
        return self.user.pk in {person.pk for person in holders.values()}


def risk_or_404(request: HttpRequest, partnership: str, pk: int) -> RiskPage:
    risk = (
        Risk.objects.select_related(
            "partnership",
            "body__partnership",
            "body__parent",
            "category",
            "owner",
            "owner_organisation",
            "escalated_to__partnership",
            "escalation_item__meeting__body__partnership",
        )
        .filter(partnership__slug=partnership, pk=pk)
        .first()
    )
    if risk is None or not permissions.can_see_risk(request.user, risk):
        raise Http404("No such risk")
    return RiskPage(risk=risk, user=request.user)


def partnership_insider_or_404(user: Any, partnership: Partnership) -> None:
    """The partnership-wide register and heat map are for those with a place in it: anyone
    else gets a 404, as for a risk they may not see."""
    if not (
        permissions.sits_in_partnership(user, partnership.pk)
        or perms.manages_anything(user, partnership)
    ):
        raise Http404("No such page")
