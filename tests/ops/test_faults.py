"""Fault tests: the product keeps its promises when a worker is killed, Redis restarts empty,
PostgreSQL restarts mid-import, a task fails unexpectedly, or the media disk is full or read-only.

Each test starts the processes it breaks (tests/ops/processes.py) and stops them by pid; the
machine's own PostgreSQL and Redis are never touched. The sweeper that beat runs every minute in
production (config/jobs.py) is called here every second, with the grace periods shortened."""

import hashlib
import os
import subprocess
import time
from pathlib import Path
from unittest import mock

import psycopg
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cases.models import Exhibit
from config.jobs import jobs_sweep
from procedures.imports import import_job_create
from procedures.models import ImportStatus, Procedure
from reports import services as dossier_services
from reports.models import Dossier, DossierStatus
from tests.conftest import make_pdf_bytes
from tests.factories import ParquetFactory
from tests.reports.conftest import build_rich_case

from .processes import PostgresCluster, RedisServer, Worker, celery_on, database_url_of_tests, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# The machine's Redis database the suite's worker tests use (emptied by each of them).
SUITE_BROKER = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
SECTIONS = ["cover", "summary", "parties", "procedures", "timeline", "hearings", "deadlines", "bordereau"]


@pytest.fixture
def fast_sweeps(settings):
    """Grace periods of seconds instead of minutes, for the sweeper run by the test."""
    settings.DOSSIER_STALE_AFTER = 8  # a live rendering beats every 3 s
    settings.JOBS_QUEUED_GRACE = 3
    return settings


def _dossiers(owner, case, count):
    return [
        dossier_services.dossier_request(user=owner, case=case, recipient=f"Me Test {n}", sections=SECTIONS)
        for n in range(count)
    ]


