"""Dossier rendering: speed and memory, ours against a naive baseline, and chunks on workers.

    .venv/bin/python benchmarks/bench_dossier.py [--events 1000] [--large 5000] [--skip-baseline]
                                                 [--skip-parallel] [--one-pass] [--reference]

Runs in its own database (BENCH_DATABASE_URL, default coco_bench_dossier on the local server) and
its own Redis database (BENCH_BROKER_URL, default redis://127.0.0.1:6379/13); media in a temporary
folder. Each measurement runs in a fresh process, so each peak RSS is its own.

1. The same dossier (every section, a case with --events timeline events) built twice: with the
   project's templates and print stylesheet (reports.services.dossier_render, in one process, as
   on one core), and with a naive baseline: one auto-layout HTML table per section, no print CSS,
   one WeasyPrint pass. Pages, seconds, pages per second, peak RSS, and the ratio of times.
2. A --large dossier rendered by real Celery workers on the broker: 1 worker, then 2 workers
   (its chunks in parallel), with the time from the request to the finished file and the peak
   RSS of each worker; the merged PDF is checked (pages numbered « page X / Y », the table of
   contents pointing where the sections start).
3. With --one-pass: the --large timeline laid out by WeasyPrint in one pass, for its memory.
4. With --reference, only: the reference case (23,051 procedures, loaded by the product's own
   import) and its whole-case dossier with the default sections, rendered by 2 workers: seconds,
   pages against the estimate shown before queueing, peak RSS per worker, the longest time the
   progress bar stood still.

The last line holds the figures against the issue's targets.
"""

import argparse
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coco_bench_dossier")
BENCH_BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
ASSOCIATION = "BENCH"

TARGET_SECONDS = 3.0
TARGET_PAGES_PER_SECOND = 15
TARGET_RSS_MIB = 250
TARGET_RATIO = 10
TARGET_PARALLEL_SHARE = 0.60
TARGET_WORKER_RSS_MIB = 300


def setup_django(*, broker: str = "") -> None:
    os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    os.environ["CELERY_BROKER_URL"] = broker
    os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "coco-bench-dossier-media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data -------------------------------------------------------------------------------------------

KINDS = ["hearing", "decision", "referral", "other", "custody", "filing", "appeal", "avis_175"]
TITLES = [
    "Audience de renvoi devant le tribunal correctionnel, chambre des mineurs",
    "Jugement du tribunal correctionnel : condamnation de deux prévenus",
    "Signalement Pharos transmis au parquet par l'OFMIN",
    "Audition de la victime par les enquêteurs de la brigade des mineurs",
    "Garde à vue et mise en examen d'un suspect interpellé à son domicile",
    "Constitution de partie civile de l'association à l'audience",
    "Appel interjeté par le ministère public contre le jugement",
    "Avis de fin d'information adressé aux parties (art. 175 CPP)",
]


