""" "Your tasks" against the demo: what each demo persona owes, as the README's sign-in table
promises (the query pins are in test_tasks.py and tests/performance/test_tasklist.py)."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from membership.models import User

TASKS = reverse("account:tasks")


@pytest.fixture
def demo(db):
    for command in (
        "load_demo",
        "load_demo_meetings",
        "load_demo_performance",
        "load_demo_reports",
    ):
        call_command(command, "--force", stdout=StringIO())


def tasks_of(client, email: str) -> list[str]:
    """The groups of tasks the person sees, in order."""
    client.force_login(User.objects.get(email=email))
    response = client.get(TASKS)
    assert response.status_code == 200
    return re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', response.content.decode())


# The demo loads in about fifteen seconds: once, for every persona.
EXPECTED = {
    "member@mercia-vale.example": {
        "Performance returns to submit",
        "Declarations of interest",
        "Partnership agreement",
    },
    "nadia.rahman@mercia-vale.example": {"Returns to sign off", "Reports to approve"},
    "coordinator@mercia-vale.example": {
        "Returns to sign off",
        "Vacancies and memberships ending",
        "Apologies for your meetings",
    },
    "chair@mercia-vale.example": {"Declarations to rule on"},
    "tg.coordinator@mercia-vale.example": {"Vacancies and memberships ending"},
    "governance@mercia-vale.example": {"Disputed rulings"},
    "martin.ashworth@mercia-vale.example": {"Minutes to approve"},
}


def test_each_demo_persona_sees_what_they_owe(client, demo):
    seen = {email: set(tasks_of(client, email)) for email in EXPECTED}
    assert {email: EXPECTED[email] - groups for email, groups in seen.items()} == dict.fromkeys(
        EXPECTED, set()
    )
