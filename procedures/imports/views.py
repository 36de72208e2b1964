"""Pages of imports. Upload → dry-run report (what would be created, updated, left
unchanged, every rejected line) → « Appliquer » queues the Celery job → job page with a progress
bar. The dry run of a small file is done during the upload; that of a large one (more than
imports.SYNC_MAX_ROWS rows) is a Celery job too, followed on the same page. Tenancy through
case_get: an outsider gets 404, a member who may not write (staff) 403."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.selectors import case_get

from ..selectors import import_job_get
from . import limits
from .jobs import (
    import_job_apply,
    import_job_create,
    import_job_execute,
    import_job_resume,
    import_job_runs_in_background,
)
from .limits import MAX_FILE_BYTES
from .tasks import queue_import

RECENT_JOBS = 10


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV ou XLSX"),
        help_text=gettext_lazy(
            "Colonnes : parquet, numéro de parquet, ouverte le, infractions, plateforme, victimes, mis en cause, "
            "stade, issue."
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
