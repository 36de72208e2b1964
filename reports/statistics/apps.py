from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """The statistics of the associations: its own app (label `statistics`) with its migrations.
    Its tables kept the names they had inside `reports` (reports_statistics_*)."""

    name = "reports.statistics"
    label = "statistics"
    verbose_name = _("Statistiques")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from linking.signals import procedures_grouped
        from procedures.imports.signals import import_applied

        from .after_import import on_import_applied, on_procedures_grouped

        import_applied.connect(on_import_applied, dispatch_uid="statistics_after_import")
        procedures_grouped.connect(on_procedures_grouped, dispatch_uid="statistics_procedures_grouped")
