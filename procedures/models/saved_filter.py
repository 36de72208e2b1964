"""A lawyer's saved searches on a case's procedure list (« Enregistrer ce filtre »)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Association, Case


class SavedFilter(models.Model):
    """The filters of a case's procedure list kept under a name, for one user and one case. The
    stored parameters are never trusted: applying one passes them through the list's filter form
    again (procedures.procedure_list.ProcedureListFilterForm)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("utilisateur")
    )
    # Copied from the case: a saved filter follows its case's tenancy without a join.
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+", editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("affaire"))
    name = models.CharField(_("nom"), max_length=80)
    params = models.JSONField(
        _("filtres"), default=dict, help_text=_("Les paramètres de la liste des procédures, validés à chaque usage.")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("filtre enregistré")
        verbose_name_plural = _("filtres enregistrés")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "case", "name"],
                name="saved_filter_unique_name",
                violation_error_code="unique",
                violation_error_message=_("Vous avez déjà un filtre de ce nom pour cette affaire."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.association_id = self.case.association_id
        super().save(*args, **kwargs)
