"""The association's team view of deadlines and their reassignment. Lawyers (who do the work) and
admins (who organise the team) of the association may see and redistribute; staff change nothing,
so they have neither (cases.models.ROLE_PERMISSIONS). An outsider gets 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from cases.models import Permission
from cases.selectors import membership_get

from . import services
from .models import Deadline
from .panels import mark_overdue, paginate_deadlines
from .selectors import deadline_team_list, deadline_team_owners

# A page of a list must stay light at the reference scale (one open deadline per procedure after
# decisions: 23,051 on Coco.gg).
PAGE_SIZE = 50


class DeadlineReassignForm(forms.Form):
    owner = forms.ModelChoiceField(label=gettext_lazy("Nouveau responsable"), queryset=None, empty_label=None)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.username


def _team_membership(request):
    membership = request.membership or None
    if membership is None or not services.deadline_reassign_allowed(request.user, membership.association_id):
        raise PermissionDenied
    return membership


def _owner_filter(value: str):
    if value == "none":
        return "none"
    return int(value) if value.isdigit() else None


@login_required
@require_GET
def deadline_team_view(request):
    membership = _team_membership(request)
    owners = list(deadline_team_owners(association_id=membership.association_id))
    owner_filter = _owner_filter(request.GET.get("responsable", ""))
    page = paginate_deadlines(
        deadline_team_list(association_id=membership.association_id, owner_id=owner_filter),
        request.GET.get("page"),
        PAGE_SIZE,
    )
    deadlines = mark_overdue(page.object_list, timezone.localdate())
    return render(
        request,
        "procedures/deadline_team.html",
        {
            "association": membership.association,
            "deadlines": deadlines,
            "page": page,
            "owners": owners,
            "owner_filter": owner_filter,
            "pager_query": f"responsable={owner_filter}" if owner_filter else "",
            # Admins organise the team but do not read case files (ROLE_PERMISSIONS): they see the
            # rule, the date and the owner, not the case's or the procedure's reference.
            "can_open_cases": membership.has_permission(Permission.VIEW_CASES),
        },
    )


def _next_or_team(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("deadline_team")


@login_required
def deadline_reassign_view(request, deadline_id):
    deadline = Deadline.objects.select_related("case", "procedure__parquet", "owner").filter(pk=deadline_id).first()
    if deadline is None:
        raise Http404
    # Not a member of the deadline's association: the same 404 as an unknown id.
    membership = membership_get(request.user, deadline.association_id)
    if not services.deadline_reassign_allowed(request.user, deadline.association_id):
        raise PermissionDenied
    owners = deadline_team_owners(association_id=deadline.association_id)
    form = DeadlineReassignForm(request.POST or None, owners=owners, initial={"owner": deadline.owner_id})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.deadline_reassign(user=request.user, deadline=deadline, owner=form.cleaned_data["owner"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Délai réattribué."))
                return redirect(_next_or_team(request))
        status = 400
    deadline.days_label = deadline.countdown(timezone.localdate())
    return render(
        request,
        "procedures/deadline_reassign.html",
        {
            "deadline": deadline,
            "form": form,
            "next": _next_or_team(request),
            "title": _("Réattribuer le délai"),
            "can_open_cases": membership.has_permission(Permission.VIEW_CASES),
        },
        status=status,
    )
