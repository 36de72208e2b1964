from django.utils.functional import SimpleLazyObject

from .selectors import membership_list_for_user

ACTIVE_ASSOCIATION_SESSION_KEY = "active_association_id"


def active_membership(request):
    """The membership the user is acting under: the one chosen in the switcher, else the first."""
    memberships = list(membership_list_for_user(request.user))
    if not memberships:
        return None
    chosen = request.session.get(ACTIVE_ASSOCIATION_SESSION_KEY)
    for membership in memberships:
        if membership.association_id == chosen:
            return membership
    return memberships[0]


class ActiveAssociationMiddleware:
    """Sets request.membership (None when the user belongs to no association), lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: active_membership(request))
        return self.get_response(request)
