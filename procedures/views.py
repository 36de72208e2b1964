"""Pages of procedures. Thin: tenancy through procedure_get / case_get (an outsider gets 404, a
member without the right 403), writes through the services, their errors shown on the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.actors import Actor
from cases.forms import apply_service_errors
from cases.models import AccessAction, Permission
from cases.panels import procedure_sections
from cases.selectors import case_get
from cases.services import access_log_record

from . import services
from .forms import (
    DeadlineCancelForm,
    DeadlineOverrideForm,
    DecisionForm,
    EventForm,
    FilingForm,
    HearingForm,
    ProcedureForm,
    ProcedureTransferForm,
    ReferralForm,
    service_error_on,
)
from .models import Filing, FilingStatus, LegalBasis
from .panels import UNFINISHED, mark_overdue, paginate_deadlines, procedure_chain
from .selectors import (
    deadline_get,
    deadline_list_for_user,
    decision_get,
    filing_eligibility,
    filing_get,
    filing_list,
    hearing_get,
    procedure_get,
    procedure_timeline,
    referral_get,
)


def _save_with(form, action, *, renames: dict[str, str] | None = None):
    """Run a service on a valid form; its ValidationErrors become form errors. Returns the result or None."""
    if not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, service_error_on(error, renames or {}))
        return None


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _procedure_form_page(request, procedure, form, title, **extra):
    return render(
        request,
        "procedures/record_form.html",
        {"form": form, "procedure": procedure, "case": procedure.case, "title": title, **extra},
    )


# --- Procedures ---------------------------------------------------------------------------------


@login_required
def procedure_create_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = ProcedureForm(request.POST or None, case=case)
    if request.method == "POST":
        procedure = _save_with(form, lambda data: services.procedure_create(user=request.user, case=case, **data))
        if procedure:
            messages.success(request, _("Procédure enregistrée."))
            return redirect("procedure_detail", procedure.pk)
    return render(request, "cases/record_form.html", {"form": form, "case": case, "title": _("Nouvelle procédure")})


def _filing_rows(procedure) -> list[Filing]:
    filings = list(filing_list(procedure))
    for filing in filings:
        snapshot = filing.eligibility_snapshot or {}
        filing.snapshot_applicable = snapshot.get("applicable_articles", [])
        filing.snapshot_articles = [
            (item.get("article"), item.get("applies")) for item in snapshot.get("assessments", [])
        ]
        filing.snapshot_computed_at = parse_datetime(snapshot.get("computed_at") or "")
        filing.snapshot_rules_version = snapshot.get("rules_version", "")
    return filings


def _decision_rows(procedure) -> list:
    decisions = list(procedure.decisions.order_by("decided_on", "pk"))
    for decision in decisions:
        decision.waiting = services.decision_waiting(decision)
    return decisions


@login_required
def procedure_detail_view(request, procedure_id):
    procedure, access = procedure_get(request.user, procedure_id)
    case = procedure.case
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=procedure, case_id=case.pk)
    chain = procedure_chain(procedure)
    context = {
        "procedure": procedure,
        "case": case,
        "access": access,
        "chain": chain,
        "victims": list(procedure.victims.order_by("pseudonym")),
        "suspects": list(procedure.suspects.order_by("name")),
        "offences": list(procedure.offences.order_by("article", "label")),
        "referrals": list(procedure.referrals.order_by("sent_on", "pk")),
        "filings": _filing_rows(procedure),
        "hearings": list(procedure.hearings.order_by("starts_at")),
        "decisions": _decision_rows(procedure),
        # Deadlines are the lead association's own work: a read-only share does not show them.
        "deadlines": []
        if access.via_share
        else mark_overdue(procedure.deadlines.own().select_related("owner"), timezone.localdate()),
        # Other parties' periods: information the association needs (art. 500, 505), not its tasks.
        "other_deadlines": [] if access.via_share else list(procedure.deadlines.others().order_by("due_on", "pk")),
        "unfinished": UNFINISHED,
        "timeline": list(procedure_timeline(procedure)),
        "sections": procedure_sections(request, procedure, access),
    }
    return render(request, "procedures/procedure_detail.html", context)


@login_required
def procedure_update_view(request, procedure_id):
    procedure, _access = procedure_get(request.user, procedure_id, require="change")
    form = ProcedureForm(request.POST or None, instance=procedure, case=procedure.case)
    if request.method == "POST" and _save_with(
        form, lambda data: services.procedure_update(user=request.user, procedure=procedure, **data)
    ):
        messages.success(request, _("Procédure modifiée."))
        return redirect("procedure_detail", procedure.pk)
    return _procedure_form_page(request, procedure, form, _("Modifier la procédure"))


@login_required
def procedure_transfer_view(request, procedure_id):
    procedure, _access = procedure_get(request.user, procedure_id, require="change")
    form = ProcedureTransferForm(request.POST or None, procedure=procedure)
    if request.method == "POST":
        successor = _save_with(
            form,
            lambda data: services.procedure_transfer(user=request.user, procedure=procedure, **data),
            renames={"transferred_from": "parquet", "opened_on": "transferred_on"},
        )
        if successor:
            messages.success(request, _("Dessaisissement enregistré."))
            return redirect("procedure_detail", successor.pk)
    return _procedure_form_page(request, procedure, form, _("Dessaisissement au profit d'un autre parquet"))


# --- Hearings, decisions, other steps -----------------------------------------------------------


@login_required
def hearing_add_view(request, procedure_id):
    procedure, _access = procedure_get(request.user, procedure_id, require="change")
    form = HearingForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and _save_with(
        form, lambda data: services.hearing_record(user=request.user, procedure=procedure, **data)
    ):
        messages.success(request, _("Audience enregistrée."))
        return redirect("procedure_detail", procedure.pk)
    return _procedure_form_page(request, procedure, form, _("Ajouter une audience"))


@login_required
def hearing_update_view(request, hearing_id):
    hearing, _access = hearing_get(request.user, hearing_id, require="change")
    procedure = hearing.procedure
    form = HearingForm(request.POST or None, instance=hearing, procedure=procedure)
    if request.method == "POST" and _save_with(
        form, lambda data: services.hearing_update(user=request.user, hearing=hearing, **data)
    ):
        messages.success(request, _("Audience modifiée."))
        return redirect("procedure_detail", procedure.pk)
    return _procedure_form_page(request, procedure, form, _("Modifier l'audience"))


@login_required
def decision_add_view(request, procedure_id):
    procedure, _access = procedure_get(request.user, procedure_id, require="change")
    form = DecisionForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and _save_with(
        form, lambda data: services.decision_record(user=request.user, procedure=procedure, **data)
    ):
        messages.success(request, _("Décision enregistrée ; les délais qu'elle ouvre sont calculés."))
        return redirect("procedure_detail", procedure.pk)
    return _procedure_form_page(request, procedure, form, _("Ajouter une décision"))


@login_required
def decision_update_view(request, decision_id):
    decision, _access = decision_get(request.user, decision_id, require="change")
    procedure = decision.procedure
    form = DecisionForm(request.POST or None, instance=decision, procedure=procedure)
    if request.method == "POST" and _save_with(
        form,
        lambda data: services.decision_update(user=request.user, decision=decision, **data),
    ):
        messages.success(request, _("Décision modifiée ; les délais qui en dépendaient sont ouverts."))
        return redirect("procedure_detail", procedure.pk)
    return _procedure_form_page(request, procedure, form, _("Modifier la décision"))


@login_required
def event_add_view(request, procedure_id):
    procedure, _access = procedure_get(request.user, procedure_id, require="change")
    form = EventForm(request.POST or None, procedure=procedure)
    if request.method == "POST" and _save_with(
        form,
        lambda data: services.event_record(user=request.user, case=procedure.case, procedure=procedure, **data),
    ):
        messages.success(request, _("Étape enregistrée."))
        return redirect("procedure_detail", procedure.pk)
    return _procedure_form_page(request, procedure, form, _("Ajouter une étape"))


# --- Civil-party filings ------------------------------------------------------------------------


def _filing_page(request, procedure, form, title, legal_basis, status=200):
    eligibility = filing_eligibility(procedure.case.association, procedure)
    return render(
        request,
        "procedures/filing_form.html",
        {
            "form": form,
            "procedure": procedure,
            "case": procedure.case,
            "title": title,
            **_eligibility_context(eligibility, legal_basis),
        },
        status=status,
    )


def _filing_errors_at_once(form, procedure, filing=None) -> bool:
    """The form's field errors and the service's cross-field objections together, in one pass.
    True when there is none."""
    if not form.is_valid() and not hasattr(form, "cleaned_data"):
        return False
    problems = services.filing_problems(procedure=procedure, filing=filing, **form.cleaned_data)
    for name, errors in problems.items():
        if name not in form.errors:
            form.add_error(name if name in form.fields else None, errors)
    return not form.errors


@login_required
def filing_add_view(request, procedure_id):
    procedure, _access = procedure_get(request.user, procedure_id, require="change")
    initial = {}
    if request.method != "POST":
        # The article the eligibility analysis retains is the one proposed (art. 2-2 to 2-22 CPP).
        applicable = filing_eligibility(procedure.case.association, procedure).applicable_articles
        initial["legal_basis"] = applicable[0] if applicable else LegalBasis.NONE
    form = FilingForm(request.POST if request.method == "POST" else None, procedure=procedure, initial=initial)
    if (
        request.method == "POST"
        and _filing_errors_at_once(form, procedure)
        and _save_with(form, lambda data: services.filing_submit(user=request.user, procedure=procedure, **data))
    ):
        messages.success(request, _("Constitution de partie civile enregistrée."))
        return redirect("procedure_detail", procedure.pk)
    legal_basis = request.POST.get("legal_basis") or form["legal_basis"].value() or ""
    status = 400 if request.method == "POST" else 200
    return _filing_page(request, procedure, form, _("Constitution de partie civile"), legal_basis, status=status)


@login_required
def filing_update_view(request, filing_id):
    filing, _access = filing_get(request.user, filing_id, require="change")
    procedure = filing.procedure
    draft = filing.status == FilingStatus.DRAFT
    form = FilingForm(request.POST or None, instance=filing, procedure=procedure)
    if (
        request.method == "POST"
        # A draft is checked as a new filing is (filing_update): every objection in one pass.
        and (not draft or _filing_errors_at_once(form, procedure, Filing.objects.get(pk=filing.pk)))
        and _save_with(form, lambda data: services.filing_update(user=request.user, filing=filing, **data))
    ):
        messages.success(request, _("Constitution de partie civile modifiée."))
        return redirect("procedure_detail", procedure.pk)
    legal_basis = form["legal_basis"].value() or ""
    status = 400 if request.method == "POST" else 200
    return _filing_page(
        request, procedure, form, _("Modifier la constitution de partie civile"), legal_basis, status=status
    )


def _eligibility_context(eligibility, legal_basis: str) -> dict:
    applicable = eligibility.applicable_articles
    chosen_unsupported = legal_basis not in {*applicable, LegalBasis.NONE, ""}
    return {
        "eligibility": eligibility,
        "legal_basis": legal_basis,
        # What filing_submit will ask for: a reason when no article applies or another is chosen.
        "reason_required": not applicable or (bool(legal_basis) and chosen_unsupported),
    }


@login_required
@require_GET
def filing_eligibility_view(request, procedure_id):
    """The eligibility explanation as an HTML fragment, for the filing form's live panel."""
    procedure, _access = procedure_get(request.user, procedure_id)
    eligibility = filing_eligibility(procedure.case.association, procedure)
    legal_basis = request.GET.get("legal_basis", "")
    return render(
        request,
        "procedures/_eligibility.html",
        {"procedure": procedure, **_eligibility_context(eligibility, legal_basis)},
    )


