"""The rendering of dossiers, as a state machine on their rows. The row is the source of truth:
every step is claimed by a conditional UPDATE (…WHERE status = 'queued', …WHERE phase = 'chunks'), so two workers never do
the same work, a task run twice does nothing the second time, and a crashed worker's dossier is
taken up again (recovery.py).

Small dossiers render in one task. Large ones are cut into chunks (content.plan_parts) rendered by
`render_dossier_chunk` tasks on any number of workers; the worker that finishes the last chunk
assembles the dossier (rendering.assemble), numbering every page once the whole is known."""

import hashlib
import logging
import tempfile
import threading
from datetime import timedelta

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from config.jobs import dispatch

from . import content, rendering, rpva
from .models import Dossier, DossierChunk, DossierPhase, DossierStatus, Section, chunk_path, dossier_path
from .pdf import RenderedDocument

logger = logging.getLogger(__name__)


def time_limit() -> int:
    """Seconds a dossier may take from its first claim, all chunks and retries included."""
    return getattr(settings, "DOSSIER_TIME_LIMIT", 300)


def rows_per_chunk() -> int:
    """Rows of a chunk rendered by its own task: small enough to share out among workers."""
    return getattr(settings, "DOSSIER_CHUNK_ROWS", 250)


def rows_per_pass() -> int:
    """Rows of one WeasyPrint pass when a dossier renders in one task: each pass has a cost of
    its own, and its memory grows with its rows (about 130 MiB for 1,500)."""
    return getattr(settings, "DOSSIER_PASS_ROWS", 1500)


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "DOSSIER_STALE_AFTER", 180))


def max_attempts() -> int:
    return getattr(settings, "DOSSIER_MAX_ATTEMPTS", 3)


class DossierTimeout(rendering.DossierError):
    pass


def timeout_message() -> str:
    return _(
        "Le rendu a dépassé la durée maximale de %(seconds)s secondes : retirez des sections "
        "(chronologie, pièces) ou demandez le dossier en plusieurs fois."
    ) % {"seconds": time_limit()}


def enqueue(dossier_id: int) -> None:
    dispatch("reports.render_dossier", [dossier_id])


# --- rendering ------------------------------------------------------------------------------------


class Run:
    """One worker's hold on a dossier: the attempt it claimed. Every write is conditional on it,
    so a worker that was given up for dead (and replaced) cannot overwrite its successor."""

    def __init__(self, dossier: Dossier):
        self.dossier = dossier
        self.attempt = dossier.attempt
        self.deadline = (dossier.started_at or timezone.now()) + timedelta(seconds=time_limit())

    def _mine(self):
        return Dossier.objects.filter(pk=self.dossier.pk, status=DossierStatus.RENDERING, attempt=self.attempt)

    def check_time(self) -> None:
        if timezone.now() > self.deadline:
            raise DossierTimeout(timeout_message())

    def progress(self, percent: float) -> None:
        self._mine().update(progress=Greatest(F("progress"), min(int(percent), 99)), heartbeat_at=timezone.now())

    def ticking(self, ceiling: float) -> "Ticker":
        return Ticker(self, ceiling)

    def fail(self, reason: str) -> None:
        now = timezone.now()
        failed = Dossier.objects.filter(
            pk=self.dossier.pk, status__in=[DossierStatus.QUEUED, DossierStatus.RENDERING], attempt=self.attempt
        ).update(
            status=DossierStatus.FAILED,
            phase=DossierPhase.NONE,
            error=reason[:2000],
            finished_at=now,
            duration=now - Coalesce(F("started_at"), now),
            heartbeat_at=now,
        )
        if failed:
            _delete_chunk_files(self.dossier)

    def handle(self, error: BaseException) -> None:
        if isinstance(error, rendering.DossierError):
            self.fail(str(error))
        elif isinstance(error, SoftTimeLimitExceeded):
            self.fail(timeout_message())
        elif isinstance(error, MemoryError):
            # The worker's ceiling (config/worker_limits.py) stopped it; the process lives on.
            self.fail(
                _(
                    "Le rendu a dépassé la mémoire autorisée à un worker et a été arrêté. "
                    "Redemandez le dossier avec moins de sections ou en plusieurs fois."
                )
            )
        else:
            logger.exception("Dossier %s : échec du rendu", self.dossier.pk)
            self.fail(
                _(
                    "Erreur inattendue pendant le rendu (%(kind)s) : %(error)s. Redemandez le dossier ; si l'erreur revient, signalez-la."
                )
                % {"kind": type(error).__name__, "error": str(error)[:300]}
            )


