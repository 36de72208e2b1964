"""Pages of exports: the procedures (in the import's columns, so that the file re-imports into its
case unchanged) and the deadlines, as CSV or XLSX. Each case exported is written to the access log."""

from contextlib import nullcontext

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.actors import Actor
from cases.models import AccessAction, Case, Permission
from cases.selectors import case_get
from cases.services import access_log_record
from config.db_router import replica_iterable, replica_reads

from . import exports
from .selectors import deadline_list_for_user, procedure_list


def _export_membership(request):
    membership = request.membership or None
    if membership is None or not membership.has_permission(Permission.VIEW_CASES):
        raise PermissionDenied
    return membership


def log_export(request, case_ids) -> list[int]:
    """Logs the export of each case and returns their ids, read on the primary: the file's rows,
    read from the replica (export_response), are kept to these cases, so a file never holds a
    case that the log does not name or that the user has just lost."""
    logged = []
    for case in Case.objects.filter(pk__in=case_ids).only("pk"):
        access_log_record(actor=Actor.from_request(request), action=AccessAction.EXPORT, obj=case, case_id=case.pk)
        logged.append(case.pk)
    return logged


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def export_response(
    request, *, stem: str, headers: list[str], rows, extension: str, title: str, from_replica: bool = False
):
    """from_replica: the rows are read from the read replica when there is one (config/db_router.py),
    for the association-wide exports; a CSV is streamed, so its rows are read after the view returned."""
    if extension == "xlsx":
        with replica_reads() if from_replica else nullcontext():
            content = exports.xlsx_bytes(headers, rows, title=title)
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES["xlsx"])
    else:
        lines = exports.csv_lines(headers, replica_iterable(rows) if from_replica else rows)
        response = StreamingHttpResponse(lines, content_type=exports.CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, extension)}"'
    return response


@login_required
@require_GET
def procedure_export_view(request, extension):
    """The procedures of the cases the user sees under the active association (?affaire=ID for one
    case), in the import's columns: the file re-imports into its case and changes nothing."""
    membership = _export_membership(request)
    procedures = procedure_list(request.user, association_id=membership.association_id)
    case_id = request.GET.get("affaire")
    if case_id:
        case, _access = case_get(request.user, case_id, association_id=membership.association_id)
        procedures = procedures.filter(case=case)
    procedures = procedures.filter(case_id__in=log_export(request, procedures.values("case_id")))
    return export_response(
        request,
        stem="procedures",
        headers=exports.PROCEDURE_HEADERS,
        rows=exports.procedure_rows(procedures),
        extension=extension,
        title=_("Procédures"),
        from_replica=True,
    )


@login_required
@require_GET
def deadline_export_view(request, extension):
    """« Mes délais » (the user's deadlines; ?tous=1 adds the closed ones)."""
    membership = _export_membership(request)
    deadlines = deadline_list_for_user(
        request.user, association_id=membership.association_id, include_closed=request.GET.get("tous") == "1"
    )
    deadlines = deadlines.filter(case_id__in=log_export(request, deadlines.values("case_id")))
    return export_response(
        request,
        stem="delais",
        headers=exports.DEADLINE_HEADERS,
        rows=exports.deadline_rows(deadlines),
        extension=extension,
        title=_("Délais"),
        from_replica=True,
    )