# --- Referrals ----------------------------------------------------------------------------------


@login_required
def referral_add_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = ReferralForm(request.POST or None, case=case)
    if request.method == "POST" and (
        saved := _save_with(form, lambda data: services.referral_record(user=request.user, case=case, **data))
    ):
        messages.success(request, _("Saisine enregistrée."))
        _say_deadlines_queued(request, saved)
        return redirect(reverse("case_detail", args=[case.pk]) + "#saisines")
    return render(request, "cases/record_form.html", {"form": form, "case": case, "title": _("Nouvelle saisine")})


def _say_deadlines_queued(request, referral) -> None:
    if getattr(referral, "deadlines_queued", False):
        messages.info(
            request,
            _(
                "Les délais de ses %(count)s procédures s'ouvrent en arrière-plan : ils figureront dans "
                "« Mes délais » d'ici quelques minutes."
            )
            % {"count": number_format(referral.procedures.count(), force_grouping=True)},
        )


@login_required
def referral_update_view(request, referral_id):
    referral, _access = referral_get(request.user, referral_id, require="change")
    case = referral.case
    form = ReferralForm(request.POST or None, instance=referral, case=case)
    if request.method == "POST" and (
        saved := _save_with(form, lambda data: services.referral_update(user=request.user, referral=referral, **data))
    ):
        messages.success(request, _("Saisine modifiée."))
        _say_deadlines_queued(request, saved)
        return redirect(reverse("case_detail", args=[case.pk]) + "#saisines")
    return render(request, "cases/record_form.html", {"form": form, "case": case, "title": _("Modifier la saisine")})


