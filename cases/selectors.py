"""Reads with their permissions. Every view and API query about associations, members and,
later, cases starts here, so tenancy is applied in one place.

Rule: an object of an association the user does not belong to raises Http404 (its existence is
not disclosed); a member lacking the permission gets PermissionDenied.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import (
    ApiToken,
    Association,
    Case,
    CaseShare,
    CourtOfAppeal,
    Exhibit,
    Membership,
    Offence,
    Parquet,
    Permission,
    Platform,
    Role,
    Suspect,
    Victim,
)


def membership_list_for_user(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("association").order_by("association__short_name")


def association_list_for_user(user, *, permission: str | None = None) -> list[Association]:
    """The associations the user may act for, optionally only those where the role grants permission."""
    return [
        membership.association
        for membership in membership_list_for_user(user)
        if permission is None or membership.has_permission(permission)
    ]


def association_ids_for_user(user, *, permission: str | None = None) -> list[int]:
    return [association.pk for association in association_list_for_user(user, permission=permission)]


def api_token_list_for_user(user) -> QuerySet[ApiToken]:
    """The user's own active tokens, whatever association they act for."""
    return ApiToken.objects.filter(user=user).active().select_related("association")


def membership_get(user, association_id) -> Membership:
    """The user's membership of that association, or 404 if there is none."""
    try:
        return membership_list_for_user(user).get(association_id=association_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def membership_require(user, association_id, permission: str) -> Membership:
    """404 for an outsider, 403 for a member whose role lacks the permission."""
    membership = membership_get(user, association_id)
    if not membership.has_permission(permission):
        raise PermissionDenied
    return membership


def user_has_permission(user, association_id, permission: str) -> bool:
    try:
        return membership_get(user, association_id).has_permission(permission)
    except Http404:
        return False


def member_list(*, association: Association) -> QuerySet[Membership]:
    return association.memberships.select_related("user").order_by("role", "user__last_name", "user__username")


# --- Cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAccess:
    """What a user may do with one case, and why (own association, or a share)."""

    can_view: bool = False
    can_change: bool = False
    can_print: bool = False
    can_reveal_identity: bool = False
    via_share: bool = False


NO_ACCESS = CaseAccess()


def case_access(user, case: Case, *, association_id: int | None = None) -> CaseAccess:
    """With association_id (an API token's scope), only that membership counts."""
    if not user.is_authenticated:
        return NO_ACCESS
    memberships = {m.association_id: m for m in membership_list_for_user(user)}
    if association_id is not None:
        memberships = {k: v for k, v in memberships.items() if k == association_id}
    own = memberships.get(case.association_id)
    if own is not None and own.has_permission(Permission.VIEW_CASES):
        return CaseAccess(
            can_view=True,
            can_change=own.has_permission(Permission.CHANGE_CASES),
            can_print=own.has_permission(Permission.PRINT_DOSSIERS),
            # Real identities: the lead association's lawyers only (loi de 1881, art. 39 bis).
            can_reveal_identity=own.role == Role.LAWYER,
        )
    for share in case.shares.active():
        member = memberships.get(share.association_id)
        if member is not None and member.has_permission(Permission.VIEW_CASES):
            return CaseAccess(
                can_view=True,
                can_print=share.allows_print and member.has_permission(Permission.PRINT_DOSSIERS),
                via_share=True,
            )
    return NO_ACCESS


def viewing_association_ids(user, *, association_id: int | None = None) -> list[int]:
    """The associations whose case files the user reads; with association_id (a token's scope),
    that one at most."""
    ids = association_ids_for_user(user, permission=Permission.VIEW_CASES)
    if association_id is not None:
        ids = [pk for pk in ids if pk == association_id]
    return ids


def acting_association_get(user, association_id) -> Association:
    """The association a write is made for (a token's, or the active one): 404 if the user is not
    a member of it."""
    return membership_get(user, association_id).association


def case_queryset_for_user(user, *, association_id: int | None = None) -> QuerySet[Case]:
    """Cases the user may see: those of their associations, plus those actively shared with them.
    With association_id, only what that one association sees (the association switcher)."""
    ids = viewing_association_ids(user, association_id=association_id)
    shared = CaseShare.objects.active().filter(association_id__in=ids).values("case_id")
    return Case.objects.filter(Q(association_id__in=ids) | Q(pk__in=shared))


def case_list(user, *, association_id: int | None = None, search: str = "") -> QuerySet[Case]:
    cases = case_queryset_for_user(user, association_id=association_id).select_related("association", "platform")
    search = search.strip()
    if search:
        matching_offences = Offence.objects.filter(Q(label__icontains=search) | Q(article__icontains=search))
        cases = cases.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(platform__name__icontains=search)
            | Q(pk__in=Case.offences.through.objects.filter(offence__in=matching_offences).values("case_id"))
        )
    return cases.order_by("-updated_at")