def seed(events: int) -> int:
    """A case of the bench association with `events` timeline steps, a few procedures, parties,
    referrals and two PDF exhibits. Made once, reused by later runs."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.db import transaction

    from cases import services as case_services
    from cases.models import Association, Case, Membership, Parquet, Role
    from procedures import services as procedure_services
    from procedures.models import Event

    reference = f"BENCH-{events}"
    existing = Case.objects.filter(association__short_name=ASSOCIATION, reference=reference).first()
    if existing and existing.timeline.count() == events:
        return existing.pk
    association, _ = Association.objects.get_or_create(
        short_name=ASSOCIATION, defaults={"name": "Association du banc d'essai", "declared_on": date(1990, 1, 1)}
    )
    user, _ = get_user_model().objects.get_or_create(
        username="bench.lawyer", defaults={"first_name": "Banc", "last_name": "Essai"}
    )
    Membership.objects.get_or_create(user=user, association=association, defaults={"role": Role.LAWYER})
    with transaction.atomic():
        if existing:
            existing.timeline.all().delete()
            case = existing
        else:
            case = case_services.case_create(
                user=user,
                association=association,
                reference=reference,
                title=f"Banc d'essai — {events} étapes de procédure",
                facts_start=date(2021, 1, 1),
                place="Valenciennes (Nord)",
                summary="Affaire fictive du banc d'essai : une longue chronologie, des procédures, des pièces. " * 4,
            )
            for number in range(1, 4):
                case_services.victim_add(user=user, case=case, first_name=f"Réelle{number}", age_at_facts=14)
            for number in range(1, 9):
                case_services.suspect_add(user=user, case=case, name=f"Prévenu P-{number:02d}")
            parquets = list(Parquet.objects.order_by("pk")[:3])
            previous = None
            for index, parquet in enumerate(parquets):
                previous = procedure_services.procedure_create(
                    user=user,
                    case=case,
                    parquet=parquet,
                    parquet_reference=f"BENCH {events} / {index}",
                    opened_on=date(2021, 3, 1) + timedelta(days=200 * index),
                    transferred_from=previous,
                )
            for number in range(1, 3):
                from weasyprint import HTML

                pdf = HTML(string=f"<h1>Pièce {number}</h1><p>Procès-verbal fictif.</p>").write_pdf()
                case_services.exhibit_upload(
                    user=user,
                    case=case,
                    file=ContentFile(pdf, name=f"piece-{number}.pdf"),
                    title=f"Procès-verbal {number}",
                )
        procedures = list(case.procedures.all())
        start = date(2021, 1, 4)
        rows = [
            Event(
                case=case,
                procedure=procedures[index % len(procedures)] if procedures and index % 3 else None,
                kind=KINDS[index % len(KINDS)],
                occurred_on=start + timedelta(days=index * 1500 // events),
                title=f"{TITLES[index % len(TITLES)]} (étape {index + 1})",
                details="Pièces versées au dossier ; observations de l'association transmises au parquet."
                if index % 4 == 0
                else "",
                interrupts_prescription=index % 7 == 0,
            )
            for index in range(events)
        ]
        Event.objects.bulk_create(rows, batch_size=1000)
    return case.pk


def all_sections() -> list[str]:
    from reports.models import SECTION_ORDER

    return list(SECTION_ORDER)


# --- child measurements -------------------------------------------------------------------------------


def warm_up(case_id: int | None = None) -> None:
    """A worker is long-lived: modules and font faces are loaded once, not per dossier. Render a
    small piece of the dossier (every font face of the print stylesheet) before measuring."""
    from weasyprint import HTML

    HTML(string="<p>Échauffement</p>").write_pdf()
    if case_id is None:
        return
    from django.utils import timezone

    from cases.models import Case
    from reports import content
    from reports.models import Dossier
    from reports.pdf import render_html

    case = Case.objects.select_related("association").get(pk=case_id)
    dossier = Dossier(case=case, association=case.association, sections=all_sections(), recipient="Échauffement")
    dossier.created_at = timezone.now()
    blocks = [{"section": key} for key in ("summary", "parties", "procedures")]
    blocks.append({"section": "bordereau", "first": 1, "last": 2})
    render_html(content.part_html(dossier, {"blocks": blocks, "weight": 1}))
    render_html(
        content.front_matter_html(dossier, entries=[{"label": "Chronologie", "page": 3, "level": 1}], cover=True)
    )
    render_html(content.frame_html(dossier))


def child_ours(case_id: int) -> dict:
    from cases.models import Case
    from reports import services
    from reports.models import Dossier

    warm_up(case_id)
    case = Case.objects.select_related("association").get(pk=case_id)
    dossier = services.dossier_request_from_command(case=case, recipient="Banc d'essai", sections=all_sections())
    started = time.perf_counter()
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    seconds = time.perf_counter() - started
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.status == "done", dossier.error
    return {"pages": dossier.pages, "seconds": seconds, "rss": peak_rss_mib(), "dossier": dossier.pk}


BASELINE_TEMPLATE = """<html><head><meta charset="utf-8"><title>{{ case.reference }}</title></head><body>
<h1>{{ case.reference }} — {{ case.title }}</h1><p>Remis à {{ recipient }}</p>
{% for section in sections %}<h1>{{ section.title }}</h1>
<table border="1"><tr>{% for heading in section.headings %}<th>{{ heading }}</th>{% endfor %}</tr>
{% for row in section.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}
</table>{% endfor %}</body></html>"""


def baseline_html(case_id: int) -> str:
    """The same content as ours, written naively: one auto-layout table per section."""
    from django.template import Context, Template

    from cases.models import Case
    from procedures.models import Decision, Filing, Hearing
    from procedures.selectors import case_timeline

    case = Case.objects.select_related("association", "platform").get(pk=case_id)
    sections = [
        {
            "title": "Résumé",
            "headings": ["Champ", "Valeur"],
            "rows": [["Intitulé", case.title], ["Lieu", case.place], ["Résumé", case.summary]]
            + [["Qualification", offence.label] for offence in case.offences.all()],
        },
        {
            "title": "Parties",
            "headings": ["Pseudonyme", "Âge", "Mineure"],
            "rows": [[v.pseudonym, v.age_at_facts, v.minor_at_facts] for v in case.victims.all()]
            + [[s.name, s.age_at_facts, s.get_status_display()] for s in case.suspects.all()],
        },
        {
            "title": "Procédures",
            "headings": ["Parquet", "Numéro", "Ouverte le", "Stade", "Issue"],
            "rows": [
                [p.parquet.name, p.parquet_reference, p.opened_on, p.get_stage_display(), p.get_outcome_display()]
                for p in case.procedures.select_related("parquet")
            ],
        },
        {
            "title": "Chronologie",
            "headings": ["Date", "Nature", "Intitulé", "Parquet", "Détails"],
            "rows": [
                [
                    e.occurred_on.strftime("%d/%m/%Y"),
                    e.get_kind_display(),
                    e.title,
                    e.procedure.parquet.name if e.procedure_id else "",
                    e.details,
                ]
                for e in case_timeline(case)
            ],
        },
        {
            "title": "Saisines",
            "headings": ["Date", "Nature", "Auteur"],
            "rows": [[r.sent_on, r.get_kind_display(), r.author] for r in case.referrals.all()],
        },
        {
            "title": "Constitutions",
            "headings": ["Mode", "Fondement"],
            "rows": [
                [f.get_mode_display(), f.get_legal_basis_display()] for f in Filing.objects.filter(procedure__case=case)
            ],
        },
        {
            "title": "Audiences et décisions",
            "headings": ["Date", "Objet"],
            "rows": [[h.starts_at, h.court] for h in Hearing.objects.filter(procedure__case=case)]
            + [[d.decided_on, d.get_kind_display()] for d in Decision.objects.filter(procedure__case=case)],
        },
        {
            "title": "Délais",
            "headings": ["Échéance", "Règle"],
            "rows": [[d.due_on, d.get_rule_display()] for d in case.deadlines.all()],
        },
        {
            "title": "Bordereau",
            "headings": ["N°", "Intitulé", "Reçue le", "Provenance", "SHA-256"],
            "rows": [[x.number, x.title, x.received_on, x.source, x.sha256] for x in case.exhibits.all()],
        },
    ]
    return Template(BASELINE_TEMPLATE).render(
        Context({"case": case, "recipient": "Banc d'essai", "sections": sections})
    )


def child_baseline(case_id: int) -> dict:
    from weasyprint import HTML

    warm_up()
    started = time.perf_counter()
    document = HTML(string=baseline_html(case_id)).render()
    document.write_pdf()
    seconds = time.perf_counter() - started
    return {"pages": len(document.pages), "seconds": seconds, "rss": peak_rss_mib()}


def child_one_pass(case_id: int) -> dict:
    """Our own timeline template, but the whole timeline in one WeasyPrint pass (no chunks)."""
    from cases.models import Case
    from reports import content
    from reports.models import Dossier
    from reports.pdf import render_html

    warm_up()
    case = Case.objects.get(pk=case_id)
    dossier = Dossier(case=case, association=case.association, sections=["timeline"], recipient="Banc d'essai")
    started = time.perf_counter()
    document = render_html(content.part_html(dossier, {"blocks": [{"section": "timeline"}], "weight": 1}))
    return {"pages": document.pages, "seconds": time.perf_counter() - started, "rss": peak_rss_mib()}


def run_child(mode: str, case_id: int) -> dict:
    output = subprocess.run(  # noqa: S603 - this very script
        [sys.executable, __file__, "--child", mode, "--case", str(case_id)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if output.returncode != 0:
        raise SystemExit(f"{mode} a échoué :\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


# --- workers --------------------------------------------------------------------------------------------


def vm_hwm_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def start_workers(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": BENCH_DATABASE_URL, "CELERY_BROKER_URL": BENCH_BROKER_URL}
    env["CELERY_RESULT_BACKEND"] = ""
    workers = []
    for number in range(count):
        workers.append(
            subprocess.Popen(  # noqa: S603 - the project's own worker
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"bench{number}@%h",
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= count:
            return workers
    stop_workers(workers)
    raise SystemExit("Les workers Celery du banc d'essai ne répondent pas.")


def stop_workers(workers: list[subprocess.Popen]) -> list[float]:
    peaks = []
    for worker in workers:
        try:
            peaks.append(vm_hwm_mib(worker.pid))
        except (OSError, AttributeError):
            peaks.append(float("nan"))
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    return peaks


def render_on_workers(case_id: int, *, timeout: float = 300, sections=None) -> tuple[float, object]:
    seconds, dossier, _still = render_and_watch(case_id, timeout=timeout, sections=sections or all_sections())
    return seconds, dossier


def render_and_watch(case_id: int, *, timeout: float, sections) -> tuple[float, object, float]:
    """Seconds from the request to the finished file, the dossier, and the longest time its
    progress bar stood still (a user watches it)."""
    from cases.models import Case
    from reports import services
    from reports.models import Dossier

    case = Case.objects.select_related("association").get(pk=case_id)
    dossier = services.dossier_request_from_command(case=case, recipient="Banc d'essai", sections=sections)
    started = time.perf_counter()
    services.enqueue(dossier.pk)
    deadline = time.monotonic() + timeout
    last_progress, last_change, still = -1, started, 0.0
    while time.monotonic() < deadline:
        dossier = Dossier.objects.get(pk=dossier.pk)
        now = time.perf_counter()
        if dossier.progress != last_progress:
            still = max(still, now - last_change)
            last_progress, last_change = dossier.progress, now
        if dossier.status in ("done", "failed"):
            break
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if dossier.status != "done":
        raise SystemExit(f"Dossier {dossier.pk} : {dossier.status} {dossier.error}")
    return seconds, dossier, still


def check_dossier(dossier) -> str:
    """The merged PDF: « page X / Y » on every page and the table of contents pointing where the
    sections start (their bookmarks)."""
    from pypdf import PdfReader

    with dossier.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    total = len(reader.pages)
    for index in (0, total // 2, total - 1):
        if f"page {index + 1} / {total}" not in reader.pages[index].extract_text():
            return f"numérotation fausse page {index + 1}"
    outline = {
        item.title: reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)
    }
    toc_text = "\n".join(reader.pages[index].extract_text() for index in range(1, 4))
    for title, page_index in outline.items():
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", toc_text, flags=re.MULTILINE)
        if match and int(match.group(1)) != page_index + 1:
            return f"sommaire faux pour « {title} »"
    return "OK"


def parallel(case_id: int) -> dict:
    from django.db import connection

    results = {}
    for count in (1, 2):
        workers = start_workers(count)
        try:
            render_on_workers(WARM_CASE, timeout=120)  # both workers load fonts and modules once
            seconds, dossier = render_on_workers(case_id)
        finally:
            connection.close()
            peaks = stop_workers(workers)
        results[count] = {
            "seconds": seconds,
            "pages": dossier.pages,
            "rss": max(peaks),
            "check": check_dossier(dossier),
        }
        print(
            f"{count} worker(s) : {dossier.pages} pages en {seconds:.2f} s, {dossier.chunks.count()} morceaux, "
            f"pic RSS par worker {max(peaks):.0f} Mio, PDF fusionné : {results[count]['check']}",
            flush=True,
        )
    return results


WARM_CASE = 0


def reference(warm_case_id: int) -> str:
    """The whole-case dossier of the reference case (23,051 procedures, default sections:
    summaries plus the full lists as annexes) on 2 workers, with the estimate shown before it
    is queued."""
    from django.db import connection

    from cases.models import Association
    from procedures.reference_case import reference_case_load
    from reports.estimate import default_sections, dossier_estimate

    started = time.perf_counter()
    case = reference_case_load(association=Association.objects.get(short_name=ASSOCIATION)).case
    print(
        f"Affaire de référence prête en {time.perf_counter() - started:.1f} s ({case.procedures.count():,} procédures)."
    )
    sections = default_sections(case)
    estimate = dossier_estimate(case, sections)
    print(f"Estimation affichée avant la demande : {estimate.text} ({estimate.pages} p., {estimate.seconds:.0f} s).")
    workers = start_workers(2)
    try:
        render_on_workers(warm_case_id, timeout=120)
        seconds, dossier, still = render_and_watch(case.pk, timeout=600, sections=sections)
    finally:
        connection.close()
        peaks = stop_workers(workers)
    check = check_dossier(dossier)
    print(
        f"2 workers : {dossier.pages} pages, {dossier.size / 1e6:.1f} Mo en {seconds:.1f} s, {dossier.chunks.count()} morceaux, "
        f"pics RSS {', '.join(f'{peak:.0f}' for peak in peaks)} Mio, barre immobile au plus {still:.1f} s, PDF : {check}",
        flush=True,
    )
    worst = max(peaks)
    return (
        f"dossier de référence : {seconds:.0f} s sur 2 workers (cible ≤ 120 s : {verdict(seconds <= 120)}), "
        f"{dossier.pages} p. pour {estimate.pages} estimées ({dossier.pages / estimate.pages:.2f}×), "
        f"{seconds / max(estimate.seconds, 1):.2f}× le temps estimé, pic RSS par worker {worst:.0f} Mio "
        f"(cible ≤ 500 : {verdict(worst <= 500)}), progression immobile au plus {still:.1f} s "
        f"(cible ≤ 5 s : {verdict(still <= 5)}), PDF {check}"
    )


def verdict(ok: bool) -> str:
    return "OK" if ok else "NON ATTEINT"


def main() -> None:
    global WARM_CASE
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-parallel", action="store_true")
    parser.add_argument("--one-pass", action="store_true")
    parser.add_argument("--reference", action="store_true", help="only the reference case's whole dossier")
    parser.add_argument("--child")
    parser.add_argument("--case", type=int)
    args = parser.parse_args()

    if args.child:
        setup_django()
        result = {"ours": child_ours, "baseline": child_baseline, "one_pass": child_one_pass}[args.child](args.case)
        print(json.dumps(result))
        return

    setup_django(broker=BENCH_BROKER_URL)
    from django.core.management import call_command

    call_command("ensure_database", verbosity=0)
    call_command("migrate", verbosity=0)
    case_id = seed(args.events)
    print(f"Affaire de {args.events} étapes prête (base {BENCH_DATABASE_URL.rsplit('/', 1)[-1]}).", flush=True)
    if args.reference:
        print("dossier : " + reference(case_id))
        return

    ours = run_child("ours", case_id)
    ours["pps"] = ours["pages"] / ours["seconds"]
    print(
        f"nos gabarits : {ours['pages']} pages en {ours['seconds']:.2f} s = {ours['pps']:.1f} pages/s, "
        f"pic RSS {ours['rss']:.0f} Mio",
        flush=True,
    )
    figures = [
        f"{args.events} étapes : {ours['seconds']:.2f} s (cible ≤ {TARGET_SECONDS:g} s : {verdict(ours['seconds'] <= TARGET_SECONDS)}), "
        f"{ours['pages']} p., {ours['pps']:.1f} p/s (cible ≥ {TARGET_PAGES_PER_SECOND} : "
        f"{verdict(ours['pps'] >= TARGET_PAGES_PER_SECOND)}), pic RSS {ours['rss']:.0f} Mio "
        f"(cible < {TARGET_RSS_MIB} : {verdict(ours['rss'] < TARGET_RSS_MIB)})"
    ]
    if not args.skip_baseline:
        print("référence naïve (un tableau auto par section, sans CSS d'impression)…", flush=True)
        baseline = run_child("baseline", case_id)
        baseline["pps"] = baseline["pages"] / baseline["seconds"]
        ratio = baseline["seconds"] / ours["seconds"]
        print(
            f"référence naïve : {baseline['pages']} pages en {baseline['seconds']:.2f} s = {baseline['pps']:.1f} pages/s, "
            f"pic RSS {baseline['rss']:.0f} Mio ; rapport des temps {ratio:.1f}×",
            flush=True,
        )
        figures.append(
            f"référence naïve {baseline['seconds']:.1f} s ({baseline['pages']} p., {baseline['pps']:.1f} p/s, "
            f"{baseline['rss']:.0f} Mio) : {ratio:.1f}× plus lent (cible ≥ {TARGET_RATIO} : {verdict(ratio >= TARGET_RATIO)})"
        )
    if not args.skip_parallel:
        large_id = seed(args.large)
        WARM_CASE = case_id
        print(f"Affaire de {args.large} étapes prête ; rendu par des workers Celery ({BENCH_BROKER_URL})…", flush=True)
        results = parallel(large_id)
        share = results[2]["seconds"] / results[1]["seconds"]
        worst = max(results[1]["rss"], results[2]["rss"])
        figures.append(
            f"{args.large} étapes : 1 worker {results[1]['seconds']:.1f} s, 2 workers {results[2]['seconds']:.1f} s = "
            f"{share:.0%} (cible < {TARGET_PARALLEL_SHARE:.0%} : {verdict(share < TARGET_PARALLEL_SHARE)}), "
            f"{results[2]['pages']} p. fusionnées {results[2]['check']}, pic RSS par worker {worst:.0f} Mio "
            f"(cible < {TARGET_WORKER_RSS_MIB} : {verdict(worst < TARGET_WORKER_RSS_MIB)})"
        )
    if args.one_pass:
        large_id = seed(args.large)
        one = run_child("one_pass", large_id)
        print(
            f"chronologie de {args.large} étapes en une passe : {one['pages']} pages en {one['seconds']:.1f} s, pic RSS {one['rss']:.0f} Mio"
        )
        figures.append(f"une passe sur {args.large} étapes : {one['seconds']:.0f} s, {one['rss']:.0f} Mio")
    print("dossier : " + " ; ".join(figures))


if __name__ == "__main__":
    main()