def tick_seconds() -> float:
    return getattr(settings, "DOSSIER_TICK_SECONDS", 3.0)


class Ticker:
    """Moves the bar during a step that reports nothing from inside (a WeasyPrint pass, pypdf's
    writing of the whole dossier): one point every few seconds, never past `ceiling`, so that
    the page never looks frozen while a worker is busy. Its own thread, its own connection; it
    does nothing inside a caller's transaction, whose row no other connection may see or lock."""

    def __init__(self, run: Run, ceiling: float):
        self.run = run
        self.ceiling = min(int(ceiling), 99)
        self.stop = threading.Event()
        self.thread = None

    def __enter__(self):
        if not connection.in_atomic_block:
            self.thread = threading.Thread(target=self._tick, name=f"dossier-{self.run.dossier.pk}-ticker", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
        return False

    def _tick(self) -> None:
        try:
            while not self.stop.wait(tick_seconds()):
                self.run._mine().filter(progress__lt=self.ceiling).update(
                    progress=F("progress") + 1, heartbeat_at=timezone.now()
                )
        except Exception:  # a missed tick must never break a rendering
            logger.warning("Dossier %s : avancement non mis à jour", self.run.dossier.pk, exc_info=True)
        finally:
            connection.close()


def _load(dossier_id: int) -> Dossier:
    return Dossier.objects.select_related(
        "case__association",
        "case__platform",
        "case__lead_lawyer",
        "association",
        "requested_by",
        "procedure__parquet",
        "hearing",
    ).get(pk=dossier_id)


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def dossier_render(*, dossier_id: int, parallel: bool = True, task_id: str = "") -> Dossier | None:
    """The task's body. Claims the queued dossier (or does nothing), then renders it here, or,
    when it is large and workers are available, dispatches its chunks to them."""
    now = timezone.now()
    claimed = Dossier.objects.filter(pk=dossier_id, status=DossierStatus.QUEUED).update(
        status=DossierStatus.RENDERING,
        phase=DossierPhase.NONE,
        started_at=Coalesce(F("started_at"), now),
        heartbeat_at=now,
        attempt=F("attempt") + 1,
        progress=Greatest(F("progress"), 1),
        task_id=task_id,
    )
    if not claimed:
        return None
    dossier = _load(dossier_id)
    run = Run(dossier)
    try:
        if dossier.attempt > max_attempts():
            raise rendering.DossierError(interrupted_message(dossier.attempt - 1))
        run.check_time()
        if dossier.chunks.exists():
            # Taken up again after a crash: keep the plan and the chunks already rendered.
            _dispatch_chunks(run)
            return dossier
        specs = content.plan_parts(dossier, rows_per_part=rows_per_chunk())
        large = sum(spec["weight"] for spec in specs) > rows_per_pass()
        if large:
            # Every chunk goes to storage as soon as it is rendered, here or on other workers:
            # a process never holds more than one WeasyPrint pass, whatever the case's size.
            DossierChunk.objects.bulk_create(
                [
                    DossierChunk(dossier=dossier, index=index, spec=spec, weight=spec["weight"])
                    for index, spec in enumerate(specs)
                ],
                ignore_conflicts=True,
            )
            if parallel and not _eager():
                _dispatch_chunks(run)
            else:
                _render_chunks_here(run)
            return dossier
        specs = content.plan_parts(dossier, rows_per_part=rows_per_pass())
        run.progress(3)
        total = sum(spec["weight"] for spec in specs) or 1
        done, parts = 0, []
        for spec in specs:
            run.check_time()
            with run.ticking(3 + 72 * (done + spec["weight"]) / total):
                parts.append(rendering.render_part(dossier, spec))
            done += spec["weight"]
            run.progress(3 + 72 * done / total)
        _assemble_and_store(run, parts)
    except Exception as error:  # noqa: BLE001 - every failure becomes the dossier's readable reason
        run.handle(error)
    return dossier


def interrupted_message(times: int) -> str:
    return _(
        "Le rendu a été interrompu %(times)s fois (worker arrêté ou mémoire épuisée) : abandon. "
        "Redemandez le dossier avec moins de sections."
    ) % {"times": times}


def _dispatch_chunks(run: Run) -> None:
    dossier = run.dossier
    Dossier.objects.filter(pk=dossier.pk, attempt=run.attempt).update(phase=DossierPhase.CHUNKS)
    # A chunk left `rendering` by a dead worker is given to a live one.
    dossier.chunks.exclude(status=DossierStatus.DONE).update(status=DossierStatus.QUEUED)
    pending = list(dossier.chunks.exclude(status=DossierStatus.DONE).values_list("pk", flat=True))
    run.progress(3)
    if not pending:
        _maybe_assemble(run)
        return
    for chunk_id in pending:
        dispatch("reports.render_dossier_chunk", [chunk_id])


def _render_chunks_here(run: Run) -> None:
    """No worker to share with (`render_dossier`, or tasks run in-process): the chunks one after
    the other in this process, each written to storage, then the assembly from storage."""
    dossier = run.dossier
    Dossier.objects.filter(pk=dossier.pk, attempt=run.attempt).update(phase=DossierPhase.CHUNKS)
    dossier.chunks.exclude(status=DossierStatus.DONE).update(status=DossierStatus.QUEUED)
    run.progress(3)
    pending = list(dossier.chunks.exclude(status=DossierStatus.DONE).order_by("index").values_list("pk", flat=True))
    if not pending:
        _maybe_assemble(run)
        return
    for chunk_id in pending:
        dossier_chunk_render(chunk_id=chunk_id)


def dossier_chunk_render(*, chunk_id: int, task_id: str = "") -> None:
    """Render one chunk; the worker that completes the last one assembles the dossier."""
    claimed = DossierChunk.objects.filter(
        pk=chunk_id, status=DossierStatus.QUEUED, dossier__status=DossierStatus.RENDERING
    ).update(status=DossierStatus.RENDERING, heartbeat_at=timezone.now(), attempt=F("attempt") + 1, task_id=task_id)
    if not claimed:
        return
    chunk = DossierChunk.objects.get(pk=chunk_id)
    dossier = _load(chunk.dossier_id)
    chunk.dossier = dossier
    run = Run(dossier)
    try:
        run.check_time()
        weights = dossier.chunks.values("status").annotate(weight=Sum("weight")).order_by()
        weights = {row["status"]: row["weight"] for row in weights}
        total = sum(weights.values()) or 1
        busy = weights.get(DossierStatus.DONE, 0) + weights.get(DossierStatus.RENDERING, 0)
        with run.ticking(3 + 72 * busy / total):
            part = rendering.render_part(dossier, chunk.spec)
        name = _save(chunk_path(chunk), ContentFile(part.pdf))
        updated = DossierChunk.objects.filter(
            pk=chunk.pk, status=DossierStatus.RENDERING, attempt=chunk.attempt
        ).update(
            status=DossierStatus.DONE, file=name, pages=part.pages, layout=part.layout(), heartbeat_at=timezone.now()
        )
        if not updated:
            default_storage.delete(name)
            return
        total = sum(dossier.chunks.values_list("weight", flat=True)) or 1
        done = sum(dossier.chunks.filter(status=DossierStatus.DONE).values_list("weight", flat=True))
        run.progress(3 + 72 * done / total)
        _maybe_assemble(run)
    except Exception as error:  # noqa: BLE001 - every failure becomes the dossier's readable reason
        DossierChunk.objects.filter(pk=chunk.pk).update(status=DossierStatus.FAILED)
        run.handle(error)


def _maybe_assemble(run: Run) -> None:
    dossier = run.dossier
    if dossier.chunks.exclude(status=DossierStatus.DONE).exists():
        return
    claimed = Dossier.objects.filter(
        pk=dossier.pk, status=DossierStatus.RENDERING, phase=DossierPhase.CHUNKS, attempt=run.attempt
    ).update(phase=DossierPhase.ASSEMBLING, heartbeat_at=timezone.now())
    if not claimed:
        return
    parts = []
    for name, pages, layout in dossier.chunks.order_by("index").values_list("file", "pages", "layout"):
        layout = layout or {}
        parts.append(
            StoredPart(
                name=name,
                pages=pages,
                bookmarks=[tuple(entry) for entry in layout.get("bookmarks", [])],
                starts=layout.get("starts", {}),
            )
        )
    _assemble_and_store(run, parts)


class StoredPart:
    """A chunk already in storage, as the assembly reads a rendered piece: its PDF is read when
    the assembly reaches it, one at a time, never every chunk's bytes together."""

    def __init__(self, *, name: str, pages: int, bookmarks, starts):
        self.name, self.pages, self.bookmarks, self.starts = name, pages, bookmarks, starts

    @property
    def pdf(self) -> bytes:
        with default_storage.open(self.name, "rb") as handle:
            return handle.read()


def _save(name: str, content_file) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, content_file)


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(block)
    return digest.hexdigest()


