from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Dossiers et statistiques")

    def ready(self):
        from procedures.imports.signals import import_applied

        from .statistics.after_import import on_import_applied

        import_applied.connect(on_import_applied, dispatch_uid="statistics_after_import")
