"""What the daily digest has told about risks, so each thing is told once: a quarter's review
at each of the returns' steps (``RiskReviewChase``), and a control past its due date
(``RiskControlChase``, once per due date: a control given a new date and missing that too is
chased again). Each row is written in the transaction of the digest that carried it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from performance.models.returns import ChaseStep
from performance.models.risks import Risk, RiskControl

__all__ = ["RiskControlChase", "RiskReviewChase"]


class RiskReviewChase(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    step = models.CharField(max_length=20, choices=ChaseStep.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["risk", "year", "quarter", "step", "recipient"],
                name="one_review_chase_per_step_and_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.risk_id} {self.year} Q{self.quarter} {self.step}"


class RiskControlChase(models.Model):
    control = models.ForeignKey(RiskControl, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["control", "due_on", "recipient"],
                name="one_control_chase_per_due_date_and_person",
            )
        ]

    def __str__(self) -> str:
        return f"control {self.control_id} due {self.due_on}"
