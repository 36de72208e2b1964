"""The PDF statistics report and the on-demand job, run by a real Celery worker on Redis."""

import hashlib
import io
import time

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.models import AccessAction, AccessLog
from reports.statistics.models import ReportStatus, RunStatus, StatisticsReport, StatisticsRun

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(row, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status in ("done", "failed", "skipped"):
            return row
        time.sleep(0.2)
    raise AssertionError(f"still {row.status} after {timeout} s")


def test_a_worker_renders_the_pdf_report_with_its_charts(
    celery_worker, client, dataset, lawyer, other_admin, media_root
):
    client.force_login(lawyer)
    response = client.post(reverse("statistics_report_request"), {"plateforme": dataset.coco.pk, "du": "2022-01"})
    report = StatisticsReport.objects.get()
    assert response.status_code == 302
    report = wait_for(report)
    assert report.status == ReportStatus.DONE, report.error
    status = client.get(reverse("statistics_report_status", args=[report.pk])).json()
    assert status["download_url"]
    download = client.get(status["download_url"])
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == report.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "Procédures par parquet" in text
    assert AccessLog.objects.filter(user=lawyer, action=AccessAction.DOWNLOAD, object_type="statisticsreport").exists()
    client.force_login(other_admin)
    assert client.get(status["download_url"]).status_code == 404


def test_the_admins_button_has_a_worker_compute_the_statistics(celery_worker, client, dataset, admin):
    client.force_login(admin)
    assert client.post(reverse("statistics_run")).status_code == 302
    run = wait_for(StatisticsRun.objects.order_by("-pk").first())
    assert run.status == RunStatus.DONE
