"""The case's procedure list page (issue 17): find a procedure among 23,051 by its parquet number."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.actors import Actor
from cases.models import AccessAction
from cases.selectors import case_get
from cases.services import access_log_record

from .procedure_list import PAGE_SIZE, ProcedureListFilterForm, procedure_list_page


@login_required
@require_GET
def case_procedure_list_view(request, case_id):
    case, access = case_get(request.user, case_id)
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=case, case_id=case.pk)
    form = ProcedureListFilterForm(request.GET or None, case=case)
    status = 200
    if form.is_bound and not form.is_valid():
        page, status = None, 400
    else:
        page = procedure_list_page(case, form.cleaned_data if form.is_bound else {})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "case": case,
        "access": access,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "page_size": PAGE_SIZE,
    }
    return render(request, "procedures/case_procedure_list.html", context, status=status)
