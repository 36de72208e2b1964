"""Fixtures of the reports tests: a case with one of everything (made through the services), its
URLs wired in, and helpers to read a rendered dossier with pypdf."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile

from cases import services as case_services
from cases.models import CaseOffence, Role, ShareAccess
from procedures import services as procedure_services
from procedures.models import FilingStatus, HearingStatus, Outcome, ReferralKind, Stage
from tests.factories import MembershipFactory, OffenceFactory, ParquetFactory, SuspectFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")
REAL_FIRST_NAME = "Capucine"
REAL_LAST_NAME = "Zyxwvutski"


def exhibit_pdf(pages: int = 2, text: str = "Procès-verbal d'audition") -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p style='break-after: page'>{text} — feuillet {n}</p>" for n in range(1, pages + 1))
    return HTML(string=body).write_pdf()


def exhibit_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def build_rich_case(owner, case):
    """Victims with real names, suspects, a procedure transferred to a second parquet, an article 40
    notice, a filing, a hearing, a decision (which opens a deadline), steps and two exhibits."""
    offence = OffenceFactory(label="Images pédopornographiques (test)", article="227-23")
    CaseOffence.objects.create(case=case, offence=offence)
    victim = case_services.victim_add(
        user=owner, case=case, first_name=REAL_FIRST_NAME, last_name=REAL_LAST_NAME, age_at_facts=14
    )
    case_services.victim_add(user=owner, case=case, first_name="Anatole", last_name="Qwertzuiop", age_at_facts=15)
    SuspectFactory(case=case, name="Prévenu P-01")
    first = procedure_services.procedure_create(
        user=owner,
        case=case,
        parquet=ParquetFactory(code="TJT-DK", name="Parquet de Dunkerque (test)"),
        parquet_reference="24/123.45",
        opened_on=date(2024, 4, 26),
        stage=Stage.INSTRUCTION,
        victims=[victim],
        offences=[offence],
    )
    procedure = procedure_services.procedure_transfer(
        user=owner,
        procedure=first,
        parquet=ParquetFactory(code="TJT-PA", name="Parquet de Paris (test)"),
        parquet_reference="24/999",
        transferred_on=date(2024, 6, 1),
    )
    with time_machine.travel(datetime(2025, 6, 2, 10, tzinfo=PARIS), tick=False):
        procedure_services.filing_submit(
            user=owner,
            procedure=procedure,
            mode="art87",
            legal_basis="2-3",
            status=FilingStatus.FILED,
            filed_on=date(2025, 5, 15),
        )
        procedure_services.hearing_record(
            user=owner,
            procedure=procedure,
            starts_at=datetime(2025, 5, 20, 14, 0, tzinfo=PARIS),
            court="Tribunal correctionnel de Paris (test)",
            status=HearingStatus.HELD,
        )
        procedure_services.decision_record(
            user=owner,
            procedure=procedure,
            kind="instruction_order",
            order_kind="referral_correctionnel",
            decided_on=date(2025, 6, 2),
            outcome=Outcome.POURSUITES,
        )
    procedure_services.referral_record(
        user=owner,
        case=case,
        kind=ReferralKind.ARTICLE_40,
        author="Ministre de l'Intérieur",
        recipient="Procureur de la République",
        sent_on=date(2024, 5, 6),
        procedures=[first],
    )
    case_services.exhibit_upload(
        user=owner,
        case=case,
        file=ContentFile(exhibit_pdf(2), name="pv.pdf"),
        title="Procès-verbal d'audition",
        source="Brigade des mineurs",
        received_on=date(2024, 5, 2),
    )
    case_services.exhibit_upload(
        user=owner,
        case=case,
        file=ContentFile(exhibit_png(), name="capture.png"),
        title="Capture d'écran du profil",
        source="Association",
        received_on=date(2024, 5, 3),
    )
    return case


@pytest.fixture
def rich_case(owner, case, media_root):
    return build_rich_case(owner, case)


@pytest.fixture
def staff_of_partner(other_association):
    """A staff member of the association the case may be shared with."""
    return MembershipFactory(
        user=UserFactory(username="partner-staff"), association=other_association, role=Role.STAFF
    ).user


@pytest.fixture
def shared_for_printing(owner, case, other_association):
    return case_services.case_share(user=owner, case=case, association=other_association, access=ShareAccess.READ_PRINT)


# --- reading a rendered dossier -------------------------------------------------------------------


def read_pdf(dossier):
    from pypdf import PdfReader

    with dossier.file.open("rb") as handle:
        data = handle.read()
    return PdfReader(io.BytesIO(data)), data


def outline(reader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    entries = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                entries.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return entries


def toc(reader, pages=range(0, 4)) -> dict[str, int]:
    """The table of contents as printed: label → page number."""
    import re

    found = {}
    for index in pages:
        if index >= len(reader.pages):
            break
        for line in reader.pages[index].extract_text().splitlines():
            match = re.match(r"^(.*?)[ .]*\.\s*[\xa0 ]?(\d+)$", line)
            if match:
                found[match.group(1).strip()] = int(match.group(2))
    return found
