"""How figures, RAG ratings and directions of travel are shown, the same on every page."""

from __future__ import annotations

from django import template

from performance.models import Direction, Rag
from performance.rules import format_value

register = template.Library()

# GOV.UK tag colours. The word is always shown: colour is never the only sign.
RAG_CLASSES = {
    Rag.GREEN: "govuk-tag--green",
    Rag.AMBER: "govuk-tag--orange",
    Rag.RED: "govuk-tag--red",
    Rag.NO_DATA: "govuk-tag--grey",
    Rag.NO_TARGET: "govuk-tag--grey",
}
ARROWS = {
    Direction.IMPROVING: "↑",
    Direction.WORSENING: "↓",
    Direction.NO_CHANGE: "→",
    Direction.NOT_COMPARABLE: "–",
}


@register.filter
def figure(value, indicator) -> str:
    """``{{ value|figure:indicator }}``: the value in the indicator's unit and precision."""
    return format_value(indicator, value)


@register.inclusion_tag("performance/_rag.html")
def rag(value):
    """A RAG rating as a GOV.UK tag with its word."""
    if not value:
        value = Rag.NO_DATA
    rating = Rag(value)
    return {"label": rating.label, "css": RAG_CLASSES[rating]}


@register.inclusion_tag("performance/_direction.html")
def direction(value):
    """A direction of travel: its word, with an arrow that screen readers skip."""
    if not value:
        value = Direction.NOT_COMPARABLE
    d = Direction(value)
    return {"label": d.label, "arrow": ARROWS[d], "value": d.value}
