from datetime import date

import factory
from django.contrib.auth import get_user_model

from cases.models import (
    Association,
    Case,
    CourtOfAppeal,
    Membership,
    Offence,
    OffenceCategory,
    OffenceNature,
    Parquet,
    Platform,
    Purpose,
    Role,
    Suspect,
    Victim,
)

PASSWORD = "motdepasse-de-test-2024"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda user: f"{user.username}@exemple.invalid")
    password = factory.django.Password(PASSWORD)


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    short_name = factory.Sequence(lambda n: f"ASSO{n}")
    name = factory.LazyAttribute(lambda a: f"Association {a.short_name}")
    purposes = factory.LazyFunction(lambda: [Purpose.CHILD_PROTECTION])
    declared_on = factory.Faker("date_between", start_date="-40y", end_date="-10y")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    association = factory.SubFactory(AssociationFactory)
    role = Role.LAWYER


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"plateforme{n}.example")
    created_year = 2003


class OffenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offence

    label = factory.Sequence(lambda n: f"Infraction de test {n}")
    article = factory.Sequence(lambda n: f"999-{n}")
    nature = OffenceNature.DELIT
    categories = factory.LazyFunction(lambda: [OffenceCategory.OTHER])


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    association = factory.SubFactory(AssociationFactory)
    reference = factory.Sequence(lambda n: f"AFF-{n:04d}")
    title = factory.Sequence(lambda n: f"Affaire de test {n}")
    platform = factory.SubFactory(PlatformFactory)
    facts_start = date(2024, 3, 1)
    facts_end = date(2024, 3, 31)
    place = "Dunkerque"


class VictimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Victim

    case = factory.SubFactory(CaseFactory)
    pseudonym = factory.Sequence(lambda n: f"V-{n + 1:03d}")
    first_name = "Camille"
    last_name = "Fictive"
    birth_date = date(2009, 6, 15)


class SuspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suspect

    case = factory.SubFactory(CaseFactory)
    name = factory.Sequence(lambda n: f"M-{n}")


class CourtOfAppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourtOfAppeal
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Cour d'appel de test {n}")


class ParquetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Parquet
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"TJT{n:04d}")
    name = factory.Sequence(lambda n: f"Parquet de test {n}")
    court = factory.LazyAttribute(lambda p: p.name.replace("Parquet", "Tribunal judiciaire"))
    court_of_appeal = factory.SubFactory(CourtOfAppealFactory)
