"""Demo case files built from the press articles in ../shared/seeds/.

Facts (places, dates, ages, counts, outcomes) come from the seeds. Which association follows which
case is a demo scenario, and every victim identity is fictitious, even where the press named a
victim (domain.md, "The reference case"). Cases are titled by place and offence.
"""

from datetime import date

from django.core.files.base import ContentFile
from django.utils.html import escape

from . import services
from .models import Association, Case, CaseShare, ConsentBy, Offence, Platform, Role, ShareAccess, SuspectStatus

DEMO_CASES = [
    {
        "association": "ACPE",
        "reference": "ACPE-2024-001",
        "title": "Coco.gg — plateforme de mise en relation, proxénétisme aggravé (plainte ACPE)",
        "facts_start": date(2021, 1, 1),
        "facts_end": date(2024, 6, 25),
        "place": "France entière (site immatriculé à Guernesey, exploitant en Bulgarie)",
        "articles": ["225-7", "323-3-2", "225-12-1"],
        "summary": (
            "Site de discussion sans inscription (pseudo, âge, genre, code postal). Entre le 1er janvier 2021 et "
            "le 7 mai 2024, 23 051 procédures judiciaires liées à la plateforme, transmises par 70 parquets, "
            "480 victimes (communiqué de la procureure de Paris). Enquête ouverte en décembre 2023 (JUNALCO), "
            "site fermé le 25 juin 2024 par la DGDDI et la gendarmerie. L'ACPE porte plainte pour que la "
            "qualification de proxénétisme soit retenue contre le site et son propriétaire."
        ),
        "victims": [],
        "suspects": [
            {
                "name": "Propriétaire du site (M-1)",
                "status": SuspectStatus.IDENTIFIED,
                "notes": "Entendu à l'étranger le 25 juin 2024.",
            },
            {
                "name": "Épouse du propriétaire (M-2)",
                "status": SuspectStatus.IN_CUSTODY,
                "notes": "Garde à vue dans le Var le 25 juin 2024.",
            },
        ],
        "exhibits": [
            (
                "Communiqué de la procureure de la République de Paris (résumé)",
                "Presse (France 24, 25 juin 2024)",
                date(2024, 6, 25),
            ),
            ("Tribune de l'ACPE dans Marianne (résumé)", "ACPE", date(2024, 6, 25)),
        ],
    },
    {
        "association": "ACPE",
        "reference": "ACPE-2024-002",
        "title": "Valenciennois — recours à la prostitution d'une mineure de 14 ans",
        "facts_start": date(2023, 1, 1),
        "facts_end": None,
        "place": "Valenciennois (Nord)",
        "articles": ["225-12-1", "227-22"],
        "summary": (
            "Procès devant le tribunal correctionnel, en avril 2024, de 12 hommes âgés de 25 à 60 ans pour des "
            "relations sexuelles, tarifées ou non, avec une enfant de 14 ans rencontrée sur Coco.gg ; 11 condamnés."
        ),
        "victims": [
            {
                "age_at_facts": 14,
                "consent_by": ConsentBy.LEGAL_REPRESENTATIVE,
                "first_name": "Camille (fictif)",
                "last_name": "Exemple (fictif)",
            }
        ],
        "suspects": [
            *[{"name": f"Prévenu P-{n:02d}", "status": SuspectStatus.CONVICTED} for n in range(1, 12)],
            {
                "name": "Prévenu P-12",
                "status": SuspectStatus.ACQUITTED,
                "notes": "Seul des douze à ne pas être condamné.",
            },
        ],
        "exhibits": [("Article de presse sur le procès (résumé)", "Presse régionale", date(2024, 4, 27))],
        "share_with": ("IED", ShareAccess.READ),
    },
    {
        "association": "SOS Homophobie",
        "reference": "SOS-2024-001",
        "title": "Grande-Synthe — meurtre avec guet-apens",
        "facts_start": date(2024, 4, 1),
        "facts_end": None,
        "place": "Grande-Synthe (Nord)",
        "articles": ["221-3"],
        "summary": (
            "Un homme de 22 ans tué à la suite d'un guet-apens. L'un des trois suspects interpellés a déclaré en "
            "garde à vue avoir créé un faux profil de jeune fille mineure sur Coco.gg pour lui donner rendez-vous."
        ),
        "victims": [
            {
                "age_at_facts": 22,
                "deceased": True,
                "consent_by": ConsentBy.HEIRS,
                "first_name": "Victime (fictif)",
                "last_name": "Exemple (fictif)",
            }
        ],
        "suspects": [{"name": f"Suspect S-{n}", "status": SuspectStatus.IN_CUSTODY} for n in range(1, 4)],
        "exhibits": [("Article de presse (Europe 1, avril 2024, résumé)", "Presse", date(2024, 4, 30))],
    },
    {
        "association": "SOS Homophobie",
        "reference": "SOS-2024-002",
        "title": "Saint-Pol-sur-Mer — guets-apens et vols en série",
        "facts_start": date(2024, 3, 1),
        "facts_end": date(2024, 3, 31),
        "place": "Saint-Pol-sur-Mer (Nord)",
        "articles": ["311-4", "450-1"],
        "summary": (
            "Guets-apens organisés en mars 2024 via Coco.gg. Le 26 avril 2024, la procureure de Dunkerque annonce "
            "la mise en examen de 4 hommes de 16, 17, 22 et 28 ans, placés en détention provisoire."
        ),
        "victims": [
            {"consent_by": ConsentBy.VICTIM, "first_name": "Victime A (fictif)"},
            {"consent_by": ConsentBy.VICTIM, "first_name": "Victime B (fictif)"},
        ],
        "suspects": [
            {
                "name": f"Mis en examen M-{n}",
                "age_at_facts": age,
                "status": SuspectStatus.MIS_EN_EXAMEN,
                "pre_trial_detention": True,
            }
            for n, age in enumerate((16, 17, 22, 28), start=1)
        ],
        "exhibits": [("Communiqué de la procureure de Dunkerque, 26 avril 2024 (résumé)", "Presse", date(2024, 4, 26))],
    },
    {
        "association": "SOS Homophobie",
        "reference": "SOS-2024-003",
        "title": "Hénin-Beaumont — agression en guet-apens par deux hommes armés",
        "facts_start": date(2024, 4, 1),
        "facts_end": None,
        "place": "Hénin-Beaumont (Pas-de-Calais)",
        "articles": ["222-12", "311-4"],
        "summary": "Un jeune homme attiré dans un guet-apens via Coco.gg, agressé et déshabillé en pleine rue par deux personnes armées.",
        "victims": [{"consent_by": ConsentBy.VICTIM, "first_name": "Victime (fictif)"}],
        "suspects": [{"name": f"Inconnu X-{n}", "status": SuspectStatus.UNKNOWN} for n in (1, 2)],
        "exhibits": [],
    },
]


