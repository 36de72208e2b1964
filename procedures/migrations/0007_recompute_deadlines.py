"""Deadlines computed with a superseded rule are recomputed with the version in force on their
trigger date: the pourvoi of decisions delivered from 30 September 2024 runs 10 jours francs (loi
n° 2023-1059, art. 16), another party's period (opposition) leaves the association's tasks, an
art. 420-1 letter opened at the appeal stage is cancelled, and an association's appeal that was
counted from the signification of a judgment by default against the prévenu runs from the prononcé
(art. 498 al. 1). A due date moved by hand keeps its value and reason. Each change is a history
event whose context names this migration."""

import pghistory
from django.db import migrations

from procedures import deadlines as engine

REASON = "Règles de délai corrigées : version de la loi en vigueur au point de départ, délais propres à l'association"
ASSOCIATION_APPEALS = ("appeal_correctionnel", "appeal_assises", "pourvoi")


def _recompute(deadline, closures):
    parquet = deadline.procedure.parquet if deadline.procedure_id else None
    subdivision = (parquet.holiday_subdivision or None) if parquet else None
    try:
        computation = engine.compute(
            deadline.rule,
            deadline.trigger_date,
            subdivision=subdivision,
            closures=closures.get(parquet.pk if parquet else None, frozenset()),
        )
    except engine.NoVersionInForce as error:
        return {"status": "cancelled", "notes": str(error)[:1000]} if deadline.status == "open" else {}
    values = {
        "party": computation.party,
        "computed_due_on": computation.due_on,
        "rule_version": computation.version_label[:300],
        "explanation": computation.to_dict(),
    }
    if deadline.due_on == deadline.computed_due_on or not deadline.override_reason.strip():
        values["due_on"] = computation.due_on
    if computation.party != "association":
        values["owner_id"] = None
        if deadline.status == "missed":
            values["status"] = "open"
    return values


def recompute(apps, schema_editor):
    Deadline = apps.get_model("procedures", "Deadline")
    Decision = apps.get_model("procedures", "Decision")
    CourtClosure = apps.get_model("procedures", "CourtClosure")
    closures = {}
    for parquet_id, day in CourtClosure.objects.values_list("parquet_id", "closed_on"):
        closures.setdefault(parquet_id, set()).add(day)
    closures = {key: frozenset(days) for key, days in closures.items()}
    with pghistory.context(command="migrate procedures 0007", reason=REASON):
        # A judgment by default against the prévenu: the association's appeal ran from the signification.
        for decision in Decision.objects.filter(prevenu_character="defaut", notified_on__isnull=False):
            moved = Deadline.objects.filter(
                procedure_id=decision.procedure_id, rule__in=ASSOCIATION_APPEALS, trigger_date=decision.notified_on
            )
            for deadline in moved:
                taken = Deadline.objects.filter(
                    association_id=deadline.association_id,
                    procedure_id=deadline.procedure_id,
                    rule=deadline.rule,
                    trigger_date=decision.decided_on,
                ).exists()
                if not taken:
                    Deadline.objects.filter(pk=deadline.pk).update(
                        trigger_date=decision.decided_on,
                        notes=(deadline.notes + "\n" if deadline.notes else "")
                        + "Point de départ ramené au prononcé (art. 498 al. 1) : vérifiez si l'association était "
                        "absente et non informée de la date du jugement (art. 498 al. 2).",
                    )
        Deadline.objects.filter(rule="letter_420_1", status="open", procedure__stage__in=["appel", "cassation"]).update(
            status="cancelled",
            notes="Une première constitution de partie civile en appel est irrecevable : lettre de l'art. 420-1 "
            "réservée à la première instance.",
        )
        for deadline in Deadline.objects.select_related("procedure__parquet").iterator(chunk_size=2000):
            values = _recompute(deadline, closures)
            if values and any(getattr(deadline, name) != value for name, value in values.items()):
                Deadline.objects.filter(pk=deadline.pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0006_legal_rules_by_date")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