# --- Deadlines ----------------------------------------------------------------------------------

DEADLINE_PAGE_SIZE = 50


@login_required
def deadline_list_view(request):
    membership = request.membership or None
    if membership is None or not membership.has_permission(Permission.VIEW_CASES):
        raise PermissionDenied
    show_all = request.GET.get("tous") == "1"
    deadlines = deadline_list_for_user(
        request.user, association_id=membership.association_id, include_closed=show_all
    ).select_related("owner")
    # Paginated: after decisions, one open deadline per procedure of a 23,051-procedure case.
    page = paginate_deadlines(deadlines, request.GET.get("page"), DEADLINE_PAGE_SIZE)
    return render(
        request,
        "procedures/deadline_list.html",
        {
            "deadlines": mark_overdue(page.object_list, timezone.localdate()),
            "page": page,
            "show_all": show_all,
            "unfinished": UNFINISHED,
            "can_change": membership.has_permission(Permission.CHANGE_CASES),
        },
    )


@login_required
def deadline_detail_view(request, deadline_id):
    deadline, access = deadline_get(request.user, deadline_id)
    if access.via_share:
        # Deadlines are the lead association's work: a shared case does not show them.
        raise Http404
    access_log_record(
        actor=Actor.from_request(request), action=AccessAction.VIEW, obj=deadline.case, case_id=deadline.case_id
    )
    return render(
        request,
        "procedures/deadline_detail.html",
        {
            "deadline": deadline,
            "case": deadline.case,
            "access": access,
            "lines": deadline.explanation_lines,
            "unfinished": UNFINISHED,
        },
    )


