"""The task-list registry: sources registered once, tasks grouped by kind, overdue first,
then by due date, groups ordered by their most urgent task."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from partnership import tasklist
from partnership.tasklist import Task, register_task_source, tasks_for

TODAY = date(2026, 11, 3)


@pytest.fixture
def sources(monkeypatch):
    """A registry of our own, so the apps' sources do not answer."""
    registered: list = []
    monkeypatch.setattr(tasklist, "_sources", registered)
    return registered


def request(authenticated: bool = True):
    return SimpleNamespace(user=SimpleNamespace(is_authenticated=authenticated))


def task(group: str, title: str, days: int | None = None) -> Task:
    due = None if days is None else TODAY + timedelta(days=days)
    return Task(group=group, title=title, url=f"/{title}/", due_on=due)


def test_registering_a_source_twice_lists_its_tasks_once(sources):
    def source(request):
        return [task("Papers", "A")]

    register_task_source(source)
    register_task_source(source)
    (group,) = tasks_for(request(), today=TODAY)
    assert [t.title for t in group.tasks] == ["A"]


def test_tasks_are_grouped_and_ordered_overdue_first_then_by_due_date(sources):
    register_task_source(
        lambda r: [
            task("Actions", "no date"),
            task("Actions", "next month", 30),
            task("Papers", "tomorrow", 1),
            task("Actions", "overdue", -2),
        ]
    )
    register_task_source(lambda r: [task("Elections", "undated")])
    groups = tasks_for(request(), today=TODAY)
    assert [g.name for g in groups] == ["Actions", "Papers", "Elections"]
    assert [t.title for t in groups[0].tasks] == ["overdue", "next month", "no date"]


def test_a_task_due_today_is_not_overdue():
    assert not task("Actions", "today", 0).is_overdue(TODAY)
    assert task("Actions", "yesterday", -1).is_overdue(TODAY)


def test_nobody_signed_in_has_no_tasks_and_no_source_is_asked(sources):
    def source(request):
        raise AssertionError("asked")

    register_task_source(source)
    assert tasks_for(request(authenticated=False), today=TODAY) == []


def test_no_tasks_is_no_groups(sources):
    register_task_source(lambda r: [])
    assert tasks_for(request(), today=TODAY) == []