def _demo_pdf(title: str, case: Case) -> bytes:
    from weasyprint import HTML

    html = (
        "<html><body style='font-family: DejaVu Sans, sans-serif'>"
        f"<h1>{escape(title)}</h1><p>Affaire {escape(case.reference)} — {escape(case.title)}</p>"
        f"<p>{escape(case.summary)}</p>"
        "<p><em>Pièce fictive générée pour la démonstration.</em></p></body></html>"
    )
    return HTML(string=html).write_pdf()


def _offences(articles: list[str]) -> list[Offence]:
    found = []
    for article in articles:
        offence = Offence.objects.filter(code="Code pénal", article=article, natinf__isnull=True).order_by("pk").first()
        if offence is None:
            raise LookupError(f"Infraction introuvable dans le référentiel : art. {article} du Code pénal.")
        found.append(offence)
    return found


def seed(*, stdout=None) -> None:
    platform = Platform.objects.get(name="Coco.gg")
    for data in DEMO_CASES:
        association = Association.objects.get(short_name=data["association"])
        lawyer = association.memberships.filter(role=Role.LAWYER).order_by("pk").first().user
        if Case.objects.filter(association=association, reference=data["reference"]).exists():
            continue
        case = services.case_create(
            user=lawyer,
            association=association,
            offences=_offences(data["articles"]),
            reference=data["reference"],
            title=data["title"],
            platform=platform,
            facts_start=data["facts_start"],
            facts_end=data["facts_end"],
            place=data["place"],
            lead_lawyer=lawyer,
            summary=data["summary"],
        )
        for victim in data["victims"]:
            consent_on = date(2024, 7, 1) if victim.get("consent_by") else None
            services.victim_add(user=lawyer, case=case, consent_given_on=consent_on, **victim)
        for suspect in data["suspects"]:
            services.suspect_add(user=lawyer, case=case, **suspect)
        for title, source, received_on in data["exhibits"]:
            pdf = ContentFile(_demo_pdf(title, case), name="piece-demo.pdf")
            services.exhibit_upload(
                user=lawyer, case=case, file=pdf, title=title, source=source, received_on=received_on
            )
        if "share_with" in data:
            target, access = data["share_with"]
            if not CaseShare.objects.active().filter(case=case, association__short_name=target).exists():
                services.case_share(
                    user=lawyer, case=case, association=Association.objects.get(short_name=target), access=access
                )
        if stdout:
            stdout.write(f"  affaire {case.reference} créée")
