"""Search over the registers of interests and of gifts and hospitality (issue 17): who finds
each entry is who the register pages themselves show it to, and the index follows changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from governance import services as gs
from governance.models import Declaration
from partnership.models import SearchAudience, SearchEntry, SearchKind
from partnership.search.indexing import rebuild
from tests.test_url_access import ROLES, _client_for, drain

SECRET = "SECRETREGISTER"
SECRET_GIFT = "SECRETREGISTERGIFT"


def search(client, world, q):
    url = reverse("partnership:search", kwargs={"partnership": world.partnership.slug})
    return client.get(url, {"q": q})


def hits(response):
    results = response.context["results"]
    return results.hits if results else []


def found(response, marker):
    return any(
        marker in f"{h.entry.title} {h.entry.text} {h.title} {h.snippet}" for h in hits(response)
    )


def declare(world, person, description, **fields):
    return gs.declaration_create(
        actor=person,
        partnership=world.partnership,
        person=person,
        kind=fields.pop("kind", "financial"),
        holder=fields.pop("holder", "self"),
        description=description,
        starts_on=world.start,
        organisation=fields.pop("organisation", world.business),
        **fields,
    )


def give(world, person, body, description, **fields):
    return gs.gift_declare(
        actor=person,
        partnership=world.partnership,
        person=person,
        body=body,
        kind="hospitality",
        donor=fields.pop("donor", "Testshire Catering"),
        description=description,
        value=Decimal("40.00"),
        offered_on=world.start,
        decision="accepted",
        **fields,
    )


@pytest.fixture
def registers(world, django_capture_on_commit_callbacks):
    """A public interest and a public gift, a withheld interest and a withheld gift (with the
    markers), declared through the services and indexed by the hooks."""
    rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        public = declare(world, world.member, "Shareholding in Vale Widgets Ltd")
        secret = declare(
            world,
            world.member,
            f"Loan from a supplier {SECRET}",
            withheld_reason="Risk to the member's safety",
        )
        gift = give(world, world.other_member, world.other, "Dinner at the county show")
        secret_gift = give(
            world,
            world.member,
            world.board,
            f"Theatre tickets {SECRET_GIFT}",
            withheld_reason="Sensitive",
        )
    return {"public": public, "secret": secret, "gift": gift, "secret_gift": secret_gift}


def register_pages(world, records):
    """Every page that may show a register entry: the bodies' registers, each declaration's
    own page and the reader's own registers."""
    slug = world.partnership.slug
    urls = [reverse("governance:my_registers", kwargs={"partnership": slug})]
    for body in (world.board, world.other):
        kwargs = {"partnership": slug, "body": body.slug}
        urls += [
            reverse("governance:body_interests", kwargs=kwargs),
            reverse("governance:body_gifts", kwargs=kwargs),
        ]
    urls += [
        reverse("governance:declaration", kwargs={"partnership": slug, "pk": r.pk})
        for r in records
        if isinstance(r, Declaration)
    ]
    return urls


def seen_on_the_register_pages(client, world, records, marker) -> bool:
    for url in register_pages(world, records):
        response = client.get(url)
        if response.status_code == 200 and marker.encode() in drain(response):
            return True
    return False


