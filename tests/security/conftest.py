"""The world of the authorization matrix: one object of each kind, all in case A1 of association
A, and the people who knock on its doors (STYLE.md's owner, colleague and outsider, and more).

Markers in the data let the matrix see a leak in any answer, lists and exports included:
`SECRETA1` (what a reader of the case sees), `OWNA1` (the lead association's own work: a
deadline), `IDENTA1` (a victim's real name: the lead association's lawyers only)."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings

from cases import services as case_services
from cases.models import Role, ShareAccess
from procedures import services as procedure_services
from procedures.calendar import calendar_token_issue
from procedures.imports import import_job_create
from procedures.models import (
    Deadline,
    DeadlineStatus,
    EventKind,
    HearingStatus,
    Outcome,
    Procedure,
    ReferralKind,
    Stage,
)
from reports.models import Dossier, DossierPreset, DossierStatus
from reports.statistics.models import PublishedStatistics, ReportStatus, StatisticsReport
from tests.factories import (
    AssociationFactory,
    CaseFactory,
    MembershipFactory,
    OffenceFactory,
    ParquetFactory,
    SuspectFactory,
    UserFactory,
)

PARIS = ZoneInfo("Europe/Paris")
SECRET = "SECRETA1"
OWN_ONLY = "OWNA1"
IDENTITY = "IDENTA1"
# Smallest file puremagic reads as a PDF: enough for an exhibit, a dossier, a report.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV_BYTES = "parquet;numéro de parquet;ouverte le\n".encode()


@dataclass
class World:
    associations: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    token_keys: dict = field(default_factory=dict)
    calendar_secret: str = ""


def _member(username, association, role):
    return MembershipFactory(user=UserFactory(username=username), association=association, role=role).user


def build_world() -> World:
    world = World()
    a = AssociationFactory(short_name="ASSO-A", name="Association A (tenant)")
    b = AssociationFactory(short_name="ASSO-B", name="Association B (ailleurs)")
    c = AssociationFactory(short_name="ASSO-C", name="Association C (partage en lecture)")
    d = AssociationFactory(short_name="ASSO-D", name="Association D (partage lecture et impression)")
    world.associations = {"A": a, "B": b, "C": c, "D": d}

    owner = _member("m-owner", a, Role.LAWYER)
    staff = _member("m-staff", a, Role.STAFF)
    admin = _member("m-admin", a, Role.ADMIN)
    outsider = _member("m-outsider", b, Role.LAWYER)
    dual = _member("m-dual", a, Role.STAFF)
    MembershipFactory(user=dual, association=b, role=Role.LAWYER)
    share_read = _member("m-share-read", c, Role.LAWYER)
    share_print = _member("m-share-print", d, Role.LAWYER)
    world.users = {
        "owner": owner,
        "staff": staff,
        "admin": admin,
        "outsider": outsider,
        "dual": dual,
        "share_read": share_read,
        "share_print": share_print,
    }

    offence = OffenceFactory(label="Corruption de mineur (test)", article="227-22")
    parquet = ParquetFactory(code="TJT-SEC1", name="Parquet de Lille (test)")
    other_parquet = ParquetFactory(code="TJT-SEC2", name="Parquet de Douai (test)")
    case = CaseFactory(association=a, reference=f"{SECRET}-REF", title=f"{SECRET} — affaire", lead_lawyer=owner)
    case.offences.add(offence)
    victim = case_services.victim_add(
        user=owner,
        case=case,
        first_name="Camille",
        last_name=IDENTITY,
        age_at_facts=14,
        birth_date=date(2010, 1, 2),
        notes=f"{SECRET} suivi de la victime",
    )
    suspect = SuspectFactory(case=case, name=f"{SECRET}-suspect")
    exhibit = case_services.exhibit_upload(
        user=owner, case=case, file=ContentFile(PDF_BYTES, name="pv.pdf"), title=f"{SECRET} procès-verbal"
    )
    share_c = case_services.case_share(user=owner, case=case, association=c, access=ShareAccess.READ)
    share_d = case_services.case_share(user=owner, case=case, association=d, access=ShareAccess.READ_PRINT)

    procedure = procedure_services.procedure_create(
        user=owner,
        case=case,
        parquet=parquet,
        parquet_reference=f"{SECRET}-P",
        opened_on=date(2024, 4, 26),
        stage=Stage.INSTRUCTION,
        victims=[victim],
        offences=[offence],
    )
    referral = procedure_services.referral_record(
        user=owner,
        case=case,
        kind=ReferralKind.ARTICLE_40,
        author="Association A",
        recipient="Procureur de la République",
        sent_on=date(2024, 5, 6),
        reference=f"{SECRET}-S",
        procedures=[procedure],
    )
    filing = procedure_services.filing_submit(
        user=owner, procedure=procedure, mode="art87", legal_basis="2-3", status="filed", filed_on=date(2025, 5, 15)
    )
    hearing = procedure_services.hearing_record(
        user=owner,
        procedure=procedure,
        starts_at=datetime(2025, 5, 20, 14, 0, tzinfo=PARIS),
        court=f"{SECRET} tribunal correctionnel",
        status=HearingStatus.HELD,
    )
    decision = procedure_services.decision_record(
        user=owner,
        procedure=procedure,
        kind="instruction_order",
        order_kind="referral_correctionnel",
        decided_on=date(2025, 6, 2),
        outcome=Outcome.POURSUITES,
    )
    event = procedure_services.event_record(
        user=owner,
        case=case,
        procedure=procedure,
        kind=EventKind.REQUISITOIRE,
        occurred_on=date(2025, 3, 1),
        title=f"{SECRET} réquisitoire",
    )
    deadline = Deadline.objects.own().filter(case=case).order_by("pk").first()
    if deadline is None:
        deadline = Deadline.objects.create(
            case=case,
            procedure=procedure,
            association=a,
            rule="appeal_correctionnel",
            trigger_date=date(2025, 6, 2),
            due_on=date(2025, 6, 12),
            computed_due_on=date(2025, 6, 12),
            status=DeadlineStatus.OPEN,
        )
    Deadline.objects.own().filter(case=case).update(notes=f"{OWN_ONLY} note interne", owner=owner)
    deadline.refresh_from_db()

    preset = DossierPreset.objects.create(
        association=a, name="Audience", sections=["cover", "summary"], created_by=owner
    )
    dossier = Dossier(case=case, association=a, requested_by=owner, sections=["cover"], recipient=f"{SECRET} Me X")
    dossier.save()
    dossier.file.save("dossier.pdf", ContentFile(PDF_BYTES), save=False)
    dossier.status = DossierStatus.DONE
    dossier.sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    dossier.save()
    job = import_job_create(user=owner, case=case, data=CSV_BYTES, name="procedures.csv")
    report = StatisticsReport.objects.create(association=a, requested_by=admin)
    report.file.save("rapport.pdf", ContentFile(PDF_BYTES), save=False)
    report.status = ReportStatus.DONE
    report.sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    report.save()
    publication = PublishedStatistics.objects.create(
        published_by=admin,
        association=a,
        title="Chiffres publiés (test)",
        period="2023",
        month_from=date(2023, 1, 1),
        month_to=date(2023, 12, 1),
        threshold=5,
        figures={"headline": {}},
    )

    api_token, key = case_services.api_token_create(user=owner, association=a, name="script de l'avocate")
    world.token_keys["tok_owner"] = key
    world.token_keys["tok_staff"] = case_services.api_token_create(user=staff, association=a, name="staff")[1]
    world.token_keys["tok_dual_B"] = case_services.api_token_create(user=dual, association=b, name="pour B")[1]
    world.token_keys["tok_admin"] = case_services.api_token_create(user=admin, association=a, name="tableaux")[1]
    world.token_keys["tok_share_read"] = case_services.api_token_create(user=share_read, association=c, name="C")[1]
    revoked, revoked_key = case_services.api_token_create(user=owner, association=a, name="ancien")
    case_services.api_token_revoke(user=owner, token=revoked)
    world.token_keys["tok_revoked"] = revoked_key
    calendar_token, world.calendar_secret = calendar_token_issue(user=owner)

    # Linking: the suspect as a person, and a pair proposed for review.
    from linking import services as linking_services
    from linking.models import Judgement, MatchDecision

    person = linking_services.person_sync_suspect(suspect)
    twin = linking_services.person_sync_suspect(SuspectFactory(case=case, name=f"{suspect.name} bis"))
    match_proposal = MatchDecision.objects.create(
        association=a, left=person, right=twin, judgement=Judgement.POSSIBLE, score=0.5
    )
    from linking.models import ProcedureDecision

    twin_procedure = Procedure.objects.create(
        case=case,
        association=a,
        parquet=procedure.parquet,
        parquet_reference=f"{procedure.parquet_reference} bis",
        opened_on=procedure.opened_on,
    )
    duplicate = ProcedureDecision.objects.create(
        association=a, left=procedure, right=twin_procedure, judgement=Judgement.POSSIBLE
    )

    # Records of association B, for « foreign id » probes.
    case_b = CaseFactory(association=b, reference="B-REF", title="Affaire de B")
    world.objects = {
        "case": case,
        "victim": victim,
        "suspect": suspect,
        "exhibit": exhibit,
        "share": share_c,
        "share_print": share_d,
        "procedure": procedure,
        "referral": referral,
        "filing": filing,
        "hearing": hearing,
        "decision": decision,
        "person": person,
        "match": match_proposal,
        "duplicate": duplicate,
        "event": event,
        "deadline": deadline,
        "preset": preset,
        "dossier": dossier,
        "job": job,
        "report": report,
        "publication": publication,
        "api_token": api_token,
        "calendar_token": calendar_token,
        "offence": offence,
        "parquet": parquet,
        "other_parquet": other_parquet,
        "platform": case.platform,
        "court_of_appeal": parquet.court_of_appeal,
        "case_b": case_b,
        "victim_b": case_services.victim_add(user=outsider, case=case_b, age_at_facts=12),
        "suspect_b": SuspectFactory(case=case_b, name="Mis en cause de B"),
        "procedure_b": procedure_services.procedure_create(
            user=outsider, case=case_b, parquet=parquet, parquet_reference="B-P", opened_on=date(2024, 1, 1)
        ),
    }
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once per module inside a transaction rolled back at the end; each test runs in its own
    savepoint inside it (pytest-django's `db`), so tests never see each other's writes."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
