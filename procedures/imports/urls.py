"""Pages of imports; included at the site root, like procedures/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("affaires/<int:case_id>/import/", views.import_upload_view, name="procedure_import"),
    path("imports/<int:job_id>/", views.import_job_view, name="import_job"),
    path("imports/<int:job_id>/etat/", views.import_job_status_view, name="import_job_status"),
    path("imports/<int:job_id>/appliquer/", views.import_job_apply_view, name="import_job_apply"),
    path("imports/<int:job_id>/reprendre/", views.import_job_resume_view, name="import_job_resume"),
]
