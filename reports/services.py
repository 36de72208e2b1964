"""Asking for dossiers and keeping presets: who may ask (own association, or a share for
printing), for which association, with real identities or not (lawyers only), and what is written
to the access log. Rendering is queued on commit; its state machine is in workflow.py and is
re-exported here (`dossier_render`, `dossier_chunk_render`, `dossiers_requeue_stale`)."""

from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.actors import Actor
from cases.models import AccessAction, AccessLog, Association, Case, Permission
from cases.selectors import CaseAccess, access_require, membership_list_for_user, membership_require
from cases.services import access_log_record

from .models import (
    PROCEDURE_SECTIONS,
    SECTION_ORDER,
    Dossier,
    DossierPreset,
    DossierScope,
    DossierStatus,
    ordered_sections,
)
from .recovery import dossier_chunk_worker_lost, dossier_worker_lost, dossiers_requeue_stale
from .workflow import Run, dossier_chunk_render, dossier_render, enqueue

__all__ = [
    "Run",
    "acting_association",
    "clean_sections",
    "dossier_chunk_render",
    "dossier_chunk_worker_lost",
    "dossier_download_log",
    "dossier_render",
    "dossier_request",
    "dossier_request_from_command",
    "dossier_retry",
    "dossier_worker_lost",
    "dossiers_requeue_stale",
    "enqueue",
    "preset_delete",
    "preset_save",
    "preset_update",
]


# --- asking for a dossier -----------------------------------------------------------------------


def clean_sections(sections) -> list[str]:
    unknown = sorted(set(sections or []) - set(SECTION_ORDER))
    if unknown:
        raise ValidationError({"sections": _("Sections inconnues : %(keys)s.") % {"keys": ", ".join(unknown)}})
    chosen = ordered_sections(sections or [])
    if not chosen:
        raise ValidationError({"sections": _("Choisissez au moins une section.")})
    return chosen


def acting_association(user, case: Case, access: CaseAccess, *, association_id: int | None = None) -> Association:
    """The association the dossier is asked for: the case's own, or the one it is shared with
    for printing (the user's membership there must allow printing)."""
    if not access.via_share:
        return case.association
    memberships = {
        membership.association_id: membership
        for membership in membership_list_for_user(user)
        if membership.has_permission(Permission.PRINT_DOSSIERS)
        and (association_id is None or membership.association_id == association_id)
    }
    for share in case.shares.active().select_related("association"):
        if share.allows_print and share.association_id in memberships:
            return share.association
    raise PermissionDenied


def _log(*, actor: Actor | None, association: Association, action: str, dossier: Dossier) -> None:
    if actor is not None:
        access_log_record(actor=actor, action=action, obj=dossier, case_id=dossier.case_id)
        return
    AccessLog.objects.create(
        user=None,
        association_id=association.pk,
        action=action,
        object_type=dossier._meta.model_name,
        object_id=dossier.pk,
        case_id=dossier.case_id,
        request_id="render_dossier",
    )


def _scope_target(*, case: Case, scope: str, procedure, hearing) -> tuple:
    """The procedure (and hearing) a dossier covers, checked against its case: a target of
    another case is refused as if it did not exist."""
    if scope not in DossierScope.values:
        raise ValidationError({"scope": _("Portée inconnue.")})
    if scope == DossierScope.CASE:
        return None, None
    if scope == DossierScope.HEARING:
        if hearing is None:
            raise ValidationError({"hearing": _("Indiquez l'audience.")})
        procedure = hearing.procedure
    if procedure is None or procedure.case_id != case.pk:
        raise ValidationError({"procedure": _("Cette procédure n'appartient pas à l'affaire.")})
    return procedure, hearing if scope == DossierScope.HEARING else None


def _create(
    *,
    case,
    association,
    user,
    sections,
    preset,
    recipient,
    reveal_identities,
    scope=DossierScope.CASE,
    procedure=None,
    hearing=None,
) -> Dossier:
    if preset is not None and preset.association_id != association.pk:
        raise ValidationError({"preset": _("Ce modèle appartient à une autre association.")})
    if not sections and preset is not None:
        sections = preset.sections
    if not sections and scope != DossierScope.CASE:
        sections = PROCEDURE_SECTIONS
    recipient = " ".join((recipient or "").split())
    if not recipient:
        raise ValidationError({"recipient": _("Indiquez à qui le dossier est remis (imprimé sur chaque page).")})
    dossier = Dossier(
        case=case,
        association=association,
        requested_by=user,
        preset=preset,
        sections=clean_sections(sections),
        recipient=recipient,
        reveal_identities=reveal_identities,
        scope=scope,
        procedure=procedure,
        hearing=hearing,
    )
    dossier.full_clean(exclude=["file"])
    dossier.save()
    return dossier


