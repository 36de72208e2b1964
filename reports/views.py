"""Pages of dossiers. Thin: permissions through the selectors (404 outside the association, 403
for a member without the right), writes through the services."""

import hashlib
import io
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.actors import Actor
from cases.forms import apply_service_errors
from cases.models import AccessAction
from cases.selectors import case_get
from cases.services import access_log_record
from procedures.selectors import hearing_get, procedure_get

from . import rpva, services
from .content import section_label
from .estimate import default_sections, dossier_estimate, pages_per_second
from .forms import DossierRequestForm
from .models import Dossier, DossierScope, DossierStatus, Section, ordered_sections
from .selectors import dossier_get, dossier_require_download, preset_get, preset_list


@login_required
def dossier_request_view(request, case_id):
    case, access = case_get(request.user, case_id, require="print")
    association = services.acting_association(request.user, case, access)
    presets = preset_list(request.user).filter(association=association)
    initial = {"sections": default_sections(case)}
    chosen = request.GET.get("preset")
    if chosen:
        preset = preset_get(request.user, chosen)
        if preset.association_id == association.pk:
            initial = {"preset": preset.pk, "sections": preset.sections}
    form = DossierRequestForm(
        request.POST or None, initial=initial, presets=presets, can_reveal=access.can_reveal_identity
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                preset = data["preset"]
                if data.get("save_as"):
                    preset = services.preset_save(
                        user=request.user, association=association, name=data["save_as"], sections=data["sections"]
                    )
                dossier = services.dossier_request(
                    user=request.user,
                    case=case,
                    recipient=data["recipient"],
                    sections=data["sections"] or None,
                    preset=preset,
                    reveal_identities=data.get("reveal_identities", False),
                    actor=Actor.from_request(request),
                )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Dossier demandé : il s'affiche ici dès qu'il est prêt."))
            return redirect("dossier_detail", dossier.pk)
    preset_sections = {str(preset.pk): preset.sections for preset in presets}
    # Said before the request is confirmed: for the sections ticked (or the default ones).
    ticked = [key for key in form["sections"].value() or [] if key in Section.values] if form.is_bound else None
    estimate = dossier_estimate(case, ticked or None)
    return render(
        request,
        "reports/dossier_form.html",
        {
            "case": case,
            "access": access,
            "association": association,
            "form": form,
            "presets": presets,
            "preset_sections_json": json.dumps(preset_sections),
            "estimate": estimate,
            "estimate_json": json.dumps({"pages": estimate.per_section, "pages_per_second": pages_per_second()}),
        },
    )


def _status(dossier: Dossier) -> dict:
    done = dossier.status == DossierStatus.DONE
    return {
        "id": dossier.pk,
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
        "progress": dossier.progress,
        "finished": dossier.is_finished,
        "error": dossier.error,
        "pages": dossier.pages,
        "size": dossier.size,
        "sha256": dossier.sha256,
        "duration_seconds": round(dossier.duration.total_seconds(), 2) if dossier.duration else None,
        "download_url": reverse("dossier_download", args=[dossier.pk]) if done else None,
    }


@login_required
def dossier_detail_view(request, dossier_id):
    dossier, access = dossier_get(request.user, dossier_id)
    # The page is a read of the dossier (its recipient, its fingerprint); the JSON it polls is not logged.
    access_log_record(actor=Actor.from_request(request), action=AccessAction.VIEW, obj=dossier, case_id=dossier.case_id)
    can_download = access.can_print and (access.can_reveal_identity or not dossier.reveal_identities)
    done = dossier.status == DossierStatus.DONE and dossier.file
    return render(
        request,
        "reports/dossier_detail.html",
        {
            "dossier": dossier,
            "case": dossier.case,
            "access": access,
            "can_download": can_download,
            "section_labels": [section_label(key) for key in ordered_sections(dossier.sections)],
            "status": _status(dossier),
            "rpva_parts": rpva.dossier_parts(dossier) if done and can_download else [],
            "rpva_max_bytes": rpva.max_bytes(),
            "estimate": None
            if dossier.is_finished
            else dossier_estimate(dossier.case, dossier.sections, scope=dossier.scope),
        },
    )


@login_required
@require_GET
def dossier_status_view(request, dossier_id):
    """What the page polls (static/reports/dossier.js) while the dossier renders."""
    dossier, _access = dossier_get(request.user, dossier_id)
    response = JsonResponse(_status(dossier))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def dossier_download_view(request, dossier_id):
    dossier, access = dossier_get(request.user, dossier_id)
    dossier_require_download(request.user, dossier, access)
    if dossier.status != DossierStatus.DONE or not dossier.file:
        raise Http404
    services.dossier_download_log(actor=Actor.from_request(request), dossier=dossier)
    response = FileResponse(dossier.file.open("rb"), as_attachment=True, filename=dossier.download_name)
    response["Content-Type"] = "application/pdf"
    response["Digest"] = f"sha-256={dossier.sha256}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def dossier_download_part_view(request, dossier_id, part):
    """One numbered part of a dossier too large for an RPVA message: same rights and same log
    line as the whole; part 1 of a dossier that fits is the whole file."""
    dossier, access = dossier_get(request.user, dossier_id)
    dossier_require_download(request.user, dossier, access)
    if dossier.status != DossierStatus.DONE or not dossier.file:
        raise Http404
    parts = rpva.dossier_parts(dossier)
    if not parts and part == 1:
        return redirect("dossier_download", dossier.pk)
    if not 1 <= part <= len(parts):
        raise Http404
    chosen = parts[part - 1]
    pdf = rpva.part_pdf(dossier, chosen)
    services.dossier_download_log(actor=Actor.from_request(request), dossier=dossier)
    name = dossier.download_name.removesuffix(".pdf") + f"-partie-{chosen.number}-sur-{chosen.count}.pdf"
    response = FileResponse(io.BytesIO(pdf), as_attachment=True, filename=name)
    response["Content-Type"] = "application/pdf"
    response["Digest"] = f"sha-256={hashlib.sha256(pdf).hexdigest()}"
    response["Cache-Control"] = "private, no-store"
    return response


def _one_click(request, *, case, scope, procedure, hearing, recipient):
    try:
        dossier = services.dossier_request(
            actor=Actor.from_request(request),
            case=case,
            recipient=recipient,
            scope=scope,
            procedure=procedure,
            hearing=hearing,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("procedure_detail", procedure.pk)
    messages.success(request, _("Dossier demandé : il s'affiche ici dès qu'il est prêt."))
    return redirect("dossier_detail", dossier.pk)


@login_required
@require_POST
def hearing_dossier_request_view(request, hearing_id):
    """One click from a hearing (home panel, procedure page): the dossier of its procedure, with
    the hearing on the cover; pseudonyms only."""
    hearing, _access = hearing_get(request.user, hearing_id, require="print")
    recipient = request.POST.get("recipient") or _("Audience du %(date)s — %(court)s") % {
        "date": date_format(timezone.localtime(hearing.starts_at), "d/m/Y H:i"),
        "court": hearing.court,
    }
    return _one_click(
        request,
        case=hearing.procedure.case,
        scope=DossierScope.HEARING,
        procedure=hearing.procedure,
        hearing=hearing,
        recipient=recipient[:200],
    )


@login_required
@require_POST
def procedure_dossier_request_view(request, procedure_id):
    """One click from the procedure page: the dossier of this procedure only; pseudonyms only."""
    procedure, _access = procedure_get(request.user, procedure_id, require="print")
    recipient = request.POST.get("recipient") or _("Usage interne")
    return _one_click(
        request,
        case=procedure.case,
        scope=DossierScope.PROCEDURE,
        procedure=procedure,
        hearing=None,
        recipient=recipient[:200],
    )


@login_required
@require_POST
def dossier_retry_view(request, dossier_id):
    """« Relancer » a failed dossier."""
    dossier, _access = dossier_get(request.user, dossier_id)
    try:
        services.dossier_retry(actor=Actor.from_request(request), dossier=dossier)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dossier relancé."))
    return redirect("dossier_detail", dossier.pk)


@login_required
@require_POST
def preset_delete_view(request, preset_id):
    preset = preset_get(request.user, preset_id)
    services.preset_delete(user=request.user, preset=preset)
    messages.success(request, _("Modèle « %(name)s » supprimé.") % {"name": preset.name})
    target = request.POST.get("case")
    if target and target.isdigit():
        return redirect("dossier_request", int(target))
    return redirect("home")
