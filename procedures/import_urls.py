"""Pages of imports and exports; included at the site root, like procedures/urls.py."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("affaires/<int:case_id>/import/", import_views.import_upload_view, name="procedure_import"),
    path("imports/<int:job_id>/", import_views.import_job_view, name="import_job"),
    path("imports/<int:job_id>/etat/", import_views.import_job_status_view, name="import_job_status"),
    path("imports/<int:job_id>/appliquer/", import_views.import_job_apply_view, name="import_job_apply"),
    path("imports/<int:job_id>/reprendre/", import_views.import_job_resume_view, name="import_job_resume"),
    path(
        "procedures/export.csv", import_views.procedure_export_view, {"extension": "csv"}, name="procedure_export_csv"
    ),
    path(
        "procedures/export.xlsx",
        import_views.procedure_export_view,
        {"extension": "xlsx"},
        name="procedure_export_xlsx",
    ),
    path("delais/export.csv", import_views.deadline_export_view, {"extension": "csv"}, name="deadline_export_csv"),
    path("delais/export.xlsx", import_views.deadline_export_view, {"extension": "xlsx"}, name="deadline_export_xlsx"),
]
