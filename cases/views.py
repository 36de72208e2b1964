from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .actors import Actor
from .forms import CaseForm, CaseShareForm, ExhibitForm, SuspectForm, VictimForm, apply_service_errors
from .member_views import member_page
from .mfa.views import recent_auth_required
from .middleware import ACTIVE_ASSOCIATION_SESSION_KEY
from .models import AccessAction, Permission, Role
from .panels import case_sections, home_panels, party_sections
from .selectors import (
    api_token_list_for_user,
    association_list_for_user,
    case_detail,
    case_get,
    case_list,
    exhibit_get,
    membership_get,
    membership_require,
    share_get,
    suspect_get,
    victim_get,
)

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
    context = {"membership": membership, "panels": home_panels(request, membership)}
    if membership.has_permission(Permission.VIEW_CASES):
        context["recent_cases"] = case_list(request.user, association_id=membership.association_id)[:10]
    return render(request, HOME_TEMPLATES[membership.role], context)


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
    return member_page(request, membership_require(request.user, association_id, Permission.MANAGE_MEMBERS))


def _active_membership(request, permission: str):
    membership = request.membership or None
    if membership is None or not membership.has_permission(permission):
        raise PermissionDenied
    return membership


def _save_with(form, action):
    """Run a service on a valid form; its ValidationErrors become form errors. Returns the result or None."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return None


# --- Cases --------------------------------------------------------------------------------------


@login_required
def case_list_view(request):
    membership = _active_membership(request, Permission.VIEW_CASES)
    search = request.GET.get("q", "")
    cases = case_list(request.user, association_id=membership.association_id, search=search)
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": cases[:200],
            "search": search,
            "can_create": membership.has_permission(Permission.CHANGE_CASES),
        },
    )


@login_required
def case_create_view(request):
    membership = _active_membership(request, Permission.CHANGE_CASES)
    association = membership.association
    form = CaseForm(request.POST or None, association=association)
    if request.method == "POST":

        def create(data):
            offences = data.pop("offences", [])
            return services.case_create(user=request.user, association=association, offences=offences, **data)

        case = _save_with(form, create)
        if case:
            messages.success(request, _("Affaire créée."))
            return redirect("case_detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "title": _("Nouvelle affaire")})


@login_required
def case_detail_view(request, case_id):
    case, access = case_get(request.user, case_id)
    services.access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=case, case_id=case.pk)
    context = {"case": case, "access": access, **case_detail(case), "sections": case_sections(request, case, access)}
    return render(request, "cases/case_detail.html", context)


@login_required
def case_update_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = CaseForm(request.POST or None, instance=case, association=case.association)
    if request.method == "POST":

        def update(data):
            offences = data.pop("offences", [])
            return services.case_update(user=request.user, case=case, offences=offences, **data)

        if _save_with(form, update):
            messages.success(request, _("Affaire modifiée."))
            return redirect("case_detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case, "title": _("Modifier l'affaire")})


# --- Victims and suspects ------------------------------------------------------------------------


@login_required
@never_cache
def victim_add_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = VictimForm(request.POST or None, case=case)
    if request.method == "POST" and _save_with(
        form, lambda data: services.victim_add(user=request.user, case=case, **data)
    ):
        messages.success(request, _("Victime ajoutée."))
        return redirect("case_detail", case.pk)
    return render(request, "cases/record_form.html", {"form": form, "case": case, "title": _("Ajouter une victime")})


@login_required
@never_cache
def victim_update_view(request, case_id, victim_id):
    case, _access = case_get(request.user, case_id, require="change")
    victim = victim_get(request.user, case, victim_id)
    if request.method == "GET":
        # The form shows the identity: reading it is logged.
        services.access_log_record(
            actor=Actor.from_request(request), action=AccessAction.REVEAL_IDENTITY, obj=victim, case_id=case.pk
        )
    form = VictimForm(request.POST or None, instance=victim, case=case)
    if request.method == "POST" and _save_with(
        form, lambda data: services.victim_update(user=request.user, victim=victim, **data)
    ):
        messages.success(request, _("Victime modifiée."))
        return redirect("case_detail", case.pk)
    title = _("Modifier la victime %(pseudonym)s") % {"pseudonym": victim.pseudonym}
    sections = party_sections(request, case, victim=victim)
    return render(request, "cases/record_form.html", {"form": form, "case": case, "title": title, "sections": sections})


@login_required
@never_cache
def victim_identity_view(request, case_id, victim_id):
    case, _access = case_get(request.user, case_id, require="reveal_identity")
    victim = victim_get(request.user, case, victim_id)
    services.access_log_record(
        actor=Actor.from_request(request), action=AccessAction.REVEAL_IDENTITY, obj=victim, case_id=case.pk
    )
    return render(request, "cases/victim_identity.html", {"case": case, "victim": victim})


@login_required
def suspect_add_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = SuspectForm(request.POST or None)
    if request.method == "POST" and _save_with(
        form, lambda data: services.suspect_add(user=request.user, case=case, **data)
    ):
        messages.success(request, _("Mis en cause ajouté."))
        return redirect("case_detail", case.pk)
    return render(
        request, "cases/record_form.html", {"form": form, "case": case, "title": _("Ajouter un mis en cause")}
    )


@login_required
def suspect_update_view(request, case_id, suspect_id):
    case, _access = case_get(request.user, case_id, require="change")
    suspect = suspect_get(request.user, case, suspect_id)
    form = SuspectForm(request.POST or None, instance=suspect)
    if request.method == "POST" and _save_with(
        form, lambda data: services.suspect_update(user=request.user, suspect=suspect, **data)
    ):
        messages.success(request, _("Mis en cause modifié."))
        return redirect("case_detail", case.pk)
    title = _("Modifier le mis en cause")
    sections = party_sections(request, case, suspect=suspect)
    return render(request, "cases/record_form.html", {"form": form, "case": case, "title": title, "sections": sections})


# --- Exhibits and shares -------------------------------------------------------------------------


@login_required
def exhibit_upload_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = ExhibitForm(request.POST or None, request.FILES or None, case=case)
    if request.method == "POST" and _save_with(
        form, lambda data: services.exhibit_upload(user=request.user, case=case, **data)
    ):
        messages.success(request, _("Pièce ajoutée."))
        return redirect("case_detail", case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": _("Ajouter une pièce"), "multipart": True},
    )


@login_required
def exhibit_download_view(request, case_id, exhibit_id):
    case, _access = case_get(request.user, case_id)
    exhibit = exhibit_get(request.user, case, exhibit_id)
    services.access_log_record(
        actor=Actor.from_request(request), action=AccessAction.DOWNLOAD, obj=exhibit, case_id=case.pk
    )
    filename = f"{case.reference}-piece-{exhibit.number:03d}{exhibit.file.name[exhibit.file.name.rfind('.') :]}"
    response = FileResponse(exhibit.file.open("rb"), as_attachment=True, filename=filename)
    response["Content-Type"] = exhibit.content_type
    return response


@login_required
def share_add_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = CaseShareForm(request.POST or None, case=case)
    if request.method == "POST" and _save_with(
        form, lambda data: services.case_share(user=request.user, case=case, **data)
    ):
        messages.success(request, _("Affaire partagée."))
        return redirect("case_detail", case.pk)
    return render(request, "cases/record_form.html", {"form": form, "case": case, "title": _("Partager l'affaire")})


@login_required
@require_POST
def share_revoke_view(request, case_id, share_id):
    case, _access = case_get(request.user, case_id, require="change")
    share = share_get(request.user, case, share_id)
    services.case_share_revoke(user=request.user, share=share)
    messages.success(request, _("Partage révoqué."))
    return redirect(reverse("case_detail", args=[case.pk]) + "#partages")


# --- API tokens ------------------------------------------------------------------------------------


@login_required
@recent_auth_required
def api_token_list_view(request):
    associations = association_list_for_user(request.user)
    created_key = None
    error = None
    if request.method == "POST":
        try:
            association = next(a for a in associations if str(a.pk) == request.POST.get("association"))
            _token, created_key = services.api_token_create(
                user=request.user, association=association, name=request.POST.get("name", "")
            )
        except StopIteration:
            error = _("Choisissez une de vos associations.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    tokens = api_token_list_for_user(request.user)
    response = render(
        request,
        "cases/api_tokens.html",
        {"tokens": tokens, "associations": associations, "created_key": created_key, "error": error},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@recent_auth_required
def api_token_revoke_view(request, token_id):
    from django.shortcuts import get_object_or_404

    from .models import ApiToken

    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Jeton révoqué."))
    return redirect("api_tokens")
