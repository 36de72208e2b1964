"""An applied import queues the incremental statistics refresh on commit (issue 17, part 5)."""

from unittest import mock

import pytest

from reports.statistics import tasks
from reports.statistics.models import RunMode, RunStatus, StatisticsRun
from tests.procedures.test_imports import coco, csv_bytes, dunkerque, images, row, run, target  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


def test_an_applied_import_queues_one_incremental_run_on_commit(
    target,  # noqa: F811
    dunkerque,  # noqa: F811
    images,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with mock.patch("reports.statistics.services.dispatch") as dispatch:
        with django_capture_on_commit_callbacks(execute=True):
            run(target, csv_bytes([row(reference="24.00001")]), apply=True)
        with django_capture_on_commit_callbacks(execute=True):
            run(target, csv_bytes([row(reference="24.00002")]), apply=True)
    queued = StatisticsRun.objects.get()
    assert (queued.mode, queued.status, queued.requested_by) == (RunMode.INCREMENTAL, RunStatus.QUEUED, None)
    # Two imports finishing before the run starts share it: it will read both.
    dispatch.assert_called_once_with("reports.compute_statistics_after_import", [queued.pk])


def test_a_dry_run_queues_nothing(target, dunkerque, images, django_capture_on_commit_callbacks):  # noqa: F811
    with (
        mock.patch("reports.statistics.services.dispatch") as dispatch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        run(target, csv_bytes([row()]), apply=False)
    assert not StatisticsRun.objects.exists()
    dispatch.assert_not_called()


def test_a_run_skipped_behind_another_is_asked_again():
    skipped = StatisticsRun.objects.create(mode=RunMode.INCREMENTAL, status=RunStatus.SKIPPED)
    with (
        mock.patch("reports.statistics.compute.statistics_compute", return_value=skipped),
        mock.patch.object(tasks.compute_statistics_after_import, "apply_async") as again,
    ):
        assert tasks.compute_statistics_after_import(skipped.pk) == RunStatus.SKIPPED
    retry = StatisticsRun.objects.get(status=RunStatus.QUEUED)
    again.assert_called_once_with((retry.pk, 2), countdown=tasks.RETRY_SECONDS)
