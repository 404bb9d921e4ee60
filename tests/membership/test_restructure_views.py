"""The restructure wizard and the record of the changes (issue 16): who reaches each page, the
steps from what changes to the confirmation, refusals next to their field on the step that has
it with nothing typed lost, and the public pages saying what became of a body."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from membership import services as ms
from membership.models import Membership
from membership.services.restructure import MemberChoice, NewBody, restructure
from partnership.models import Body, ChangeKind, StructureChange
from tests.factories import UserFactory
from tests.pages import html_of
from tests.test_url_access import ROLES, _check, _client_for

"""Issue 16. The URL names this module covers, for tests/test_url_access.py."""

RESTRUCTURE_URLS: set[str] = {
    "membership:restructure",
    "membership:restructure_members",
    "membership:restructure_things",
    "membership:restructure_confirm",
    "membership:change_list",
    "membership:change_detail",
}

PUBLIC = dict.fromkeys(ROLES, 200)
PARTNERSHIP_COORDINATOR = {**dict.fromkeys(ROLES, 403), "anonymous": "login", "coordinator": 200}
# A later step with nothing chosen yet sends the co-ordinator back to the first.
LATER_STEP = {**PARTNERSHIP_COORDINATOR, "coordinator": 302}


def end_other(w, **kwargs) -> StructureChange:
    """Through the service: the Other Group ends today, its member's place with it."""
    return restructure(
        actor=w.coordinator,
        kind=ChangeKind.END,
        partnership=w.partnership,
        sources=[w.other],
        effective_on=kwargs.get("on", w.start + timedelta(days=10)),
        reason="Its work is done",
        members={w.other_membership.pk: MemberChoice()},
        things={},
    ).change


def restructure_urls(w):
    p = {"partnership": w.partnership.slug}
    change = end_other(w)
    return [
        ("membership:restructure", p, PARTNERSHIP_COORDINATOR),
        ("membership:restructure_members", p, LATER_STEP),
        ("membership:restructure_things", p, LATER_STEP),
        ("membership:restructure_confirm", p, LATER_STEP),
        ("membership:change_list", p, PUBLIC),
        ("membership:change_detail", {**p, "pk": change.pk}, PUBLIC),
    ]


def test_every_restructure_url_is_in_the_matrix(world):
    assert {name for name, _, _ in restructure_urls(world)} == RESTRUCTURE_URLS


@pytest.mark.parametrize("role", ROLES)
def test_get_every_restructure_url_as(role, client, world):
    client = _client_for(client, world, role)
    for name, kwargs, expected in restructure_urls(world):
        url = reverse(name, kwargs=kwargs)
        _check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ["outsider", "member", "chair", "group_coordinator"])
def test_only_a_partnership_coordinator_may_post_a_step(role, client, world):
    client.force_login(getattr(world, role))
    for name in ("restructure", "restructure_members", "restructure_things", "restructure_confirm"):
        url = reverse(f"membership:{name}", kwargs={"partnership": world.partnership.slug})
        assert client.post(url, {}).status_code == 403, url


# --- the wizard --------------------------------------------------------------------------------


def step(name: str, w) -> str:
    return reverse(f"membership:{name}", kwargs={"partnership": w.partnership.slug})


