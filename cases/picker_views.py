"""The pickers' search endpoints for victims and suspects (cases/pickers.py, static/js/picker.js).

Only for those who may change the case (the pickers live on its forms); an outsider gets 404. Each
answer names case data, so each request is one line of the access log, like the header's search."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .actors import Actor
from .models import AccessAction
from .pickers import clean_query, suspect_choices, victim_choices
from .selectors import case_get
from .services import access_log_record


def picker_answer(request, case_id, choices) -> JsonResponse:
    case, _access = case_get(request.user, case_id, require="change")
    payload = choices(case, clean_query(request.GET.get("q", "")))
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=case, case_id=case.pk)
    return JsonResponse(payload)


@login_required
@require_GET
@never_cache
def case_victim_choices_view(request, case_id):
    return picker_answer(request, case_id, victim_choices)


@login_required
@require_GET
@never_cache
def case_suspect_choices_view(request, case_id):
    return picker_answer(request, case_id, suspect_choices)
