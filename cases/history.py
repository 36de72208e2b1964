"""The change history of a case, read from pghistory's event tables (written by triggers)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import pghistory.models
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Case, Victim

LABELS = {"insert": _("Création"), "update": _("Modification"), "delete": _("Suppression")}
HIDDEN_FIELDS = {"created_at", "updated_at", "pgh_obj", "id"}
# Derived documents (a deadline's computation): the history says they changed, not their JSON.
SUMMARISED_FIELDS = {"explanation"}
# Identity fields are encrypted in the event rows too; the history never shows their values.
SECRET_FIELDS = set(Victim.IDENTITY_FIELDS)


@dataclass
class HistoryEntry:
    at: datetime
    action: str
    model: str
    object_label: str
    user: str
    request_id: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _verbose(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field renamed since the event: show its raw name
        return name


def _object_label(model, data: dict) -> str:
    for key in ("pseudonym", "reference", "name", "title"):
        if data.get(key):
            return str(data[key])
    if data.get("parquet_reference"):
        return f"n° {data['parquet_reference']}"
    if data.get("number"):
        return f"n° {data['number']}"
    return f"#{data.get('id', '?')}"


def _event_models():
    """Each history table whose rows name their case: directly (a `case` foreign key), through
    their procedure, or the case's own rows."""
    from procedures.models import Procedure

    for event_model in apps.get_models():
        if not issubclass(event_model, pghistory.models.Event) or not hasattr(event_model, "pgh_tracked_model"):
            continue
        tracked = event_model.pgh_tracked_model
        if tracked is Case:
            yield event_model, lambda case: {"pgh_obj_id": case.pk}
            continue
        names = {field.name: field.related_model for field in tracked._meta.concrete_fields if field.is_relation}
        if names.get("case") is Case:
            yield event_model, lambda case: {"case_id": case.pk}
        elif names.get("procedure") is Procedure:
            yield event_model, lambda case: {"procedure_id__in": Procedure.objects.filter(case=case).values("pk")}


def _row(event) -> dict:
    return {
        field.attname: field.value_from_object(event)
        for field in event._meta.concrete_fields
        if not field.attname.startswith("pgh_")
    }


def _latest_events(case: Case, limit: int) -> list:
    """The `limit` latest events of the case: the latest `limit` of each table (an index scan on
    its case or procedure column), merged. pghistory's aggregate view sorts the union of every
    table and diffs every row before its LIMIT, 21 s after an import of 23,051 procedures."""
    latest = []
    for event_model, scope in _event_models():
        rows = (
            event_model.objects.filter(**scope(case))
            .select_related("pgh_context")
            .order_by("-pgh_created_at", "-pgh_id")[:limit]
        )
        latest.extend(rows)
    latest.sort(key=lambda event: (event.pgh_created_at, event.pgh_id), reverse=True)
    return latest[:limit]


def _previous_rows(events: list) -> dict:
    """For each update, the row of the same object just before it, one query per table."""
    by_model = defaultdict(list)
    for event in events:
        if event.pgh_label == "update":
            by_model[type(event)].append(event)
    previous = {}
    for event_model, updates in by_model.items():
        before = event_model.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")).order_by(
            "-pgh_id"
        )
        pairs = dict(
            event_model.objects.filter(pgh_id__in=[event.pgh_id for event in updates])
            .annotate(before_id=Subquery(before.values("pgh_id")[:1]))
            .values_list("pgh_id", "before_id")
        )
        rows = {row.pgh_id: row for row in event_model.objects.filter(pgh_id__in=[v for v in pairs.values() if v])}
        for event in updates:
            if pairs.get(event.pgh_id) in rows:
                previous[(event_model, event.pgh_id)] = _row(rows[pairs[event.pgh_id]])
    return previous


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d/%m/%Y %H:%M}" if timezone.is_aware(value) else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _changes(model, before: dict, after: dict) -> list[tuple[str, str, str]]:
    changes = []
    for name in sorted(after):
        old, new = before.get(name), after[name]
        if name in HIDDEN_FIELDS or old == new:
            continue
        if name in SECRET_FIELDS:
            changes.append((_verbose(model, name), "•••", "•••"))
        elif name in SUMMARISED_FIELDS:
            changes.append((_verbose(model, name), "", str(_("recalculée"))))
        else:
            changes.append((_verbose(model, name), _shown(old), _shown(new)))
    return changes


def case_history(case: Case, *, limit: int = 200) -> list[HistoryEntry]:
    events = _latest_events(case, limit)
    previous = _previous_rows(events)
    contexts = {event.pgh_id: (event.pgh_context.metadata if event.pgh_context else {}) for event in events}
    user_ids = {int(c["user"]) for c in contexts.values() if c.get("user")}
    users = {u.pk: u.get_full_name() or u.username for u in get_user_model().objects.filter(pk__in=user_ids)}
    entries = []
    for event in events:
        model = event.pgh_tracked_model
        context = contexts[event.pgh_id]
        data = _row(event)
        changes = []
        if event.pgh_label == "update":
            before = previous.get((type(event), event.pgh_id))
            if before is None:
                continue
            changes = _changes(model, before, data)
            if not changes:
                continue
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                action=str(LABELS.get(event.pgh_label, event.pgh_label)),
                model=str(model._meta.verbose_name),
                object_label=_object_label(model, data),
                user=users.get(int(context["user"]), "") if context.get("user") else str(context.get("command", "")),
                request_id=context.get("request_id", ""),
                changes=changes,
            )
        )
    return entries
