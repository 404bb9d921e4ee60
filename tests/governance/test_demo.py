"""The demo's registers: worth looking at, and loaded once however often the demo is run."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from governance import selectors
from governance.models import (
    AgendaItem,
    Declaration,
    Gift,
    RegisterConfirmation,
    Ruling,
    RulingStatus,
)
from membership.models import User
from partnership.models import Body
from partnership.periods import financial_year


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Declaration, Ruling, Gift, RegisterConfirmation, AgendaItem)
    )


def _load(out=None) -> None:
    call_command("load_demo", "--force", stdout=StringIO())
    call_command("load_demo_meetings", "--force", stdout=out or StringIO())


def test_loading_the_demo_twice_leaves_the_registers_as_they_were(db):
    _load()
    counts = _counts()
    out = StringIO()
    _load(out)
    assert _counts() == counts
    assert "registers are already loaded" in out.getvalue()


def test_the_demo_registers_have_something_of_every_kind(db):
    _load()
    declarations = Declaration.objects.all()
    assert {d.kind for d in declarations} >= {"financial", "business", "organisational"}
    assert declarations.filter(holder="household").exists()
    assert declarations.filter(supersedes__isnull=False).count() == 1
    assert declarations.filter(ended_on__isnull=False).count() == 1
    assert declarations.exclude(withheld_reason="").count() == 1
    assert Ruling.objects.filter(status=RulingStatus.DISPUTED).count() == 1
    assert {r.ruled_by.full_name for r in Ruling.objects.all()} == {
        "Martin Ashworth",
        "Catherine Bellamy",
    }
    gifts = Gift.objects.all()
    assert gifts.filter(decision="declined").exists()
    assert gifts.filter(value__gt=50).exists()

    daniel = User.objects.get(email="member@mercia-vale.example")
    confirmed = RegisterConfirmation.objects.filter(year=financial_year(timezone.localdate()))
    assert not confirmed.filter(person=daniel).exists()
    assert confirmed.count() > 30


def test_the_coming_delivery_board_meeting_flags_a_registered_interest(db):
    _load()
    delivery = Body.objects.get(name="Delivery Board")
    coming = delivery.meetings.filter(held_on__gt=timezone.localdate(), status="published").get()
    flags = selectors.interest_flags(meeting=coming)
    assert [
        (item.title, flag.person.full_name) for item, found in flags.items() for flag in found
    ] == [("Housing-related support: commissioning intentions", "Ruth Adeyemi")]