def _deadline_fallback(deadline) -> str:
    if deadline.procedure_id:
        return reverse("procedure_detail", args=[deadline.procedure_id])
    return reverse("case_detail", args=[deadline.case_id]) + "#delais"


@login_required
@require_POST
def deadline_complete_view(request, deadline_id):
    deadline, _access = deadline_get(request.user, deadline_id, require="change")
    services.deadline_complete(user=request.user, deadline=deadline)
    messages.success(request, _("Délai marqué comme accompli."))
    return redirect(_next_or(request, _deadline_fallback(deadline)))


def _deadline_form_page(request, deadline, form, title):
    return render(
        request,
        "procedures/deadline_form.html",
        {"form": form, "deadline": deadline, "case": deadline.case, "title": title, "next": _next_or(request, "")},
    )


@login_required
def deadline_override_view(request, deadline_id):
    deadline, _access = deadline_get(request.user, deadline_id, require="change")
    form = DeadlineOverrideForm(request.POST or None, initial={"due_on": deadline.due_on})
    if request.method == "POST" and _save_with(
        form,
        lambda data: services.deadline_override(
            user=request.user, deadline=deadline, due_on=data["due_on"], reason=data["reason"]
        ),
        renames={"override_reason": "reason"},
    ):
        messages.success(request, _("Échéance modifiée."))
        return redirect(_next_or(request, _deadline_fallback(deadline)))
    return _deadline_form_page(request, deadline, form, _("Modifier l'échéance"))


@login_required
def deadline_cancel_view(request, deadline_id):
    deadline, _access = deadline_get(request.user, deadline_id, require="change")
    form = DeadlineCancelForm(request.POST or None)
    if request.method == "POST" and _save_with(
        form,
        lambda data: services.deadline_cancel(user=request.user, deadline=deadline, reason=data["reason"]),
        renames={"notes": "reason"},
    ):
        messages.success(request, _("Délai marqué sans objet."))
        return redirect(_next_or(request, _deadline_fallback(deadline)))
    return _deadline_form_page(request, deadline, form, _("Délai sans objet"))
