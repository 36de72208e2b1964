"""The search of an association's persons as a background job whose row is the source of truth
(config/jobs.py): requested from the review page, run by the `statistics` queue's workers (it is
heavy like them), sent again by the sweeper when its message was lost or its worker died, and
safe to run twice (the claim is a conditional UPDATE; proposals skip the pairs already there)."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Permission
from cases.selectors import membership_require
from config.jobs import JobKind, dispatch, queued_grace

from . import services
from .duplicates import duplicates_propose
from .models import LinkingRun, RunStatus

logger = logging.getLogger(__name__)
TASK = "linking.run"
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3

KINDS = [
    JobKind(
        "linking",
        "Rapprochements",
        "statistics",
        lambda: LinkingRun.objects.filter(status=RunStatus.QUEUED),
        "created_at",
    )
]


def linking_run_request(*, user, association_id: int) -> LinkingRun:
    """The association's search, queued once: asked again while one waits or runs, the same."""
    membership_require(user, association_id, Permission.CHANGE_CASES)
    unfinished = LinkingRun.objects.filter(
        association_id=association_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    )
    run = unfinished.first()
    if run is not None:
        return run
    try:
        with transaction.atomic():
            run = LinkingRun.objects.create(association_id=association_id, requested_by=user)
    except IntegrityError:  # asked twice at once: the other request's row
        return unfinished.get()
    transaction.on_commit(lambda: _send(run.pk))
    return run


def _send(run_id: int) -> None:
    LinkingRun.objects.filter(pk=run_id).update(sent_at=timezone.now())
    dispatch(TASK, [run_id])


def linking_run_execute(*, run_id: int) -> LinkingRun | None:
    """The task's body: persons in step with the suspects and victims, the engine's proposals, the
    clusters. Does nothing if the run is not queued (a second delivery, a finished run)."""
    now = timezone.now()
    if not LinkingRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, attempt=F("attempt") + 1, heartbeat_at=now, progress=1
    ):
        return None
    run = LinkingRun.objects.get(pk=run_id)
    mine = LinkingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempt=run.attempt)

    def progress(percent: int) -> None:
        mine.update(progress=percent, heartbeat_at=timezone.now())

    try:
        cases = list(Case.objects.filter(association_id=run.association_id).order_by("pk"))
        persons = 0
        for index, case in enumerate(cases, start=1):
            persons += services.persons_sync_case(case)
            progress(1 + 49 * index // max(len(cases), 1))
        proposed = services.candidates_propose(association_id=run.association_id)
        progress(80)
        duplicates = duplicates_propose(association_id=run.association_id)
        progress(90)
        changed = services.clusters_rebuild(association_id=run.association_id)
    except Exception as error:  # the reason on the row; the page offers to try again
        logger.exception("Recherche de rapprochements n° %s en échec", run.pk)
        mine.update(
            status=RunStatus.FAILED,
            error=_("La recherche a échoué (%(kind)s) : relancez-la ; si l'échec revient, signalez-le.")
            % {"kind": type(error).__name__},
            finished_at=timezone.now(),
        )
        return run
    mine.update(
        status=RunStatus.DONE,
        progress=100,
        result={
            "persons": persons,
            "proposed": proposed,
            "duplicate_procedures": duplicates,
            "memberships_changed": changed,
        },
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    run.refresh_from_db()
    return run


def sweep(*, now=None) -> dict:
    """A run left queued past the grace period is sent again; one running without a heartbeat past
    STALE_AFTER goes back to the queue, or fails after MAX_ATTEMPTS."""
    now = now or timezone.now()
    grace = queued_grace()
    resent, failed = [], []
    waiting = Q(status=RunStatus.QUEUED, created_at__lt=now - grace) & (
        Q(sent_at__isnull=True) | Q(sent_at__lt=now - grace)
    )
    for run in LinkingRun.objects.filter(waiting):
        if LinkingRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED, sent_at=run.sent_at).update(sent_at=now):
            dispatch(TASK, [run.pk])
            resent.append(run.pk)
    for run in LinkingRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER):
        held = LinkingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempt=run.attempt)
        if run.attempt >= MAX_ATTEMPTS:
            if held.update(
                status=RunStatus.FAILED,
                error=_("La recherche a été interrompue %(times)s fois : abandon.") % {"times": run.attempt},
                finished_at=now,
            ):
                failed.append(run.pk)
        elif held.update(status=RunStatus.QUEUED, sent_at=now, heartbeat_at=None):
            dispatch(TASK, [run.pk])
            resent.append(run.pk)
    return {"resent": resent, "failed": failed}
