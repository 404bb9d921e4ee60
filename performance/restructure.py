"""What performance keeps on a body that a restructure must decide about (issue 16): open
risks, active indicators, open delivery-plan outcomes, running commissioning agreements,
active key partnerships, risks of other bodies escalated to it or accepted by its chair, and
reports not yet approved. Registered in ``PerformanceConfig.ready``.

Each moves to the body that takes on the work, or ends on the date (a risk is closed, an
indicator retired, an outcome closed). An agreement only moves: the provider's contract
goes on whatever the partnership's shape. A key partnership moves by linking the successor
instead of the bodies that end; ending it here leaves it linked to them as it was (it is a
relationship with other partners, ended only on its own page)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from partnership.history import record_actor
from partnership.restructure import OpenThing, register_carrier
from performance.models import (
    CommissioningAgreement,
    Indicator,
    KeyPartnership,
    Outcome,
    Risk,
    RiskAcceptance,
    RiskStatus,
)
from performance.models.partnerships import KeyPartnershipStatus
from performance.models.reports import OPEN_REPORT, Report
from performance.services.partnerships import key_partnership_update
from performance.services.risks.escalation import risk_escalation_check
from performance.services.risks.register import risk_close
from performance.services.setup import indicator_update, outcome_update


def _refused(kind: str, pk: int, label: str, exc: ValidationError) -> ValidationError:
    return ValidationError({f"{kind}-{pk}": [f"{label}: {m}" for m in exc.messages]})


class RiskCarrier:
    kind = "risk"
    heading = "Open risks"
    order = 40

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Risk.objects.filter(body__in=bodies, status=RiskStatus.OPEN)
            .select_related("body")
            .order_by("code", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=r.pk,
                body_id=r.body_id,
                label=f"Risk {r.code}: {r.title}",
                note="Ending it closes it.",
                ends_as="is closed",
            )
            for r in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        for risk in Risk.objects.select_for_update(of=("self",)).filter(pk__in=pks):
            # Only the owning body changes: the owner and scores stay as they were recorded
            # (risk_update would re-check an owner who may just have left a merged body).
            risk.body = to
            record_actor(risk, actor=actor, reason=f"Moved to {to}: {reason}")
            risk.save(update_fields=["body"])
            # Appetite is the body's: a risk may now be above (or within) the new body's.
            risk_escalation_check(risk=risk, actor=actor)

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        for risk in Risk.objects.filter(pk__in=pks).order_by("pk"):
            try:
                risk_close(actor=actor, risk=risk, reason=reason, today=on)
            except ValidationError as exc:
                raise _refused(self.kind, risk.pk, f"Risk {risk.code}", exc) from exc


class IndicatorCarrier:
    kind = "indicator"
    heading = "Active indicators"
    order = 50

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Indicator.objects.filter(body__in=bodies)
            .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=on))
            .order_by("code", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=i.pk,
                body_id=i.body_id,
                label=f"Indicator {i.code}: {i.title}",
                note="Ending it retires it: no more returns are asked for.",
                ends_as="is retired",
            )
            for i in found
        ]

    def _update(self, indicator: Indicator, *, actor: Any, reason: str, **fields: Any) -> None:
        try:
            indicator_update(actor=actor, indicator=indicator, reason=reason[:100], **fields)
        except ValidationError as exc:
            label = f"Indicator {indicator.code}"
            raise _refused(self.kind, indicator.pk, label, exc) from exc

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        for indicator in Indicator.objects.filter(pk__in=pks).order_by("pk"):
            self._update(indicator, actor=actor, reason=f"Moved to {to}: {reason}", body=to)

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        for indicator in Indicator.objects.filter(pk__in=pks).order_by("pk"):
            self._update(indicator, actor=actor, reason=f"Retired: {reason}", retired_on=on)


class OutcomeCarrier:
    kind = "outcome"
    heading = "Delivery-plan outcomes"
    order = 45

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Outcome.objects.filter(body__in=bodies)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
            .order_by("code", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=o.pk,
                body_id=o.body_id,
                label=f"Outcome {o.code}: {o.title}",
                note="Ending it closes it in the delivery plan.",
                ends_as="is closed",
            )
            for o in found
        ]

    def _update(self, outcome: Outcome, *, actor: Any, reason: str, **fields: Any) -> None:
        # outcome_update records no reason of its own: the one set here is kept for its save.
        record_actor(outcome, actor=actor, reason=reason)
        try:
            outcome_update(actor=actor, outcome=outcome, **fields)
        except ValidationError as exc:
            raise _refused(self.kind, outcome.pk, f"Outcome {outcome.code}", exc) from exc

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        for outcome in Outcome.objects.filter(pk__in=pks).order_by("pk"):
            self._update(outcome, actor=actor, reason=f"Moved to {to}: {reason}", body=to)

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        for outcome in Outcome.objects.filter(pk__in=pks).order_by("pk"):
            self._update(outcome, actor=actor, reason=f"Closed: {reason}", closed_on=on)


class AgreementCarrier:
    kind = "agreement"
    heading = "Commissioning agreements"
    order = 60

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = CommissioningAgreement.objects.filter(
            commissioning_body__in=bodies, ends_on__gt=on
        ).order_by("reference", "pk")
        return [
            OpenThing(
                kind=self.kind,
                pk=a.pk,
                body_id=a.commissioning_body_id,
                label=f"Agreement {a.reference}: {a.title}",
                can_end=False,
                note="A running agreement cannot end with its commissioning body: it moves "
                "to the body that takes over.",
            )
            for a in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        for agreement in CommissioningAgreement.objects.select_for_update().filter(pk__in=pks):
            agreement.commissioning_body = to
            record_actor(agreement, actor=actor, reason=f"Moved to {to}: {reason}")
            agreement.save(update_fields=["commissioning_body"])

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        raise ValidationError(
            {
                f"{self.kind}-{pk}": "A running agreement cannot end with its commissioning "
                "body: move it to the body that takes over."
                for pk in pks
            }
        )


class KeyPartnershipCarrier:
    kind = "keypartnership"
    heading = "Key partnerships"
    order = 70

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            KeyPartnership.objects.filter(bodies__in=bodies, status=KeyPartnershipStatus.ACTIVE)
            .distinct()
            .prefetch_related("bodies")
            .order_by("name", "pk")
        )
        ending = {b.pk for b in bodies}
        return [
            OpenThing(
                kind=self.kind,
                pk=k.pk,
                body_id=min(b.pk for b in k.bodies.all() if b.pk in ending),
                label=f"Key partnership {k.name}",
                moves_as="is linked to",
                note="Leaving it keeps it linked to the body that ends.",
                ends_as="stays linked to the body that ends",
            )
            for k in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        ending = {b.pk for b in sources}
        for kp in KeyPartnership.objects.filter(pk__in=pks).prefetch_related("bodies"):
            linked = [b for b in kp.bodies.all() if b.pk not in ending and b.pk != to.pk]
            try:
                key_partnership_update(
                    actor=actor,
                    key_partnership=kp,
                    bodies=[*linked, to],
                    reason=f"Linked to {to}: {reason}"[:100],
                )
            except ValidationError as exc:
                label = f"Key partnership {kp.name}"
                raise _refused(self.kind, kp.pk, label, exc) from exc

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        """Nothing to write: it stays as it was, linked to the body that ended."""


class EscalatedRiskCarrier:
    """A risk of another body escalated to one that ends. Escalation follows its body's line of
    reporting (``risk_escalation_check`` works it out from the body's parent whenever it runs),
    so it moves: once its body reports to the successor, it is escalated there instead. It does
    not end: clearing the escalation here would only be undone by the next daily check."""

    kind = "escalation"
    heading = "Risks of other bodies escalated to it"
    order = 41  # after the bodies that report to it (order 10) have moved

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            Risk.objects.filter(escalated_to__in=bodies, status=RiskStatus.OPEN)
            .exclude(body__in=bodies)
            .select_related("body")
            .order_by("code", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=r.pk,
                body_id=r.escalated_to_id,
                label=f"Risk {r.code}: {r.title} (escalated from the {r.body.name})",
                can_end=False,
                note="An escalated risk follows its body's line of reporting: it is escalated "
                "to the body that takes over.",
                moves_as="is escalated to",
            )
            for r in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        said = []
        for risk in Risk.objects.filter(pk__in=pks).order_by("pk"):
            risk = risk_escalation_check(risk=risk, actor=actor)
            where = risk.escalated_to or "no body (it is within appetite or accepted)"
            said.append(f"Risk {risk.code}: {risk.title} is now escalated to {where}.")
        return said

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "An escalated risk follows its body." for pk in pks}
        )


class AcceptanceCarrier:
    """A risk accepted above appetite by the chair of a body that ends: the acceptance stands
    until its date, and the risk stays on the register of the body that takes over the work."""

    kind = "acceptance"
    heading = "Risks accepted above appetite"
    order = 42

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = (
            RiskAcceptance.objects.filter(body__in=bodies, expires_on__gte=on)
            .select_related("risk")
            .order_by("risk__code", "pk")
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=a.pk,
                body_id=a.body_id,
                label=f"Acceptance of risk {a.risk.code}: {a.risk.title}, until "
                f"{a.expires_on:%-d %B %Y}",
                can_end=False,
                note="An acceptance stands until its date: it moves to the body that takes over.",
            )
            for a in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        for acceptance in RiskAcceptance.objects.select_for_update().filter(pk__in=pks):
            acceptance.body = to
            record_actor(acceptance, actor=actor, reason=f"Moved to {to}: {reason}")
            acceptance.save(update_fields=["body"])

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "An acceptance moves to the body that takes over." for pk in pks}
        )


class ReportCarrier:
    """A report not yet approved is the old body's, approved by its chair: it neither moves nor
    ends, and the step waits until it is approved."""

    kind = "report"
    heading = "Reports not yet approved"
    order = 65

    def open_things(self, *, bodies: list[Any], on: date) -> list[OpenThing]:
        found = Report.objects.filter(body__in=bodies, status__in=OPEN_REPORT).order_by(
            "year", "quarter", "pk"
        )
        return [
            OpenThing(
                kind=self.kind,
                pk=r.pk,
                body_id=r.body_id,
                label=f"Report: {r.title} ({r.get_status_display().lower()})",
                can_move=False,
                can_end=False,
                note="This report is not yet approved: have it approved before the body ends.",
            )
            for r in found
        ]

    def move(
        self, *, pks: list[int], to: Any, on: date, actor: Any, reason: str, sources: list[Any]
    ) -> list[str] | None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "Have the report approved first." for pk in pks}
        )

    def end(self, *, pks: list[int], on: date, actor: Any, reason: str) -> None:
        raise ValidationError(
            {f"{self.kind}-{pk}": "Have the report approved first." for pk in pks}
        )


def register_carriers() -> None:
    for carrier in (
        EscalatedRiskCarrier(),
        AcceptanceCarrier(),
        ReportCarrier(),
        RiskCarrier(),
        OutcomeCarrier(),
        IndicatorCarrier(),
        AgreementCarrier(),
        KeyPartnershipCarrier(),
    ):
        register_carrier(carrier)
