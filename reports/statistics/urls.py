"""Pages of statistics; included at the site root (config/urls.py) before cases.urls."""

from django.urls import path

from . import views

urlpatterns = [
    path("statistiques/", views.dashboard_view, name="statistics_dashboard"),
    path("statistiques/export/<slug:chart>.csv", views.export_csv_view, name="statistics_export"),
    path("statistiques/procedures/", views.procedure_list_view, name="statistics_procedures"),
    path("statistiques/calculer/", views.run_view, name="statistics_run"),
    path("statistiques/publications/", views.publication_list_view, name="statistics_publications"),
    path(
        "statistiques/publications/<int:publication_id>/",
        views.publication_detail_view,
        name="statistics_publication",
    ),
    path("statistiques/rapports/", views.report_request_view, name="statistics_report_request"),
    path("statistiques/rapports/<int:report_id>/", views.report_detail_view, name="statistics_report"),
    path("statistiques/rapports/<int:report_id>/etat/", views.report_status_view, name="statistics_report_status"),
    path(
        "statistiques/rapports/<int:report_id>/telecharger/",
        views.report_download_view,
        name="statistics_report_download",
    ),
]
