"""A referral naming many procedures (an article 40 notice or a complaint covering a whole case):
its deadlines are the same as if opened one procedure at a time, in a bounded number of queries,
and past REFERRAL_DEADLINES_INLINE they open in a real worker after the referral is committed."""

import html
import time
from datetime import date

import pytest
from django.urls import reverse

from procedures import services
from procedures.models import Deadline
from tests.factories import OffenceFactory, ParquetFactory

COMPLAINT = {
    "kind": "plainte_simple",
    "author": "L'association",
    "recipient": "Procureur de la République",
    "lodged_with": "procureur",
    "sent_on": date(2025, 1, 15),
}
COMPARED = ("procedure_id", "rule", "trigger_date", "party", "computed_due_on", "due_on", "rule_version", "owner_id")


def _procedures(owner, case, count):
    parquets = [ParquetFactory(), ParquetFactory(holiday_subdivision="57")]
    made = [
        services.procedure_create(
            user=owner,
            case=case,
            parquet=parquets[n % 2],
            parquet_reference=f"25/{n:03d}",
            opened_on=date(2024, 6, 1),
            stage="enquete",
        )
        for n in range(count)
    ]
    # A crime: no waiting period of art. 85 for it.
    made[0].offences.set([OffenceFactory(article="222-23", nature="crime")])
    return made


def _deadlines():
    return sorted(((*(getattr(d, f) for f in COMPARED), d.explanation) for d in Deadline.objects.all()), key=str)


@pytest.mark.django_db
def test_opened_together_they_are_the_deadlines_opened_one_by_one(owner, case, association, settings):
    procedures = _procedures(owner, case, 6)
    settings.REFERRAL_DEADLINES_INLINE = 100
    for procedure in procedures:
        services.referral_record(
            user=owner, case=case, procedures=[procedure], author_association=association, **COMPLAINT
        )
    one_by_one = _deadlines()
    Deadline.objects.all().delete()
    services.referral_record(user=owner, case=case, procedures=procedures, author_association=association, **COMPLAINT)
    together = _deadlines()
    assert together == one_by_one
    assert len(together) == 5  # not the crime's


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_procedures(owner, case, association, settings, django_assert_max_num_queries):
    procedures = _procedures(owner, case, 40)
    settings.REFERRAL_DEADLINES_INLINE = 100
    with django_assert_max_num_queries(45):
        services.referral_record(
            user=owner, case=case, procedures=procedures, author_association=association, **COMPLAINT
        )
    assert Deadline.objects.filter(rule="pacpc_after_complaint").count() == 39


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_past_the_limit_a_worker_opens_them_after_the_commit(client, owner, case, association, settings, celery_worker):
    procedures = _procedures(owner, case, 4)
    settings.REFERRAL_DEADLINES_INLINE = 2
    client.force_login(owner)
    response = client.post(
        reverse("referral_add", args=[case.pk]),
        {
            **COMPLAINT,
            "sent_on": "2025-01-15",
            "author_association": association.pk,
            "procedures": [p.pk for p in procedures],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Les délais de ses 4 procédures s'ouvrent en arrière-plan" in html.unescape(response.content.decode())
    deadlines = Deadline.objects.filter(rule="pacpc_after_complaint")
    for _attempt in range(100):
        if deadlines.count() == 3:
            break
        time.sleep(0.1)
    assert deadlines.count() == 3
    # Run again (a retried task): nothing more.
    from procedures.models import Event, Referral
    from procedures.tasks import open_referral_deadlines

    referral = Referral.objects.get()
    event = Event.objects.get(source_model="referral", source_id=referral.pk)
    assert open_referral_deadlines.delay(referral.pk, event.pk, owner.pk).get(timeout=30) == "done"
    assert deadlines.count() == 3
    assert open_referral_deadlines.delay(referral.pk + 999, event.pk, owner.pk).get(timeout=30) == "gone"
