"""Reads with their permissions. Every view and API query about associations, members and,
later, cases starts here, so tenancy is applied in one place.

Rule: an object of an association the user does not belong to raises Http404 (its existence is
not disclosed); a member lacking the permission gets PermissionDenied.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from .models import Association, Membership


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
