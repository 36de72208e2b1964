"""Retention of closed cases: a case closed or archived more than CASE_RETENTION_YEARS ago is
deleted with everything under it (procedures, victims, exhibits and their files, dossiers…).

Why five years by default: the CNIL's guide « Les durées de conservation » (2020) splits a file's
life into the active base (here: until the case is closed, every appeal spent), then intermediate
archiving only as long as a legal claim may still arise, then deletion. The claims that may still
reach an association about a closed case are civil ones (its liability, costs, damages awarded),
which prescribe in five years (Code civil, art. 2224). The setting can be lengthened by an
association whose statutes or insurer demand it, never made shorter than the appeals.

`cases` does not know the apps built on it (procedures, reports…): the rows to delete are found by
following, from the case, every foreign key that points back at what is being deleted (CASCADE,
PROTECT, RESTRICT). PROTECT guards a case against an accidental delete; this purge is the
deliberate one, so it deletes in one transaction and lets PostgreSQL check the (deferred) foreign
keys at commit. Keys declared SET_NULL are emptied; DO_NOTHING ones (derived tables such as the
statistics facts, rebuilt by their own job) are left to their owner. History (pghistory event
rows) of the deleted rows is deleted too; the access log keeps only ids, and one PURGE row says
what went."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pghistory.models
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import AccessAction, Case, CaseStatus
from ..services import access_log_write

FOLLOWED = (models.CASCADE, models.PROTECT, models.RESTRICT)
EMPTIED = (models.SET_NULL,)


class CasePurgeBlocked(Exception):
    """Rows of another case hang on this one (a procedure transferred from it…): nothing is deleted."""


@dataclass
class CasePurgePlan:
    case_id: int
    association_id: int
    reference: str
    closed_on: date | None
    rows: dict[type, set] = field(default_factory=dict)
    blocked: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {model._meta.label: len(pks) for model, pks in sorted(self.rows.items(), key=lambda i: i[0]._meta.label)}

    @property
    def total(self) -> int:
        return sum(len(pks) for pks in self.rows.values())


def case_retention_cutoff(today: date | None = None) -> date:
    return (today or timezone.localdate()) - relativedelta(years=settings.CASE_RETENTION_YEARS)


def cases_due_for_purge(*, today: date | None = None) -> QuerySet[Case]:
    return Case.objects.filter(
        status__in=CaseStatus.finished(), closed_on__isnull=False, closed_on__lte=case_retention_cutoff(today)
    ).order_by("closed_on", "pk")


def _is_history(model) -> bool:
    return issubclass(model, pghistory.models.Event)


def _reverse_relations(model):
    """Every foreign key (one-to-one too, automatic many-to-many tables included) pointing at model."""
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
            related = relation.related_model
            if related is None or _is_history(related) or not related._meta.managed or related._meta.proxy:
                continue
            yield relation


def case_purge_plan(case: Case) -> CasePurgePlan:
    """Every row that goes with the case, by model; `blocked` says why it cannot go yet."""
    rows: dict[type, set] = defaultdict(set)
    rows[Case].add(case.pk)
    queue = [(Case, {case.pk})]
    while queue:
        model, pks = queue.pop()
        for relation in _reverse_relations(model):
            if relation.on_delete not in FOLLOWED:
                continue
            related, name = relation.related_model, relation.field.name
            found = set(related._base_manager.filter(**{f"{name}__in": pks}).values_list("pk", flat=True))
            new = found - rows[related]
            if new:
                rows[related] |= new
                queue.append((related, new))
    plan = CasePurgePlan(
        case_id=case.pk, association_id=case.association_id, reference=case.reference, closed_on=case.closed_on
    )
    plan.rows = {model: pks for model, pks in rows.items() if pks}
    for model, pks in plan.rows.items():
        case_field = next((f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Case), None)
        if case_field is not None and model is not Case:
            others = model._base_manager.filter(pk__in=pks).exclude(**{case_field.attname: case.pk})
            if others.exists():
                plan.blocked = f"{model._meta.label}: {sorted(others.values_list('pk', flat=True)[:10])}"
    return plan


def _stored_files(model, pks) -> list[tuple]:
    files = []
    for file_field in (f for f in model._meta.concrete_fields if isinstance(f, models.FileField)):
        for name in (
            model._base_manager.filter(pk__in=pks)
            .exclude(**{file_field.name: ""})
            .values_list(file_field.name, flat=True)
        ):
            if name:
                files.append((file_field.storage, name))
    return files


def _history_models() -> dict[type, list[type]]:
    tracked = defaultdict(list)
    for model in apps.get_models():
        if _is_history(model) and getattr(model, "pgh_tracked_model", None) is not None:
            tracked[model.pgh_tracked_model].append(model)
    return tracked


def _delete_files(files) -> None:
    for storage, name in files:
        storage.delete(name)


@transaction.atomic
def case_purge(*, case: Case, user=None, origin: dict | None = None) -> CasePurgePlan:
    """Delete the case and everything under it, its files once the transaction commits, and its
    history; log one PURGE row (ids and counts only). CasePurgeBlocked when rows of another case
    depend on it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    plan = case_purge_plan(case)
    if plan.blocked:
        raise CasePurgeBlocked(plan.blocked)
    files = []
    for model, pks in plan.rows.items():
        files += _stored_files(model, pks)
    for model, pks in plan.rows.items():
        # Keys declared SET_NULL (a deadline's trigger event, an import's source job…) outside the purge.
        for relation in _reverse_relations(model):
            if relation.on_delete in EMPTIED:
                related, name = relation.related_model, relation.field.name
                kept = related._base_manager.filter(**{f"{name}__in": pks}).exclude(pk__in=plan.rows.get(related, ()))
                kept.update(**{name: None})
    for model, pks in plan.rows.items():
        # Raw deletes: the order does not matter, PostgreSQL checks the deferred foreign keys at commit.
        model._base_manager.filter(pk__in=pks)._raw_delete(model._base_manager.db)
    history = _history_models()
    for model, pks in plan.rows.items():
        for event_model in history.get(model, ()):
            key = "pgh_obj_id" if any(f.attname == "pgh_obj_id" for f in event_model._meta.concrete_fields) else "id"
            event_model._base_manager.filter(**{f"{key}__in": pks})._raw_delete(event_model._base_manager.db)
    access_log_write(
        user=user,
        association_id=plan.association_id,
        action=AccessAction.PURGE,
        object_type=Case._meta.model_name,
        object_id=plan.case_id,
        case_id=plan.case_id,
        details={
            "closed_on": plan.closed_on.isoformat() if plan.closed_on else None,
            "retention_years": settings.CASE_RETENTION_YEARS,
            "rows": plan.counts,
            "files": len(files),
        },
        origin=origin,
    )
    transaction.on_commit(lambda: _delete_files(files))
    return plan
