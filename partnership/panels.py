"""Panels that a lower app adds to an upper app's page, registered when the lower app starts.

The account page belongs to ``membership``, which may not import ``governance`` or
``performance``; each of them registers a panel here instead (in its ``AppConfig.ready``), and
the page shows every panel that has something to say to the person reading it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


AccountPanel = Callable[[HttpRequest], Panel | None]
_account_panels: list[AccountPanel] = []


def register_account_panel(panel: AccountPanel) -> AccountPanel:
    """Add a panel to the account page: a callable of the request giving a Panel, or None
    when it has nothing to show. Usable as a decorator; registering twice is harmless."""
    if panel not in _account_panels:
        _account_panels.append(panel)
    return panel


def account_panels(request: HttpRequest) -> list[Panel]:
    return [panel for make in _account_panels if (panel := make(request)) is not None]