def date_fields(prefix: str, day) -> dict:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def what(w, **overrides) -> dict:
    """Merge the Safer Group and the Other Group into a new Communities Group."""
    data = {
        "kind": "merge",
        "sources": [str(w.group.pk), str(w.other.pk)],
        "successor": "",
        "name": "Communities Group",
        "new_kind": "thematic_group",
        "parent": str(w.board.pk),
        "remit": "Safer and stronger communities.",
        **date_fields("effective_on", w.start + timedelta(days=10)),
        "reason": "One group for the communities theme",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_coordinator_merges_two_groups_into_a_new_one_step_by_step(client, world):
    w = world
    client.force_login(w.coordinator)
    body_page = reverse("membership:body", kwargs={"partnership": w.partnership.slug, "body": "x"})
    html = html_of(client, body_page.replace("/x/", f"/{w.group.slug}/"))
    assert "Merge, replace or end this body" in html
    html = html_of(client, step("restructure", w) + f"?body={w.group.slug}")
    assert re.search(rf'value="{w.group.pk}" checked', html)

    response = client.post(step("restructure", w), what(w))
    assert response["Location"] == step("restructure_members", w)

    html = html_of(client, step("restructure_members", w))
    key = f"member-{w.other_membership.pk}"
    assert f'name="{key}"' in html
    assert "Carry over to &#x27;Partners&#x27;" in html
    response = client.post(
        step("restructure_members", w), {key: "Partners", f"role-{w.other_membership.pk}": "member"}
    )
    assert response["Location"] == step("restructure_things", w)

    html = html_of(client, step("restructure_things", w))
    child = f"body-{w.subgroup.pk}"
    assert f'name="{child}"' in html
    response = client.post(step("restructure_things", w), {child: "move"})
    assert response["Location"] == step("restructure_confirm", w)

    html = html_of(client, step("restructure_confirm", w))
    assert "What will happen" in html
    assert "Other Member carries over to Communities Group" in html
    assert not StructureChange.objects.exists()  # the dry run changed nothing

    response = client.post(step("restructure_confirm", w))
    change = StructureChange.objects.get()
    assert response["Location"] == reverse(
        "membership:change_detail", kwargs={"partnership": w.partnership.slug, "pk": change.pk}
    )
    new = Body.objects.get(name="Communities Group")
    assert Membership.objects.current(on=change.effective_on).filter(
        body=new, person=w.other_member
    )
    w.subgroup.refresh_from_db()
    assert w.subgroup.parent_id == new.pk
    # The wizard forgets what was typed once the change is made.
    assert client.get(step("restructure_confirm", w))["Location"] == step("restructure", w)


def test_a_refused_date_is_shown_on_the_first_step_with_everything_typed(client, world):
    w = world
    client.force_login(w.coordinator)
    # Before the members' places began: the service refuses the date.
    early = w.start - timedelta(days=5)
    client.post(step("restructure", w), what(w, **date_fields("effective_on", early)))
    key = f"member-{w.other_membership.pk}"
    client.post(step("restructure_members", w), {key: "", f"role-{key[7:]}": "member"})
    client.post(step("restructure_things", w), {f"body-{w.subgroup.pk}": "move"})

    response = client.get(step("restructure_confirm", w))
    assert response["Location"] == step("restructure", w)
    html = html_of(client, step("restructure", w))
    assert html.count("<title>Error: ") == 1
    assert 'href="#id_effective_on_day"' in html
    assert "start on or after the date" in html
    assert 'value="Communities Group"' in html
    assert "One group for the communities theme" in html
    assert not StructureChange.objects.exists()


def test_a_member_over_the_seats_count_is_refused_on_the_members_step(client, world):
    w = world
    client.force_login(w.coordinator)
    # Merge the Other Group into the Board, whose Council seat has 3 places: 2 held and a
    # third filled now, so the Other Group's member does not fit.
    ms.membership_create(
        actor=None,
        body=w.board,
        seat=w.board_seat,
        person=UserFactory(email="third@example.org", full_name="Third Person"),
        organisation=w.council,
        starts_on=w.start,
    )
    client.post(
        step("restructure", w),
        what(w, sources=[str(w.other.pk)], successor=str(w.board.pk), name="", new_kind=""),
    )
    key = f"member-{w.other_membership.pk}"
    client.post(
        step("restructure_members", w),
        {key: "Council", f"role-{w.other_membership.pk}": "member"},
    )
    assert client.post(step("restructure_things", w), {})["Location"] == step(
        "restructure_confirm", w
    )
    response = client.get(step("restructure_confirm", w))
    assert response["Location"] == step("restructure_members", w)
    html = html_of(client, step("restructure_members", w))
    assert f'href="#id_{key}"' in html
    assert re.search(r'<option value="Council" selected>', html)
    assert not StructureChange.objects.exists()


def test_the_first_step_says_what_is_missing(client, world):
    client.force_login(world.coordinator)
    response = client.post(step("restructure", world), {"kind": "merge"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select the bodies that end" in html
    assert "Enter the date the change takes effect" in html or "Enter the date" in html
    assert "Enter reason" in html


def test_ending_a_body_skips_the_members_step_and_ends_every_place(client, world):
    w = world
    client.force_login(w.coordinator)
    data = what(w, kind="end", sources=[str(w.other.pk)], name="", new_kind="", parent="")
    response = client.post(step("restructure", w), data)
    assert response["Location"] == step("restructure_things", w)
    assert client.get(step("restructure_members", w))["Location"] == step("restructure_things", w)
    client.post(step("restructure_things", w), {})
    html = html_of(client, step("restructure_confirm", w))
    assert "Other Member&#x27;s membership of Other Group ends" in html
    client.post(step("restructure_confirm", w))
    w.other.refresh_from_db()
    w.other_membership.refresh_from_db()
    assert w.other.closed_on == w.other_membership.ends_on == w.start + timedelta(days=10)


def test_a_shadow_body_replacing_one_takes_over_on_the_date(client, world, today):
    w = world
    client.force_login(w.coordinator)
    data = what(
        w,
        kind="replace",
        sources=[str(w.other.pk)],
        name="Other Forum",
        new_kind="forum",
        **date_fields("shadow_from", today - timedelta(days=10)),
        **date_fields("effective_on", today),
    )
    assert client.post(step("restructure", w), data)["Location"] == step("restructure_members", w)
    key = f"member-{w.other_membership.pk}"
    client.post(step("restructure_members", w), {key: "Partners", f"role-{key[7:]}": "member"})
    client.post(step("restructure_things", w), {})
    client.post(step("restructure_confirm", w))
    new = Body.objects.get(name="Other Forum")
    assert new.shadow_until == today
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html_of(client, body_url(w, w.other))))
    assert "Replaced by the Other Forum" in text


def test_a_future_date_is_refused_with_the_way_to_prepare_a_body_ahead(client, world, today):
    w = world
    client.force_login(w.coordinator)
    data = what(
        w,
        kind="replace",
        sources=[str(w.other.pk)],
        name="Other Forum",
        new_kind="forum",
        **date_fields("effective_on", today + timedelta(days=10)),
    )
    client.post(step("restructure", w), data)
    key = f"member-{w.other_membership.pk}"
    client.post(step("restructure_members", w), {key: "Partners", f"role-{key[7:]}": "member"})
    client.post(step("restructure_things", w), {})
    response = client.post(step("restructure_confirm", w))
    assert response["Location"] == step("restructure", w)
    html = html_of(client, step("restructure", w))
    assert "A restructure takes effect on the day it is made or an earlier date" in html
    assert "Shadow body until" in html
    assert not Body.objects.filter(name="Other Forum").exists()


def test_a_shadow_date_needs_a_new_body_replacing_one(client, world):
    client.force_login(world.coordinator)
    data = what(world, **date_fields("shadow_from", world.start))
    html = client.post(step("restructure", world), data).content.decode()
    assert "Only a new body that replaces one can be a shadow body" in html


# --- what became of a body -------------------------------------------------------------------


def merge_into_new(w) -> StructureChange:
    return restructure(
        actor=w.coordinator,
        kind=ChangeKind.MERGE,
        partnership=w.partnership,
        sources=[w.other, w.group],
        effective_on=w.start + timedelta(days=10),
        reason="One group for the communities theme",
        new_body=NewBody(name="Communities Group", kind="thematic_group", parent=w.board),
        members={w.other_membership.pk: MemberChoice(seat="Partners")},
        things={f"body-{w.subgroup.pk}": "move"},
    ).change


def body_url(w, body) -> str:
    return reverse("membership:body", kwargs={"partnership": w.partnership.slug, "body": body.slug})


def test_a_merged_bodys_public_page_says_what_became_of_it(client, world):
    change = merge_into_new(world)
    new = change.successor
    day = f"{change.effective_on:%-d %B %Y}"
    html = html_of(client, body_url(world, world.other))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert f"Merged into the Communities Group on {day}" in text
    assert f'href="{body_url(world, new)}"' in html
    assert 'id="timeline"' in html

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html_of(client, body_url(world, new))))
    assert f"Formed on {day} from the merger of the Other Group and the Safer Group" in text

    meetings = reverse(
        "governance:body_meetings",
        kwargs={"partnership": world.partnership.slug, "body": world.other.slug},
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html_of(client, meetings)))
    assert f"Merged into the Communities Group on {day}" in text


