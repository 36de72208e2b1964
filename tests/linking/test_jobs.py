"""The search as a job whose row is the truth: asked once however often, run once however often
delivered, swept when lost or stale, failed with a readable reason; and a real worker on the real
broker runs it."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from linking import jobs
from linking.models import Judgement, LinkingRun, MatchDecision, Person, RunStatus
from tests.factories import SuspectFactory

SPELLINGS = ("FICTIF-MARTIN J.", "Julien Fictif-Martin", "Autre Personne")


@pytest.fixture
def suspects(case):
    return [SuspectFactory(case=case, name=name) for name in SPELLINGS]


@pytest.mark.django_db
def test_the_page_asks_once_and_the_run_proposes_the_pair(client, owner, suspects, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("linking_search"))
    run = LinkingRun.objects.get()
    assert run.status == RunStatus.DONE and run.progress == 100  # no broker in tests: run in-process
    assert run.result["persons"] == 3 and run.result["proposed"] >= 1
    assert MatchDecision.objects.filter(judgement=Judgement.POSSIBLE).exists()
    page = client.get(reverse("linking_review")).content.decode()
    assert "Dernière recherche le" in page and "FICTIF-MARTIN J." in page


@pytest.mark.django_db
def test_asked_again_while_waiting_it_is_the_same_run_and_a_second_delivery_does_nothing(owner, suspects):
    first = jobs.linking_run_request(user=owner, association_id=suspects[0].case.association_id)
    again = jobs.linking_run_request(user=owner, association_id=suspects[0].case.association_id)
    assert first.pk == again.pk and LinkingRun.objects.count() == 1
    assert jobs.linking_run_execute(run_id=first.pk).status == RunStatus.DONE
    proposals = MatchDecision.objects.count()
    assert jobs.linking_run_execute(run_id=first.pk) is None  # re-delivered: already done
    assert MatchDecision.objects.count() == proposals


@pytest.mark.django_db
def test_staff_cannot_ask(colleague, suspects):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        jobs.linking_run_request(user=colleague, association_id=suspects[0].case.association_id)


@pytest.mark.django_db
def test_the_sweeper_sends_a_lost_run_again_and_gives_up_a_run_that_keeps_dying(owner, suspects, monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "dispatch", lambda name, args: sent.append((name, args)))
    association_id = suspects[0].case.association_id
    lost = LinkingRun.objects.create(association_id=association_id, requested_by=owner)
    LinkingRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert jobs.sweep()["resent"] == [lost.pk] and sent == [("linking.run", [lost.pk])]
    assert jobs.sweep()["resent"] == []  # not every minute
    LinkingRun.objects.filter(pk=lost.pk).update(
        status=RunStatus.RUNNING, attempt=jobs.MAX_ATTEMPTS, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert jobs.sweep()["failed"] == [lost.pk]
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and "interrompue 3 fois" in lost.error


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_run_with_a_readable_reason(owner, suspects, monkeypatch):
    from linking import services

    def broken(**kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(services, "candidates_propose", broken)
    run = jobs.linking_run_request(user=owner, association_id=suspects[0].case.association_id)
    run = jobs.linking_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "RuntimeError" in run.error and "relancez" in run.error


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_search_from_the_broker(owner, suspects, celery_worker):
    from django.db import transaction

    with transaction.atomic():
        run = jobs.linking_run_request(user=owner, association_id=suspects[0].case.association_id)
    deadline = timezone.now() + timedelta(seconds=60)
    while timezone.now() < deadline:
        run.refresh_from_db()
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            break
        time.sleep(0.2)
    assert run.status == RunStatus.DONE, run.error
    assert Person.objects.count() == 3
