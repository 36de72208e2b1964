"""Pages of imports and exports. Upload → dry-run report (what would be created, updated, left
unchanged, every rejected line) → « Appliquer » queues the Celery job → job page with a progress
bar. The dry run of a small file is done during the upload; that of a large one (more than
imports.SYNC_MAX_ROWS rows) is a Celery job too, followed on the same page. Tenancy through
case_get: an outsider gets 404, a member who may not write (staff) 403."""

from contextlib import nullcontext

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.actors import Actor
from cases.models import AccessAction, Case, Permission
from cases.selectors import case_get
from cases.services import access_log_record
from config.db_router import replica_iterable, replica_reads

from . import exports
from .import_tasks import queue_import
from .imports import (
    MAX_FILE_BYTES,
    import_job_apply,
    import_job_create,
    import_job_execute,
    import_job_resume,
    import_job_runs_in_background,
    limits,
)
from .selectors import deadline_list_for_user, import_job_get, procedure_list

RECENT_JOBS = 10


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"),
        help_text=gettext_lazy(
            "Colonnes : parquet, numéro de parquet, ouverte le, infractions, plateforme, victimes, stade, issue."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("Fichier trop volumineux (%(max)s Mo au plus).") % {"max": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


@login_required
def import_upload_view(request, case_id):
    case, _access = case_get(request.user, case_id, require="change")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(user=request.user, case=case, data=upload.read(), name=upload.name)
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            if import_job_runs_in_background(job):
                # Reading and checking tens of thousands of rows would hold the web process.
                queue_import(job)
                messages.info(request, _("Simulation confiée aux workers : la page suit son avancement."))
            else:
                import_job_execute(job.pk)
            return redirect("import_job", job.pk)
    jobs = case.import_jobs.select_related("uploaded_by").order_by("-created_at", "-pk")[:RECENT_JOBS]
    return render(
        request,
        "procedures/imports/upload.html",
        {
            "case": case,
            "form": form,
            "jobs": jobs,
            "max_rows": limits.MAX_ROWS,
            "max_megabytes": limits.MAX_FILE_BYTES // limits.MIB,
            "sync_max_rows": limits.SYNC_MAX_ROWS,
        },
    )


@login_required
@require_GET
def import_job_view(request, job_id):
    job, case = import_job_get(request.user, job_id)
    samples = (job.report or {}).get("samples") or {}
    return render(
        request,
        "procedures/imports/job.html",
        {
            "job": job,
            "case": case,
            "samples": samples,
            "rejected_rows": sorted(job.rejected_rows or [], key=lambda entry: entry.get("line", 0)),
            "rejected_not_shown": max(job.rejected_count - len(job.rejected_rows or []), 0),
            "applications": job.applications.order_by("-created_at") if job.dry_run else [],
        },
    )


@login_required
@require_GET
def import_job_status_view(request, job_id):
    """The small JSON the progress bar polls every second."""
    job, _case = import_job_get(request.user, job_id)
    return JsonResponse(job.progress_dict())


def _queue_job(request, job_id, service, success_message):
    """Apply or resume: the service checks the job's state; the job is then handed to the workers."""
    job, _case = import_job_get(request.user, job_id)
    try:
        job = service(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_job", job.pk)
    queue_import(job)
    messages.success(request, success_message)
    return redirect("import_job", job.pk)


@login_required
@require_POST
def import_job_apply_view(request, job_id):
    return _queue_job(request, job_id, import_job_apply, _("Import lancé : la page suit son avancement."))


@login_required
@require_POST
def import_job_resume_view(request, job_id):
    return _queue_job(request, job_id, import_job_resume, _("Import repris après le dernier lot enregistré."))


# --- Exports -------------------------------------------------------------------------------------


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