# Who the register pages show each marker to (checked against the pages themselves below):
# the declarant (their own registers and the declaration's page), the chair of the body
# whose register holds it and the partnership's co-ordinator (the whole register).
EXPECTED = {
    SECRET: {"member", "chair", "coordinator"},
    SECRET_GIFT: {"member", "chair", "coordinator"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_expected_finders_are_those_the_register_pages_show_it_to(
    role, client, world, registers
):
    client = _client_for(client, world, role)
    for marker, finders in EXPECTED.items():
        shown = seen_on_the_register_pages(client, world, registers.values(), marker)
        assert shown == (role in finders), marker


@pytest.mark.parametrize("role", ROLES)
def test_each_role_finds_exactly_the_register_entries_it_may_see(role, client, world, registers):
    client = _client_for(client, world, role)
    for marker, finders in EXPECTED.items():
        assert found(search(client, world, marker), marker) == (role in finders), marker
    # Words shared with the public entries bring back only what the reader may see.
    for words in ("member", "hospitality", "testshire"):
        response = search(client, world, words)
        for marker, finders in EXPECTED.items():
            if role not in finders:
                assert not found(response, marker), (words, marker)
                assert marker.encode() not in drain(response), (words, marker)


@pytest.mark.parametrize("role", ROLES)
def test_a_published_interest_is_found_by_everyone_linked_to_its_register(
    role, client, world, registers
):
    client = _client_for(client, world, role)
    [hit] = hits(search(client, world, "Vale Widgets"))
    board = {"partnership": world.partnership.slug, "body": world.board.slug}
    assert hit.entry.kind == SearchKind.REGISTER
    assert hit.entry.url == reverse("governance:body_interests", kwargs=board) + "#interests"
    assert hit.entry.body_id == world.board.pk
    assert hit.entry.title == "Member: financial interest in Testshire Business Forum"


@pytest.mark.parametrize("role", ROLES)
def test_a_published_gift_is_found_by_everyone_linked_to_its_register(
    role, client, world, registers
):
    client = _client_for(client, world, role)
    [hit] = hits(search(client, world, "county show"))
    other = {"partnership": world.partnership.slug, "body": world.other.slug}
    assert hit.entry.url == reverse("governance:body_gifts", kwargs=other) + "#gifts"
    assert hit.entry.audience == SearchAudience.PUBLIC
    assert "£40.00" in hit.entry.text


def entries_of(record):
    return SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        kind=SearchKind.REGISTER,
    )


def test_the_public_entry_holds_only_what_the_public_register_shows(world, registers):
    public = entries_of(registers["public"]).get()
    secret = entries_of(registers["secret"]).get()
    assert public.audience == SearchAudience.PUBLIC
    assert public.text == "Shareholding in Vale Widgets Ltd\nThe member"
    # The withheld one, for those who see the whole register, says why it is withheld.
    assert secret.audience == SearchAudience.MANAGERS
    assert secret.person_id == world.member.pk and secret.body_id == world.board.pk
    assert "Risk to the member's safety" in secret.text
    assert secret.url == reverse(
        "governance:declaration",
        kwargs={"partnership": world.partnership.slug, "pk": registers["secret"].pk},
    )


def test_unpublishing_a_register_hides_its_entries_from_the_public_at_once(
    client, world, registers, django_capture_on_commit_callbacks
):
    assert found(search(client, world, "Vale Widgets"), "Vale Widgets")
    with django_capture_on_commit_callbacks(execute=True):
        gs.register_settings_update(
            actor=world.coordinator,
            partnership=world.partnership,
            publish_interests=False,
            publish_gifts=False,
            gift_threshold=Decimal("50"),
        )
    assert not found(search(client, world, "Vale Widgets"), "Vale Widgets")
    assert not found(search(client, world, "county show"), "county show")
    chair = _client_for(client, world, "chair")
    assert found(search(chair, world, "Vale Widgets"), "Vale Widgets")


def test_withholding_a_new_version_hides_it_and_drops_the_old_one(
    client, world, registers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gs.declaration_update(
            actor=world.member,
            declaration=registers["public"],
            changed_on=world.start,
            change_note="Now withheld",
            description=f"Shareholding in Vale Widgets Ltd {SECRET}NEW",
            withheld_reason="Risk to the member's safety",
        )
    assert not found(search(client, world, "Vale Widgets"), "Vale Widgets")
    assert not entries_of(registers["public"]).exists()
    assert found(search(_client_for(client, world, "chair"), world, f"{SECRET}NEW"), SECRET)


def test_the_rebuild_writes_the_same_entries(world, registers):
    def rows():
        return sorted(
            SearchEntry.objects.filter(kind=SearchKind.REGISTER).values_list(
                "object_id", "audience", "body_id", "person_id", "title", "text", "url"
            )
        )

    before = rows()
    assert len(before) == 4
    rebuild()
    assert rows() == before


def test_in_several_registers_it_is_found_through_one_body_never_more(
    client, world, registers, django_capture_on_commit_callbacks
):
    """The member joins the Safer Group too: the withheld interest is then in two registers,
    and the group's co-ordinator sees it on the group's. An entry has one body, so the search
    finds it through the first (the Board, by name): fewer finders than the pages, not more."""
    from membership import services as ms

    with django_capture_on_commit_callbacks(execute=True):
        ms.membership_create(
            actor=None,
            body=world.group,
            seat=world.group_seat,
            person=world.member,
            starts_on=world.start,
        )
    rebuild()  # a place that starts or ends reaches the registers' entries at the nightly rebuild
    for role in ROLES:
        client.logout()
        client = _client_for(client, world, role)
        shown = seen_on_the_register_pages(client, world, registers.values(), SECRET)
        finds = found(search(client, world, SECRET), SECRET)
        assert shown == (role in EXPECTED[SECRET] | {"group_coordinator"}), role
        assert finds == (role in EXPECTED[SECRET]), role
