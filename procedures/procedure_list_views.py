"""The case's procedure list page (issue 17): find a procedure among 23,051 by its parquet number,
save the filters, act on a selection (assign, export; dossiers in reports/procedure_dossiers.py).

Every form works without JavaScript: the table sits inside the bulk form, whose buttons post it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from cases.actors import Actor
from cases.models import AccessAction
from cases.selectors import case_get
from cases.services import access_log_record

from . import exports
from .export_views import export_response
from .procedure_bulk import ProcedureSelectionForm, procedures_assign, procedures_export
from .procedure_list import PAGE_SIZE, ProcedureListFilterForm, procedure_list_page
from .saved_filters import (
    saved_filter_create,
    saved_filter_data,
    saved_filter_delete,
    saved_filter_get,
    saved_filter_list,
)
from .selectors import deadline_team_owners


class AssignForm(forms.Form):
    responsable = forms.ModelChoiceField(
        label=gettext_lazy("Responsable des délais en cours"), queryset=None, required=False
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"].queryset = deadline_team_owners(association_id=case.association_id)
        self.fields["responsable"].empty_label = gettext_lazy("— choisir —")
        self.fields["responsable"].label_from_instance = lambda user: user.get_full_name() or user.username


def list_url(case, query: str = "") -> str:
    url = reverse("case_procedure_list", args=[case.pk])
    return f"{url}?{query}" if query else url


def _list_data(request, case):
    """The GET filters, or a saved filter's (?filtre=ID, the user's own only), validated alike."""
    saved_id = request.GET.get("filtre")
    if saved_id:
        saved = saved_filter_get(user=request.user, case=case, filter_id=saved_id)
        return saved_filter_data(saved, page=request.GET.get("page")), saved
    return request.GET, None


def render_list(request, case, access, *, status=200, bulk_errors=None, save_errors=None, data=None, saved=None):
    """The list page; the bulk and save views render it again with their errors (400)."""
    if data is None:
        data, saved = _list_data(request, case)
    form = ProcedureListFilterForm(data or None, case=case)
    if form.is_bound and not form.is_valid():
        page, status = None, 400
    else:
        page = procedure_list_page(case, form.cleaned_data if form.is_bound else {})
    query = data.copy()
    query.pop("page", None)
    query.pop("filtre", None)
    pager_query = query.copy()
    if saved is not None:
        pager_query = QueryDict(mutable=True)
        pager_query["filtre"] = saved.pk
    context = {
        "case": case,
        "access": access,
        "form": form,
        "page": page,
        "query": pager_query.urlencode(),
        "filter_query": query.urlencode(),
        "page_size": PAGE_SIZE,
        "saved_filters": saved_filter_list(user=request.user, case=case),
        "saved": saved,
        "assign_form": AssignForm(case=case) if access.can_change and not access.via_share else None,
        "selection_form": ProcedureSelectionForm(case=case),
        "bulk_errors": bulk_errors or [],
        "save_errors": save_errors or [],
    }
    return render(request, "procedures/case_procedure_list.html", context, status=status)


@login_required
@require_GET
def case_procedure_list_view(request, case_id):
    case, access = case_get(request.user, case_id)
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=case, case_id=case.pk)
    return render_list(request, case, access)


def posted_list_query(request) -> str:
    return (request.POST.get("filtre_query") or "")[:2000]


def posted_list_data(request) -> QueryDict:
    """The list the form was posted from, shown again with the errors."""
    return QueryDict(posted_list_query(request))


def _errors_of(error: ValidationError) -> list[str]:
    return list(error.messages)


@login_required
@require_POST
def saved_filter_create_view(request, case_id):
    """« Enregistrer ce filtre »: the list's current filters under a name."""
    case, access = case_get(request.user, case_id)
    query = posted_list_query(request)
    try:
        saved = saved_filter_create(user=request.user, case=case, name=request.POST.get("name", ""), querystring=query)
    except ValidationError as error:
        return render_list(
            request, case, access, status=400, save_errors=_errors_of(error), data=posted_list_data(request)
        )
    messages.success(request, _("Filtre « %(name)s » enregistré.") % {"name": saved.name})
    return HttpResponseRedirect(list_url(case, f"filtre={saved.pk}"))


@login_required
@require_POST
def saved_filter_delete_view(request, case_id):
    """Delete one of the user's own saved filters (its id in the form: no id in the URL)."""
    case, access = case_get(request.user, case_id)
    filter_id = request.POST.get("filtre", "")
    if not filter_id.isdigit():
        return render_list(
            request,
            case,
            access,
            status=400,
            save_errors=[_("Filtre à supprimer inconnu.")],
            data=posted_list_data(request),
        )
    saved_filter_delete(user=request.user, case=case, filter_id=filter_id)
    messages.success(request, _("Filtre supprimé."))
    return HttpResponseRedirect(list_url(case, posted_list_query(request)))


def selection_or_errors(request, case):
    """The bulk form's selection: (form, None) when valid, else (None, French messages)."""
    selection = ProcedureSelectionForm(request.POST, case=case)
    if selection.is_valid():
        return selection, None
    errors = [message for messages_ in selection.errors.values() for message in messages_]
    return None, errors or [_("Sélection invalide.")]


@login_required
@require_POST
def procedure_bulk_view(request, case_id):
    """« Attribuer » and « Exporter » on the selected procedures."""
    case, access = case_get(request.user, case_id)
    action = request.POST.get("action", "")
    if action not in ("attribuer", "exporter"):
        return render_list(
            request, case, access, status=400, bulk_errors=[_("Choisissez une action.")], data=posted_list_data(request)
        )
    actor = Actor.from_request(request)
    if action == "attribuer" and not access.can_change:
        # Refused before reading the selection: a reader learns nothing from the answer.
        raise PermissionDenied
    selection, errors = selection_or_errors(request, case)
    if errors:
        return render_list(request, case, access, status=400, bulk_errors=errors, data=posted_list_data(request))
    if action == "exporter":
        return export_response(
            request,
            stem=f"procedures-{case.reference}"[:60],
            headers=exports.PROCEDURE_HEADERS,
            rows=procedures_export(actor=actor, case=case, procedures=selection.procedures),
            extension="csv",
            title=_("Procédures"),
        )
    assign = AssignForm(request.POST, case=case)
    owner = assign.cleaned_data.get("responsable") if assign.is_valid() else None
    try:
        count, changed = procedures_assign(actor=actor, case=case, procedures=selection.procedures, owner=owner)
    except ValidationError as error:
        return render_list(
            request, case, access, status=400, bulk_errors=_errors_of(error), data=posted_list_data(request)
        )
    messages.success(
        request,
        ngettext(
            "%(deadlines)s délai en cours des %(count)s procédures choisies attribué à %(owner)s.",
            "%(deadlines)s délais en cours des %(count)s procédures choisies attribués à %(owner)s.",
            changed,
        )
        % {"deadlines": changed, "count": count, "owner": owner.get_full_name() or owner.username},
    )
    return HttpResponseRedirect(list_url(case, posted_list_query(request)))
