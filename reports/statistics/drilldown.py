"""The procedures behind a figure: the association's own procedures (the dashboard's scope)
matching the dashboard's filters and the figure's own (a month, a parquet, an outcome…)."""

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from cases.models import Offence
from procedures.models import Procedure


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def procedure_drilldown(association_id: int, data: dict) -> QuerySet[Procedure]:
    procedures = Procedure.objects.filter(association_id=association_id)
    if data.get("sans_plateforme"):
        procedures = procedures.filter(case__platform__isnull=True)
    elif data.get("plateforme"):
        procedures = procedures.filter(case__platform=data["plateforme"])
    if data.get("du"):
        procedures = procedures.filter(opened_on__gte=data["du"])
    if data.get("au"):
        procedures = procedures.filter(opened_on__lt=_next_month(data["au"]))
    if data.get("mois"):
        procedures = procedures.filter(opened_on__gte=data["mois"], opened_on__lt=_next_month(data["mois"]))
    if data.get("categorie"):
        through = Procedure.offences.through.objects.filter(
            procedure_id=OuterRef("pk"),
            offence_id__in=Offence.objects.filter(categories__contains=[data["categorie"]]).values("pk"),
        )
        procedures = procedures.filter(Exists(through))
    if data.get("cour_appel"):
        procedures = procedures.filter(parquet__court_of_appeal=data["cour_appel"])
    if data.get("parquet"):
        procedures = procedures.filter(parquet=data["parquet"])
    if data.get("issue"):
        procedures = procedures.filter(outcome=data["issue"])
    if data.get("stade"):
        procedures = procedures.filter(stage=data["stade"])
    return procedures.select_related("parquet__court_of_appeal", "case").order_by("-opened_on", "pk")
