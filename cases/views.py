from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .middleware import ACTIVE_ASSOCIATION_SESSION_KEY
from .models import Permission, Role
from .selectors import member_list, membership_get, membership_require

HOME_TEMPLATES = {
    Role.LAWYER: "cases/home_lawyer.html",
    Role.STAFF: "cases/home_staff.html",
    Role.ADMIN: "cases/home_admin.html",
}


@login_required
def home(request):
    membership = request.membership or None
    if membership is None:
        return render(request, "cases/home_no_association.html")
    return render(request, HOME_TEMPLATES[membership.role], {"membership": membership})


@login_required
@require_POST
def association_switch(request):
    membership = membership_get(request.user, request.POST.get("association"))
    request.session[ACTIVE_ASSOCIATION_SESSION_KEY] = membership.association_id
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)


@login_required
def member_list_view(request, association_id):
    membership = membership_require(request.user, association_id, Permission.MANAGE_MEMBERS)
    return render(
        request,
        "cases/member_list.html",
        {"association": membership.association, "members": member_list(association=membership.association)},
    )
