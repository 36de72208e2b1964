"""End to end: a dossier asked through the service is rendered by a real Celery worker on the real
Redis broker, then read back with pypdf."""

import hashlib
import re
import time

import pytest

from reports import services
from reports.models import Dossier, DossierStatus
from tests.factories import CaseFactory
from tests.reports.conftest import REAL_LAST_NAME, build_rich_case, outline, read_pdf, toc

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(dossier: Dossier, timeout: float = 90) -> Dossier:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dossier.refresh_from_db()
        if dossier.is_finished:
            return dossier
        time.sleep(0.2)
    raise AssertionError(f"dossier still {dossier.status} after {timeout} s")


def check_numbering_and_contents(reader):
    total = len(reader.pages)
    texts = [page.extract_text() for page in reader.pages]
    for index, text in enumerate(texts):
        assert f"page {index + 1} / {total}" in text, index
    bookmarks = outline(reader)
    printed = toc(reader)
    sections = [
        (title, page) for depth, title, page in bookmarks if depth == 0 and title not in {"Page de garde", "Sommaire"}
    ]
    assert sections, bookmarks
    # The table of contents lists the sections in the order their pages come.
    assert list(printed.values()) == sorted(printed.values()), printed
    for title, page_index in sections:
        # The table of contents sends to the page where the section's bookmark (its heading) is.
        assert printed[title] == page_index + 1, (title, printed)
        # …whose heading is printed there (the exhibits have no heading: their first stamp is).
        heading = "Pièce n° 1 – p. 1/" if title == "Pièces" else title
        assert heading in texts[page_index], (title, page_index)
    return texts, bookmarks, printed


def test_a_worker_renders_a_dossier_that_pypdf_can_check(celery_worker, owner, case, media_root):
    build_rich_case(owner, case)
    dossier = services.dossier_request(
        user=owner,
        case=case,
        recipient="Me Dupont, avocate",
        sections=[
            "cover",
            "summary",
            "parties",
            "procedures",
            "timeline",
            "referrals",
            "filings",
            "hearings",
            "deadlines",
            "bordereau",
            "exhibits",
        ],
    )
    dossier = wait_for(dossier)
    assert dossier.status == DossierStatus.DONE, dossier.error
    reader, data = read_pdf(dossier)

    assert hashlib.sha256(data).hexdigest() == dossier.sha256
    assert dossier.size == len(data) and dossier.pages == len(reader.pages) and dossier.progress == 100
    assert dossier.duration is not None and dossier.attempt == 1
    texts, bookmarks, printed = check_numbering_and_contents(reader)
    everything = "\n".join(texts)

    # Pseudonyms by default, never the real names (loi de 1881, art. 39 bis).
    assert "V-001" in everything and "V-002" in everything
    assert REAL_LAST_NAME not in everything and "Qwertzuiop" not in everything
    # Running header, « Remis à … le … » footer, parquet chain, article 40 notice, legal basis.
    assert all(case.reference in text and "Remis à Me Dupont, avocate le" in text for text in texts)
    assert "Parquet de Dunkerque (test) → Parquet de Paris (test)" in everything
    assert "Signalement article 40" in everything
    assert "Art. 2-3 CPP" in everything

    # Exhibits appended in order, each page stamped as French lawyers number them, with bookmarks.
    exhibits = {title: page for depth, title, page in bookmarks if depth == 1 and title.startswith("Pièce n°")}
    pv, capture = exhibits["Pièce n° 1 — Procès-verbal d’audition"], exhibits["Pièce n° 2 — Capture d’écran du profil"]
    assert "Pièce n° 1 – p. 1/2" in texts[pv] and "feuillet 1" in texts[pv]
    assert "Pièce n° 1 – p. 2/2" in texts[pv + 1] and "feuillet 2" in texts[pv + 1]
    assert capture == pv + 2 == len(reader.pages) - 1 and "Pièce n° 2 – p. 1/1" in texts[capture]
    assert reader.pages[capture].extract_text() and "/XObject" in str(reader.pages[capture]["/Resources"])
    assert printed["Pièce n° 1 — Procès-verbal d’audition"] == pv + 1
    # The bordereau lists every exhibit with its SHA-256.
    bordereau = next(page for depth, title, page in bookmarks if title == "Bordereau des pièces")
    for exhibit in case.exhibits.all():
        assert exhibit.sha256[:32] in texts[bordereau].replace("\n", "")

    metadata = reader.metadata
    assert metadata.title == f"Dossier {case.reference} — {case.title}"
    assert metadata.author == case.association.name
    assert metadata.creation_date is not None


def test_a_large_dossier_renders_in_chunks_on_the_worker_and_is_merged_with_right_numbers(
    celery_worker, owner, association, media_root, settings
):
    from datetime import date, timedelta

    from procedures.models import Event

    settings.DOSSIER_CHUNK_ROWS = 12
    settings.DOSSIER_PASS_ROWS = 20
    case = CaseFactory(association=association, reference="ACPE-T-LARGE")
    Event.objects.bulk_create(
        Event(
            case=case,
            kind="other",
            occurred_on=date(2023, 12, 1) + timedelta(days=index * 9),
            title=f"Étape {index:03d}",
        )
        for index in range(60)
    )
    dossier = services.dossier_request(
        user=owner, case=case, recipient="Greffe", sections=["cover", "summary", "timeline", "bordereau"]
    )
    dossier = wait_for(dossier)
    assert dossier.status == DossierStatus.DONE, dossier.error
    assert dossier.chunks.count() >= 5 and not dossier.chunks.exclude(status="done").exists()
    assert not dossier.chunks.exclude(file="").exists(), "chunk files are deleted once merged"

    reader, _data = read_pdf(dossier)
    texts, bookmarks, _printed = check_numbering_and_contents(reader)
    everything = "\n".join(texts)
    steps = re.findall(r"Étape (\d{3})", everything)
    assert steps == [f"{index:03d}" for index in range(60)], "every step once, in order, across the chunks"
    years = [title for depth, title, page in bookmarks if depth == 1]
    assert years == ["2023", "2024", "2025"], "a year cut between two chunks has one bookmark"
    assert "Chronologie (suite)" in everything
