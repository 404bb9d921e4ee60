"""factory_boy factories for plain objects. Anything that gives rights (memberships,
appointments) is made through the services, via the persona fixtures in conftest.py."""

import factory

from membership.models import Seat, User
from partnership.models import Body, BodyKind, Organisation, Partnership, Sector


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Test Partnership {n}")
    slug = factory.Sequence(lambda n: f"test-{n}")
    area = "Testshire"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.PUBLIC


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Body {n}")
    slug = factory.Sequence(lambda n: f"body-{n}")
    kind = BodyKind.THEMATIC_GROUP
    remit = "To deliver the outcomes in its theme."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("correct horse battery")


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    name = factory.Sequence(lambda n: f"Seat {n}")
    count = 3
    voting = True
