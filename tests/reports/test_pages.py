"""Pages of dossiers: the request form with presets, the live page, the download; the case
page's section and the staff's panel."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from cases.models import AccessLog
from reports import services
from reports.models import Dossier, DossierPreset

pytestmark = pytest.mark.django_db


def rendered(dossier) -> Dossier:
    services.dossier_render(dossier_id=dossier.pk, parallel=False)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def done(owner, case, media_root):
    return rendered(services.dossier_request(user=owner, case=case, recipient="Greffe", sections=["cover", "summary"]))


def test_the_request_form_lists_sections_and_presets_and_offers_identities_to_lawyers_only(
    client, owner, colleague, case, association
):
    DossierPreset.objects.create(association=association, name="Audience", sections=["cover", "timeline"])
    client.force_login(owner)
    page = client.get(reverse("dossier_request", args=[case.pk])).content.decode()
    assert "Bordereau des pièces" in page and "Audience" in page and 'name="reveal_identities"' in page
    assert "<script>" not in page.replace('<script src="/static/reports/dossier.js" defer></script>', "")
    client.force_login(colleague)
    page = client.get(reverse("dossier_request", args=[case.pk])).content.decode()
    assert 'name="reveal_identities"' not in page


def test_applying_a_preset_ticks_its_sections(client, owner, case, association):
    preset = DossierPreset.objects.create(association=association, name="Audience", sections=["cover", "timeline"])
    client.force_login(owner)
    page = client.get(reverse("dossier_request", args=[case.pk]), {"preset": preset.pk}).content.decode()
    ticked = set(re.findall(r'value="(\w+)"[^>]*checked', page))
    assert ticked == {"cover", "timeline"}


def test_posting_the_form_queues_a_dossier_saves_the_preset_and_shows_its_page(
    client, colleague, case, association, django_capture_on_commit_callbacks
):
    client.force_login(colleague)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("dossier_request", args=[case.pk]),
            {"sections": ["cover", "timeline", "bordereau"], "recipient": "Me Martin", "save_as": "Pour l'audience"},
        )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dossier_detail", args=[dossier.pk])
    assert len(callbacks) == 1, "rendering is queued once the request is committed"
    assert dossier.preset.name == "Pour l'audience" and dossier.preset.sections == ["cover", "timeline", "bordereau"]
    page = client.get(response["Location"]).content.decode()
    assert "En file d&#x27;attente" in page and 'data-status-url="/dossiers/' in page and "<progress" in page
    # While it waits, the page says how long it will be and take, as the form did.
    assert re.search(r"Estimation :</strong> environ \d+ pages?, environ \d+ minutes?", page), page


def test_the_form_refuses_a_request_without_sections_or_recipient(client, owner, case):
    client.force_login(owner)
    response = client.post(reverse("dossier_request", args=[case.pk]), {"recipient": ""})
    assert response.status_code == 200 and not Dossier.objects.exists()
    assert "Choisissez au moins une section" in response.content.decode()


def test_the_status_json_is_what_the_page_polls(client, owner, done):
    client.force_login(owner)
    state = client.get(reverse("dossier_status", args=[done.pk])).json()
    assert state["status"] == "done" and state["progress"] == 100 and state["finished"] is True
    assert state["sha256"] == done.sha256 and state["pages"] == done.pages
    assert state["download_url"] == reverse("dossier_download", args=[done.pk])


def test_the_finished_page_prints_the_sha256_and_the_download_is_logged(client, colleague, done):
    client.force_login(colleague)
    page = client.get(reverse("dossier_detail", args=[done.pk])).content.decode()
    assert done.sha256 in page and reverse("dossier_download", args=[done.pk]) in page
    assert AccessLog.objects.filter(action="view", object_type="dossier", object_id=done.pk, user=colleague).exists()
    response = client.get(reverse("dossier_download", args=[done.pk]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF") and response["Digest"] == f"sha-256={done.sha256}"
    assert AccessLog.objects.filter(
        action="download", object_type="dossier", object_id=done.pk, user=colleague
    ).exists()


def test_an_outsider_gets_404_on_every_dossier_url(client, outsider, case, done):
    client.force_login(outsider)
    for url in (
        reverse("dossier_request", args=[case.pk]),
        reverse("dossier_detail", args=[done.pk]),
        reverse("dossier_status", args=[done.pk]),
        reverse("dossier_download", args=[done.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_partner_association_sees_only_its_own_dossiers_and_loses_them_with_the_share(
    client, owner, case, staff_of_partner, shared_for_printing, done, media_root
):
    from cases import services as case_services

    theirs = rendered(
        services.dossier_request(user=staff_of_partner, case=case, recipient="Me B", sections=["summary"])
    )
    client.force_login(staff_of_partner)
    assert client.get(reverse("dossier_detail", args=[done.pk])).status_code == 404
    assert client.get(reverse("dossier_download", args=[theirs.pk])).status_code == 200
    case_services.case_share_revoke(user=owner, share=shared_for_printing)
    assert client.get(reverse("dossier_download", args=[theirs.pk])).status_code == 404


def test_a_dossier_with_real_identities_is_downloaded_by_the_lead_association_s_lawyers_only(
    client, owner, colleague, case, media_root
):
    revealed = rendered(
        services.dossier_request(user=owner, case=case, recipient="Me A", sections=["parties"], reveal_identities=True)
    )
    client.force_login(colleague)
    assert client.get(reverse("dossier_download", args=[revealed.pk])).status_code == 403
    client.force_login(owner)
    assert client.get(reverse("dossier_download", args=[revealed.pk])).status_code == 200


def test_the_case_page_lists_its_dossiers_with_a_request_link_for_those_who_print(
    client, owner, case, done, other_association, outsider
):
    from cases import services as case_services

    scripted = services.dossier_request_from_command(case=case, recipient="Greffe", sections=["summary"])
    client.force_login(owner)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="dossiers"' in page and reverse("dossier_request", args=[case.pk]) in page
    assert reverse("dossier_download", args=[done.pk]) in page
    assert reverse("dossier_detail", args=[scripted.pk]) in page and "ligne de commande" in page
    case_services.case_share(user=owner, case=case, association=other_association, access="read")
    client.force_login(outsider)
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="dossiers"' not in page, "a read-only share prints nothing"


def test_the_staff_home_panel_shows_the_association_s_dossiers(client, colleague, done):
    client.force_login(colleague)
    page = client.get(reverse("home")).content.decode()
    assert "Dossiers à imprimer" in page and reverse("dossier_detail", args=[done.pk]) in page
    assert f"{done.pages} p." in page


def test_the_case_section_and_the_panel_cost_a_constant_number_of_queries(
    rf, owner, colleague, case, association, media_root, django_assert_num_queries
):
    from cases.models import Membership
    from cases.selectors import case_access
    from reports.panels import case_dossiers_section, staff_dossiers_panel

    for _ in range(3):
        services.dossier_request(user=owner, case=case, recipient="Greffe", sections=["summary"])
    request = rf.get("/")
    request.user = owner
    access = case_access(owner, case)
    with django_assert_num_queries(3):
        case_dossiers_section(request, case, access)
    membership = Membership.objects.get(user=colleague)
    request.user = colleague
    with django_assert_num_queries(3):
        staff_dossiers_panel(request, membership)


def test_the_poller_is_a_static_file_without_inline_script_or_cdn():
    source = Path(finders.find("reports/dossier.js")).read_text(encoding="utf-8")
    assert "fetch(" in source and "http://" not in source and "https://" not in source
    assert finders.find("reports/print.css")


def test_a_failed_dossier_shows_its_reason_and_no_download(client, owner, case, settings):
    settings.DOSSIER_TIME_LIMIT = 0
    failed = rendered(services.dossier_request(user=owner, case=case, recipient="Greffe", sections=["summary"]))
    client.force_login(owner)
    page = client.get(reverse("dossier_detail", args=[failed.pk])).content.decode()
    assert "Échec" in page and "durée maximale" in page
    assert reverse("dossier_download", args=[failed.pk]) not in page
    assert client.get(reverse("dossier_download", args=[failed.pk])).status_code == 404