@transaction.atomic
def dossier_request(
    *,
    user=None,
    case: Case,
    recipient: str,
    sections=None,
    preset: DossierPreset | None = None,
    reveal_identities: bool = False,
    actor: Actor | None = None,
    association_id: int | None = None,
    scope: str = DossierScope.CASE,
    procedure=None,
    hearing=None,
) -> Dossier:
    """Ask for a dossier of a case, of one of its procedures, or of a procedure for a hearing
    (`scope`): staff and lawyers who may print the case (own association, or a share for
    printing). Real identities only for the lead association's lawyers; both the printing and
    the revealing are written to the access log. Rendering is queued on commit."""
    user = user if user is not None else actor.user
    access = access_require(user, case, require="print", association_id=association_id)
    procedure, hearing = _scope_target(case=case, scope=scope, procedure=procedure, hearing=hearing)
    if reveal_identities and not access.can_reveal_identity:
        raise PermissionDenied
    association = acting_association(user, case, access, association_id=association_id)
    dossier = _create(
        case=case,
        association=association,
        user=user,
        sections=sections,
        preset=preset,
        recipient=recipient,
        reveal_identities=reveal_identities,
        scope=scope,
        procedure=procedure,
        hearing=hearing,
    )
    # The line goes to the association the dossier is printed for (its own case, or a share).
    actor = replace(actor, association_id=association.pk) if actor else Actor(user=user, association_id=association.pk)
    _log(actor=actor, association=association, action=AccessAction.PRINT, dossier=dossier)
    if reveal_identities:
        _log(actor=actor, association=association, action=AccessAction.REVEAL_IDENTITY, dossier=dossier)
    transaction.on_commit(lambda: enqueue(dossier.pk))
    return dossier


@transaction.atomic
def dossier_request_from_command(*, case: Case, recipient: str, sections=None, preset=None) -> Dossier:
    """The same dossier, asked from the shell (`manage.py render_dossier`): pseudonyms only,
    logged with no user, rendered by the caller."""
    dossier = _create(
        case=case,
        association=case.association,
        user=None,
        sections=sections,
        preset=preset,
        recipient=recipient,
        reveal_identities=False,
    )
    _log(actor=None, association=case.association, action=AccessAction.PRINT, dossier=dossier)
    return dossier


@transaction.atomic
def dossier_retry(*, actor: Actor, dossier: Dossier) -> Dossier:
    """« Relancer » a failed dossier: the same request (sections, recipient, scope) queued again
    from scratch, with a fresh time budget. Only who may still print it (and, for real
    identities, reveal them); the new attempt is written to the access log like the first."""
    access = access_require(actor.user, dossier.case, require="print")
    if dossier.reveal_identities and not access.can_reveal_identity:
        raise PermissionDenied
    requeued = Dossier.objects.filter(pk=dossier.pk, status=DossierStatus.FAILED).update(
        status=DossierStatus.QUEUED,
        phase="",
        progress=0,
        error="",
        started_at=None,
        finished_at=None,
        duration=None,
        heartbeat_at=None,
        attempt=0,
    )
    if not requeued:
        raise ValidationError({"status": _("Seul un dossier en échec peut être relancé.")})
    dossier.chunks.all().delete()
    dossier.refresh_from_db()
    actor = replace(actor, association_id=dossier.association_id)
    _log(actor=actor, association=dossier.association, action=AccessAction.PRINT, dossier=dossier)
    transaction.on_commit(lambda: enqueue(dossier.pk))
    return dossier


def dossier_download_log(*, actor: Actor, dossier: Dossier) -> None:
    access_log_record(actor=actor, action=AccessAction.DOWNLOAD, obj=dossier, case_id=dossier.case_id)


# --- presets --------------------------------------------------------------------------------------


@transaction.atomic
def preset_save(*, user, association: Association, name: str, sections, replace: bool = True) -> DossierPreset:
    """Create the association's preset of that name, or (with `replace`) replace its sections."""
    membership_require(user, association.pk, Permission.PRINT_DOSSIERS)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom au modèle.")})
    preset = DossierPreset.objects.select_for_update().filter(association=association, name=name).first()
    if preset is not None and not replace:
        message = _("L'association a déjà un modèle de dossier de ce nom.")
        raise ValidationError({"name": ValidationError(message, code="unique")})
    if preset is None:
        preset = DossierPreset(association=association, name=name, created_by=user)
    preset.sections = clean_sections(sections)
    preset.full_clean()
    try:
        with transaction.atomic():
            preset.save()
    except IntegrityError as error:
        raise ValidationError({"name": ValidationError(str(error), code="unique")}) from error
    return preset


@transaction.atomic
def preset_update(*, user, preset: DossierPreset, name: str | None = None, sections=None) -> DossierPreset:
    membership_require(user, preset.association_id, Permission.PRINT_DOSSIERS)
    preset = DossierPreset.objects.select_for_update().get(pk=preset.pk)
    if name is not None:
        preset.name = " ".join(name.split())
    if sections is not None:
        preset.sections = clean_sections(sections)
    preset.full_clean()
    preset.save()
    return preset


@transaction.atomic
def preset_delete(*, user, preset: DossierPreset) -> None:
    membership_require(user, preset.association_id, Permission.PRINT_DOSSIERS)
    preset.delete()