def case_get(user, case_id, *, require: str = "view", association_id: int | None = None) -> tuple[Case, CaseAccess]:
    """The case and the user's access to it. 404 when the user may not see it at all (its
    existence is not disclosed); 403 when they see it but lack the right asked for."""
    try:
        case = Case.objects.select_related("association", "platform", "lead_lawyer").get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    return case, access_require(user, case, require=require, association_id=association_id)


def access_require(user, case: Case, *, require: str = "view", association_id: int | None = None) -> CaseAccess:
    """404 when the user may not see the case at all; 403 when they see it but lack the right."""
    access = case_access(user, case, association_id=association_id)
    if not access.can_view:
        raise Http404
    if not getattr(access, f"can_{require}"):
        raise PermissionDenied
    return access


def case_detail(case: Case) -> dict:
    """Everything the case page shows, in a fixed number of queries."""
    return {
        # The victims are a paginated list loaded on demand (case_victims): a case may hold 480.
        "suspects": list(case.suspects.all()),
        "exhibits": list(case.exhibits.select_related("replaces", "uploaded_by").order_by("number")),
        "shares": list(case.shares.select_related("association", "granted_by").order_by("-granted_at")),
        "offences": list(case.offences.all()),
    }


def victim_list_for_user(user, *, association_id: int | None = None) -> QuerySet[Victim]:
    """Victims of the cases the user sees (own and shared), by pseudonym."""
    return Victim.objects.filter(case__in=case_queryset_for_user(user, association_id=association_id)).select_related(
        "case"
    )


def suspect_list_for_user(user, *, association_id: int | None = None) -> QuerySet[Suspect]:
    return Suspect.objects.filter(case__in=case_queryset_for_user(user, association_id=association_id)).select_related(
        "case"
    )


def exhibit_list_for_user(user, *, association_id: int | None = None) -> QuerySet[Exhibit]:
    return Exhibit.objects.filter(case__in=case_queryset_for_user(user, association_id=association_id)).select_related(
        "case"
    )


def share_list_for_user(user, *, association_id: int | None = None) -> QuerySet[CaseShare]:
    """Shares of the cases the user's associations hold; the associations receiving them do not
    see them."""
    return CaseShare.objects.filter(
        case__association_id__in=viewing_association_ids(user, association_id=association_id)
    ).select_related("case")


def case_lawyer_choices(user, *, association_id: int | None = None):
    """Who may be a case's lead lawyer, as the API accepts them: lawyers of the associations whose
    cases the user writes (the service checks the case's own association)."""
    from django.contrib.auth import get_user_model

    ids = association_ids_for_user(user, permission=Permission.CHANGE_CASES)
    if association_id is not None:
        ids = [pk for pk in ids if pk == association_id]
    return (
        get_user_model().objects.filter(memberships__association_id__in=ids, memberships__role=Role.LAWYER).distinct()
    )


def victim_get(user, case: Case, victim_id) -> Victim:
    try:
        return case.victims.get(pk=victim_id)
    except (Victim.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def suspect_get(user, case: Case, suspect_id) -> Suspect:
    try:
        return case.suspects.get(pk=suspect_id)
    except (Suspect.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def exhibit_get(user, case: Case, exhibit_id) -> Exhibit:
    try:
        return case.exhibits.get(pk=exhibit_id)
    except (Exhibit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def share_get(user, case: Case, share_id) -> CaseShare:
    try:
        return case.shares.select_related("case").get(pk=share_id)
    except (CaseShare.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def share_target_associations(case: Case) -> QuerySet[Association]:
    """Associations a case may be offered to; the case's own is refused by the model with a message."""
    return Association.objects.order_by("short_name")


# --- Reference data (the same for every association) --------------------------------------------


def platform_list() -> QuerySet[Platform]:
    return Platform.objects.all()


def court_of_appeal_list() -> QuerySet[CourtOfAppeal]:
    return CourtOfAppeal.objects.all()


def parquet_list() -> QuerySet[Parquet]:
    return Parquet.objects.select_related("court_of_appeal")


def offence_list() -> QuerySet[Offence]:
    return Offence.objects.all()


def association_list() -> QuerySet[Association]:
    """Every association, by short name: a case may be shared with any of them."""
    return Association.objects.order_by("short_name")


def lawyers_of(association_id: int) -> QuerySet:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__association_id=association_id, memberships__role=Role.LAWYER)
        .order_by("last_name", "username")
    )
