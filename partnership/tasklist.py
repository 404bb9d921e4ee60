""" "Your tasks": what each person owes, gathered from every app through a registry.

The page belongs to ``membership``, which may not import ``governance`` or ``performance``
(DESIGN.md section 2); each app registers ONE source here in its ``AppConfig.ready``, as the
account panels do (``partnership.panels``). A source is a callable of the request returning
the tasks it knows about; it must use a fixed number of queries whatever the number of tasks,
and should reuse the selectors its app's chasers use, so the list and the reminders agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import groupby

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


TaskSource = Callable[[HttpRequest], list[Task]]
_sources: list[TaskSource] = []


def register_task_source(source: TaskSource) -> TaskSource:
    """Add a source of tasks: a callable of the request giving a list of Task (empty when
    the person owes nothing). Usable as a decorator; registering twice is harmless."""
    if source not in _sources:
        _sources.append(source)
    return source


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
