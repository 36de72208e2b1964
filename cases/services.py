"""Workflows that write to case files. Keyword-only arguments, full_clean() then save, inside one
transaction: a service either writes everything or nothing. Permission checks happen here too,
so pages and API share them."""

import errno
import hashlib
import logging
import secrets

import puremagic
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Max, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from .actors import Actor
from .models import (
    AccessAction,
    AccessLog,
    ApiToken,
    Association,
    Case,
    CaseShare,
    CaseStatus,
    Exhibit,
    Permission,
    ShareAccess,
    Suspect,
    Victim,
)
from .selectors import case_access, membership_get, membership_require
from .signals import parties_saved

CASE_FIELDS = (
    "reference",
    "title",
    "platform",
    "facts_start",
    "facts_end",
    "place",
    "status",
    "lead_lawyer",
    "summary",
)
VICTIM_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "contact",
    "facts_date",
    "age_at_facts",
    "deceased",
    "consent_given_on",
    "consent_by",
    "notes",
)
SUSPECT_FIELDS = ("name", "age_at_facts", "status", "pre_trial_detention", "notes", "identifiers")

logger = logging.getLogger(__name__)


def _require_change(user, case: Case) -> None:
    if not case_access(user, case).can_change:
        raise PermissionDenied


def _assign(instance, fields, values: dict) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)


def _save(instance, **clean_options) -> None:
    instance.full_clean(**clean_options)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        # A concurrent write won a uniqueness race that full_clean() could not see.
        raise ValidationError(
            _("Cet enregistrement entre en conflit avec un autre : %(error)s") % {"error": error}
        ) from error


def _validate_lead_lawyer(case: Case) -> None:
    lawyer = case.lead_lawyer
    if lawyer is not None and not lawyer.memberships.filter(association_id=case.association_id, role="lawyer").exists():
        raise ValidationError({"lead_lawyer": _("L'avocat·e référent·e doit être avocat·e de l'association.")})


def _set_closed_on(case: Case) -> None:
    # The retention period of a case runs from its closing (cases.privacy.retention); reopening it stops it.
    if case.status in CaseStatus.finished():
        case.closed_on = case.closed_on or timezone.localdate()
    else:
        case.closed_on = None


@transaction.atomic
def case_create(*, user, association: Association, offences=(), **fields) -> Case:
    membership_require(user, association.pk, Permission.CHANGE_CASES)
    case = Case(association=association, created_by=user)
    _assign(case, CASE_FIELDS, fields)
    _set_closed_on(case)
    _validate_lead_lawyer(case)
    _save(case)
    case.offences.set(offences)
    return case


