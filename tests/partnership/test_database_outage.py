"""A database that cannot be reached (restarting, failing over) gives a 503 page saying the
change was not saved and that going back keeps what was typed; nothing is half-saved; any other
failure is still the ordinary 500 page."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from partnership.models import Organisation


@pytest.fixture
def client_seeing_errors():
    return Client(raise_request_exception=False)


def _organisation_url(world):
    return reverse(
        "partnership:organisation_create", kwargs={"partnership": world.partnership.slug}
    )


def test_a_post_while_the_database_is_unreachable_says_the_change_was_not_saved(
    world, client_seeing_errors, monkeypatch
):
    client = client_seeing_errors
    client.force_login(world.coordinator)
    before = Organisation.objects.count()

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The connection drops half-way: the organisation's row is written, then its history row
    # fails, as when PostgreSQL restarts under the request. The transaction takes both back.
    monkeypatch.setattr(
        "simple_history.models.HistoricalRecords.create_historical_record", unreachable
    )
    response = client.post(
        _organisation_url(world),
        {"name": "Mercia Vale Credit Union", "sector": "voluntary"},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Sorry, the service is unavailable" in html
    assert "Your change has not been saved" in html
    assert "what you typed is still there" in html
    assert Organisation.objects.count() == before


def test_a_page_asked_for_while_the_database_is_unreachable_says_try_again(
    world, client_seeing_errors, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("partnership.views.render", unreachable)
    response = client_seeing_errors.get(
        reverse("partnership:organisation_list", kwargs={"partnership": world.partnership.slug})
    )
    assert response.status_code == 503
    html = response.content.decode()
    assert "Try again in a minute" in html and "has not been saved" not in html


def test_any_other_failure_is_the_ordinary_500_page(world, client_seeing_errors, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("partnership.views.render", broken)
    response = client_seeing_errors.get(
        reverse("partnership:organisation_list", kwargs={"partnership": world.partnership.slug})
    )
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_connections_are_checked_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
