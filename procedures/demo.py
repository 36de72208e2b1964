"""Demo procedures: the Coco.gg chronology from ../shared/seeds/.

Dates and facts come from the seeds (Roussel's letter 26 April 2024, the article 40 notice of
6 May 2024, the JUNALCO investigation opened in December 2023, the closure on 25 June 2024, the
Dunkerque procureure's announcement of 26 April 2024, the Valenciennois trial of April 2024).
Parquet numbers are fictitious, and so is every step marked « (fictif) », dated relative to today
so that the demo always has deadlines to show.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cases.models import Case, Offence, Parquet

from . import services
from .models import Deadline, DeadlineStatus, Procedure


def _case(reference: str) -> Case:
    return Case.objects.select_related("association", "lead_lawyer").get(reference=reference)


def _parquet(code: str) -> Parquet:
    return Parquet.objects.get(code=code)


def _offences(case: Case, articles: list[str]) -> list[Offence]:
    return [offence for offence in case.offences.all() if offence.article in articles]


def seed(*, stdout=None) -> None:
    coco = _case("ACPE-2024-001")
    if Procedure.objects.filter(case=coco).exists():
        return
    lawyer = coco.lead_lawyer
    acpe = coco.association

    junalco = services.procedure_create(
        user=lawyer,
        case=coco,
        parquet=_parquet("JUNALCO"),
        parquet_reference="JUNALCO 23 340 000 01 (fictif)",
        opened_on=date(2023, 12, 1),
        stage="enquete",
        investigating_service="UNCyber (gendarmerie), ONAF, avec l'appui du COMCYBER-MI ; coordination Eurojust",
        notes=(
            "Enquête ouverte en décembre 2023 (jour non publié) pour fourniture d'une plateforme en ligne permettant "
            "une transaction illicite en bande organisée, infractions pédocriminelles, proxénétisme aggravé, "
            "blanchiment aggravé et association de malfaiteurs ; France, Bulgarie, Allemagne, Lituanie, Pays-Bas, Hongrie."
        ),
        offences=list(coco.offences.all()),
        suspects=list(coco.suspects.all()),
    )
    services.referral_record(
        user=lawyer,
        case=coco,
        kind="other",
        author="Fabien Roussel, député du Nord",
        recipient="Gérald Darmanin, ministre de l'Intérieur",
        sent_on=date(2024, 4, 26),
        subject="Courrier demandant de « prendre toutes les dispositions pour faire fermer ce site ».",
    )
    services.referral_record(
        user=lawyer,
        case=coco,
        kind="article_40",
        author="Gérald Darmanin, ministre de l'Intérieur",
        recipient="Procureur de la République",
        sent_on=date(2024, 5, 6),
        subject="Signalement des activités du site Coco.gg (annoncé le 6 mai 2024 devant l'association Flag).",
    )
    services.event_record(
        user=lawyer,
        case=coco,
        procedure=junalco,
        kind="other",
        occurred_on=date(2024, 6, 25),
        title="Fermeture du site par la DGDDI et la gendarmerie, sous l'autorité de la JUNALCO",
        details="Quatre suspects entendus, dont le propriétaire (à l'étranger) et son épouse (garde à vue dans le Var).",
        interrupts_prescription=True,
    )
    services.referral_record(
        user=lawyer,
        case=coco,
        procedures=[junalco],
        kind="plainte_simple",
        author="ACPE",
        author_association=acpe,
        recipient="Procureur de la République de Paris",
        lodged_with="procureur",
        sent_on=date(2024, 6, 25),
        subject="Plainte pour que la qualification de proxénétisme soit retenue contre le site et son propriétaire.",
    )

    valenciennes_case = _case("ACPE-2024-002")
    valenciennes = services.procedure_create(
        user=lawyer,
        case=valenciennes_case,
        parquet=_parquet("147"),
        parquet_reference="23 000 000 42 (fictif)",
        opened_on=date(2023, 6, 1),
        stage="jugement",
        investigating_service="Commissariat (fictif)",
        victims=list(valenciennes_case.victims.all()),
        suspects=list(valenciennes_case.suspects.all()),
        offences=list(valenciennes_case.offences.all()),
    )
    hearing_at = timezone.make_aware(datetime.combine(date(2024, 4, 23), time(13, 30)))
    services.hearing_record(
        user=lawyer,
        procedure=valenciennes,
        starts_at=hearing_at,
        court="Tribunal correctionnel de Valenciennes",
        status="held",
        purpose="Procès de 12 hommes âgés de 25 à 60 ans",
    )
    services.filing_submit(
        user=lawyer,
        procedure=valenciennes,
        mode="art418",
        legal_basis="2-3",
        status="admitted",
        filed_on=date(2024, 4, 23),
        damages_claimed=5000,
    )
    services.decision_record(
        user=lawyer,
        procedure=valenciennes,
        kind="judgment_correctionnel",
        decided_on=date(2024, 4, 30),
        outcome="conviction",
        summary="11 prévenus condamnés sur 12 (date exacte du jugement non publiée dans les sources : 30 avril retenu).",
    )
    for deadline in Deadline.objects.own().filter(procedure=valenciennes, status=DeadlineStatus.OPEN):
        services.deadline_complete(user=lawyer, deadline=deadline, completed_on=deadline.due_on)

    saint_pol_case = _case("SOS-2024-002")
    sos_lawyer = saint_pol_case.lead_lawyer
    saint_pol = services.procedure_create(
        user=sos_lawyer,
        case=saint_pol_case,
        parquet=_parquet("144"),
        parquet_reference="24 076 000 17 (fictif)",
        opened_on=date(2024, 3, 15),
        stage="instruction",
        suspect_detained=True,
        victims=list(saint_pol_case.victims.all()),
        suspects=list(saint_pol_case.suspects.all()),
        offences=list(saint_pol_case.offences.all()),
    )
    services.event_record(
        user=sos_lawyer,
        case=saint_pol_case,
        procedure=saint_pol,
        kind="custody",
        occurred_on=date(2024, 4, 26),
        title="La procureure de Dunkerque annonce 4 mises en examen et placements en détention provisoire",
        interrupts_prescription=True,
    )
    today = timezone.localdate()
    services.event_record(
        user=sos_lawyer,
        case=saint_pol_case,
        procedure=saint_pol,
        kind="avis_175",
        occurred_on=today - timedelta(days=5),
        title="Avis de fin d'information (fictif, démonstration)",
        interrupts_prescription=True,
    )
    services.event_record(
        user=sos_lawyer,
        case=saint_pol_case,
        procedure=saint_pol,
        kind="declaration_175",
        occurred_on=today - timedelta(days=2),
        title="Déclaration d'intention de déposer des demandes et observations (art. 175 III, fictif)",
    )

    synthe_case = _case("SOS-2024-001")
    services.procedure_create(
        user=sos_lawyer,
        case=synthe_case,
        parquet=_parquet("144"),
        parquet_reference="24 076 000 31 (fictif)",
        opened_on=date(2024, 4, 1),
        stage="instruction",
        victims=list(synthe_case.victims.all()),
        suspects=list(synthe_case.suspects.all()),
        offences=list(synthe_case.offences.all()),
    )
    henin_case = _case("SOS-2024-003")
    henin = services.procedure_create(
        user=sos_lawyer,
        case=henin_case,
        parquet=_parquet("154"),
        parquet_reference="24 062 000 08 (fictif)",
        opened_on=date(2024, 4, 15),
        stage="jugement",
        victims=list(henin_case.victims.all()),
        offences=list(henin_case.offences.all()),
    )
    services.hearing_record(
        user=sos_lawyer,
        procedure=henin,
        starts_at=timezone.make_aware(datetime.combine(today + timedelta(days=20), time(14, 0))),
        court="Tribunal correctionnel de Béthune (fictif, démonstration)",
        purpose="Audience de jugement (fictif)",
    )
    if stdout:
        stdout.write(
            f"  procédures de démonstration : {Procedure.objects.count()} ; délais : {Deadline.objects.count()}"
        )
