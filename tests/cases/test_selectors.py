import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.models import ROLE_PERMISSIONS, Permission, Role
from cases.selectors import association_list_for_user, membership_require, user_has_permission

pytestmark = pytest.mark.django_db


def test_roles_grant_the_documented_permissions():
    assert Permission.CHANGE_CASES in ROLE_PERMISSIONS[Role.LAWYER]
    assert Permission.CHANGE_CASES not in ROLE_PERMISSIONS[Role.STAFF]
    assert Permission.PRINT_DOSSIERS in ROLE_PERMISSIONS[Role.STAFF]
    assert Permission.VIEW_CASES not in ROLE_PERMISSIONS[Role.ADMIN]
    assert Permission.MANAGE_MEMBERS in ROLE_PERMISSIONS[Role.ADMIN]


def test_a_user_acts_only_for_the_associations_they_belong_to(owner, association, other_association):
    assert association_list_for_user(owner) == [association]
    assert association_list_for_user(owner, permission=Permission.MANAGE_MEMBERS) == []


def test_an_outsider_is_told_nothing_exists(outsider, association):
    with pytest.raises(Http404):
        membership_require(outsider, association.pk, Permission.VIEW_CASES)
    assert not user_has_permission(outsider, association.pk, Permission.VIEW_CASES)


def test_a_colleague_without_the_permission_is_denied(colleague, association):
    with pytest.raises(PermissionDenied):
        membership_require(colleague, association.pk, Permission.CHANGE_CASES)
    assert membership_require(colleague, association.pk, Permission.PRINT_DOSSIERS).user == colleague


def test_an_anonymous_user_belongs_to_nothing(association):
    from django.contrib.auth.models import AnonymousUser

    assert association_list_for_user(AnonymousUser()) == []


def test_garbage_association_ids_are_a_404(owner):
    with pytest.raises(Http404):
        membership_require(owner, "not-a-number", Permission.VIEW_CASES)
