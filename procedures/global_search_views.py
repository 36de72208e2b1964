"""The header's search page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases.actors import Actor
from cases.models import AccessAction, Case
from cases.services import access_log_record

from .global_search import global_search


@login_required
@require_GET
def global_search_view(request):
    actor = Actor.from_request(request)
    results = global_search(request.user, request.GET.get("q", ""), association_id=actor.association_id)
    # Procedure numbers and pseudonyms are case data: each case they come from is logged as read.
    for case in Case.objects.filter(pk__in=results.case_ids).only("pk"):
        access_log_record(actor=actor, action=AccessAction.VIEW, obj=case, case_id=case.pk)
    return render(request, "procedures/global_search.html", {"results": results, "q": results.query})
