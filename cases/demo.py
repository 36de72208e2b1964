"""Demo associations and users, from the seeds (../shared/seeds/) and public knowledge.

Declared purposes are the associations' own public descriptions; declaration dates are the
founding years they publish (day and month unknown: 1 January is a placeholder, marked so).
"""

from datetime import date

from .models import Purpose, Role

DEMO_ASSOCIATIONS = [
    {
        "short_name": "ACPE",
        "name": "Agir contre la prostitution des enfants",
        # Seed 003: "Engagés dans cette lutte depuis 1986"; files as partie civile in such cases.
        "declared_on": date(1986, 1, 1),
        "purposes": [Purpose.CHILD_PROTECTION, Purpose.PROCURING, Purpose.SEXUAL_VIOLENCE],
        "statutory_purpose": (
            "Lutter contre la prostitution des enfants et l'exploitation sexuelle des mineurs, "
            "ainsi que contre les violences sexuelles ; accompagner les victimes et leurs proches."
        ),
    },
    {
        "short_name": "IED",
        "name": "Innocence en Danger",
        # Petition for the site's closure in 2016 (seed 004). Founded 1999 (public record).
        "declared_on": date(1999, 1, 1),
        "purposes": [Purpose.CHILD_PROTECTION, Purpose.SEXUAL_VIOLENCE],
        "statutory_purpose": (
            "Protéger les enfants contre toutes formes de violences, notamment sexuelles, "
            "et accompagner les enfants victimes et leurs familles."
        ),
    },
    {
        "short_name": "SOS Homophobie",
        "name": "SOS Homophobie",
        # Asked for the site's closure after the October 2023 Marseille ambush (seed 002). Founded 1994.
        "declared_on": date(1994, 1, 1),
        "purposes": [Purpose.DISCRIMINATION_LGBT, Purpose.VICTIMS],
        "statutory_purpose": (
            "Lutter contre les discriminations et les violences à raison de l'orientation sexuelle "
            "ou de l'identité de genre, et soutenir les personnes qui en sont victimes."
        ),
    },
]

# Fictitious people: usernames say the association and the role.
DEMO_USERS = [
    ("avocate.acpe", "Claire", "Martin (fictif)", "ACPE", Role.LAWYER),
    ("salarie.acpe", "Hugo", "Bernard (fictif)", "ACPE", Role.STAFF),
    ("admin.acpe", "Nadia", "Roux (fictif)", "ACPE", Role.ADMIN),
    ("avocat.ied", "Julien", "Petit (fictif)", "IED", Role.LAWYER),
    ("salariee.ied", "Sarah", "Moreau (fictif)", "IED", Role.STAFF),
    ("admin.ied", "Paul", "Fournier (fictif)", "IED", Role.ADMIN),
    ("avocate.sos", "Léa", "Girard (fictif)", "SOS Homophobie", Role.LAWYER),
    ("salarie.sos", "Karim", "Lambert (fictif)", "SOS Homophobie", Role.STAFF),
    ("admin.sos", "Inès", "Bonnet (fictif)", "SOS Homophobie", Role.ADMIN),
]
# A lawyer who works for two associations, to show the switcher.
DEMO_EXTRA_MEMBERSHIPS = [("avocate.acpe", "IED", Role.LAWYER)]
