"""A small but complete case, made through the services as the pages would, for the contract
tests: the fuzzer and the generated client then meet real records, not only 404s."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import signals
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from rest_framework.throttling import SimpleRateThrottle

from cases import services as case_services
from cases.models import Role
from procedures import services as procedure_services
from procedures.models import Deadline
from reports import services as report_services
from tests.factories import (
    AssociationFactory,
    CaseFactory,
    MembershipFactory,
    OffenceFactory,
    ParquetFactory,
    PlatformFactory,
    UserFactory,
)

PARIS = ZoneInfo("Europe/Paris")


@dataclass
class ApiWorld:
    """What the contract tests know of the case: its lawyer, her token and the records' ids by route."""

    owner: object
    key: str
    ids: dict[str, list[int]]


def api_world_create(*, pdf_bytes: bytes) -> ApiWorld:
    """A lawyer's case with victims, a suspect, an exhibit, a share, a procedure and its referral,
    filing, hearing, decision (and the deadlines it opens), a step, a preset and a dossier."""
    association = AssociationFactory(short_name="CONTRAT", name="Association du contrat")
    other_association = AssociationFactory(short_name="AUTRE-C", name="Autre association")
    owner = MembershipFactory(user=UserFactory(username="avocate-contrat"), association=association, role=Role.LAWYER)
    owner = owner.user
    offence = OffenceFactory(article="225-7", label="Proxénétisme aggravé (mineur)")
    case = CaseFactory(association=association, lead_lawyer=owner, platform=PlatformFactory(name="coco.example"))
    case.offences.add(offence)
    parquet = ParquetFactory(name="Parquet de Valenciennes")
    victims = [
        case_services.victim_add(user=owner, case=case, first_name="Camille", last_name="Fictive", age_at_facts=14),
        case_services.victim_add(user=owner, case=case, age_at_facts=15),
    ]
    suspect = case_services.suspect_add(user=owner, case=case, name="M. X")
    exhibit = case_services.exhibit_upload(
        user=owner,
        case=case,
        file=SimpleUploadedFile("pv.pdf", pdf_bytes, content_type="application/pdf"),
        title="Procès-verbal d'audition",
    )
    share = case_services.case_share(user=owner, case=case, association=other_association)
    procedure = procedure_services.procedure_create(
        user=owner,
        case=case,
        parquet=parquet,
        parquet_reference="23 000 000 42",
        opened_on=date(2023, 6, 1),
        stage="jugement",
        victims=victims,
        suspects=[suspect],
        offences=[offence],
    )
    referral = procedure_services.referral_record(
        user=owner, case=case, kind="article_40", author="Ministre", recipient="Procureur", sent_on=date(2024, 5, 6)
    )
    filing = procedure_services.filing_submit(
        user=owner,
        procedure=procedure,
        mode="art418",
        legal_basis="2-3",
        status="filed",
        filed_on=date(2024, 4, 23),
        override_reason="Contrat de test : constitution admise à l'audience.",
    )
    hearing = procedure_services.hearing_record(
        user=owner,
        procedure=procedure,
        starts_at=datetime(2024, 4, 23, 13, 30, tzinfo=PARIS),
        court="Tribunal correctionnel",
        status="held",
    )
    decision = procedure_services.decision_record(
        user=owner,
        procedure=procedure,
        kind="judgment_correctionnel",
        decided_on=date(2024, 4, 30),
        outcome="conviction",
    )
    event = procedure_services.event_record(
        user=owner, case=case, procedure=procedure, kind="other", occurred_on=date(2024, 5, 2), title="Courrier"
    )
    preset = report_services.preset_save(
        user=owner, association=association, name="Audience", sections=["cover", "summary"]
    )
    dossier = report_services.dossier_request(
        user=owner, case=case, recipient="Me Dupont", sections=["cover", "summary"]
    )
    _token, key = case_services.api_token_create(user=owner, association=association, name="contrat")
    second, _key = case_services.api_token_create(user=owner, association=association, name="tableur")
    return ApiWorld(
        owner=owner,
        key=key,
        ids={
            "associations": [association.pk],
            "cases": [case.pk],
            "victims": [victim.pk for victim in victims],
            "suspects": [suspect.pk],
            "exhibits": [exhibit.pk],
            "shares": [share.pk],
            "tokens": [second.pk],
            "platforms": [case.platform_id],
            "courts-of-appeal": [parquet.court_of_appeal_id],
            "parquets": [parquet.pk],
            "offences": [offence.pk],
            "procedures": [procedure.pk],
            "referrals": [referral.pk],
            "filings": [filing.pk],
            "hearings": [hearing.pk],
            "decisions": [decision.pk],
            "events": [event.pk],
            "deadlines": list(Deadline.objects.filter(case=case).values_list("pk", flat=True)),
            "dossier-presets": [preset.pk],
            "dossiers": [dossier.pk],
        },
    )


@pytest.fixture
def unthrottled(monkeypatch):
    """Thousands of requests in a few minutes, well over the hourly rates: the 429 answer is part
    of the contract (checked on its own), not the subject of the fuzzing."""
    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "1000000/hour")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1000000/hour")
    yield
    cache.clear()


@pytest.fixture
def in_process_requests():
    """Requests reach the application in the test's own transaction, as with Django's test
    client: closing "old" connections at the end of a request would close the test's."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
