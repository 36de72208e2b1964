"""Reads of dossiers and presets, with their permissions.

A dossier belongs to the association it was asked for. Its members who may print see it while
they may still print the case (own case, or a case shared with them for printing); a dossier
with real identities is for the lead association's lawyers only (loi de 1881, art. 39 bis).
Anyone else gets 404, never a hint that it exists."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cases.models import Case, Permission
from cases.selectors import CaseAccess, association_ids_for_user, case_access, case_queryset_for_user

from .models import Dossier, DossierPreset


def printing_association_ids(user, *, association_id: int | None = None) -> list[int]:
    ids = association_ids_for_user(user, permission=Permission.PRINT_DOSSIERS)
    return [pk for pk in ids if association_id is None or pk == association_id]


def dossier_list_for_user(user, *, association_id: int | None = None) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        association_id__in=printing_association_ids(user, association_id=association_id),
        case__in=case_queryset_for_user(user, association_id=association_id),
    ).select_related("case", "association", "requested_by", "preset")


def dossier_list_for_case(user, case: Case, *, association_id: int | None = None) -> QuerySet[Dossier]:
    return dossier_list_for_user(user, association_id=association_id).filter(case=case).order_by("-created_at")


def dossier_get(user, dossier_id, *, association_id: int | None = None) -> tuple[Dossier, CaseAccess]:
    """The dossier and the user's access to its case: 404 outside the dossier's association or
    when the case is no longer visible."""
    try:
        dossier = dossier_list_for_user(user, association_id=association_id).get(pk=dossier_id)
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    access = case_access(user, dossier.case, association_id=association_id)
    if not access.can_view:
        raise Http404
    return dossier, access


def dossier_require_download(user, dossier: Dossier, access: CaseAccess) -> None:
    """403 for a member who may see the case but not print it (share downgraded to read), or a
    dossier with real identities for anyone but the lead association's lawyers."""
    if not access.can_print:
        raise PermissionDenied
    if dossier.reveal_identities and not access.can_reveal_identity:
        raise PermissionDenied


def preset_list(user, *, association_id: int | None = None) -> QuerySet[DossierPreset]:
    return DossierPreset.objects.filter(
        association_id__in=printing_association_ids(user, association_id=association_id)
    ).select_related("association")


def preset_get(user, preset_id, *, association_id: int | None = None) -> DossierPreset:
    try:
        return preset_list(user, association_id=association_id).get(pk=preset_id)
    except (DossierPreset.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
