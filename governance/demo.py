"""The demo Delivery Board's meetings, built through the services: one held with approved
minutes, one held last week whose minutes await the chair, one coming up with its agenda out,
and one in draft. Dates are relative to the day the demo is loaded, so the cycle is always
ready to try: the chair approves, the member sends apologies, the co-ordinator takes it on.
The registers are loaded by ``governance.demo_registers``."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from governance import services as gs
from governance.models import Meeting
from membership.models import User
from partnership.models import Body, Partnership
from partnership.pdf import render_pdf

VENUE = "Committee Room 2, Mercia Vale Civic Centre, Market Street, Mercia Vale MV1 1AA"


def _paper_pdf(title: str, paragraphs: list[str]) -> bytes:
    return render_pdf(
        template="governance/pdf/demo_paper.html",
        context={"title": title, "paragraphs": paragraphs},
    )


def _people(partnership: Partnership) -> dict[str, User]:
    def find(local: str) -> User:
        return User.objects.get(email=f"{local}@mercia-vale.example")

    return {
        "priya": find("coordinator"),
        "daniel": find("member"),
        "martin": _chair(partnership),
        "ruth": User.objects.get(full_name="Ruth Adeyemi"),
        "moira": User.objects.get(full_name="Moira Chapman"),
        "mark": User.objects.get(full_name="Mark Delaney"),
        "stuart": User.objects.get(full_name="Stuart Ingham"),
        "sarah": User.objects.get(full_name="Sarah Whitcombe"),
    }


def _chair(partnership: Partnership) -> User:
    body = Body.objects.get(partnership=partnership, name="Delivery Board")
    return body.memberships.get(role="chair", ends_on__isnull=True).person


def _meeting(actor, body, held_on: date, **fields) -> Meeting:
    return gs.meeting_create(
        actor=actor,
        body=body,
        held_on=held_on,
        start_time=time(10, 0),
        end_time=time(12, 0),
        venue=VENUE,
        **fields,
    )


@transaction.atomic
def load_meetings(*, partnership: Partnership, today: date | None = None) -> int:
    """Load the Delivery Board's meetings once. Returns how many were made (0 if present)."""
    body = Body.objects.get(partnership=partnership, name="Delivery Board")
    if body.meetings.exists():
        return 0
    today = today or timezone.localdate()
    p = _people(partnership)
    actor = p["priya"]
    members = [m.person for m in gs.meeting_members(meeting=Meeting(body=body, held_on=today))]

    # 1. Two months ago: held, minutes approved, actions agreed (one now overdue).
    held = _meeting(actor, body, today - timedelta(days=63))
    plan = gs.item_add(
        actor=actor,
        meeting=held,
        title="Local Area Agreement: quarter 2 performance",
        presenter="Stuart Ingham, Fire and Rescue",
        purpose="decision",
        decision_required="To agree the exception reports for the two indicators off track.",
    )
    funding = gs.item_add(
        actor=actor,
        meeting=held,
        title="Neighbourhood Renewal Fund: allocation to projects",
        presenter="Moira Chapman, CVS",
        purpose="decision",
        decision_required="To agree the allocation, with named organisations.",
        confidential=True,
        confidential_reason="Names organisations bidding for funds before they are told.",
    )
    gs.paper_add(
        actor=actor,
        item=plan,
        title="Quarter 2 performance report",
        owner=p["stuart"],
        main_issues="Twelve of fourteen indicators are on track. Violent crime and "
        "worklessness in the southern estates are off track.",
        decision_required="Agree the exception reports and the recovery actions.",
        upload=(
            "q2-performance.pdf",
            _paper_pdf(
                "Quarter 2 performance report",
                [
                    "Twelve of the fourteen Local Area Agreement indicators are on track.",
                    "Violent crime is 6% above its trajectory; worklessness in the southern "
                    "estates has not fallen as planned.",
                ],
            ),
        ),
    )
    gs.meeting_publish(actor=actor, meeting=held)
    gs.papers_circulate(actor=actor, meeting=held)
    records = {person.pk: ("present", None) for person in members}
    records[p["mark"].pk] = ("apologies", None)
    gs.attendance_record(actor=actor, meeting=held, records=records)
    gs.interest_declare(
        actor=actor,
        item=funding,
        person=p["moira"],
        nature="Chief Executive of the CVS, which bid for the fund.",
    )
    minutes = gs.minutes_start(actor=actor, meeting=held)
    gs.minutes_save(
        actor=actor,
        minutes=minutes,
        entries={
            plan.pk: (
                "Stuart Ingham presented the quarter 2 report. Members discussed the rise in "
                "violent crime in the night-time economy and the slower fall in worklessness.",
                "The exception reports were agreed, with recovery plans due next quarter.",
            ),
            funding.pk: (
                "The Board considered the bids. Moira Chapman took no part.",
                "Allocations agreed as set out in the confidential paper.",
            ),
        },
    )
    gs.minutes_submit(actor=actor, minutes=minutes)
    gs.minutes_approve(actor=p["martin"], minutes=minutes)
    gs.action_add(
        actor=actor,
        meeting=held,
        item=plan,
        description="Bring a recovery plan for violent crime to the next meeting.",
        owner=p["mark"],
        due_on=today - timedelta(days=14),
    )
    done = gs.action_add(
        actor=actor,
        meeting=held,
        item=plan,
        description="Share the worklessness data by ward with the Economic Development group.",
        owner=p["daniel"],
        due_on=today - timedelta(days=30),
    )
    gs.action_complete(actor=p["daniel"], action=done, done_on=today - timedelta(days=35))

    # 2. Last week: held, minutes drafted and waiting for the chair (Martin Ashworth) to approve.
    last = _meeting(actor, body, today - timedelta(days=6))
    skills = gs.item_add(
        actor=actor,
        meeting=last,
        title="Skills and employment: Jobcentre Plus update",
        presenter="Daniel Okafor, Jobcentre Plus",
    )
    gs.meeting_publish(actor=actor, meeting=last)
    gs.attendance_record(
        actor=actor,
        meeting=last,
        records={person.pk: ("present", None) for person in members},
    )
    draft = gs.minutes_start(actor=actor, meeting=last)
    gs.minutes_save(
        actor=actor,
        minutes=draft,
        entries={
            skills.pk: (
                "Daniel Okafor reported 140 more people in work through the partnership's "
                "employment programme since April.",
                "",
            )
        },
    )
    gs.minutes_submit(actor=actor, minutes=draft)

    # 3. In ten days: agenda published, one paper out, one still awaited from its author,
    # and apologies from Mark Delaney.
    coming = _meeting(actor, body, today + timedelta(days=10))
    budget = gs.item_add(
        actor=actor,
        meeting=coming,
        title="Pooled budget for 2027 to 2028",
        presenter="Ruth Adeyemi, Primary Care Trust",
        purpose="decision",
        decision_required="To recommend the pooled budget to the Partnership Board.",
    )
    gs.paper_add(
        actor=actor,
        item=budget,
        title="Pooled budget proposals",
        owner=p["ruth"],
        main_issues="Partners propose £2.4m pooled for 2027 to 2028, up 3%.",
        decision_required="Recommend the pooled budget to the Partnership Board.",
        upload=(
            "pooled-budget.pdf",
            _paper_pdf(
                "Pooled budget proposals",
                ["Partners propose to pool £2.4 million in 2027 to 2028, 3% more than this year."],
            ),
        ),
    )
    risks = gs.item_add(
        actor=actor,
        meeting=coming,
        title="Risk register review",
        presenter="Stuart Ingham, Fire and Rescue",
    )
    gs.paper_add(actor=actor, item=risks, title="Risk register, quarter 3", owner=p["stuart"])
    gs.meeting_publish(actor=actor, meeting=coming)
    gs.papers_circulate(actor=actor, meeting=coming)
    # Mark Delaney cannot come: his apologies are on the co-ordinator's task list.
    gs.apologies_send(actor=p["mark"], meeting=coming)

    # 4. Next quarter: in draft, seen only by the co-ordinators and the chair and deputy.
    _meeting(actor, body, today + timedelta(days=73))
    return 4
