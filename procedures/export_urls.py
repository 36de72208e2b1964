"""Pages of exports; included at the site root, like procedures/urls.py."""

from django.urls import path

from . import export_views

urlpatterns = [
    path(
        "procedures/export.csv", export_views.procedure_export_view, {"extension": "csv"}, name="procedure_export_csv"
    ),
    path(
        "procedures/export.xlsx",
        export_views.procedure_export_view,
        {"extension": "xlsx"},
        name="procedure_export_xlsx",
    ),
    path("delais/export.csv", export_views.deadline_export_view, {"extension": "csv"}, name="deadline_export_csv"),
    path("delais/export.xlsx", export_views.deadline_export_view, {"extension": "xlsx"}, name="deadline_export_xlsx"),
]
