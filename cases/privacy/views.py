"""Pages of a victim's rights: the export (art. 15) and the erasure with its confirmation step
(art. 17). Thin: the services check who may (a lawyer of the association holding the case; 404
for anyone else) and write the access log."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from ..actors import Actor
from .victims import victim_erase, victim_export, victim_get_for_rights


@login_required
@never_cache
@require_GET
def victim_export_view(request, case_id, victim_id):
    victim = victim_get_for_rights(user=request.user, case_id=case_id, victim_id=victim_id)
    data = victim_export(
        user=request.user,
        association=victim.case.association,
        victim_id=victim.pk,
        origin=Actor.from_request(request).origin,
    )
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="victime-{victim.pseudonym}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def victim_erase_view(request, case_id, victim_id):
    victim = victim_get_for_rights(user=request.user, case_id=case_id, victim_id=victim_id)
    error = ""
    if request.method == "POST":
        try:
            victim_erase(
                user=request.user,
                association=victim.case.association,
                victim_id=victim.pk,
                confirmation=request.POST.get("confirmation", ""),
                origin=Actor.from_request(request).origin,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Identité de la victime %(pseudonym)s effacée.") % {"pseudonym": victim.pseudonym}
            )
            return redirect("case_detail", case_id)
    return render(
        request, "cases/privacy/victim_erase_confirm.html", {"case": victim.case, "victim": victim, "error": error}
    )
