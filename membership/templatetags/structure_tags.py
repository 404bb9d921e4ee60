"""The banner saying what became of a body (issue 16), for pages of other apps that show a body
but whose views do not load its story (governance's meetings list)."""

from django import template

from membership.selectors_structure import body_story

register = template.Library()


@register.inclusion_tag("membership/_body_fate.html")
def body_fate(body):
    # Only an ended or shadow body has a banner there: an open body's list costs no query.
    if not (body.closed_on or body.shadow_until):
        return {"fates": []}
    return {"fates": body_story(body=body).fates}
