"""Meetings built through the services, for the tests of every governance module."""

from __future__ import annotations

import io
from datetime import time, timedelta
from types import SimpleNamespace

from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfWriter
from weasyprint import HTML

from governance import services as gs


def pdf_bytes(text: str = "") -> bytes:
    """A small valid one-page PDF; with ``text``, one whose words pypdf can read back."""
    if text:
        return HTML(string=f'<html lang="en-GB"><p>{escape(text)}</p></html>').write_pdf()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def schedule(world, *, days: int, body=None, **fields):
    return gs.meeting_create(
        actor=world.coordinator,
        body=body or world.board,
        held_on=timezone.localdate() + timedelta(days=days),
        start_time=time(14, 0),
        end_time=time(16, 0),
        venue="Council House, Committee Room 1",
        **fields,
    )


def build_meetings(world) -> SimpleNamespace:
    """On the Board: an upcoming published meeting with a public and a confidential item, each
    with a circulated paper; a draft meeting (its item and paper marked SECRETDRAFT); and a
    past meeting with approved minutes."""
    actor = world.coordinator
    upcoming = schedule(world, days=14)
    public_item = gs.item_add(
        actor=actor,
        meeting=upcoming,
        title="Community safety plan",
        presenter="Chair",
        purpose="decision",
        decision_required="To approve the plan",
    )
    secret_item = gs.item_add(
        actor=actor,
        meeting=upcoming,
        title="Tender for youth services SECRETITEM",
        confidential=True,
        confidential_reason="Commercially sensitive",
    )
    public_paper = gs.paper_add(
        actor=actor,
        item=public_item,
        title="Draft community safety plan",
        owner=world.member,
        main_issues="Burglary is down",
        upload=("plan.pdf", pdf_bytes()),
    )
    secret_paper = gs.paper_add(
        actor=actor,
        item=secret_item,
        title="Tender evaluation SECRETPAPER",
        owner=world.member,
        upload=("tender.pdf", pdf_bytes()),
    )
    gs.meeting_publish(actor=actor, meeting=upcoming)
    gs.papers_circulate(actor=actor, meeting=upcoming)

    draft = schedule(world, days=30, title="Extraordinary meeting DRAFTMEETING")
    # The draft agenda: the meeting is in everyone's calendar, its business is not.
    draft_item = gs.item_add(
        actor=actor,
        meeting=draft,
        title="Restructure SECRETDRAFT",
        decision_required="To agree SECRETDRAFT",
    )
    gs.paper_add(
        actor=actor,
        item=draft_item,
        title="Options SECRETDRAFT",
        owner=world.member,
        upload=("options.pdf", pdf_bytes()),
    )

    past = schedule(world, days=-7)
    past_public = gs.item_add(actor=actor, meeting=past, title="Annual report")
    past_secret = gs.item_add(
        actor=actor,
        meeting=past,
        title="Legal advice SECRETMINUTE",
        confidential=True,
        confidential_reason="Legal privilege",
    )
    gs.meeting_publish(actor=actor, meeting=past)
    gs.attendance_record(
        actor=actor,
        meeting=past,
        records={world.chair.pk: ("present", None), world.member.pk: ("apologies", None)},
    )
    minutes = gs.minutes_start(actor=actor, meeting=past)
    gs.minutes_save(
        actor=actor,
        minutes=minutes,
        entries={
            past_public.pk: ("The report was noted.", "Report approved"),
            past_secret.pk: ("Advice SECRETMINUTE was received.", "SECRETDECISION"),
        },
    )
    gs.minutes_submit(actor=actor, minutes=minutes)
    gs.minutes_approve(actor=world.chair, minutes=minutes)
    action = gs.action_add(
        actor=actor,
        meeting=past,
        item=past_public,
        description="Publish the annual report",
        owner=world.member,
        due_on=timezone.localdate() + timedelta(days=7),
    )
    for m in (upcoming, draft, past):
        m.refresh_from_db()
    return SimpleNamespace(
        upcoming=upcoming,
        public_item=public_item,
        secret_item=secret_item,
        public_paper=public_paper,
        secret_paper=secret_paper,
        draft=draft,
        draft_item=draft_item,
        past=past,
        past_public=past_public,
        past_secret=past_secret,
        minutes=minutes,
        action=action,
    )