def test_the_change_page_shows_its_summary_to_insiders_only(client, world):
    change = merge_into_new(world)
    url = reverse(
        "membership:change_detail",
        kwargs={"partnership": world.partnership.slug, "pk": change.pk},
    )
    public = html_of(client, url)
    assert "One group for the communities theme" in public
    assert "Other Group" in public and "Communities Group" in public
    assert "carries over" not in public
    client.force_login(world.coordinator)
    assert "Other Member carries over" in html_of(client, url)


def test_the_changes_list_pages_newest_first_in_as_many_queries_for_60_as_for_3(
    client, world, django_assert_num_queries
):
    w = world
    url = reverse("membership:change_list", kwargs={"partnership": w.partnership.slug})

    def grow(n):
        for i in range(n):
            body = Body.objects.create(
                partnership=w.partnership, name=f"Group {i}-{n}", slug=f"g{i}-{n}", kind="forum"
            )
            StructureChange.objects.create(
                partnership=w.partnership,
                kind=ChangeKind.END,
                effective_on=w.start + timedelta(days=i),
                reason=f"Reason {i}-{n}",
            ).events.create(body=body, role="ended")

    grow(3)
    # Session-free: the partnership, one page of changes with their total.
    with django_assert_num_queries(2):
        html = html_of(client, url)
    assert html.index("Reason 2-3") < html.index("Reason 0-3")
    grow(60)
    with django_assert_num_queries(2):
        html = html_of(client, url)
    assert html.count('class="govuk-table__row"') == 51  # the head and 50 rows
    assert "Reason 59-60" in html
    assert "Reason 0-3" in html_of(client, url + "?page=2")


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_restructure_loads_once_and_says_what_became_of_the_old_boards(client, db):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--force", stdout=StringIO())
    out = StringIO()
    call_command("load_demo_restructure", "--force", stdout=out)
    assert "Commissioning Board" in out.getvalue()
    out = StringIO()
    call_command("load_demo_restructure", "--force", stdout=out)
    assert "already loaded" in out.getvalue()
    assert StructureChange.objects.filter(kind=ChangeKind.MERGE).count() == 1

    old = Body.objects.get(name="Health and Wellbeing Partnership")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html_of(client, old.get_absolute_url())))
    assert "Merged into the Commissioning Board on 1 April 2011" in text
    board = Body.objects.get(name="Commissioning Board")
    assert board.memberships.filter(starts_on=date(2011, 4, 1)).count() == 7
    structure = reverse("membership:structure", kwargs={"partnership": "demo"})
    text = html_of(client, f"{structure}?on_day=31&on_month=3&on_year=2012")
    assert "Older People&#x27;s Partnership" in text
