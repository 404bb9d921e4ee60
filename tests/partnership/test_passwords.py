"""Context-specific words are refused in passwords (ASVS 5.0, 6.2.11); no composition rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    "password",
    [
        "Partnership2026!",  # the service's own word
        "my testshire secret",  # the partnership's first word
        "ilovetestshirecouncil",  # a partner organisation's name, spaces or none
        "TESTSHIRE-COUNCIL-99",
    ],
)
def test_context_words_are_refused(world, password):
    with pytest.raises(ValidationError, match="must not contain the name"):
        validate_password(password, user=world.member)


@pytest.mark.parametrize(
    "password", ["a much longer passphrase 2026", "392817465019283746", "sunlit meadow otter"]
)
def test_anything_else_long_and_uncommon_will_do_digits_alone_too(world, password):
    validate_password(password, user=world.member)


def test_the_password_change_form_says_why_next_to_the_field(world):
    client = Client()
    client.force_login(world.member)
    page = client.post(
        reverse("account:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Testshire Council forever",
            "new_password2": "Testshire Council forever",
        },
    ).content.decode()
    assert "must not contain the name of this service" in page
    assert 'href="#id_new_password2"' in page or 'href="#id_new_password1"' in page


def test_only_the_persons_own_partnerships_words_are_refused(world):
    """Otherwise the form would tell anyone whether a partnership of that name exists."""
    from partnership import services as ps
    from tests.factories import PartnershipFactory

    elsewhere = PartnershipFactory(name="Borsetshire Together", slug="borsetshire")
    ps.organisation_create(
        actor=None, partnership=elsewhere, name="Ambridge Parish", sector="public"
    )
    validate_password("i live near borsetshire ambridgeparish", user=world.member)
    with pytest.raises(ValidationError):
        validate_password("testshire lad 1987", user=world.member)
