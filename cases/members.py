"""Workflows of an association's admins on its members, without the superuser: add an existing
account, change a role, remove a member. Each is written to the security log. The last admin can
neither leave nor be demoted, and nobody removes themselves, so an association is never left
without someone to manage it."""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, Association, Membership, Permission, Role

security_log = logging.getLogger("security")


def _require_manager(actor, association: Association) -> None:
    membership = Membership.objects.filter(user=actor, association=association).first()
    if membership is None or not membership.has_permission(Permission.MANAGE_MEMBERS):
        raise PermissionDenied


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Rôle inconnu.")})


@transaction.atomic
def member_add(*, actor, association: Association, identifier: str, role: str) -> Membership:
    """Attach an existing, active account (found by exact username or e-mail) to the association.
    Accounts themselves are created by the site's administrator: no password travels by e-mail."""
    _require_manager(actor, association)
    _check_role(role)
    identifier = (identifier or "").strip()
    if not identifier:
        raise ValidationError({"identifier": _("Indiquez l'identifiant ou le courriel du compte.")})
    users = list(
        get_user_model()
        .objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier), is_active=True)
        .order_by("pk")[:2]
    )
    if len(users) != 1:
        raise ValidationError(
            {
                "identifier": _(
                    "Aucun compte actif unique ne correspond : vérifiez l'identifiant ou le courriel, ou demandez "
                    "à l'administrateur du site de créer le compte."
                )
            }
        )
    user = users[0]
    if Membership.objects.filter(user=user, association=association).exists():
        raise ValidationError({"identifier": _("Ce compte est déjà membre de l'association.")})
    membership = Membership.objects.create(user=user, association=association, role=role)
    security_log.warning("member_add member=%s role=%s by=%s association=%s", user.pk, role, actor.pk, association.pk)
    return membership


def _other_admins(association: Association, user) -> bool:
    return (
        Membership.objects.select_for_update()
        .filter(association=association, role=Role.ADMIN, user__is_active=True)
        .exclude(user=user)
        .exists()
    )


def _membership(association: Association, user) -> Membership:
    membership = Membership.objects.select_for_update().filter(association=association, user=user).first()
    if membership is None:
        raise ValidationError(_("Ce compte n'est pas membre de l'association."))
    return membership


@transaction.atomic
def member_role_change(*, actor, association: Association, user, role: str) -> Membership:
    _require_manager(actor, association)
    _check_role(role)
    membership = _membership(association, user)
    if membership.role == role:
        return membership
    if membership.role == Role.ADMIN and not _other_admins(association, user):
        raise ValidationError(
            {"role": _("C'est le dernier administrateur de l'association : nommez-en d'abord un autre.")}
        )
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    security_log.warning(
        "member_role_change member=%s from=%s to=%s by=%s association=%s",
        user.pk,
        before,
        role,
        actor.pk,
        association.pk,
    )
    return membership


@transaction.atomic
def member_remove(*, actor, association: Association, user) -> None:
    """End a membership. The deadlines the member owned stay, with their name, for the team view to
    reassign; the account stays for the member's other associations."""
    _require_manager(actor, association)
    if user.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas vous retirer vous-même de l'association."))
    membership = _membership(association, user)
    if membership.role == Role.ADMIN and not _other_admins(association, user):
        raise ValidationError(_("C'est le dernier administrateur de l'association : il ne peut pas être retiré."))
    membership.delete()
    # Its tokens for this association stop with it (authentication also checks the membership).
    ApiToken.objects.filter(user=user, association=association, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    security_log.warning("member_remove member=%s by=%s association=%s", user.pk, actor.pk, association.pk)
