from .selectors import membership_list_for_user


def tenancy(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "memberships": membership_list_for_user(user),
        # A SimpleLazyObject wrapping None is truthy: unwrap it for templates.
        "active_membership": membership if membership else None,
    }
