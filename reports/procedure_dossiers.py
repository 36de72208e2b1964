"""« Demander les dossiers » on a case's procedure list: one procedure dossier per selected
procedure (DossierScope.PROCEDURE), each through services.dossier_request, so each is checked,
logged (PRINT) and queued like a dossier asked from its procedure's page. It lives in reports:
procedures never imports reports (DESIGN.md); the list's form posts here (formaction)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cases.actors import Actor
from cases.selectors import access_require, case_get
from procedures.procedure_list_views import (
    list_url,
    posted_list_data,
    posted_list_query,
    render_list,
    selection_or_errors,
)

from .models import DossierScope
from .services import dossier_request

logger = logging.getLogger(__name__)

# Each dossier is a render on a worker: twenty at once keeps the queue fair for the others.
MAX_PROCEDURE_DOSSIERS = 20


@transaction.atomic
def procedure_dossiers_request(*, actor: Actor, case, procedures, recipient: str) -> list:
    """A procedure dossier for each selected procedure of the case (at most
    MAX_PROCEDURE_DOSSIERS); all or none. Who may: those who may print the case."""
    access_require(actor.user, case, require="print")
    procedures = list(procedures.filter(case=case).order_by("opened_on", "pk")[: MAX_PROCEDURE_DOSSIERS + 1])
    if not procedures:
        raise ValidationError(_("Aucune procédure choisie."))
    if len(procedures) > MAX_PROCEDURE_DOSSIERS:
        raise ValidationError(
            _("Au plus %(max)s dossiers à la fois : affinez la sélection, ou demandez le dossier de l'affaire entière.")
            % {"max": MAX_PROCEDURE_DOSSIERS}
        )
    dossiers = [
        dossier_request(actor=actor, case=case, recipient=recipient, scope=DossierScope.PROCEDURE, procedure=procedure)
        for procedure in procedures
    ]
    logger.info("user %s requested %s procedure dossiers of case %s", actor.user.pk, len(dossiers), case.pk)
    return dossiers


@login_required
@require_POST
def procedure_dossiers_request_view(request, case_id):
    case, access = case_get(request.user, case_id, require="print")
    selection, errors = selection_or_errors(request, case)
    if errors:
        return render_list(request, case, access, status=400, bulk_errors=errors, data=posted_list_data(request))
    recipient = (request.POST.get("recipient") or "").strip()[:200] or _("Usage interne")
    try:
        dossiers = procedure_dossiers_request(
            actor=Actor.from_request(request), case=case, procedures=selection.procedures, recipient=recipient
        )
    except ValidationError as error:
        return render_list(
            request, case, access, status=400, bulk_errors=list(error.messages), data=posted_list_data(request)
        )
    messages.success(
        request,
        ngettext(
            "%(count)s dossier de procédure demandé : il apparaît dans l'onglet Dossiers de l'affaire.",
            "%(count)s dossiers de procédure demandés : ils apparaissent dans l'onglet Dossiers de l'affaire.",
            len(dossiers),
        )
        % {"count": len(dossiers)},
    )
    return HttpResponseRedirect(list_url(case, posted_list_query(request)))