def _assemble_and_store(run: Run, parts: list[RenderedDocument]) -> None:
    dossier = run.dossier
    exhibits = []
    if Section.EXHIBITS in dossier.sections:
        for exhibit in content.exhibits_of(dossier):
            run.check_time()
            exhibits.append(rendering.prepare_exhibit(dossier, exhibit))
            run.progress(78)
    run.check_time()
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as target, run.ticking(99):
        assembled = rendering.assemble(dossier, parts, exhibits, target, progress=lambda f: run.progress(80 + 18 * f))
        size = target.tell()
        target.seek(0)
        sha256 = _sha256(target)
        target.seek(0)
        name = _save(dossier_path(dossier), File(target, name="dossier.pdf"))
    now = timezone.now()
    chunk_files = list(dossier.chunks.exclude(file="").values_list("file", flat=True))
    # Done and its chunks forgotten in one step: whoever sees it done sees no chunk left.
    with transaction.atomic():
        finished = run._mine().update(
            status=DossierStatus.DONE,
            phase=DossierPhase.NONE,
            progress=100,
            file=name,
            sha256=sha256,
            pages=assembled.pages,
            size=size,
            error="",
            finished_at=now,
            duration=now - F("started_at"),
            heartbeat_at=now,
        )
        if finished:
            dossier.chunks.update(file="")
    if not finished:
        # Given up for dead and replaced meanwhile: the successor's file is the dossier's.
        default_storage.delete(name)
        return
    for chunk_file in chunk_files:
        default_storage.delete(chunk_file)
    logger.info("Dossier %s : %s pages, %s octets, sha256 %s", dossier.pk, assembled.pages, size, sha256)
    if size > rpva.max_bytes():
        _plan_rpva_parts(dossier.pk)


def _plan_rpva_parts(dossier_id: int) -> None:
    """A dossier over the e-filing limit is offered in parts: plan them here, on the worker, so
    that the page offering them does not spend seconds of qpdf on it (the plan is cached)."""
    try:
        rpva.dossier_parts(Dossier.objects.get(pk=dossier_id))
    except Exception:  # the page plans it again; the dossier itself is done
        logger.exception("Dossier %s : découpage RPVA non préparé", dossier_id)


def _delete_chunk_files(dossier: Dossier) -> None:
    for chunk in dossier.chunks.exclude(file=""):
        default_storage.delete(chunk.file.name)
    dossier.chunks.update(file="")