def _sweep_until(condition, *, timeout):
    """What beat does every minute, every second, until `condition`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        jobs_sweep()
        time.sleep(1)
    assert condition()


def _statuses(dossiers):
    return sorted(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("status", flat=True))


def _final_files(media: Path) -> set[str]:
    return {str(path.relative_to(media)) for path in media.glob("dossiers/*/*/dossier-*.pdf")}


def _assert_each_done_once(dossiers, media: Path):
    done = Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
    assert all(d.status == DossierStatus.DONE for d in done), [(d.pk, d.status, d.error) for d in done]
    for dossier in done:
        with default_storage.open(dossier.file.name, "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == dossier.sha256
    # One file per dossier: no second rendering stored beside the first.
    assert _final_files(media) == {d.file.name for d in done}


def test_a_worker_killed_in_the_middle_of_20_dossiers_leaves_each_done_exactly_once(
    owner, case, media_root, fast_sweeps, tmp_path
):
    build_rich_case(owner, case)
    broker = SUITE_BROKER
    with celery_on(broker) as app:
        with app.connection_for_write() as conn:
            conn.default_channel.client.flushdb()
        first = Worker(
            broker=broker,
            database=database_url_of_tests(),
            media=media_root,
            queues="dossiers",
            log=tmp_path / "w1.log",
        )
        second = None
        try:
            dossiers = _dossiers(owner, case, 20)
            wait_until(
                lambda: (
                    _statuses(dossiers).count(DossierStatus.DONE) >= 2
                    and DossierStatus.RENDERING in _statuses(dossiers)
                ),
                timeout=120,
                message=lambda: f"aucun rendu en cours : {_statuses(dossiers)}",
            )
            interrupted = _statuses(dossiers).count(DossierStatus.RENDERING)
            first.kill()
            assert interrupted >= 1
            second = Worker(
                broker=broker,
                database=database_url_of_tests(),
                media=media_root,
                queues="dossiers",
                log=tmp_path / "w2.log",
            )
            _sweep_until(lambda: _statuses(dossiers).count(DossierStatus.DONE) == 20, timeout=240)
            _assert_each_done_once(dossiers, media_root)
            rendered = {d.pk: (d.attempt, d.file.name) for d in Dossier.objects.filter(pk__in=[d.pk for d in dossiers])}
            assert any(attempt > 1 for attempt, _name in rendered.values()), "aucun dossier n'a été repris"

            # Every message delivered again (a broker restoring unacknowledged messages): nothing new.
            for dossier in dossiers:
                app.send_task("reports.render_dossier", args=[dossier.pk])
            time.sleep(3)
            again = {d.pk: (d.attempt, d.file.name) for d in Dossier.objects.filter(pk__in=[d.pk for d in dossiers])}
            assert again == rendered
            _assert_each_done_once(dossiers, media_root)
        finally:
            first.stop()
            if second:
                second.stop()


def test_redis_restarting_empty_while_jobs_are_queued_loses_none(
    owner, case, media_root, fast_sweeps, tmp_path, client
):
    build_rich_case(owner, case)
    redis = RedisServer()
    worker = None
    try:
        with celery_on(redis.url):
            queued = _dossiers(owner, case, 6)  # waiting in Redis: no worker yet
            redis.stop()
            # Asked while Redis is down: the page answers (no 500), the row waits for the sweeper.
            client.force_login(owner)
            response = client.post(
                reverse("dossier_request", args=[case.pk]),
                {"recipient": "Me Pendant la panne", "sections": SECTIONS},
            )
            assert response.status_code == 302, response.content.decode()[:2000]
            during = Dossier.objects.get(recipient="Me Pendant la panne")
            assert during.status == DossierStatus.QUEUED
            redis.start()  # empty: the six messages are gone
            worker = Worker(
                broker=redis.url,
                database=database_url_of_tests(),
                media=media_root,
                queues="dossiers",
                log=tmp_path / "w.log",
            )
            everything = [*queued, during]
            time.sleep(2)
            assert _statuses(everything).count(DossierStatus.QUEUED) == 7, "les messages auraient dû être perdus"
            _sweep_until(lambda: _statuses(everything).count(DossierStatus.DONE) == 7, timeout=180)
            _assert_each_done_once(everything, media_root)
    finally:
        if worker:
            worker.stop()
        redis.stop()


def _import_rows(count: int, parquet_code: str) -> bytes:
    lines = ["parquet;numero_parquet;ouverte_le;infractions;plateforme;victimes;stade;issue"]
    lines += [f"{parquet_code};24.{n:06d};26/04/2024;;;;Enquête;En cours" for n in range(1, count + 1)]
    return ("\r\n".join(lines) + "\r\n").encode()


def _row(url: str, sql: str, params=()):
    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=2) as conn:
            return conn.execute(sql, params).fetchone()
    except psycopg.OperationalError:
        return None  # restarting


def test_postgresql_restarting_during_an_import_resumes_it_with_exactly_the_files_rows(
    owner, case, media_root, tmp_path
):
    rows = 30_000
    parquet = ParquetFactory(code="TJT-PANNE")
    job = import_job_create(
        user=owner, case=case, data=_import_rows(rows, parquet.code), name="panne.csv", dry_run=False
    )
    cluster = PostgresCluster()
    worker = None
    broker = SUITE_BROKER
    try:
        cluster.copy_database(database_url_of_tests(), "coco_faults")
        url = cluster.url("coco_faults")
        with celery_on(broker) as app:
            with app.connection_for_write() as conn:
                conn.default_channel.client.flushdb()
            worker = Worker(
                broker=broker,
                database=url,
                media=media_root,
                queues="imports",
                log=tmp_path / "w.log",
                concurrency=1,
            )
            app.send_task("procedures.run_import", args=[job.pk])
            status = "SELECT status, processed_rows, total_rows FROM procedures_importjob WHERE id = %s"
            wait_until(
                lambda: (_row(url, status, [job.pk]) or ("", 0, 0))[1] > 0,
                timeout=120,
                step=0.05,
                message=lambda: f"l'import n'a pas commencé : {_row(url, status, [job.pk])}",
            )
            before = _row(url, status, [job.pk])
            cluster.restart()
            assert before[0] == ImportStatus.RUNNING and 0 < before[1] < rows, before
            wait_until(
                lambda: (_row(url, status, [job.pk]) or ("",))[0] in (ImportStatus.DONE, ImportStatus.FAILED),
                timeout=300,
                step=0.5,
                message=lambda: (
                    f"import non terminé : {_row(url, status, [job.pk])}\n"
                    + (tmp_path / "w.log").read_text(errors="replace")[-3000:]
                ),
            )
            finished = _row(
                url,
                "SELECT status, processed_rows, created_count, error FROM procedures_importjob WHERE id = %s",
                [job.pk],
            )
            assert finished[:3] == (ImportStatus.DONE, rows, rows), finished
            count = _row(url, "SELECT count(*) FROM procedures_procedure WHERE case_id = %s", [case.pk])[0]
            distinct = _row(
                url,
                "SELECT count(DISTINCT parquet_reference) FROM procedures_procedure WHERE case_id = %s",
                [case.pk],
            )[0]
            assert count == distinct == rows
            # It was cut off and came back (the task's retry), not merely finished before the restart.
            assert "procedures.run_import" in (log := (tmp_path / "w.log").read_text(errors="replace"))
            assert "retry: Retry in 5s" in log, log[-3000:]
    finally:
        if worker:
            worker.stop()
        cluster.stop()
    assert Procedure.objects.filter(case=case).count() == 0  # the machine's database was not written


@pytest.mark.celery_worker
def test_an_unexpected_error_fails_the_dossier_with_its_reason_and_the_page_retries_it(
    celery_worker, owner, case, media_root, client
):
    build_rich_case(owner, case)
    with mock.patch("reports.rendering.render_part", side_effect=RuntimeError("panne simulée du moteur PDF")):
        [dossier] = _dossiers(owner, case, 1)
        wait_until(lambda: Dossier.objects.get(pk=dossier.pk).is_finished, timeout=60)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.FAILED
    assert "Erreur inattendue pendant le rendu (RuntimeError) : panne simulée du moteur PDF" in dossier.error
    client.force_login(owner)
    page = client.get(reverse("dossier_detail", args=[dossier.pk])).content.decode()
    assert "panne simulée du moteur PDF" in page and "Relancer" in page

    response = client.post(reverse("dossier_retry", args=[dossier.pk]))
    assert response.status_code == 302
    wait_until(lambda: Dossier.objects.get(pk=dossier.pk).is_finished, timeout=90)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE, dossier.error
    assert dossier.error == "" and dossier.file.name.endswith(".pdf")


@pytest.fixture
def small_media_disk(settings, tmp_path):
    """MEDIA_ROOT on a tmpfs of 256 KiB of its own, mounted here and unmounted after."""
    mount_point = tmp_path / "media-disk"
    mount_point.mkdir()
    mounted = subprocess.run(  # noqa: S603
        ["/usr/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert mounted.returncode == 0, f"mount tmpfs impossible (les tests de pannes tournent en root) : {mounted.stderr}"
    settings.MEDIA_ROOT = mount_point
    try:
        yield mount_point
    finally:
        subprocess.run(["/usr/bin/umount", "-l", str(mount_point)], check=False)  # noqa: S603


def _upload(client, case, data: bytes, title: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("exhibit_upload", args=[case.pk]),
        {"title": title, "file": SimpleUploadedFile("piece.pdf", data, content_type="application/pdf")},
    )


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.mark.parametrize("failure", ["full", "read-only"])
def test_an_exhibit_upload_on_a_full_or_read_only_disk_is_a_clear_error_and_writes_nothing(
    failure, owner, case, client, small_media_disk
):
    client.force_login(owner)
    small = make_pdf_bytes("Pièce qui tient")
    assert _upload(client, case, small, "Avant la panne").status_code == 302
    stored = _files(small_media_disk)
    assert len(stored) == 1

    if failure == "full":
        # A scan of 1 MiB on a disk of 256 KiB.
        data = make_pdf_bytes("Pièce trop grosse") + b"%" + b"x" * (1024 * 1024) + b"\n%%EOF\n"
        expected = "disque plein"
    else:
        subprocess.run(["/usr/bin/mount", "-o", "remount,ro", str(small_media_disk)], check=True)  # noqa: S603
        data = make_pdf_bytes("Pièce sur disque en lecture seule")
        expected = "stockage en lecture seule"
    response = _upload(client, case, data, "Pendant la panne")

    assert response.status_code == 200
    page = response.content.decode()
    assert "La pièce n&#x27;a pas pu être enregistrée" in page and expected in page
    assert list(Exhibit.objects.filter(case=case).values_list("title", flat=True)) == ["Avant la panne"]
    assert _files(small_media_disk) == stored  # no partial file beside the first
    assert stored[0].read_bytes() == small


def test_a_dossier_past_its_workers_memory_ceiling_fails_with_its_reason_and_the_worker_lives_on(
    owner, case, media_root, tmp_path
):
    """A ceiling just above an idle worker process (about 125 MB of heap): rendering goes past
    it. The job fails with a reason that names the memory, never swapping the host to death; each
    lost process hands the dossier back at once (no sweep runs here: the stale check would take
    3 × DOSSIER_STALE_AFTER, 9 minutes in production)."""
    build_rich_case(owner, case)
    with celery_on(SUITE_BROKER) as app:
        with app.connection_for_write() as conn:
            conn.default_channel.client.flushdb()
        worker = Worker(
            broker=SUITE_BROKER,
            database=database_url_of_tests(),
            media=media_root,
            queues="dossiers",
            log=tmp_path / "w.log",
            concurrency=1,
            env={"WORKER_MEMORY_MB_DOSSIERS": "150"},
        )
        try:
            [dossier] = _dossiers(owner, case, 1)
            wait_until(lambda: Dossier.objects.get(pk=dossier.pk).is_finished, timeout=150)
            dossier.refresh_from_db()
            assert dossier.status == DossierStatus.FAILED
            assert "mémoire" in dossier.error, dossier.error
            assert dossier.attempt == 3
            assert worker.process.poll() is None, "le worker principal est tombé"
            assert "Plafond mémoire par processus : 150 Mo" in (tmp_path / "w.log").read_text(errors="replace")
        finally:
            worker.stop()
