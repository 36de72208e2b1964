"""The change history of a case, read from pghistory's event tables (written by triggers)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events

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


def _model_of(event_model_label: str):
    event_model = apps.get_model(event_model_label)
    return event_model.pgh_tracked_model


def _verbose(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a field renamed since the event: show its raw name
        return name


def _object_label(model, data: dict) -> str:
    for key in ("pseudonym", "reference", "name", "title"):
        if data.get(key):
            return str(data[key])
    if data.get("number"):
        return f"n° {data['number']}"
    return f"#{data.get('id', '?')}"


def case_history(case: Case, *, limit: int = 200) -> list[HistoryEntry]:
    events = list(Events.objects.references(case).order_by("-pgh_created_at", "-pgh_id")[:limit])
    user_ids = {int(e.pgh_context["user"]) for e in events if e.pgh_context and e.pgh_context.get("user")}
    users = {u.pk: u.get_full_name() or u.username for u in get_user_model().objects.filter(pk__in=user_ids)}
    entries = []
    for event in events:
        model = _model_of(event.pgh_model)
        context = event.pgh_context or {}
        changes = []
        if event.pgh_label == "update" and event.pgh_diff:
            for name, (before, after) in sorted(event.pgh_diff.items()):
                if name in HIDDEN_FIELDS:
                    continue
                if name in SECRET_FIELDS:
                    changes.append((_verbose(model, name), "•••", "•••"))
                elif name in SUMMARISED_FIELDS:
                    changes.append((_verbose(model, name), "", str(_("recalculée"))))
                else:
                    changes.append(
                        (
                            _verbose(model, name),
                            "" if before is None else str(before),
                            "" if after is None else str(after),
                        )
                    )
            if not changes:
                continue
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                action=str(LABELS.get(event.pgh_label, event.pgh_label)),
                model=str(model._meta.verbose_name),
                object_label=_object_label(model, event.pgh_data or {}),
                user=users.get(int(context["user"]), "") if context.get("user") else str(context.get("command", "")),
                request_id=context.get("request_id", ""),
                changes=changes,
            )
        )
    return entries
