"""linking follows the parties other apps save, through their signals (they never import it)."""

from django.db import transaction

from cases.models import Suspect, Victim
from config.jobs import dispatch

from .services import person_sync_suspect, person_sync_victim

TASK = "linking.persons_arrive"


def _queue(case_id: int, suspect_ids, victim_ids) -> None:
    args = [case_id, sorted(suspect_ids), sorted(victim_ids)]
    transaction.on_commit(lambda: dispatch(TASK, args))


def on_parties_saved(sender, *, case_id: int, suspect_ids=(), victim_ids=(), **kwargs) -> None:
    """A party entered, changed or erased: its person now, in the same transaction (an erased
    identity must not outlive itself here), its candidates in the background."""
    for suspect in Suspect.objects.filter(pk__in=list(suspect_ids)).select_related("case"):
        person_sync_suspect(suspect)
    for victim in Victim.objects.filter(pk__in=list(victim_ids)).select_related("case"):
        person_sync_victim(victim)
    _queue(case_id, suspect_ids, victim_ids)


def on_import_persons_written(sender, *, case_id: int, suspect_ids=(), victim_ids=(), **kwargs) -> None:
    """An import's new suspects and victims: persons and candidates in one background task, so
    the import writes its rows at its own pace."""
    if suspect_ids or victim_ids:
        _queue(case_id, suspect_ids, victim_ids)
