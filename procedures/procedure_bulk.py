"""Bulk actions on a case's procedure list: the selection (rows ticked, the whole page, or every
procedure the filters select) and the actions procedures owns: assign the open deadlines, export.
Dossiers are requested by reports (reports/procedure_dossiers.py): procedures does not know
dossiers exist (DESIGN.md).

« Attribuer » gives the selected procedures' open deadlines (the association's own, open or
missed) to one of the association's lawyers: a procedure has no responsible person of its own;
its deadlines have one, and that is what « Mes délais », the reminders and the team view follow."""

from __future__ import annotations

import logging

import pghistory
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.actors import Actor
from cases.models import AccessAction
from cases.selectors import access_require
from cases.services import access_log_record

from . import exports
from .models import Deadline, DeadlineStatus, Procedure
from .procedure_list import ProcedureListFilterForm, procedure_list_filter
from .saved_filters import filter_params_from_query

logger = logging.getLogger(__name__)

# Ticked rows come from one page (50) at a time; more ids than this is not a browser's form.
MAX_TICKED = 500


class Scope:
    TICKED = "selection"
    PAGE = "page"
    FILTER = "filtre"


class ProcedureSelectionForm(forms.Form):
    """Which procedures a bulk action applies to. Ids are checked against the case: one of another
    case (or unknown) is a form error (400), never acted on."""

    portee = forms.ChoiceField(
        label=gettext_lazy("Appliquer à"),
        choices=[
            (Scope.TICKED, gettext_lazy("Les procédures cochées")),
            (Scope.PAGE, gettext_lazy("Toutes les procédures de la page")),
            (Scope.FILTER, gettext_lazy("Toutes les procédures du filtre")),
        ],
        initial=Scope.TICKED,
        required=False,
        widget=forms.RadioSelect,
    )
    # Plain fields, read as lists: as choice fields they would list the case's 23,051 procedures.
    ids = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    page_ids = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    filtre_query = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.procedures = Procedure.objects.none()

    def _ids(self, name) -> list[int]:
        values = self.cleaned_data.get(name) or []
        if len(values) > MAX_TICKED:
            raise ValidationError(_("Trop de procédures cochées à la fois (%(max)s au plus).") % {"max": MAX_TICKED})
        try:
            return sorted({int(value) for value in values})
        except (TypeError, ValueError):
            raise ValidationError(_("Sélection invalide.")) from None

    def clean_ids(self):
        return self._ids("ids")

    def clean_page_ids(self):
        return self._ids("page_ids")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        scope = data.get("portee") or Scope.TICKED
        if scope == Scope.FILTER:
            try:
                params = filter_params_from_query(data.get("filtre_query") or "", case=self.case)
            except ValidationError as error:
                raise ValidationError([_("Le filtre de la liste est invalide."), *error.messages]) from error
            form = ProcedureListFilterForm(params, case=self.case)
            form.is_valid()  # checked just above
            self.procedures = procedure_list_filter(
                Procedure.objects.filter(case=self.case), form.cleaned_data, case=self.case
            )
            return data
        ids = data["page_ids"] if scope == Scope.PAGE else data["ids"]
        if not ids:
            raise ValidationError(_("Cochez au moins une procédure, ou choisissez toute la page ou tout le filtre."))
        found = set(Procedure.objects.filter(case=self.case, pk__in=ids).values_list("pk", flat=True))
        outside = len(set(ids) - found)
        if outside:
            raise ValidationError(
                ngettext(
                    "%(count)s procédure choisie n'appartient pas à cette affaire : rien n'a été fait.",
                    "%(count)s procédures choisies n'appartiennent pas à cette affaire : rien n'a été fait.",
                    outside,
                )
                % {"count": outside}
            )
        self.procedures = Procedure.objects.filter(case=self.case, pk__in=ids)
        return data


def _in_case(case, procedures: QuerySet[Procedure]) -> QuerySet[Procedure]:
    # The selection came through the form; the service still never leaves the case.
    return procedures.filter(case=case)


@transaction.atomic
def procedures_assign(*, actor: Actor, case, procedures: QuerySet[Procedure], owner) -> tuple[int, int]:
    """Give the open deadlines of the selected procedures to one lawyer of the case's association.
    Who may: those who may change the case (its association's lawyers). Returns (procedures,
    deadlines reassigned). The change is in the deadlines' history with who made it."""
    user = actor.user
    access = access_require(user, case, require="change")
    if access.via_share:
        raise PermissionDenied
    from .selectors import deadline_team_owners

    if owner is None or not deadline_team_owners(association_id=case.association_id).filter(pk=owner.pk).exists():
        raise ValidationError({"responsable": _("Choisissez un·e avocat·e de l'association.")})
    procedures = _in_case(case, procedures)
    deadlines = Deadline.objects.own().filter(
        case=case,
        association_id=case.association_id,
        procedure__in=procedures.values("pk"),
        status__in=(DeadlineStatus.OPEN, DeadlineStatus.MISSED),
    )
    with pghistory.context(reason="procedures_assign", by=user.pk):
        changed = deadlines.exclude(owner=owner).update(owner=owner)
    count = procedures.count()
    logger.info(
        "user %s assigned the open deadlines of %s procedures of case %s to user %s (%s changed)",
        user.pk,
        count,
        case.pk,
        owner.pk,
        changed,
    )
    return count, changed


def procedures_export(*, actor: Actor, case, procedures: QuerySet[Procedure]):
    """The selected procedures as the export's rows (the import's columns, exports.py: BOM, `;`,
    CRLF, formulas made inert). Who may: whoever reads the case; the export is in the access log."""
    access_require(actor.user, case, require="view")
    access_log_record(actor=actor, action=AccessAction.EXPORT, obj=case, case_id=case.pk)
    logger.info("user %s exported a selection of procedures of case %s", actor.user.pk, case.pk)
    return exports.procedure_rows(_in_case(case, procedures))
