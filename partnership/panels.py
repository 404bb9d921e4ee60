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


# A body's page belongs to ``membership`` too: a lower app adds a panel to it the same way, a
# callable of the request, the body and whether the reader manages it, giving a Panel or None.
# It must cost no query when it has nothing to show (the page's query counts are pinned).
BodyPanel = Callable[[HttpRequest, Any, bool], Panel | None]
_body_panels: list[BodyPanel] = []


def register_body_panel(panel: BodyPanel) -> BodyPanel:
    """Add a panel to a body's page; usable as a decorator; registering twice is harmless."""
    if panel not in _body_panels:
        _body_panels.append(panel)
    return panel


def body_panels(request: HttpRequest, body: Any, *, can_manage: bool) -> list[Panel]:
    return [panel for make in _body_panels if (panel := make(request, body, can_manage))]
