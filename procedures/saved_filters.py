"""Saved filters of a case's procedure list: one user's named searches on one case.

Stored parameters are data a user typed into a URL once: applying a saved filter passes them
through ProcedureListFilterForm again, so a parquet that left the case or a stage that no longer
exists is a form error, never a crash and never a way around the filters' own checks."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from cases.selectors import access_require

from .models import SavedFilter
from .procedure_list import ProcedureListFilterForm

logger = logging.getLogger(__name__)

# A list of saved searches, not an archive: the links must fit beside the filters.
MAX_SAVED_FILTERS = 30
# The list's own paging and the form's bookkeeping are not part of what a filter selects.
NOT_SAVED = {"page", "filtre", "csrfmiddlewaretoken"}


def filter_params_from_query(querystring: str, *, case) -> dict[str, str]:
    """The filters of a list URL's query string, checked by the list's form: {name: value} of the
    known, non-empty fields. A bad value raises ValidationError with the form's French message."""
    data = QueryDict(querystring or "", mutable=True)
    for name in NOT_SAVED:
        data.pop(name, None)
    form = ProcedureListFilterForm(data, case=case)
    if not form.is_valid():
        messages = [f"{form.fields[name].label} : {' '.join(errors)}" for name, errors in form.errors.items()]
        raise ValidationError(messages)
    return {name: data[name] for name in form.fields if name not in NOT_SAVED and data.get(name)}


def saved_filter_list(*, user, case) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(owner=user, case=case).order_by("name", "pk"))


def saved_filter_get(*, user, case, filter_id) -> SavedFilter:
    """The user's own saved filter on this case; anyone else's, or an unknown id, is a 404."""
    try:
        return SavedFilter.objects.get(pk=int(filter_id), owner=user, case=case)
    except (SavedFilter.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@transaction.atomic
def saved_filter_create(*, user, case, name: str, querystring: str) -> SavedFilter:
    """Save the list's current filters under a name, for this user and this case."""
    access_require(user, case, require="view")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom au filtre.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Le nom d'un filtre tient en 80 caractères.")})
    try:
        params = filter_params_from_query(querystring, case=case)
    except ValidationError as error:
        raise ValidationError({"params": error.messages}) from error
    if not params:
        raise ValidationError({"params": _("Choisissez au moins un filtre ou un tri avant de l'enregistrer.")})
    if SavedFilter.objects.filter(owner=user, case=case).count() >= MAX_SAVED_FILTERS:
        raise ValidationError(
            {
                "name": _("Vous avez déjà %(max)s filtres sur cette affaire : supprimez-en un.")
                % {"max": MAX_SAVED_FILTERS}
            }
        )
    saved = SavedFilter(owner=user, case=case, association_id=case.association_id, name=name, params=params)
    saved.full_clean()
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError as error:
        raise ValidationError({"name": _("Vous avez déjà un filtre de ce nom pour cette affaire.")}) from error
    logger.info("saved filter %s created by user %s on case %s", saved.pk, user.pk, case.pk)
    return saved


@transaction.atomic
def saved_filter_delete(*, user, case, filter_id) -> None:
    access_require(user, case, require="view")
    saved = saved_filter_get(user=user, case=case, filter_id=filter_id)
    saved.delete()
    logger.info("saved filter %s deleted by user %s on case %s", filter_id, user.pk, case.pk)


def saved_filter_data(saved: SavedFilter, *, page=None) -> QueryDict:
    """The stored filters as the list's GET data (strings only, unknown names dropped), to be
    validated by the list's form like any query string."""
    data = QueryDict(mutable=True)
    params = saved.params if isinstance(saved.params, dict) else {}
    for name in ProcedureListFilterForm.base_fields:
        value = params.get(name)
        if name not in NOT_SAVED and isinstance(value, str | int | bool) and str(value):
            data[name] = str(value)
    if page:
        data["page"] = page
    return data
