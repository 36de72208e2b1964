"""Pages of linking: the review queue of candidate pairs (decide with a reason; keyboard:
j / k to move, m « même personne », d « différentes », then the reason and Entrée), a person's
page (its cluster, where it appears, its decisions, each withdrawable). Lawyers only; a victim
is shown by pseudonym (its identity only through the case's reveal, which is logged)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.actors import Actor
from cases.models import AccessAction
from cases.pagination import DeferredJoinPaginator
from cases.services import access_log_record

from . import services
from .duplicates import procedure_decision_record, procedure_decision_withdraw
from .jobs import linking_run_request
from .models import Judgement, LinkingRun, MatchDecision, ProcedureDecision
from .selectors import (
    appearances,
    cluster_of,
    decisions_of,
    linking_membership,
    person_get,
    procedure_review_queue,
    review_queue,
)

PAGE_SIZE = 20
SHOWN_PROCEDURES = 100


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("linking_review")


def _membership(request):
    membership = request.membership or None
    if membership is None:
        raise PermissionDenied
    return linking_membership(request.user, membership.association_id)


@login_required
@require_GET
def review_view(request):
    membership = _membership(request)
    page = DeferredJoinPaginator(review_queue(membership.association_id), PAGE_SIZE).get_page(request.GET.get("page"))
    last_run = LinkingRun.objects.filter(association_id=membership.association_id).first()
    procedure_pairs = list(procedure_review_queue(membership.association_id)[:PAGE_SIZE])
    return render(
        request,
        "linking/review.html",
        {"page": page, "pairs": page.object_list, "last_run": last_run, "procedure_pairs": procedure_pairs},
    )


@login_required
@require_POST
def procedure_decide_view(request, duplicate_id):
    membership = _membership(request)
    proposal = get_object_or_404(
        ProcedureDecision.objects.select_related("left__case", "right"),
        pk=duplicate_id,
        association_id=membership.association_id,
    )
    try:
        procedure_decision_record(
            user=request.user,
            left=proposal.left,
            right=proposal.right,
            judgement=request.POST.get("judgement", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Décision enregistrée."))
    return _back(request)


@login_required
@require_POST
def procedure_withdraw_view(request, duplicate_id):
    membership = _membership(request)
    decision = get_object_or_404(ProcedureDecision, pk=duplicate_id, association_id=membership.association_id)
    procedure_decision_withdraw(user=request.user, decision=decision)
    messages.success(request, _("Décision retirée : les deux procédures ne sont plus regroupées."))
    return _back(request)


@login_required
@require_POST
def search_view(request):
    membership = _membership(request)
    run = linking_run_request(user=request.user, association_id=membership.association_id)
    messages.success(request, _("Recherche de rapprochements n° %(number)s demandée.") % {"number": run.pk})
    return redirect("linking_review")


@login_required
@require_POST
def decide_view(request, match_id):
    membership = _membership(request)
    proposal = get_object_or_404(MatchDecision, pk=match_id, association_id=membership.association_id)
    judgement = request.POST.get("judgement", "")
    if judgement not in (Judgement.SAME, Judgement.NOT_SAME):
        messages.error(request, _("Choisissez « même personne » ou « personnes différentes »."))
        return _back(request)
    try:
        services.decision_record(
            user=request.user,
            left=proposal.left,
            right=proposal.right,
            judgement=judgement,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Décision enregistrée : %(label)s.") % {"label": Judgement(judgement).label})
    return _back(request)


@login_required
@require_GET
def person_view(request, person_id):
    membership = _membership(request)
    person = person_get(membership.association_id, person_id)
    members = cluster_of(person)
    procedures, totals = appearances(members)
    actor = Actor.from_request(request)
    for member in members:
        source = member.suspect or member.victim
        access_log_record(actor=actor, action=AccessAction.VIEW, obj=source, case_id=member.case_id)
    by_case = {}
    for member in members:
        if member.suspect_id:
            by_case.setdefault(member.case, []).append(str(member.suspect_id))
    same_person_lists = [
        {"case": case, "query": urlencode({"personnes": ",".join(ids)})} for case, ids in by_case.items()
    ]
    return render(
        request,
        "linking/person.html",
        {
            "same_person_lists": same_person_lists,
            "person": person,
            "members": members,
            "procedures": procedures[:SHOWN_PROCEDURES],
            "totals": totals,
            "decisions": decisions_of(person),
        },
    )


@login_required
@require_POST
def withdraw_view(request, match_id):
    membership = _membership(request)
    decision = get_object_or_404(MatchDecision, pk=match_id, association_id=membership.association_id)
    services.decision_withdraw(user=request.user, decision=decision)
    messages.success(request, _("Décision retirée : les regroupements ont été recalculés."))
    return _back(request)
