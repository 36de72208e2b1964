"""A victim's rights over the data the association holds (RGPD): access (art. 15) and erasure
(art. 17). Both are for a lawyer of the association that holds the case (the only people who may
see the identity, loi de 1881 art. 39 bis), both are written to the access log.

Erasure keeps a pseudonymised tombstone: the identity (names, birth date, contact) and the notes
are emptied, in the victim's row and in every history row of it, while the pseudonym, the age at
the time of the facts (an element of the offences) and the procedures stay, so that filings,
deadlines and statistics remain consistent. Art. 17.3.e: what the association needs for the legal
claims it pursues is kept, and that is the pseudonymised record, not the identity."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AccessAction, AccessLog, Association, Case, Role, Victim
from ..selectors import membership_get
from ..services import access_log_write
from ..signals import parties_saved

# Emptied by an erasure; notes too, since free text may name the victim.
ERASED_FIELDS = (*Victim.IDENTITY_FIELDS, "notes")
# What the export follows from the procedures naming the victim, by related name: the apps built on
# `cases` are read through the relations they declare, never imported.
PROCEDURE_RELATIONS = ("filings", "hearings", "decisions", "timeline")
EXPORT_FORMAT = 1


def _victim_for_lawyer(*, user, association: Association, victim_id) -> Victim:
    """The victim, when the user is a lawyer of the association holding its case; 404 otherwise."""
    membership = membership_get(user, association.pk)
    if membership.role != Role.LAWYER:
        raise Http404
    try:
        return Victim.objects.select_related("case").get(pk=victim_id, case__association_id=association.pk)
    except (Victim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def victim_get_for_rights(*, user, case_id, victim_id) -> Victim:
    """The victim of that case, for a lawyer of the association holding it; 404 otherwise (a
    shared case, a staff member, an admin, an outsider)."""
    case = Case.objects.filter(pk=case_id).select_related("association").first() if str(case_id).isdigit() else None
    if case is None:
        raise Http404
    victim = _victim_for_lawyer(user=user, association=case.association, victim_id=victim_id)
    if victim.case_id != case.pk:
        raise Http404
    return victim


def _plain(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _record(instance, *, skip=()) -> dict:
    """A row as JSON: its fields, choices as their French label, foreign keys as their label."""
    data = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in skip or isinstance(model_field, models.FileField):
            continue
        if model_field.is_relation:
            related = getattr(instance, model_field.name)
            data[model_field.name] = None if related is None else str(related)
            continue
        value = getattr(instance, model_field.attname)
        if model_field.choices and value not in (None, ""):
            value = str(getattr(instance, f"get_{model_field.name}_display")())
        data[model_field.name] = _plain(value)
    return data


def victim_export(*, user, association: Association, victim_id, origin: dict | None = None) -> dict:
    """Everything the association holds about one victim (art. 15): identity, pseudonym, the case,
    the procedures naming the victim with their filings, hearings, decisions and timeline, and who
    was shown the identity (the access log: dates only, not the members' names)."""
    victim = _victim_for_lawyer(user=user, association=association, victim_id=victim_id)
    case = victim.case
    procedures = []
    named_in = getattr(victim, "procedures", None)  # declared by the procedures app, when installed
    for procedure in named_in.all() if named_in is not None else ():
        entry = _record(procedure)
        for name in PROCEDURE_RELATIONS:
            manager = getattr(procedure, name, None)
            if manager is not None:
                entry[name] = [_record(row) for row in manager.all()]
        procedures.append(entry)
    reads = AccessLog.objects.filter(object_type=Victim._meta.model_name, object_id=victim.pk).order_by("at")
    export = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.localtime().isoformat(),
        "controller": {"association": association.name, "short_name": association.short_name},
        "legal_basis": _("Droit d'accès de la personne concernée (RGPD, art. 15)."),
        "victim": _record(victim, skip=("case", "identity_erased_by")),
        "case": {
            "reference": case.reference,
            "title": case.title,
            "facts_start": _plain(case.facts_start),
            "facts_end": _plain(case.facts_end),
            "status": case.get_status_display(),
        },
        "procedures": procedures,
        "accesses": [{"at": _plain(row.at), "action": row.get_action_display()} for row in reads.only("at", "action")],
    }
    access_log_write(
        user=user,
        association_id=association.pk,
        action=AccessAction.EXPORT,
        object_type=Victim._meta.model_name,
        object_id=victim.pk,
        case_id=case.pk,
        details={"right": "access", "article": "RGPD 15"},
        origin=origin,
    )
    return export


def _history_models_of_victim():
    return [
        model
        for model in apps.get_models()
        if getattr(model, "pgh_tracked_model", None) is Victim
        and all(any(f.name == name for f in model._meta.concrete_fields) for name in Victim.IDENTITY_FIELDS)
    ]


@transaction.atomic
def victim_erase(*, user, association: Association, victim_id, confirmation: str, origin: dict | None = None) -> Victim:
    """Erase the victim's identity (art. 17), keeping the pseudonymised tombstone; `confirmation`
    must repeat the pseudonym. Safe to run twice: a second erasure changes nothing but is logged."""
    victim = _victim_for_lawyer(user=user, association=association, victim_id=victim_id)
    victim = Victim.objects.select_for_update().select_related("case").get(pk=victim.pk)
    if (confirmation or "").strip() != victim.pseudonym:
        raise ValidationError(
            {
                "confirmation": _("Recopiez le pseudonyme %(pseudonym)s pour confirmer.")
                % {"pseudonym": victim.pseudonym}
            }
        )
    blank = dict.fromkeys(Victim.IDENTITY_FIELDS) | {"notes": ""}
    already = victim.identity_erased_at is not None and all(
        getattr(victim, name) in (None, "") for name in ERASED_FIELDS
    )
    if not already:
        # update(), not full_clean() and save(): an erasure is a right (art. 17) that an unrelated
        # validation error on an old row must not block, and the age at the facts (computed from
        # the birth date, an element of the offences) must stay as it was.
        Victim.objects.filter(pk=victim.pk).update(**blank, identity_erased_at=timezone.now(), identity_erased_by=user)
    # History rows keep the identity (encrypted) as it was at each change: empty it there too.
    erased_events = 0
    for event_model in _history_models_of_victim():
        erased_events += event_model._base_manager.filter(pgh_obj_id=victim.pk).update(**blank)
    victim.refresh_from_db()
    # What other apps derived from the identity (linking's normal forms) goes with it.
    parties_saved.send(sender=Victim, case_id=victim.case_id, suspect_ids=[], victim_ids=[victim.pk])
    access_log_write(
        user=user,
        association_id=association.pk,
        action=AccessAction.ERASE,
        object_type=Victim._meta.model_name,
        object_id=victim.pk,
        case_id=victim.case_id,
        details={
            "right": "erasure",
            "article": "RGPD 17",
            "fields": list(ERASED_FIELDS),
            "history_rows": erased_events,
        },
        origin=origin,
    )
    return victim
