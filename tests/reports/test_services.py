"""Asking for dossiers (who may, for which association, what is logged), presets, and the
rendering's state: claims, duplicates, crashed workers, limits, unreadable exhibits."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone

from cases.models import AccessLog, Exhibit
from reports import recovery, services
from reports.models import Dossier, DossierChunk, DossierPreset, DossierStatus
from tests.reports.conftest import REAL_LAST_NAME, read_pdf

pytestmark = pytest.mark.django_db


def ask(user, case, **options):
    options.setdefault("recipient", "Me Dupont")
    options.setdefault("sections", ["cover", "summary", "parties"])
    return services.dossier_request(user=user, case=case, **options)


def render(dossier) -> Dossier:
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    return dossier


# --- who may ask -------------------------------------------------------------------------------------


def test_staff_of_the_lead_association_ask_for_a_dossier_and_the_print_is_logged(colleague, case):
    dossier = ask(colleague, case)
    assert dossier.status == DossierStatus.QUEUED and dossier.association == case.association
    assert dossier.sections == ["cover", "summary", "parties"] and not dossier.reveal_identities
    assert AccessLog.objects.filter(
        action="print", object_type="dossier", object_id=dossier.pk, user=colleague
    ).exists()


def test_an_outsider_gets_404_and_a_read_only_share_403(owner, outsider, case, other_association):
    from cases import services as case_services

    with pytest.raises(Http404):
        ask(outsider, case)
    case_services.case_share(user=owner, case=case, association=other_association, access="read")
    with pytest.raises(PermissionDenied):
        ask(outsider, case)


def test_a_share_for_printing_makes_a_dossier_of_the_partner_association(
    case, staff_of_partner, shared_for_printing, other_association
):
    dossier = ask(staff_of_partner, case)
    assert dossier.association == other_association


def test_only_lawyers_of_the_lead_association_may_reveal_identities_and_it_is_logged(
    owner, colleague, outsider, case, other_association
):
    from cases import services as case_services

    with pytest.raises(PermissionDenied):
        ask(colleague, case, reveal_identities=True)
    case_services.case_share(user=owner, case=case, association=other_association, access="read_print")
    with pytest.raises(PermissionDenied):
        ask(outsider, case, reveal_identities=True)
    dossier = ask(owner, case, reveal_identities=True)
    actions = set(
        AccessLog.objects.filter(object_id=dossier.pk, object_type="dossier").values_list("action", flat=True)
    )
    assert actions == {"print", "reveal_identity"}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"sections": []}, "sections"),
        ({"sections": ["timeline", "nope"]}, "sections"),
        ({"recipient": "   "}, "recipient"),
    ],
)
def test_a_request_without_sections_or_recipient_is_refused_with_a_message(owner, case, options, field):
    with pytest.raises(ValidationError) as error:
        ask(owner, case, **options)
    assert field in error.value.message_dict


def test_sections_are_kept_in_printed_order_whatever_the_order_asked(owner, case):
    dossier = ask(owner, case, sections=["exhibits", "cover", "timeline", "cover"])
    assert dossier.sections == ["cover", "timeline", "exhibits"]


def test_presets_are_per_association_reusable_and_replaced_by_name(owner, colleague, outsider, case, association):
    preset = services.preset_save(
        user=colleague, association=association, name=" Audience ", sections=["timeline", "cover"]
    )
    assert preset.name == "Audience" and preset.sections == ["cover", "timeline"]
    again = services.preset_save(user=owner, association=association, name="Audience", sections=["bordereau"])
    assert again.pk == preset.pk and again.sections == ["bordereau"]
    assert DossierPreset.objects.count() == 1
    dossier = ask(owner, case, sections=None, preset=again)
    assert dossier.sections == ["bordereau"] and dossier.preset == again
    with pytest.raises(ValidationError) as error:
        services.preset_save(user=owner, association=association, name="Audience", sections=["cover"], replace=False)
    assert error.value.error_dict["name"][0].code == "unique"
    with pytest.raises(Http404):
        services.preset_save(user=outsider, association=association, name="X", sections=["cover"])


# --- rendering ------------------------------------------------------------------------------------


def test_rendering_twice_yields_one_file_and_the_second_run_does_nothing(owner, case, media_root):
    dossier = render(ask(owner, case))
    assert dossier.status == DossierStatus.DONE and dossier.progress == 100
    first = (dossier.file.name, dossier.sha256)
    assert services.dossier_render(dossier_id=dossier.pk) is None
    dossier.refresh_from_db()
    assert (dossier.file.name, dossier.sha256) == first and dossier.attempt == 1
    files = list((media_root / "dossiers").rglob("*.pdf"))
    assert [path.name for path in files] == [first[0].rsplit("/", 1)[-1]]


def test_a_crashed_worker_s_dossier_is_queued_again_then_rendered(
    owner, case, media_root, django_capture_on_commit_callbacks
):
    dossier = ask(owner, case)
    # A worker claimed it, then died: the row says rendering, with an old heartbeat.
    Dossier.objects.filter(pk=dossier.pk).update(
        status=DossierStatus.RENDERING,
        attempt=1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    with django_capture_on_commit_callbacks(execute=False):
        report = services.dossiers_requeue_stale()
    assert report["requeued"] == [dossier.pk]
    dossier = render(dossier)
    assert dossier.status == DossierStatus.DONE and dossier.attempt == 2


def test_a_fresh_rendering_is_left_alone_and_a_dossier_that_keeps_crashing_fails_with_a_reason(owner, case, settings):
    settings.DOSSIER_MAX_ATTEMPTS = 3
    alive, dead = ask(owner, case), ask(owner, case)
    now = timezone.now()
    Dossier.objects.filter(pk=alive.pk).update(status=DossierStatus.RENDERING, attempt=1, heartbeat_at=now)
    Dossier.objects.filter(pk=dead.pk).update(
        status=DossierStatus.RENDERING,
        attempt=3,
        started_at=now - timedelta(hours=1),
        heartbeat_at=now - timedelta(hours=1),
    )
    report = services.dossiers_requeue_stale()
    assert report["requeued"] == [] and report["failed"] == [dead.pk]
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.status == DossierStatus.RENDERING
    assert dead.status == DossierStatus.FAILED and "interrompu 3 fois" in dead.error


def test_a_dossier_still_queued_long_after_its_request_is_sent_again(owner, case, monkeypatch):
    dossier = ask(owner, case)
    Dossier.objects.filter(pk=dossier.pk).update(created_at=timezone.now() - timedelta(hours=1))
    sent = []
    monkeypatch.setattr(recovery, "enqueue", sent.append)
    assert services.dossiers_requeue_stale()["resent"] == [dossier.pk] and sent == [dossier.pk]
    # Not every minute: the heartbeat says when it was last sent.
    assert services.dossiers_requeue_stale()["resent"] == []


def test_a_worker_given_up_for_dead_cannot_overwrite_its_successor(owner, case, media_root):
    dossier = ask(owner, case)
    services.dossier_render(dossier_id=dossier.pk)  # attempt 1 finishes…
    dossier.refresh_from_db()
    run = services.Run(dossier)
    run.attempt = 0  # …a stale worker of an older attempt reports late
    run.fail("trop tard")
    run.progress(50)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE and dossier.progress == 100 and not dossier.error


def test_the_time_limit_fails_the_dossier_with_a_readable_reason(owner, case, settings):
    settings.DOSSIER_TIME_LIMIT = 0
    dossier = render(ask(owner, case))
    assert dossier.status == DossierStatus.FAILED
    assert "durée maximale de 0 secondes" in dossier.error and dossier.finished_at and not dossier.file


def test_the_page_limit_fails_the_dossier_with_a_readable_reason(owner, rich_case, settings):
    settings.DOSSIER_MAX_PAGES = 3
    dossier = render(ask(owner, rich_case, sections=["cover", "summary", "parties", "procedures", "timeline"]))
    assert dossier.status == DossierStatus.FAILED
    assert "limite de 3 pages" in dossier.error


def test_an_unexpected_error_fails_the_dossier_and_says_so(owner, case, monkeypatch):
    from reports import rendering

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(rendering, "render_part", broken)
    dossier = render(ask(owner, case))
    assert dossier.status == DossierStatus.FAILED
    assert "Erreur inattendue" in dossier.error and "disque plein" in dossier.error


def test_real_identities_are_printed_only_when_asked(owner, rich_case):
    hidden = render(ask(owner, rich_case))
    revealed = render(ask(owner, rich_case, reveal_identities=True))
    hidden_text = "\n".join(page.extract_text() for page in read_pdf(hidden)[0].pages)
    revealed_text = "\n".join(page.extract_text() for page in read_pdf(revealed)[0].pages)
    assert "V-001" in hidden_text and REAL_LAST_NAME not in hidden_text
    assert REAL_LAST_NAME in revealed_text and "identité réelle" in revealed_text


def test_an_exhibit_that_changed_or_cannot_be_read_is_replaced_by_a_page_that_says_so(owner, rich_case, media_root):
    pdf = Exhibit.objects.get(case=rich_case, number=1)
    with default_storage.open(pdf.file.name, "wb") as handle:
        handle.write(b"%PDF-1.7 tampered")
    dossier = render(ask(owner, rich_case, sections=["exhibits"]))
    assert dossier.status == DossierStatus.DONE
    reader, _ = read_pdf(dossier)
    texts = [page.extract_text() for page in reader.pages]
    assert any("ne correspond plus à l’empreinte SHA-256" in text and "Pièce n° 1 – p. 1/1" in text for text in texts)
    assert any("Pièce n° 2 – p. 1/1" in text for text in texts)


def test_a_large_dossier_in_one_task_renders_several_passes_and_keeps_its_numbers(owner, case, settings, media_root):
    from datetime import date

    from procedures.models import Event

    settings.DOSSIER_PASS_ROWS = 10
    Event.objects.bulk_create(
        Event(case=case, kind="other", occurred_on=date(2024, 1, 1 + index % 28), title=f"Étape {index:02d}")
        for index in range(35)
    )
    dossier = render(ask(owner, case, sections=["summary", "timeline"]))
    # Rendered here chunk by chunk through storage, each file deleted once merged.
    assert dossier.status == DossierStatus.DONE and not DossierChunk.objects.exclude(file="").exists()
    reader, _ = read_pdf(dossier)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert all(f"Étape {index:02d}" in text for index in range(35))
    assert f"page {len(reader.pages)} / {len(reader.pages)}" in reader.pages[-1].extract_text()


def test_the_deadlines_section_explains_each_deadline_and_leaves_out_other_parties(colleague, rich_case):
    from procedures.models import Deadline

    assert Deadline.objects.own().filter(case=rich_case, status="open").exists()
    assert Deadline.objects.others().filter(case=rich_case).exists()
    dossier = render(ask(colleague, rich_case, sections=["deadlines"]))
    reader, _data = read_pdf(dossier)
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    assert "Fait générateur" in text
    assert "Crim. 13 janv. 2015" in text
    assert "procureur de la République" not in text
