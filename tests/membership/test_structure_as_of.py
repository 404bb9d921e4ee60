"""The structure as it stood on a date (issue 16): which bodies were open, under which names,
and which had been merged, replaced or ended by then; and what a body's banner and timeline
say. Rows are made directly: these are reads."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from membership.selectors_structure import body_story, structure_on
from partnership.models import Body, BodyEvent, ChangeKind, EventRole, StructureChange
from partnership.selectors import tree_walk
from tests.factories import PartnershipFactory
from tests.pages import html_of

APRIL_2011 = date(2011, 4, 1)


def body(p, name, *, established=None, closed=None, parent=None, **fields) -> Body:
    return Body.objects.create(
        partnership=p,
        name=name,
        slug=re.sub(r"[^a-z]+", "-", name.lower()).strip("-"),
        kind=fields.pop("kind", "partnership_board"),
        established_on=established,
        closed_on=closed,
        parent=parent,
        **fields,
    )


@pytest.fixture
def west_cheshire(db):
    """Two boards merged into a Commissioning Board on 1 April 2011; a group renamed in 2012;
    a partnership ended in 2010."""
    p = PartnershipFactory(name="West Cheshire Together", slug="west-cheshire")
    top = body(p, "West Cheshire Together Board", established=date(2008, 4, 1))
    health = body(
        p, "Health and Wellbeing Partnership", established=date(2008, 4, 1), closed=APRIL_2011
    )
    children = body(p, "Children's Trust Board", established=date(2009, 1, 1), closed=APRIL_2011)
    commissioning = body(p, "Commissioning Board", established=APRIL_2011, parent=top)
    group = body(
        p, "Safer Cheshire West Group", established=date(2008, 4, 1), parent=top, kind="forum"
    )
    old = body(
        p, "Older People's Partnership", established=date(2008, 4, 1), closed=date(2010, 3, 1)
    )
    merge = StructureChange.objects.create(
        partnership=p,
        kind=ChangeKind.MERGE,
        effective_on=APRIL_2011,
        reason="One board to commission for health, care and children",
        successor=commissioning,
        summary=["Ann Example carries over to Commissioning Board."],
    )
    for b in (health, children):
        BodyEvent.objects.create(change=merge, body=b, role=EventRole.ENDED)
    BodyEvent.objects.create(change=merge, body=commissioning, role=EventRole.SUCCESSOR)
    end = StructureChange.objects.create(
        partnership=p, kind=ChangeKind.END, effective_on=date(2010, 3, 1), reason="Work done"
    )
    BodyEvent.objects.create(change=end, body=old, role=EventRole.ENDED)
    rename = StructureChange.objects.create(
        partnership=p, kind=ChangeKind.RENAME, effective_on=date(2012, 6, 1), reason="New remit"
    )
    BodyEvent.objects.create(
        change=rename,
        body=group,
        role=EventRole.RENAMED,
        old_name="Community Safety Partnership",
        new_name="Safer Cheshire West Group",
        old_remit="Crime.",
        new_remit="Crime and disorder, and reoffending.",
    )
    return p


def names(result) -> set[str]:
    return {node.name for node in tree_walk(result.tree)}


def test_the_day_before_the_merge_shows_the_old_boards_and_not_the_new(
    west_cheshire, django_assert_num_queries
):
    with django_assert_num_queries(2):
        result = structure_on(partnership=west_cheshire, on=date(2011, 3, 31))
    assert names(result) == {
        "West Cheshire Together Board",
        "Health and Wellbeing Partnership",
        "Children's Trust Board",
        "Community Safety Partnership",  # its name then: renamed in 2012
    }
    later = {n.name: n.later for n in tree_walk(result.tree) if n.later}
    assert later["Children's Trust Board"]["kind"] == ChangeKind.MERGE
    assert later["Children's Trust Board"]["successor"]["name"] == "Commissioning Board"
    assert [e["name"] for e in result.ended] == ["Older People's Partnership"]


def test_the_day_of_the_merge_shows_the_new_board_and_what_was_merged(west_cheshire):
    result = structure_on(partnership=west_cheshire, on=APRIL_2011)
    assert names(result) == {
        "West Cheshire Together Board",
        "Commissioning Board",
        "Community Safety Partnership",
    }
    commissioning = next(n for n in tree_walk(result.tree) if n.name == "Commissioning Board")
    assert commissioning in result.tree[0].children  # under the board it reports to
    assert {e["name"] for e in result.ended} == {
        "Children's Trust Board",
        "Health and Wellbeing Partnership",
        "Older People's Partnership",
    }
    assert result.ended[0]["on"] == APRIL_2011  # latest first


def test_after_the_rename_the_group_has_its_new_name(west_cheshire):
    assert "Safer Cheshire West Group" in names(
        structure_on(partnership=west_cheshire, on=date(2013, 1, 1))
    )


def test_before_anything_was_established_the_tree_is_empty(west_cheshire):
    assert structure_on(partnership=west_cheshire, on=date(2000, 1, 1)).tree == []


def test_a_merged_body_says_what_it_became_in_one_query(west_cheshire, django_assert_num_queries):
    health = Body.objects.select_related("partnership").get(name="Health and Wellbeing Partnership")
    with django_assert_num_queries(1):
        story = body_story(body=health, today=date(2026, 1, 1))
    (fate,) = story.fates
    assert (fate.kind, fate.change_kind, fate.on) == ("ended", ChangeKind.MERGE, APRIL_2011)
    assert fate.others[0]["name"] == "Commissioning Board"
    assert [t.on for t in story.timeline] == [date(2008, 4, 1), APRIL_2011]


def test_the_new_board_says_what_it_was_formed_from(west_cheshire):
    commissioning = Body.objects.select_related("partnership").get(name="Commissioning Board")
    (fate,) = body_story(body=commissioning).fates
    assert fate.kind == "formed"
    assert {o["name"] for o in fate.others} == {
        "Health and Wellbeing Partnership",
        "Children's Trust Board",
    }


def test_a_renamed_group_has_its_old_and_new_names_in_its_timeline(west_cheshire):
    group = Body.objects.select_related("partnership").get(name="Safer Cheshire West Group")
    story = body_story(body=group)
    assert story.fates == []
    renamed = story.timeline[-1]
    assert (renamed.old_name, renamed.new_name) == (
        "Community Safety Partnership",
        "Safer Cheshire West Group",
    )
    assert renamed.new_remit == "Crime and disorder, and reoffending."


# --- the structure page --------------------------------------------------------------------


def structure_url(p, **on) -> str:
    url = reverse("membership:structure", kwargs={"partnership": p.slug})
    return url + ("?" + "&".join(f"on_{k}={v}" for k, v in on.items()) if on else "")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_structure_page_shows_the_tree_on_31_march_2011(client, west_cheshire):
    html = html_of(client, structure_url(west_cheshire, day=31, month=3, year=2011))
    text = text_of(html)
    assert "The structure on 31 March 2011" in text
    assert "Health and Wellbeing Partnership" in text
    assert "Merged into Commissioning Board 1 April 2011" in text
    assert "Community Safety Partnership" in text
    assert "Older People's Partnership: ended on 1 March 2010" in text.replace("&#x27;", "'")


def test_an_impossible_date_is_an_error_by_its_field(client, west_cheshire):
    html = html_of(client, structure_url(west_cheshire, day=31, month=2, year=2011))
    assert "<title>Error: " in html
    assert 'href="#id_on_day"' in html
    assert "must be a real date" in html
    assert 'value="31"' in html


def test_the_public_body_page_of_a_merged_board_links_to_what_it_became(client, west_cheshire):
    url = reverse(
        "membership:body",
        kwargs={"partnership": "west-cheshire", "body": "health-and-wellbeing-partnership"},
    )
    html = html_of(client, url)
    assert "Merged into the Commissioning Board on 1 April 2011" in text_of(html)
    assert 'href="/p/west-cheshire/bodies/commissioning-board/"' in html
