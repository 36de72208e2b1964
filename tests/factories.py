import factory
from django.contrib.auth import get_user_model

from cases.models import Association, Membership, Purpose, Role

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
