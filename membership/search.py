"""What membership puts in the search index: the bodies, and the people who sit on them,
with only what the public members page shows of them (name, job title, organisation, body
and role: always public while they sit on a body). Contact details are never indexed: the
public sees them only by a person's choice, and nobody needs a search to find them."""

from __future__ import annotations

from membership.models import Membership, User
from partnership.models import Body, SearchAudience, SearchKind
from partnership.search import Entry, register_dependents, register_indexer


def body_entries(body: Body) -> list[Entry]:
    return [
        Entry(
            kind=SearchKind.BODY,
            partnership_id=body.partnership_id,
            body_id=body.pk,
            title=body.name,
            text="\n".join(
                p for p in (body.get_kind_display(), body.remit, body.terms_of_reference) if p
            ),
            on_date=body.established_on,
            url=body.get_absolute_url(),
            audience=SearchAudience.PUBLIC,
        )
    ]


def person_entries(membership: Membership) -> list[Entry]:
    """One entry per current place on a body: the people as its members page lists them."""
    person, body = membership.person, membership.body
    place = f"{membership.get_role_display()}, {body.name}"
    if membership.organisation_id:
        place += f", representing {membership.organisation.name}"
    return [
        Entry(
            kind=SearchKind.PERSON,
            partnership_id=body.partnership_id,
            body_id=body.pk,
            title=person.full_name,
            text="\n".join(p for p in (person.job_title, place) if p),
            on_date=membership.starts_on,
            url=body.get_absolute_url(),
            audience=SearchAudience.PUBLIC,
        )
    ]


def _current_places():
    # Only current places (the queryset is read afresh each time): the nightly rebuild drops
    # a place once its end date has passed.
    return Membership.objects.current().select_related(
        "person", "body__partnership", "organisation"
    )


def register_indexers() -> None:
    register_indexer(
        Body, body_entries, queryset=lambda: Body.objects.select_related("partnership")
    )
    register_indexer(Membership, person_entries, queryset=_current_places)
    # A new name or job title: every place of the person says it.
    register_dependents(
        User,
        lambda person: _current_places().filter(person=person),
        # Saved on every sign-in and second factor: nothing the search shows.
        quiet_fields={"last_login", "session_epoch", "second_factor_since", "password"},
    )
