"""The West Cheshire Together 2011 merge in the browser (issue 16): the partnership's
co-ordinator merges the Health and Wellbeing Board and the Children's Trust Board into a new
Commissioning Board on 1 April 2011 from the old board's page: first leaving out what is needed
(each error by its field), then carrying members over to seats and ending one, moving a future
meeting and carrying an action, and confirming from the summary. Then, signed out, the old
board's public page says what became of it with a working link, and the structure page on 31
March 2011 shows the old boards. Every page and state is checked with axe-core."""

import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Action, Meeting
from governance.services import meeting_create
from membership import services as ms
from membership.models import Role
from partnership import services as ps
from tests.browser.conftest import assert_accessible, sign_in
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

MERGED_ON = date(2011, 4, 1)


def set_up_2011(w):
    """Two boards of 2008 with their members, a meeting after the merge and an open action."""
    boards = {}
    for name, people in (
        ("Health and Wellbeing Board", ["Ann Ashby", "Bill Brook", "Cara Cole"]),
        ("Children's Trust Board", ["Dev Dutta", "Eve Ellis"]),
    ):
        board = ps.body_create(
            actor=None,
            partnership=w.partnership,
            name=name,
            kind="delivery_board",
            established_on=date(2008, 4, 1),
        )
        seat = ms.seat_create(actor=None, body=board, name="Partners", count=4, voting=True)
        for i, full_name in enumerate(people):
            ms.membership_create(
                actor=None,
                body=board,
                seat=seat,
                person=UserFactory(
                    email=f"{full_name.split()[0].lower()}@example.org", full_name=full_name
                ),
                role=Role.CHAIR if i == 0 else Role.MEMBER,
                organisation=w.council,
                starts_on=date(2009, 1, 5),
            )
        boards[name] = board
    hwb = boards["Health and Wellbeing Board"]
    meeting_create(
        actor=None,
        body=hwb,
        # Still to be held: a meeting held since the (backdated) merge stays with the old board.
        held_on=timezone.localdate() + timedelta(days=14),
        start_time=time(10),
        title="May meeting",
        venue="Wyvern House",
    )
    past = meeting_create(
        actor=None, body=hwb, held_on=date(2011, 2, 3), start_time=time(10), venue="Wyvern House"
    )
    Action.objects.create(
        meeting=past,
        description="Draft the joint commissioning plan",
        owner=w.coordinator,
        due_on=date(2011, 6, 30),
    )
    return hwb


def fill_date(page, group_name: str, when: date):
    group = page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))


def text_of(page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def test_the_2011_merge_from_the_old_board_to_its_public_page(page, live_world):
    w = live_world
    hwb = set_up_2011(w)

    sign_in(page, "coordinator@example.org", PASSWORD, then=hwb.get_absolute_url())
    page.get_by_role("link", name="Merge, replace or end this body").click()

    # --- step 1: what is changing, first with what is needed left out --------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("What is changing")
    expect(page.get_by_label("Health and Wellbeing Board")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Children's Trust Board").check()
    page.get_by_label("Reason").fill("One board to commission health and children's services")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the name of the new body")
    expect(summary).to_contain_text("Enter the date the change takes effect")
    expect(page.get_by_label("Reason")).to_have_value(
        "One board to commission health and children's services"
    )
    expect(page.get_by_label("Children's Trust Board")).to_be_checked()
    assert_accessible(page)

    page.get_by_label("Name of the new body").fill("Commissioning Board")
    page.get_by_label("Type of the new body").select_option(label="Commissioning board")
    fill_date(page, "The date the change takes effect", MERGED_ON)
    page.get_by_role("button", name="Continue").click()

    # --- step 2: members: four carried over to the seats, one ended ----------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    page.get_by_label(re.compile("^What becomes of Cara Cole")).select_option(
        label="End the membership on that date"
    )
    page.get_by_label("Dev Dutta's role if carried over").select_option(label="Deputy chair")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    # --- step 3: the future meeting moves, the action is carried --------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Open work")
    expect(page.get_by_role("group", name=re.compile("May meeting"))).to_be_visible()
    expect(
        page.get_by_role("group", name=re.compile("joint commissioning plan")).get_by_label(
            "Move to the body that takes on the work"
        )
    ).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    # --- step 4: the summary, then confirm -------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the restructure")
    summary = page.locator("main")
    expect(summary).to_contain_text("Ann Ashby carries over to Commissioning Board")
    expect(summary).to_contain_text("Cara Cole's membership of Health and Wellbeing Board ends")
    expect(summary).to_contain_text("May meeting")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm restructure").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The restructure has been recorded"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge on 1 April 2011")
    assert_accessible(page)
    assert Meeting.objects.get(title="May meeting").body.name == "Commissioning Board"
    assert Action.objects.get().carried_to.name == "Commissioning Board"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    # --- signed out: the old board's public page and the structure on 31 March 2011 -------
    page.goto(hwb.get_absolute_url())
    assert "Merged into the Commissioning Board on 1 April 2011" in text_of(page)
    assert_accessible(page)
    page.locator(".app-body-fate").get_by_role("link", name="the Commissioning Board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning Board")
    assert "Formed on 1 April 2011 from the merger of" in text_of(page)
    assert_accessible(page)

    page.goto(w.partnership.get_absolute_url())
    fill_date(page, "Show the structure on", date(2011, 3, 31))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="The structure on 31 March 2011")).to_be_visible()
    tree = page.locator(".app-tree")
    expect(tree).to_contain_text("Health and Wellbeing Board")
    expect(tree).to_contain_text("Children's Trust Board")
    expect(tree.get_by_role("link", name="Commissioning Board", exact=True)).to_have_count(0)
    expect(tree).to_contain_text("Merged into Commissioning Board 1 April 2011")
    assert_accessible(page)
