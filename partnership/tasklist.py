""" "Your tasks": what each person owes, gathered from every app through a registry.

The page belongs to ``membership``, which may not import ``governance`` or ``performance``
(DESIGN.md section 2); each app registers ONE source here in its ``AppConfig.ready``, as the
account panels do (``partnership.panels``). A source is a callable of the request returning
the tasks it knows about; it must use a fixed number of queries whatever the number of tasks,
and should reuse the selectors its app's chasers use, so the list and the reminders agree.
What several sources ask about the person (their current memberships and appointments) is
loaded once a request through ``shared``; their rights are already kept for the request
(``partnership.permissions``); and whether they may have a kind of task at all is asked of
every app in one query (``register_first_cut``, ``first_cut``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone


@dataclass(frozen=True)
class Task:
    """One thing a person owes. ``group`` is the heading it is listed under ("Papers to
    write"); ``status`` is a short GOV.UK tag text; ``hint`` says what or where."""

    group: str
    title: str
    url: str
    due_on: date | None = None
    status: str = "To do"
    hint: str = ""

    def is_overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today

    def urgency(self, today: date) -> tuple:
        """Overdue first, then the soonest due, then those with no date, then by title."""
        return (
            not self.is_overdue(today),
            self.due_on is None,
            self.due_on or date.max,
            self.title,
        )


SHOWN_A_GROUP = 50  # the most tasks listed under one heading; the rest are counted


@dataclass(frozen=True)
class TaskGroup:
    """A heading's tasks, most urgent first. The page lists the first ``SHOWN_A_GROUP``
    (``shown``) and says how many ``more`` there are, so one long group cannot swamp it."""

    name: str
    tasks: list[Task]

    @property
    def shown(self) -> list[Task]:
        return self.tasks[:SHOWN_A_GROUP]

    @property
    def more(self) -> int:
        return max(0, len(self.tasks) - SHOWN_A_GROUP)


T = TypeVar("T")
TaskSource = Callable[[HttpRequest], list[Task]]
_sources: list[TaskSource] = []


def register_task_source(source: TaskSource) -> TaskSource:
    """Add a source of tasks: a callable of the request giving a list of Task (empty when
    the person owes nothing). Usable as a decorator; registering twice is harmless."""
    if source not in _sources:
        _sources.append(source)
    return source


def shared(request: HttpRequest, key: str, load: Callable[[], T]) -> T:
    """A fact several sources ask about (the person's current places, say), loaded once a
    request by the first source to ask and kept on the request for the others."""
    cache = request.__dict__.setdefault("_tasklist_shared", {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


FirstCut = Callable[[Any], dict[str, Any]]
_cuts: list[FirstCut] = []


def register_first_cut(cut: FirstCut) -> FirstCut:
    """Add a first cut: a callable of the person giving named boolean expressions (``Exists``
    over their rows, say) on whether they may have some kind of task at all. A source asks
    ``first_cut`` before running the queries of a kind the person cannot have. Usable as a
    decorator, where the source is defined; registering twice is harmless."""
    if cut not in _cuts:
        _cuts.append(cut)
    return cut


def first_cut(request: HttpRequest) -> dict[str, bool]:
    """Every registered cut, asked in one query (on the person's own row), once a request:
    most people have none of most kinds of task, and one query answering for every app is
    cheaper than each app's queries finding nothing. A name no cut gave is not in the dict
    (``.get(name, True)``: ask, then)."""

    def load() -> dict[str, bool]:
        user = request.user
        wanted: dict[str, Any] = {}
        for cut in _cuts:
            wanted.update(cut(user))
        if not wanted:
            return {}
        people = get_user_model()._default_manager
        row = people.filter(pk=user.pk).values_list(*wanted.values()).get()
        return {name: bool(value) for name, value in zip(wanted, row, strict=True)}

    return shared(request, "first_cut", load)


def tasks_for(request: HttpRequest, *, today: date | None = None) -> list[TaskGroup]:
    """Every source's tasks, grouped by kind; groups ordered by their most urgent task, and
    each group's tasks by urgency."""
    if not request.user.is_authenticated:
        return []
    today = today or timezone.localdate()
    tasks = [task for source in _sources for task in source(request)]
    tasks.sort(key=lambda t: (t.group, t.urgency(today)))
    groups = [TaskGroup(name, list(items)) for name, items in groupby(tasks, key=lambda t: t.group)]
    groups.sort(key=lambda g: (g.tasks[0].urgency(today)[:3], g.name))
    return groups