@transaction.atomic
def case_update(*, user, case: Case, offences=None, **fields) -> Case:
    _require_change(user, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _assign(case, CASE_FIELDS, fields)
    _set_closed_on(case)
    _validate_lead_lawyer(case)
    _save(case)
    if offences is not None:
        case.offences.set(offences)
    return case


def _next_number(queryset, field: str) -> int:
    return (queryset.aggregate(highest=Max(field))["highest"] or 0) + 1


@transaction.atomic
def victim_add(*, user, case: Case, **fields) -> Victim:
    _require_change(user, case)
    # Lock the case row: two lawyers adding victims at once must not get the same pseudonym.
    case = Case.objects.select_for_update().get(pk=case.pk)
    victim = Victim(case=case)
    _assign(victim, VICTIM_FIELDS, fields)
    existing = [int(p.split("-")[1]) for p in case.victims.values_list("pseudonym", flat=True) if p[2:].isdigit()]
    victim.pseudonym = f"V-{(max(existing, default=0) + 1):03d}"
    _save(victim)
    parties_saved.send(sender=Victim, case_id=case.pk, suspect_ids=[], victim_ids=[victim.pk])
    return victim


@transaction.atomic
def victim_update(*, user, victim: Victim, **fields) -> Victim:
    _require_change(user, victim.case)
    victim = Victim.objects.select_for_update().select_related("case").get(pk=victim.pk)
    _assign(victim, VICTIM_FIELDS, fields)
    _save(victim)
    parties_saved.send(sender=Victim, case_id=victim.case_id, suspect_ids=[], victim_ids=[victim.pk])
    return victim


@transaction.atomic
def suspect_add(*, user, case: Case, **fields) -> Suspect:
    _require_change(user, case)
    suspect = Suspect(case=case)
    _assign(suspect, SUSPECT_FIELDS, fields)
    _save(suspect)
    parties_saved.send(sender=Suspect, case_id=case.pk, suspect_ids=[suspect.pk], victim_ids=[])
    return suspect


@transaction.atomic
def suspect_update(*, user, suspect: Suspect, **fields) -> Suspect:
    _require_change(user, suspect.case)
    suspect = Suspect.objects.select_for_update().get(pk=suspect.pk)
    _assign(suspect, SUSPECT_FIELDS, fields)
    _save(suspect)
    parties_saved.send(sender=Suspect, case_id=suspect.case_id, suspect_ids=[suspect.pk], victim_ids=[])
    return suspect


def exhibit_inspect(uploaded) -> tuple[str, str, int]:
    """(content type by content, SHA-256, size) of an uploaded file, or ValidationError.

    The type is read from the bytes (magic numbers), never from the name or the browser's claim."""
    limit = settings.EXHIBIT_MAX_BYTES
    size = uploaded.size
    if size is None or size == 0:
        raise ValidationError({"file": _("Le fichier est vide.")})
    if size > limit:
        message = _("Le fichier fait %(size)s ; la limite est de %(limit)s.") % {
            "size": filesizeformat(size),
            "limit": filesizeformat(limit),
        }
        # The code travels inside the dict: a code given beside a dict is dropped by Django.
        raise ValidationError({"file": ValidationError(message, code="too_large")})
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    try:
        candidates = {match.mime_type for match in puremagic.magic_string(head)}
    except puremagic.PureError:
        candidates = set()
    allowed = [mime for mime in settings.EXHIBIT_ALLOWED_TYPES if mime in candidates]
    if not allowed:
        message = _("Type de fichier refusé : seuls les PDF et les images PNG, JPEG ou TIFF sont acceptés.")
        raise ValidationError({"file": ValidationError(message, code="unsupported_type")})
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return allowed[0], digest.hexdigest(), size


def _store_whole(field_file, filename: str, content) -> None:
    """Store an upload or nothing: a disk that is full or read-only (OSError) leaves no partial
    file behind (Django's storage does not remove what it began to write) and becomes a form error."""
    storage = field_file.storage
    name = storage.get_available_name(field_file.field.generate_filename(field_file.instance, filename))
    try:
        field_file.name = storage.save(name, content, max_length=field_file.field.max_length)
    except OSError as error:
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            logger.exception("Pièce partielle impossible à effacer : %s", name)
        logger.error("Pièce non enregistrée (%s) : %s", type(error).__name__, error.strerror or error)
        raise ValidationError(
            {
                "file": _(
                    "La pièce n'a pas pu être enregistrée (%(reason)s) : rien n'a été enregistré. "
                    "Réessayez plus tard ; si cela se reproduit, prévenez l'administrateur du site."
                )
                % {"reason": _storage_reason(error)}
            },
            code="storage",
        ) from error
    field_file._committed = True


def _storage_reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return _("disque plein")
    if error.errno == errno.EROFS:
        return _("stockage en lecture seule")
    if error.errno in (errno.EACCES, errno.EPERM):
        return _("stockage non accessible en écriture")
    return _("erreur du stockage")


@transaction.atomic
def exhibit_upload(
    *, user, case: Case, file, title: str, source: str = "", received_on=None, replaces: Exhibit | None = None
) -> Exhibit:
    _require_change(user, case)
    content_type, sha256, size = exhibit_inspect(file)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if replaces is not None:
        if replaces.case_id != case.pk:
            raise ValidationError({"replaces": _("La pièce remplacée doit appartenir à la même affaire.")})
        if hasattr(replaces, "replaced_by"):
            raise ValidationError({"replaces": _("Cette pièce a déjà été remplacée par une version plus récente.")})
    exhibit = Exhibit(
        case=case,
        number=_next_number(case.exhibits, "number"),
        title=title,
        source=source,
        received_on=received_on,
        replaces=replaces,
        original_filename=(getattr(file, "name", "") or "fichier")[:255],
        content_type=content_type,
        sha256=sha256,
        size=size,
        uploaded_by=user,
    )
    exhibit.full_clean(exclude=["file"])
    _store_whole(exhibit.file, exhibit.original_filename, file)
    try:
        exhibit.save()
    except Exception:
        # Never leave a stored file without its row.
        exhibit.file.delete(save=False)
        raise
    return exhibit


@transaction.atomic
def case_share(*, user, case: Case, association: Association, access: str = ShareAccess.READ) -> CaseShare:
    """Share a case with another association; only a lawyer of the lead association may."""
    membership_require(user, case.association_id, Permission.CHANGE_CASES)
    share = CaseShare(case=case, association=association, access=access, granted_by=user)
    _save(share)
    return share


@transaction.atomic
def case_share_revoke(*, user, share: CaseShare) -> CaseShare:
    membership_require(user, share.case.association_id, Permission.CHANGE_CASES)
    share = CaseShare.objects.select_for_update().get(pk=share.pk)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.revoked_by = user
        share.save(update_fields=["revoked_at", "revoked_by"])
    return share


def api_token_create(*, user, association: Association, name: str) -> tuple[ApiToken, str]:
    """A new token scoped to one of the user's associations; the secret is returned once."""
    membership_get(user, association.pk)
    if not (name or "").strip():
        raise ValidationError({"name": _("Donnez un nom au jeton.")})
    secret = secrets.token_urlsafe(32)
    key = f"{ApiToken.PREFIX}_{secret}"
    token = ApiToken.objects.create(
        user=user, association=association, name=name.strip()[:100], key_prefix=key[:12], key_hash=ApiToken.hash(key)
    )
    return token, key


def api_token_revoke(*, user, token: ApiToken) -> ApiToken:
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def access_log_record(*, actor: Actor, action: str, obj, case_id: int | None = None) -> None:
    """Append one line to the access log for a read of a case, a victim, an exhibit or a dossier.

    A session reads a case for its own association when the user belongs to the case's one, else
    through a share for the active association: the line goes to the log of that association,
    whatever association is active in the switcher. The choice is made inside the INSERT."""
    association_id = actor.association_id
    if case_id is not None and actor.user is not None and not actor.token_scoped:
        own = Case.objects.filter(pk=case_id, association__memberships__user=actor.user).values("association_id")
        association_id = Coalesce(Subquery(own[:1]), Value(association_id), output_field=BigIntegerField())
    AccessLog.objects.create(
        user=actor.user,
        association_id=association_id,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        case_id=case_id,
        request_id=actor.request_id,
        ip_address=actor.ip_address,
    )


def access_log_write(
    *,
    user,
    association_id: int | None,
    action: str,
    object_type: str,
    object_id: int,
    case_id: int | None = None,
    details: dict | None = None,
    origin: dict | None = None,
) -> AccessLog:
    """Append one line from a service or a job, which has no request: `origin` carries the
    request's id and address when a page asked for the work (Actor.origin)."""
    origin = origin or {}
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        association_id=association_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        details=details or {},
        request_id=(origin.get("request_id") or "")[:64],
        ip_address=origin.get("ip_address") or None,
    )


__all__ = [
    "AccessAction",
    "access_log_record",
    "access_log_write",
    "case_create",
    "case_share",
    "case_share_revoke",
    "case_update",
    "exhibit_upload",
    "suspect_add",
    "suspect_update",
    "victim_add",
    "victim_update",
]
