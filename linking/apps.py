from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkingConfig(AppConfig):
    name = "linking"
    verbose_name = _("Rapprochements")

    def ready(self):
        from cases.signals import parties_saved
        from procedures.imports import signals as import_signals

        from .receivers import on_import_persons_written, on_parties_saved

        parties_saved.connect(on_parties_saved, dispatch_uid="linking_parties_saved")
        import_signals.import_persons_written.connect(on_import_persons_written, dispatch_uid="linking_import_persons")
