"""Reads about the structure that span relations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from partnership.models import Body, Partnership


@dataclass
class TreeNode:
    body: Body
    children: list[TreeNode] = field(default_factory=list)
    info: Any = None  # what a caller knows about the body, e.g. its members and vacancies


def tree_walk(nodes: list[TreeNode]):
    for node in nodes:
        yield node
        yield from tree_walk(node.children)


def body_tree(*, partnership: Partnership, include_closed: bool = True) -> list[TreeNode]:
    """The partnership's bodies as a tree of accountability, in one query."""
    bodies = (
        Body.objects.filter(partnership=partnership).select_related("partnership").order_by("name")
    )
    if not include_closed:
        bodies = bodies.open()
    nodes = {b.pk: TreeNode(body=b) for b in bodies}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.body.parent_id)
        (parent.children if parent else roots).append(node)
    return roots


def descendant_ids(*, body: Body) -> set[int]:
    """Ids of every body below ``body``, in one query."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Body.objects.filter(partnership_id=body.partnership_id).values_list(
        "id", "parent_id"
    ):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), list(children.get(body.pk, []))
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def ancestor_ids(body: Body) -> list[int]:
    """Ids of the bodies above ``body``, nearest first, in one query."""
    parents = dict(
        Body.objects.filter(partnership_id=body.partnership_id).values_list("id", "parent_id")
    )
    found: list[int] = []
    current = parents.get(body.pk)
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found
